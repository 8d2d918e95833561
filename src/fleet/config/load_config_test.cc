#include "fleet/config/load_config.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

#include "fixtures/temp_dir.h"

namespace fleet::config {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

constexpr std::string_view kSource = "/etc/fleet/fleet.conf";

Result<Config> config_from(std::string_view text, const Environment& environment = {}) {
  auto file = parse_config_text(text, kSource);
  if (!file) return fail(file.error());
  return make_config(*file, environment);
}

TEST(MakeConfigTest, NothingGivenIsTheDefaults) {
  auto config = make_config(ConfigFile{}, Environment{});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST(MakeConfigTest, EveryKeyFromTheFile) {
  auto config = config_from(
      "verbosity=2\n"
      "etcd_servers=[\"https://10.0.0.1:2379\", \"https://10.0.0.2:2379\"]\n"
      "etcd_username=fleet\n"
      "etcd_password=p4ss\n"
      "etcd_keyfile=/k.pem\n"
      "etcd_certfile=/c.pem\n"
      "etcd_cafile=/ca.pem\n"
      "etcd_key_prefix=/fleet_functional/smoke\n"
      "etcd_request_timeout=5\n"
      "engine_reconcile_interval=10.5\n"
      "public_ip=172.18.1.1\n"
      "metadata=\"region=us-west, az=us-west-1\"\n"
      "agent_ttl=1m30s\n"
      "units_directory=/var/lib/fleet/units\n"
      "systemd_user=true\n"
      "token_limit=50\n"
      "enable_grpc=true\n"
      "disable_engine=1\n"
      "disable_watches=T\n"
      "verify_units=false\n"
      "authorized_keys_file=\n"
      "api_listen=49153, [::]:8080\n"
      "purge_on_shutdown=True\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->verbosity, 2);
  EXPECT_EQ(config->etcd_servers, (Strings{"https://10.0.0.1:2379", "https://10.0.0.2:2379"}));
  EXPECT_EQ(config->etcd_username, "fleet");
  EXPECT_EQ(config->etcd_password, "p4ss");
  EXPECT_EQ(config->etcd_keyfile, "/k.pem");
  EXPECT_EQ(config->etcd_certfile, "/c.pem");
  EXPECT_EQ(config->etcd_cafile, "/ca.pem");
  EXPECT_EQ(config->etcd_key_prefix, "/fleet_functional/smoke");
  EXPECT_EQ(config->etcd_request_timeout, milliseconds(5000));
  EXPECT_EQ(config->engine_reconcile_interval, milliseconds(10'500));
  EXPECT_EQ(config->public_ip, "172.18.1.1");
  EXPECT_EQ(config->metadata, (Metadata{{"az", "us-west-1"}, {"region", "us-west"}}));
  EXPECT_EQ(config->agent_ttl, milliseconds(90'000));
  EXPECT_EQ(config->units_directory, "/var/lib/fleet/units");
  EXPECT_TRUE(config->systemd_user);
  EXPECT_EQ(config->token_limit, 50);
  EXPECT_TRUE(config->enable_grpc);
  EXPECT_TRUE(config->disable_engine);
  EXPECT_TRUE(config->disable_watches);
  EXPECT_FALSE(config->verify_units);
  EXPECT_EQ(config->authorized_keys_file, "");
  EXPECT_EQ(config->api_listen, (std::vector<ListenAddress>{{"127.0.0.1", 49153}, {"::", 8080}}));
  EXPECT_TRUE(config->purge_on_shutdown);
  EXPECT_EQ(config->source_file, kSource);
  EXPECT_TRUE(config->warnings.empty()) << config->warnings.front();
}

TEST(MakeConfigTest, LastRepeatWins) {
  auto config = config_from("agent_ttl=5s\nagent_ttl=7s\n");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->agent_ttl, milliseconds(7000));
  EXPECT_EQ(
      config->warnings,
      (Strings{"/etc/fleet/fleet.conf line 2: agent_ttl repeats line 1, the later value wins"}));
}

TEST(MakeConfigTest, EnvironmentOverridesTheFile) {
  auto config = config_from("agent_ttl=5s\nmetadata=a=1\nverbosity=1\n",
                            {{"FLEET_AGENT_TTL", "3s"},
                             {"FLEET_METADATA", "hostname=node1"},
                             {"FLEET_ETCD_SERVERS", "http://172.18.0.1:4001"},
                             {"FLEET_PUBLIC_IP", " 172.18.1.2 "},  // trimmed
                             {"FLEET_VERBOSITY", ""},              // empty: the file's stays
                             {"FLEET_API_LISTEN", "54728"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->agent_ttl, milliseconds(3000));
  EXPECT_EQ(config->metadata, (Metadata{{"hostname", "node1"}}));
  EXPECT_EQ(config->etcd_servers, (Strings{"http://172.18.0.1:4001"}));
  EXPECT_EQ(config->public_ip, "172.18.1.2");
  EXPECT_EQ(config->verbosity, 1);
  EXPECT_EQ(config->api_listen, (std::vector<ListenAddress>{{"127.0.0.1", 54728}}));
  EXPECT_TRUE(config->warnings.empty());
}

TEST(MakeConfigTest, EnvironmentWithoutAFile) {
  auto config = make_config(ConfigFile{}, {{"FLEET_DISABLE_ENGINE", "true"},
                                           {"FLEET_ETCD_KEY_PREFIX", "/custom"},
                                           {"FLEET_PURGE_ON_SHUTDOWN", "1"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->disable_engine);
  EXPECT_EQ(config->etcd_key_prefix, "/custom");
  EXPECT_TRUE(config->purge_on_shutdown);
  EXPECT_EQ(config->source_file, "");
}

TEST(MakeConfigTest, EnvironmentValuesAreNotUnquoted) {
  // systemd's Environment= already removed the quotes a shell would; what is left is the value.
  auto config = make_config(ConfigFile{}, {{"FLEET_ETCD_USERNAME", "'fleet'"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->etcd_username, "'fleet'");
}

TEST(MakeConfigTest, BadEnvironmentValueNamesTheVariable) {
  const std::vector<std::pair<Environment, std::string>> cases = {
      {{{"FLEET_AGENT_TTL", "30x"}},
       R"(environment variable FLEET_AGENT_TTL: invalid duration "30x": unknown unit "x")"},
      {{{"FLEET_DISABLE_ENGINE", "yes"}},
       R"(environment variable FLEET_DISABLE_ENGINE: invalid boolean "yes" (use true or false))"},
      {{{"FLEET_TOKEN_LIMIT", "-1"}},
       R"(environment variable FLEET_TOKEN_LIMIT: must be at least 1, got "-1")"},
      {{{"FLEET_ETCD_REQUEST_TIMEOUT", "1s"}},
       R"(environment variable FLEET_ETCD_REQUEST_TIMEOUT: invalid number of seconds "1s")"},
      {{{"FLEET_API_LISTEN", "::1:80"}},
       R"(environment variable FLEET_API_LISTEN: "::1:80": put an IPv6 address in brackets, )"
       R"(e.g. [::1]:80)"},
  };
  for (const auto& [environment, message] : cases) {
    SCOPED_TRACE(message);
    testing::expect_invalid_argument(make_config(ConfigFile{}, environment).map([](auto) {}),
                                     message);
  }
}

TEST(MakeConfigTest, BadFileValueFailsEvenWhenTheEnvironmentOverridesIt) {
  testing::expect_invalid_argument(
      config_from("agent_ttl=soon\n", {{"FLEET_AGENT_TTL", "30s"}}).map([](auto) {}),
      R"(/etc/fleet/fleet.conf line 1: agent_ttl: invalid duration "soon")");
}

TEST(MakeConfigTest, MetadataThatIsNotKeyValueIsRefused) {
  testing::expect_invalid_argument(
      config_from("metadata=region=eu,novalue\n", {}).map([](auto) {}),
      R"(/etc/fleet/fleet.conf line 1: metadata: "novalue" is not key=value (write )"
      R"(key=value,key2=value2))");
  auto from_environment = config_from("", {{"FLEET_METADATA", "role=web,=x"}});
  ASSERT_FALSE(from_environment.has_value());
  EXPECT_NE(from_environment.error().message.find("FLEET_METADATA"), std::string::npos)
      << from_environment.error().message;
  EXPECT_NE(from_environment.error().message.find(R"("=x" is not key=value)"), std::string::npos)
      << from_environment.error().message;
}

TEST(MakeConfigTest, WarningsInOrder) {
  auto config = config_from(
      "etcd_servers=http://a:2379\n"
      "etcd_servers=http://b:2379\n"
      "metadata=region=eu\n"
      "verify_units=true\n"
      "authorized_keys_file=/home/core/.ssh/authorized_keys\n",
      {{"FLEET_METADATA_TYPO", "x"},
       {"FLEET_METADATA", "role=web"},
       {"FLEETCTL_ENDPOINT", "http://x"},  // fleetctl's, not ours
       {"PATH", "/bin"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->warnings,
            (Strings{
                "/etc/fleet/fleet.conf line 2: etcd_servers repeats line 1, the later value wins",
                "environment variable FLEET_METADATA_TYPO is not a fleetd option, ignoring",
                "config option verify_units is no longer supported, ignoring",
                "config option authorized_keys_file is no longer supported, ignoring",
            }));
  EXPECT_EQ(config->metadata, (Metadata{{"role", "web"}}));
}

TEST(MakeConfigTest, DeprecatedOptionsWarnOnlyWhenInEffect) {
  auto config = config_from("verify_units=true\nauthorized_keys_file=/keys\n",
                            {{"FLEET_VERIFY_UNITS", "false"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->warnings,
            (Strings{"config option authorized_keys_file is no longer supported, ignoring"}));
}

class LoadConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  std::string missing() const { return (dir_.path() / "missing.conf").string(); }

  fleet::testing::TempDir dir_{"config-test"};
};

TEST_F(LoadConfigTest, NoFileAnywhereIsTheDefaults) {
  auto config =
      load_config({.config_path = "", .default_config_path = missing(), .environment = {}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST_F(LoadConfigTest, DefaultFileIsUsedWhenItExists) {
  auto path = write("fleet.conf", "agent_ttl=3s\n");
  auto config = load_config(
      {.config_path = "", .default_config_path = path, .environment = {{"FLEET_VERBOSITY", "1"}}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->agent_ttl, milliseconds(3000));
  EXPECT_EQ(config->verbosity, 1);
  EXPECT_EQ(config->source_file, path);
}

TEST_F(LoadConfigTest, ExplicitPathWinsOverTheDefault) {
  auto default_path = write("default.conf", "agent_ttl=3s\n");
  auto explicit_path = write("explicit.conf", "agent_ttl=4s\n");
  auto config = load_config(
      {.config_path = explicit_path, .default_config_path = default_path, .environment = {}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->agent_ttl, milliseconds(4000));
  EXPECT_EQ(config->source_file, explicit_path);
}

TEST_F(LoadConfigTest, ExplicitPathMustExist) {
  auto config =
      load_config({.config_path = missing(), .default_config_path = missing(), .environment = {}});
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(config.error().message,
            "unable to use config file " + missing() + ": No such file or directory");
}

TEST_F(LoadConfigTest, ExplicitPathMustNotBeADirectory) {
  auto directory = dir_.path().string();
  auto config =
      load_config({.config_path = directory, .default_config_path = missing(), .environment = {}});
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(config.error().message, "unable to use config file " + directory + ": is a directory");
}

TEST_F(LoadConfigTest, BrokenDefaultFileIsAnError) {
  auto path = write("fleet.conf", "agent_ttl\n");
  testing::expect_invalid_argument(
      load_config({.config_path = "", .default_config_path = path, .environment = {}})
          .map([](auto) {}),
      path + R"( line 1: expected key=value, got "agent_ttl")");
}

TEST_F(LoadConfigTest, ApiTlsFilesFromTheFileAndTheEnvironment) {
  auto cert = write("api.crt", "certificate");
  auto key = write("api.key", "key");
  auto ca = write("clients.crt", "roots");
  auto other_ca = write("other-clients.crt", "other roots");
  auto path = write("fleet.conf", "api_listen=0.0.0.0:49153\napi_tls_certfile=" + cert +
                                      "\napi_tls_keyfile=" + key + "\napi_tls_cafile=" + ca + "\n");
  auto config = load_config({.config_path = path,
                             .default_config_path = missing(),
                             .environment = {{"FLEET_API_TLS_CAFILE", other_ca}}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->api_tls_certfile, cert);
  EXPECT_EQ(config->api_tls_keyfile, key);
  EXPECT_EQ(config->api_tls_cafile, other_ca);
  EXPECT_TRUE(config->warnings.empty()) << config->warnings.front();
  // Paths, never contents.
  auto text = describe(*config);
  EXPECT_NE(text.find(" api_tls_certfile=" + cert + " api_tls_keyfile=" + key +
                      " api_tls_cafile=" + other_ca),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("certificate"), std::string::npos) << text;
}

TEST_F(LoadConfigTest, ApiTlsErrorsNameTheKeyAndTheFile) {
  auto cert = write("api.crt", "certificate");
  auto key = write("api.key", "key");
  auto ca = write("clients.crt", "roots");
  const auto directory = dir_.path().string();
  const std::vector<std::pair<Environment, std::string>> cases = {
      {{{"FLEET_API_TLS_CERTFILE", cert}},
       "api_tls_certfile is set without api_tls_keyfile: the API's certificate and its key go "
       "together"},
      {{{"FLEET_API_TLS_KEYFILE", key}, {"FLEET_API_TLS_CAFILE", ca}},
       "api_tls_keyfile is set without api_tls_certfile: the API's certificate and its key go "
       "together"},
      {{{"FLEET_API_TLS_CAFILE", ca}},
       "api_tls_cafile is set without api_tls_certfile and api_tls_keyfile: client certificates "
       "are only asked for over TLS"},
      {{{"FLEET_API_TLS_CERTFILE", missing()}, {"FLEET_API_TLS_KEYFILE", key}},
       "api_tls_certfile: cannot use " + missing() + ": No such file or directory"},
      {{{"FLEET_API_TLS_CERTFILE", cert}, {"FLEET_API_TLS_KEYFILE", directory}},
       "api_tls_keyfile: cannot use " + directory + ": is a directory"},
      {{{"FLEET_API_TLS_CERTFILE", cert},
        {"FLEET_API_TLS_KEYFILE", key},
        {"FLEET_API_TLS_CAFILE", missing()}},
       "api_tls_cafile: cannot use " + missing() + ": No such file or directory"},
  };
  for (const auto& [environment, message] : cases) {
    SCOPED_TRACE(message);
    testing::expect_invalid_argument(
        load_config(
            {.config_path = "", .default_config_path = missing(), .environment = environment})
            .map([](auto) {}),
        message);
  }
  // The file's values are checked as finally set, wherever they came from.
  auto path = write("fleet.conf", "api_tls_certfile=" + cert + "\n");
  testing::expect_invalid_argument(
      load_config({.config_path = path, .default_config_path = missing(), .environment = {}})
          .map([](auto) {}),
      "api_tls_certfile is set without api_tls_keyfile: the API's certificate and its key go "
      "together");
}

TEST_F(LoadConfigTest, DefaultPathIsTheOriginals) {
  EXPECT_EQ(LoadOptions{}.default_config_path, "/etc/fleet/fleet.conf");
}

TEST(FleetEnvironmentTest, ReadsOnlyFleetVariables) {
  ASSERT_EQ(::setenv("FLEET_CONFIG_TEST_VALUE", "a=b", 1), 0);
  ASSERT_EQ(::setenv("NOT_FLEET_CONFIG_TEST", "x", 1), 0);
  auto environment = fleet_environment();
  ::unsetenv("FLEET_CONFIG_TEST_VALUE");
  ::unsetenv("NOT_FLEET_CONFIG_TEST");
  ASSERT_TRUE(environment.contains("FLEET_CONFIG_TEST_VALUE"));
  EXPECT_EQ(environment.at("FLEET_CONFIG_TEST_VALUE"), "a=b");
  for (const auto& [name, value] : environment) EXPECT_TRUE(name.starts_with("FLEET_")) << name;
}

}  // namespace
}  // namespace fleet::config
