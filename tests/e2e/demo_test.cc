// The README's first command end to end: scripts/demo installs, builds, boots the local cluster and
// runs every example unit where its [X-Fleet] section says; `scripts/cluster down` then leaves no
// process, mount, bridge or cgroup behind.
#include <regex>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fixtures/cluster_footprint.h"
#include "fixtures/nspawn_cluster.h"
#include "fixtures/run_command.h"
#include "fixtures/temp_dir.h"

namespace fleet::testing {
namespace {

using ::testing::IsEmpty;

// The rows `fleetctl list-units` printed for `unit`: the short machine ID of each, with its
// ACTIVE and SUB columns.
std::vector<std::string> list_units_rows(const std::string& output, const std::string& unit) {
  std::vector<std::string> rows;
  const std::regex row("^" + std::regex_replace(unit, std::regex(R"([.@])"), R"(\$&)") +
                           R"(\t+([0-9a-f]{8})\.\.\./[0-9.]+\t+(\w+)\t+(\w+)$)",
                       std::regex::multiline);
  for (std::sregex_iterator it(output.begin(), output.end(), row), end; it != end; ++it) {
    rows.push_back((*it)[1].str() + " " + (*it)[2].str() + " " + (*it)[3].str());
  }
  return rows;
}

std::set<std::string> machines_of(const std::vector<std::string>& rows) {
  std::set<std::string> machines;
  for (const auto& row : rows) machines.insert(row.substr(0, 8));
  return machines;
}

TEST(DemoTest, RunsEveryExampleWhereItBelongsAndTheClusterGoesWithoutATrace) {
  const TempDir temp("fleet-demo");
  const auto dir = temp.path() / "cluster";
  const auto demo = run_command({"env", "BUILD_DIR=" FLEET_BINARY_DIR, "DEMO_DIR=" + dir.string(),
                                 FLEET_SOURCE_DIR "/scripts/demo"},
                                std::chrono::minutes(10));
  // Whatever the demo got to, the cluster is this test's to take down.
  std::unique_ptr<NspawnCluster> cluster;
  try {
    cluster = NspawnCluster::adopt(dir);
  } catch (const std::exception& error) {
    FAIL() << "the demo left no cluster: " << error.what() << "\n" << demo.output;
  }
  ASSERT_TRUE(demo.ok()) << demo.output;
  const auto& out = demo.output;

  // The demo gives machine 1 disk=ssd.
  const std::string ssd = cluster->machines()[0].machine_id.substr(0, 8);

  auto hello = list_units_rows(out, "hello.service");
  ASSERT_EQ(hello.size(), 1u) << out;
  EXPECT_THAT(hello[0], ::testing::EndsWith(" active running"));
  EXPECT_EQ(machines_of(list_units_rows(out, "monitor.service")).size(), 3u) << "global";
  EXPECT_EQ(machines_of(list_units_rows(out, "app-sidekick.service")),
            machines_of(list_units_rows(out, "app.service")))
      << "MachineOf";
  std::set<std::string> webs;
  for (const char* web : {"web@1.service", "web@2.service", "web@3.service"}) {
    auto machines = machines_of(list_units_rows(out, web));
    ASSERT_EQ(machines.size(), 1u) << web << "\n" << out;
    webs.insert(*machines.begin());
  }
  EXPECT_EQ(webs.size(), 3u) << "Conflicts=web@*.service";
  EXPECT_EQ(machines_of(list_units_rows(out, "cache.service")), std::set<std::string>{ssd})
      << "MachineMetadata=disk=ssd";
  EXPECT_EQ(cluster->exec(0, {"systemctl", "is-active", "cache.service"}).output, "active\n");

  // status and journal -f of hello.service, relayed from machine 1's fleetd to its machine.
  EXPECT_THAT(out, ::testing::HasSubstr("Active: active (running)"));
  const auto journal = out.find("$ fleetctl journal -f hello.service");
  ASSERT_NE(journal, std::string::npos) << out;
  EXPECT_THAT(out.substr(journal), ::testing::ContainsRegex("Hello, world(.|\n)*Hello, world"));
  // Where to open the dashboard: machine 1's fleetd (dashboard_test checks the page itself).
  EXPECT_THAT(out, ::testing::HasSubstr("http://" + cluster->machines()[0].address + ":49153/"));

  const ClusterFootprint footprint(*cluster);
  cluster.reset();  // scripts/cluster down, as the demo's last lines tell a user
  EXPECT_THAT(footprint.leftovers(), IsEmpty());
}

}  // namespace
}  // namespace fleet::testing
