// GET /metrics scraped and parsed from fleetd's pieces wired as daemon.cc wires them: an etcd
// client, registry, agent and engine counting into one metrics registry, the API serving it on a
// unix socket, a real etcd, and a unit manager that plays systemd. Checks the families operators
// need beyond spec §5.10 (issue 8): present with the right TYPE and labels, and moving when what
// they count happens.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleet/agent/agent.h"
#include "fleet/agent/unit_manager.h"
#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/api/router.h"
#include "fleet/client/endpoint.h"
#include "fleet/client/http_transport.h"
#include "fleet/engine/engine.h"
#include "fleet/etcd/client.h"
#include "fleet/metrics/fleet_metrics.h"
#include "fleet/metrics/testing/scrape.h"
#include "fleet/registry/registry.h"

#include "fixtures/etcd_server.h"
#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetd {
namespace {

using fleet::testing::eventually;
using metrics::testing::Scrape;
using ::testing::Contains;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

constexpr auto kDeadline = 20s;
constexpr std::string_view kMachineId = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

// Units as systemd would hold them, minus systemd: start() queues the job and the unit turns
// active a little later, reported through the watch as PropertiesChanged would be.
class PlayedUnitManager final : public agent::UnitManager {
 public:
  static constexpr auto kStartDelay = 50ms;

  ~PlayedUnitManager() override { join(); }

  // Waits for the reports still on their way; call before the agent goes.
  void join() {
    std::vector<std::thread> reporters;
    {
      std::lock_guard lock(mu_);
      reporters.swap(reporters_);
    }
    for (auto& reporter : reporters) reporter.join();
  }

  Status load(std::string_view name, const unit::UnitFile& file) override {
    std::lock_guard lock(mu_);
    files_[std::string(name)] = file.hash();
    statuses_[std::string(name)] = {"loaded", "inactive", "dead"};
    return {};
  }
  Status unload(std::string_view name) override {
    std::lock_guard lock(mu_);
    files_.erase(std::string(name));
    statuses_.erase(std::string(name));
    return {};
  }
  Status reload() override { return {}; }
  Status start(std::string_view name) override {
    std::lock_guard lock(mu_);
    statuses_[std::string(name)] = {"loaded", "activating", "start"};
    reporters_.emplace_back([this, unit = std::string(name)] {
      std::this_thread::sleep_for(kStartDelay);
      const agent::UnitStatus active{"loaded", "active", "running"};
      OnChange report;
      {
        std::lock_guard lock(mu_);
        statuses_[unit] = active;
        report = on_change_;
      }
      if (report) report(unit, active);
    });
    return {};
  }
  Status stop(std::string_view name) override {
    std::lock_guard lock(mu_);
    statuses_[std::string(name)] = {"loaded", "inactive", "dead"};
    return {};
  }
  Result<std::map<std::string, unit::UnitHash>> unit_files() override {
    std::lock_guard lock(mu_);
    return files_;
  }
  Result<std::map<std::string, agent::UnitStatus>> statuses(
      const std::vector<std::string>& names) override {
    std::lock_guard lock(mu_);
    std::map<std::string, agent::UnitStatus> out;
    for (const auto& name : names) {
      auto found = statuses_.find(name);
      out[name] = found == statuses_.end() ? agent::UnitStatus{"not-found", "inactive", "dead"}
                                           : found->second;
    }
    return out;
  }
  Status watch(OnChange on_change) override {
    std::lock_guard lock(mu_);
    on_change_ = std::move(on_change);
    return {};
  }

 private:
  std::mutex mu_;
  std::map<std::string, unit::UnitHash> files_;        // guarded by mu_
  std::map<std::string, agent::UnitStatus> statuses_;  // guarded by mu_
  OnChange on_change_;                                 // guarded by mu_
  std::vector<std::thread> reporters_;                 // guarded by mu_
};

class FleetdMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = etcd::Client::connect({.endpoints = {etcd_.endpoint()}, .metrics = &fleet_.etcd});
    ASSERT_TRUE(client.has_value()) << client.error().message;
    client_ = std::move(*client);
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys("/metrics-test/"),
                                                     fleet_.registry);
    auto api = api::ApiServer::start(
        {.listen = {.socket_activation = false, .unix_socket = socket_path_, .tcp = {}},
         .version = "9.8.7",
         .metrics = &metrics_});
    ASSERT_TRUE(api.has_value()) << api.error().message;
    api_ = std::move(*api);
    auto endpoint = client::parse_api_endpoint("unix://" + socket_path_);
    ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message;
    auto transport = client::HttpTransport::create(*endpoint, 5s, {});
    ASSERT_TRUE(transport.has_value()) << transport.error().message;
    transport_ = std::move(*transport);
  }

  Scrape scrape() {
    auto reply = transport_->send({.target = "/metrics"});
    if (!reply || reply->status != 200) return {};
    return Scrape::parse(reply->body);
  }

  // Scrapes until `done` holds of one scrape; that scrape.
  Scrape scrape_until(const std::function<bool(const Scrape&)>& done) {
    Scrape last;
    eventually(
        [&] {
          last = scrape();
          return done(last);
        },
        kDeadline);
    return last;
  }

  fleet::testing::EtcdServer etcd_;
  metrics::Registry metrics_;
  metrics::FleetMetrics fleet_{metrics_};
  std::unique_ptr<etcd::Client> client_;
  std::unique_ptr<registry::Registry> registry_;
  fleet::testing::TempDir dir_{"fleetd-metrics"};
  const std::string socket_path_ = (dir_.path() / "fleet.sock").string();
  std::unique_ptr<api::ApiServer> api_;
  std::unique_ptr<client::HttpTransport> transport_;
};

TEST_F(FleetdMetricsTest, OperatorFamiliesAreExportedWithTheirTypesAndMoveWithTheCluster) {
  PlayedUnitManager manager;
  auto agent = agent::Agent::start(*registry_, manager,
                                   {.machine = {.id = std::string(kMachineId),
                                                .public_ip = "10.0.0.9",
                                                .metadata = {},
                                                .version = "9.8.7",
                                                .capabilities = {}},
                                    .ttl = 10s,
                                    .metrics = &fleet_.agent});
  ASSERT_TRUE(agent.has_value()) << agent.error().message;
  auto engine = engine::Engine::start(*registry_, {.machine_id = std::string(kMachineId),
                                                   .reconcile_interval = 300ms,
                                                   .metrics = &fleet_.engine});
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  api::RegistryBackend backend(*registry_);
  auto attached = api_->attach(api::Router(backend), [] { return true; });

  auto scraped = scrape_until([](const Scrape& s) {
    return s.value("fleet_engine_leader") == 1 && s.value("fleet_machines_present") == 1;
  });
  ASSERT_EQ(scraped.value("fleet_engine_leader"), 1) << "the engine never led";
  EXPECT_THAT(scraped.errors, IsEmpty());
  const std::map<std::string, std::string> families = {
      {"fleet_units", "gauge"},
      {"fleet_unit_states", "gauge"},
      {"fleet_machines_present", "gauge"},
      {"fleet_engine_leader", "gauge"},
      {"fleet_engine_reconcile_duration_second", "histogram"},
      {"fleet_unit_schedule_to_active_seconds", "histogram"},
      {"fleet_etcd_request_duration_seconds", "histogram"},
      {"fleet_etcd_request_errors_total", "counter"},
      {"fleet_etcd_watch_lag_revisions", "gauge"},
      {"fleet_dbus_call_duration_seconds", "histogram"},
  };
  for (const auto& [name, type] : families) {
    auto found = scraped.types.find(name);
    ASSERT_NE(found, scraped.types.end()) << name << " is not exported";
    EXPECT_EQ(found->second, type) << name;
  }
  EXPECT_EQ(scraped.label_values("fleet_units", "desired_state"),
            (std::set<std::string>{"inactive", "launched", "loaded"}));
  EXPECT_THAT(scraped.label_values("fleet_unit_states", "active_state"), Contains("failed"));
  for (const char* method : {"range", "put", "txn", "delete", "lease_grant", "lease_keepalive"}) {
    EXPECT_THAT(scraped.label_values("fleet_etcd_request_duration_seconds_count", "method"),
                Contains(method));
  }
  EXPECT_THAT(scraped.label_values("fleet_dbus_call_duration_seconds_count", "method"),
              Contains("StartUnit"));
  // Every watch that follows a prefix has a series, in step with etcd by now or close to it.
  const auto watched = scraped.label_values("fleet_etcd_watch_lag_revisions", "key");
  EXPECT_THAT(watched, Contains("/metrics-test/units/")) << ::testing::PrintToString(watched);
  for (const auto& sample : scraped.samples) {
    if (sample.name == "fleet_etcd_watch_lag_revisions") {
      EXPECT_GE(sample.value, 0);
    }
  }
  // The agent's lease and the engine's leadership are kept alive: round trips are timed.
  EXPECT_GT(
      scrape_until([](const Scrape& s) {
        return s.value("fleet_etcd_request_duration_seconds_count{method=\"lease_keepalive\"}") > 0;
      }).value("fleet_etcd_request_duration_seconds_count{method=\"lease_keepalive\"}"),
      0);

  // A put counts under its method; a request etcd refuses counts as an error with its code.
  const std::string puts = "fleet_etcd_request_duration_seconds_count{method=\"put\"}";
  const double puts_before = scrape().value(puts);
  ASSERT_TRUE(client_->put("/metrics-test/other/x", "1").has_value());
  EXPECT_EQ(scrape().value(puts), puts_before + 1);
  EXPECT_FALSE(client_->lease_revoke(0x7e57).has_value());
  EXPECT_EQ(
      scrape().value("fleet_etcd_request_errors_total{method=\"lease_revoke\",code=\"not_found\"}"),
      1);

  // A launched unit: counted by the leader, started by the agent, timed to active.
  auto body = unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep 1d\n").value();
  ASSERT_TRUE(registry_->create_unit({"web.service", body, unit::DesiredState::kLaunched}));
  ASSERT_TRUE(registry_->create_unit({"idle.service", body, unit::DesiredState::kLoaded}));
  scraped = scrape_until([](const Scrape& s) {
    return s.value("fleet_units{desired_state=\"launched\"}") == 1 &&
           s.value("fleet_units{desired_state=\"loaded\"}") == 1 &&
           s.value("fleet_unit_states{active_state=\"active\"}") == 1 &&
           s.value("fleet_unit_schedule_to_active_seconds_count") == 1;
  });
  EXPECT_EQ(scraped.value("fleet_units{desired_state=\"launched\"}"), 1);
  EXPECT_EQ(scraped.value("fleet_units{desired_state=\"loaded\"}"), 1);
  EXPECT_EQ(scraped.value("fleet_units{desired_state=\"inactive\"}"), 0);
  EXPECT_EQ(scraped.value("fleet_unit_states{active_state=\"active\"}"), 1);
  // idle.service is loaded, not started.
  EXPECT_EQ(scraped.value("fleet_unit_states{active_state=\"inactive\"}"), 1);
  ASSERT_EQ(scraped.value("fleet_unit_schedule_to_active_seconds_count"), 1);
  const double launch = scraped.value("fleet_unit_schedule_to_active_seconds_sum");
  EXPECT_GE(launch, std::chrono::duration<double>(PlayedUnitManager::kStartDelay).count());
  EXPECT_LT(launch, 10);

  // Handing the leadership over takes the leader-only gauges back to 0.
  ASSERT_TRUE((*engine)->resign().has_value());
  scraped = scrape();
  EXPECT_EQ(scraped.value("fleet_engine_leader"), 0);
  EXPECT_EQ(scraped.value("fleet_machines_present"), 0);
  EXPECT_EQ(scraped.value("fleet_units{desired_state=\"launched\"}"), 0);

  attached = {};
  manager.join();
  agent->reset();
  // The agent's units leave its gauges with it (a reloading fleetd starts a new agent).
  EXPECT_EQ(scrape().value("fleet_unit_states{active_state=\"active\"}"), 0);
}

}  // namespace
}  // namespace fleet::fleetd
