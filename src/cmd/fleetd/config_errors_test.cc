// The fleetd binary given a bad configuration: it exits 1 before doing anything, with one line
// that names the file, the line and the key, and says what to write instead.
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "fixtures/run_command.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetd {
namespace {

struct BadConfig {
  std::string text;
  std::string message;  // what fleetd's error must say, FILE standing for the file's path
};

class ConfigErrorsTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrorsTest, FleetdStopsAtStartNamingTheLineAndTheFix) {
  fleet::testing::TempDir dir("fleetd-config");
  const auto path = (dir.path() / "fleet.conf").string();
  std::ofstream(path) << GetParam().text;
  auto run = fleet::testing::run_command({FLEETD_BINARY, "-config", path});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("event=config_invalid"), std::string::npos) << run.output;
  auto message = GetParam().message;
  if (auto file = message.find("FILE"); file != std::string::npos) message.replace(file, 4, path);
  EXPECT_NE(run.output.find(message), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("event=api_listening"), std::string::npos) << "it started serving";
}

INSTANTIATE_TEST_SUITE_P(
    Fleetd, ConfigErrorsTest,
    ::testing::Values(
        BadConfig{"etcd_servers=http://127.0.0.1:2379\netcd_server=http://10.0.0.1:2379\n",
                  R"(FILE line 2: unknown key "etcd_server"; did you mean "etcd_servers"?)"},
        BadConfig{"agent_ttl=30\n",
                  R"(FILE line 1: agent_ttl: invalid duration "30": missing unit)"},
        BadConfig{"metadata=region=eu,ssd\n",
                  R"(FILE line 1: metadata: "ssd" is not key=value (write key=value,key2=value2))"},
        BadConfig{"api_tls_certfile=/nonexistent/server.crt\napi_tls_keyfile=/nonexistent/k\n",
                  "api_tls_certfile: cannot use /nonexistent/server.crt: No such file"}));

}  // namespace
}  // namespace fleet::fleetd
