// What fleetd logs and serves at start, and what SIGUSR1 prints, with an etcd that requires a
// password and an API behind TLS: the password and the keys' contents appear nowhere, and every
// api_listen address others can use without a client certificate is warned about.
#include "cmd/fleetd/startup.h"

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "fleet/agent/agent.h"
#include "fleet/agent/unit_manager.h"
#include "fleet/api/registry_backend.h"
#include "fleet/api/router.h"
#include "fleet/client/endpoint.h"
#include "fleet/client/http_transport.h"
#include "fleet/etcd/client.h"
#include "fleet/registry/registry.h"

#include "fixtures/etcd_server.h"
#include "fixtures/etcdctl.h"
#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"
#include "fixtures/test_pki.h"

namespace fleet::fleetd {
namespace {

using fleet::testing::TempDir;
using fleet::testing::TlsFiles;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "s3cret-XYZ";
constexpr std::string_view kMachineId = "5b0c5e1a9d2f4e7c8a6b3d1f0e9c7a55";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The base64 lines of a PEM file: what would show if its contents leaked.
std::vector<std::string> pem_body(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && !line.starts_with("-----")) lines.push_back(line);
  }
  return lines;
}

// Routes spdlog's default logger into a string while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("%l %v");  // as fleetd's lines read in the journal
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }

  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

// A machine without units: the agent registers it and has nothing else to do.
class IdleUnitManager final : public agent::UnitManager {
 public:
  Status load(std::string_view, const unit::UnitFile&) override { return {}; }
  Status unload(std::string_view) override { return {}; }
  Status reload() override { return {}; }
  Status start(std::string_view) override { return {}; }
  Status stop(std::string_view) override { return {}; }
  Result<std::map<std::string, unit::UnitHash>> unit_files() override {
    return std::map<std::string, unit::UnitHash>{};
  }
  Result<std::map<std::string, agent::UnitStatus>> statuses(
      const std::vector<std::string>& names) override {
    std::map<std::string, agent::UnitStatus> out;
    for (const auto& name : names) out[name] = {"not-found", "inactive", "dead"};
    return out;
  }
  Status watch(OnChange) override { return {}; }
};

class StartupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_dir_ = new TempDir("fleetd-startup-pki");
    pki_ = fleet::testing::make_test_pki(pki_dir_->path());
  }
  static void TearDownTestSuite() {
    delete pki_dir_;
    pki_dir_ = nullptr;
  }

  std::string write_config(const std::string& text) {
    auto path = dir_.path() / "fleet.conf";
    std::ofstream(path) << text;
    return path.string();
  }

  // Every option that names a secret or a key file, and an API with client certificates.
  static std::string secure_config(const std::string& etcd_endpoint) {
    return "etcd_servers=" + etcd_endpoint +
           "\netcd_username=root\netcd_password=" + std::string(kSecret) +
           "\netcd_key_prefix=/startup-test/\napi_listen=127.0.0.1:0\napi_tls_certfile=" +
           pki_.server_cert_file + "\napi_tls_keyfile=" + pki_.server_key_file +
           "\napi_tls_cafile=" + pki_.ca_file + "\netcd_keyfile=" + pki_.client_key_file +
           "\netcd_certfile=" + pki_.client_cert_file + "\n";
  }

  // Neither the password nor a line of any private key in `text`.
  static void expect_no_secret(const std::string& text, const std::string& where) {
    EXPECT_EQ(text.find(kSecret), std::string::npos) << where << ":\n" << text;
    for (const auto& key : {pki_.server_key_file, pki_.client_key_file}) {
      for (const auto& line : pem_body(key)) {
        EXPECT_EQ(text.find(line), std::string::npos) << where << " shows " << key << ":\n" << text;
      }
    }
  }

  static inline TempDir* pki_dir_ = nullptr;
  static inline TlsFiles pki_;
  TempDir dir_{"fleetd-startup"};
};

TEST_F(StartupTest, TheConfigurationLogShowsPathsAndHidesThePassword) {
  LogCapture log;
  auto config = load_logged_config({.config_path = write_config(secure_config("http://x:2379"))});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->etcd_password, kSecret);
  const auto text = log.text();
  EXPECT_NE(text.find(" etcd_password=<set> "), std::string::npos) << text;
  EXPECT_NE(text.find(" api_tls_keyfile=" + pki_.server_key_file + " "), std::string::npos) << text;
  EXPECT_NE(text.find(" etcd_keyfile=" + pki_.client_key_file + " "), std::string::npos) << text;
  expect_no_secret(text, "the config log");
}

TEST_F(StartupTest, AConfigErrorDoesNotQuoteThePassword) {
  auto config = load_logged_config(
      {.config_path = write_config("etcd_password=\"" + std::string(kSecret) + "\n")});
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("etcd_password: unterminated quote"), std::string::npos)
      << config.error().message;
  expect_no_secret(config.error().message, "the error fleetd logs");
}

TEST(ApiExposureTest, WarnsForEveryAddressOthersReachWithoutAClientCertificate) {
  config::Config config;
  config.api_listen = {{"127.0.0.1", 49153}, {"::1", 49154}, {"localhost", 49155}};
  EXPECT_TRUE(api_exposure_warnings(config).empty()) << "loopback only";

  config.api_listen = {{"127.0.0.1", 49153}, {"0.0.0.0", 49153}, {"10.0.0.5", 8080}};
  auto plain = api_exposure_warnings(config);
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_TRUE(
      plain[0].starts_with("event=api_unauthenticated address=0.0.0.0:49153 (the API is "
                           "reachable from other hosts without authentication"))
      << plain[0];
  EXPECT_TRUE(plain[1].starts_with("event=api_unauthenticated address=10.0.0.5:8080 ")) << plain[1];

  config.api_tls_certfile = "/etc/fleet/api.crt";
  config.api_tls_keyfile = "/etc/fleet/api.key";
  auto server_only = api_exposure_warnings(config);
  ASSERT_EQ(server_only.size(), 2u);
  EXPECT_NE(server_only[0].find("TLS without api_tls_cafile"), std::string::npos) << server_only[0];

  config.api_tls_cafile = "/etc/fleet/clients-ca.crt";
  EXPECT_TRUE(api_exposure_warnings(config).empty()) << "client certificates required";
}

TEST_F(StartupTest, TheWarningIsLoggedAtStart) {
  LogCapture log;
  config::Config config;
  config.api_listen = {{"0.0.0.0", 0}};
  auto options = api_options(config);
  options.listen = {.socket_activation = false,
                    .unix_socket = (dir_.path() / "fleet.sock").string(),
                    .tcp = config.api_listen};
  auto api = start_logged_api(options, config);
  ASSERT_TRUE(api.has_value()) << api.error().message;
  EXPECT_NE(log.text().find("warning event=api_unauthenticated address=0.0.0.0:0 "),
            std::string::npos)
      << log.text();
  EXPECT_NE(log.text().find("tls=off"), std::string::npos) << log.text();
}

// The whole of a fleetd but systemd: etcd with a password, the agent, the API behind TLS.
TEST_F(StartupTest, NoSecretInTheApiTheDumpOrTheLogs) {
  fleet::testing::EtcdServer etcd;
  for (const auto& args : {std::vector<std::string>{"user", "add", "root:" + std::string(kSecret)},
                           std::vector<std::string>{"auth", "enable"}}) {
    auto done = fleet::testing::run_etcdctl({etcd.endpoint()}, args);
    ASSERT_TRUE(done.ok()) << done.output;
  }

  LogCapture log;
  auto config = load_logged_config({.config_path = write_config(secure_config(etcd.endpoint()))});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  // As the daemon connects (daemon.cc), without the client certificate the plain etcd has no use
  // for.
  auto client = etcd::Client::connect({.endpoints = config->etcd_servers,
                                       .username = config->etcd_username,
                                       .password = config->etcd_password});
  ASSERT_TRUE(client.has_value()) << client.error().message;
  registry::Registry registry(**client, registry::Keys(config->etcd_key_prefix));
  IdleUnitManager manager;
  auto agent = agent::Agent::start(registry, manager,
                                   {.machine = {.id = std::string(kMachineId),
                                                .public_ip = "10.0.0.7",
                                                .metadata = {},
                                                .version = FLEET_VERSION,
                                                .capabilities = {}},
                                    .ttl = 10s});
  ASSERT_TRUE(agent.has_value()) << agent.error().message;
  ASSERT_TRUE((*agent)->wait_registered(20s)) << log.text();

  api::RegistryBackend backend(registry);
  auto options = api_options(*config);
  options.listen.socket_activation = false;
  options.listen.unix_socket = (dir_.path() / "fleet.sock").string();
  auto api = start_logged_api(options, *config);
  ASSERT_TRUE(api.has_value()) << api.error().message;
  auto attached = (*api)->attach(api::Router(backend, {.token_limit = 100}),
                                 [&] { return (*agent)->registered() && backend.ready(); });
  ASSERT_TRUE(fleet::testing::eventually([&] { return backend.ready(); }, 20s));
  std::string tcp;
  for (const auto& address : (*api)->addresses()) {
    if (address.starts_with("tcp:")) tcp = address.substr(4);
  }
  ASSERT_FALSE(tcp.empty());
  EXPECT_NE(log.text().find("event=api_listening address=tcp:" + tcp + " tls=client_certificates"),
            std::string::npos)
      << log.text();

  auto endpoint = client::parse_api_endpoint("https://" + tcp);
  ASSERT_TRUE(endpoint.has_value());
  auto transport = client::HttpTransport::create(*endpoint, 5s,
                                                 {.ca_file = pki_.ca_file,
                                                  .cert_file = pki_.client_cert_file,
                                                  .key_file = pki_.client_key_file});
  ASSERT_TRUE(transport.has_value()) << transport.error().message;
  for (const char* target : {"/fleet/v1/machines", "/fleet/v1/units", "/fleet/v1/state",
                             "/fleet/v1/discovery", "/metrics", "/fleet/v1/nothing-here"}) {
    auto reply = (*transport)->send({.target = target});
    ASSERT_TRUE(reply.has_value()) << target << ": " << reply.error().message;
    if (std::string_view(target) == "/fleet/v1/machines") {
      EXPECT_NE(reply->body.find(kMachineId), std::string::npos)
          << "served from the password-protected etcd: " << reply->body;
    }
    std::string whole = reply->body;
    for (const auto& [name, value] : reply->headers) whole += "\n" + name + ": " + value;
    expect_no_secret(whole, target);
  }

  const auto dump = state_dump(**agent, nlohmann::json{{"disabled", true}});
  EXPECT_NE(dump.find(kMachineId), std::string::npos) << dump;
  expect_no_secret(dump, "the SIGUSR1 dump");

  // What fleetd would log when etcd refuses it.
  auto wrong = etcd::Client::connect({.endpoints = config->etcd_servers,
                                      .username = "root",
                                      .password = std::string(kSecret) + "-wrong",
                                      .request_timeout = 2s});
  ASSERT_TRUE(wrong.has_value());
  auto refused = (*wrong)->get("/startup-test/x");
  ASSERT_FALSE(refused.has_value());
  expect_no_secret(refused.error().message, "the etcd error");

  attached = {};
  api->reset();
  agent->reset();
  expect_no_secret(log.text(), "fleetd's log");
}

}  // namespace
}  // namespace fleet::fleetd
