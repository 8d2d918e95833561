// GET /metrics as Prometheus scrapes it: the real HTTP server on a unix socket, an engine leading
// on a real etcd, the text parsed back. Every family of spec §5.10 must be exported and moving.
#include <chrono>
#include <cmath>
#include <map>
#include <utility>  // before Asio (see http_server.cc)

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/engine/engine.h"
#include "fleet/engine/testing/simulated_machine.h"
#include "fleet/etcd/testing/etcd_test_base.h"
#include "fleet/metrics/fleet_metrics.h"
#include "fleet/metrics/testing/scrape.h"
#include "fleet/schema/json.h"

#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"

namespace fleet::api {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using fleet::testing::eventually;
using metrics::testing::Scrape;
using namespace std::chrono_literals;

constexpr auto kDeadline = 15s;

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

Reply call(const std::string& socket_path, const std::string& method, const std::string& target) {
  asio::io_context io;
  asio::local::stream_protocol::socket socket(io);
  socket.connect(asio::local::stream_protocol::endpoint(socket_path));
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "fleet");
  request.prepare_payload();
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == "HEAD");  // a HEAD response announces a body it does not send
  http::read(socket, buffer, parser);
  auto response = parser.release();
  return {static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
          response.body()};
}

class MetricsTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ =
        std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_), fleet_.registry);
    auto server = ApiServer::start(
        {.listen = {.socket_activation = false, .unix_socket = socket_path_, .tcp = {}},
         .version = "9.8.7",
         .metrics = &metrics_});
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
  }

  Reply scrape() { return call(socket_path_, "GET", "/metrics"); }

  // A fleetd's own registry, so this suite's counts are its own.
  metrics::Registry metrics_;
  metrics::FleetMetrics fleet_{metrics_};
  std::unique_ptr<registry::Registry> registry_;
  fleet::testing::TempDir dir_{"api-metrics"};
  const std::string socket_path_ = (dir_.path() / "fleet.sock").string();
  std::unique_ptr<ApiServer> server_;
};

TEST_F(MetricsTest, ServedBeforeTheMachineIsRegisteredWhileV1Answers503) {
  // No router attached: the v1 API is unavailable, /metrics is not (metrics_route.h).
  EXPECT_EQ(call(socket_path_, "GET", "/fleet/v1/units").status, 503);
  auto reply = scrape();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(reply.body,
              ::testing::HasSubstr("# TYPE fleet_engine_reconcile_count_total counter"));
}

TEST_F(MetricsTest, OtherMethodsGetFleetsJson405) {
  for (const char* method : {"POST", "PUT", "DELETE", "HEAD"}) {
    auto reply = call(socket_path_, method, "/metrics");
    EXPECT_EQ(reply.status, 405) << method;
    if (std::string(method) != "HEAD") {
      EXPECT_EQ(reply.content_type, "application/json") << method;
      auto error = schema::decode_error_body(reply.body);
      ASSERT_TRUE(error.has_value()) << reply.body;
      EXPECT_EQ(error->code, 405);
    }
  }
}

TEST_F(MetricsTest, EveryFamilyOfSpec5_10IsExportedAndUpdatedByALeadingEngine) {
  const double test_started =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  engine::testing::SimulatedMachine machine(*registry_, "aaaa", 5);
  auto body = unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep 1d\n").value();
  ASSERT_TRUE(registry_->create_unit({"web.service", body, unit::DesiredState::kLaunched}));
  auto engine = engine::Engine::start(
      *registry_, {.machine_id = "aaaa", .reconcile_interval = 200ms, .metrics = &fleet_.engine});
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  // The v1 API beside it, as fleetd serves both.
  RegistryBackend backend(*registry_);
  auto attached = server_->attach(Router(backend), [] { return true; });

  Scrape scraped;
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = scrape();
        if (reply.status != 200) return false;
        scraped = Scrape::parse(reply.body);
        return scraped.value("fleet_engine_reconcile_count_total") > 0 &&
               scraped.value("fleet_engine_task_count_total{type=\"attemptscheduleunit\"}") > 0;
      },
      kDeadline))
      << "the engine never reconciled and scheduled web.service";

  EXPECT_TRUE(scraped.errors.empty()) << ::testing::PrintToString(scraped.errors);
  const std::map<std::string, std::string> spec = {
      {"fleet_engine_leader_start_time", "gauge"},
      {"fleet_engine_task_count_total", "counter"},
      {"fleet_engine_task_failure_count_total", "counter"},
      {"fleet_engine_reconcile_count_total", "counter"},
      {"fleet_engine_reconcile_failure_count_total", "counter"},
      {"fleet_engine_reconcile_duration_second", "histogram"},
      {"fleet_registry_operation_count_total", "counter"},
      {"fleet_registry_operation_duration_second", "histogram"},
      {"fleet_registry_operation_failed_count_total", "counter"},
  };
  for (const auto& [name, type] : spec) {
    auto found = scraped.types.find(name);
    ASSERT_NE(found, scraped.types.end()) << name << " is not exported";
    EXPECT_EQ(found->second, type) << name;
  }

  const double leader_since = scraped.value("fleet_engine_leader_start_time");
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GE(leader_since, std::floor(test_started));
  EXPECT_LE(leader_since, now);

  EXPECT_GT(scraped.value("fleet_engine_reconcile_duration_second_count"), 0);
  EXPECT_EQ(scraped.value("fleet_engine_reconcile_duration_second_bucket{le=\"+Inf\"}"),
            scraped.value("fleet_engine_reconcile_duration_second_count"));
  EXPECT_EQ(scraped.value("fleet_engine_task_failure_count_total{type=\"attemptscheduleunit\"}"),
            0);
  EXPECT_EQ(scraped.value("fleet_engine_reconcile_failure_count_total{type=\"run\"}"), 0);
  // register_machine and create_unit were sets; the engine's caches and the backend's listed
  // whole prefixes.
  EXPECT_GE(scraped.value("fleet_registry_operation_count_total{type=\"set\"}"), 2);
  EXPECT_GT(scraped.value("fleet_registry_operation_count_total{type=\"get_all\"}"), 0);
  EXPECT_GT(scraped.value("fleet_registry_operation_duration_second_count{ops=\"set\"}"), 0);
  EXPECT_EQ(scraped.value("fleet_registry_operation_failed_count_total{type=\"set\"}"), 0);
}

TEST_F(MetricsTest, AUnitWhoseMachineWentAwayCountsAsMachineAway) {
  auto gone = std::make_unique<engine::testing::SimulatedMachine>(*registry_, "bbbb", 1);
  auto body = unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep 1d\n").value();
  ASSERT_TRUE(registry_->create_unit({"db.service", body, unit::DesiredState::kLaunched}));
  auto engine = engine::Engine::start(
      *registry_, {.machine_id = "bbbb", .reconcile_interval = 200ms, .metrics = &fleet_.engine});
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  ASSERT_TRUE(eventually([&] { return fleet_.engine.schedule_tasks.value() > 0; }, kDeadline));
  gone->kill();  // its presence expires after its 1 s TTL; the engine unschedules db.service

  ASSERT_TRUE(eventually(
      [&] {
        auto scraped = Scrape::parse(scrape().body);
        return scraped.value("fleet_engine_reconcile_failure_count_total{type=\"machine_away\"}") >
                   0 &&
               scraped.value("fleet_engine_task_count_total{type=\"unscheduleunit\"}") > 0 &&
               scraped.value("fleet_engine_reconcile_failure_count_total{type=\"schedule\"}") > 0;
      },
      kDeadline));
}

}  // namespace
}  // namespace fleet::api
