#include "fleet/metrics/fleet_metrics.h"

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fleet::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

TEST(FleetMetrics, EveryFamilyOfSpec5_10IsRegisteredWithItsType) {
  Registry registry;
  FleetMetrics fleet(registry);
  const std::string text = registry.render();
  for (const char* line : {
           "# TYPE fleet_engine_leader_start_time gauge\n",
           "# TYPE fleet_engine_task_count_total counter\n",
           "# TYPE fleet_engine_task_failure_count_total counter\n",
           "# TYPE fleet_engine_reconcile_count_total counter\n",
           "# TYPE fleet_engine_reconcile_failure_count_total counter\n",
           "# TYPE fleet_engine_reconcile_duration_second histogram\n",
           "# TYPE fleet_registry_operation_count_total counter\n",
           "# TYPE fleet_registry_operation_duration_second histogram\n",
           "# TYPE fleet_registry_operation_failed_count_total counter\n",
       }) {
    EXPECT_THAT(text, HasSubstr(line));
  }
}

TEST(FleetMetrics, EveryLabelValueStartsAtZero) {
  Registry registry;
  FleetMetrics fleet(registry);
  const std::string text = registry.render();
  for (const char* line : {
           "fleet_engine_task_count_total{type=\"unscheduleunit\"} 0\n",
           "fleet_engine_task_count_total{type=\"attemptscheduleunit\"} 0\n",
           "fleet_engine_task_failure_count_total{type=\"unscheduleunit\"} 0\n",
           "fleet_engine_reconcile_failure_count_total{type=\"machine_away\"} 0\n",
           "fleet_engine_reconcile_failure_count_total{type=\"run\"} 0\n",
           "fleet_engine_reconcile_failure_count_total{type=\"schedule\"} 0\n",
           "fleet_registry_operation_count_total{type=\"get_all\"} 0\n",
           "fleet_registry_operation_duration_second_count{ops=\"set\"} 0\n",
           "fleet_registry_operation_failed_count_total{type=\"get\"} 0\n",
       }) {
    EXPECT_THAT(text, HasSubstr(line));
  }
}

TEST(FleetMetrics, RegistryOperationsCountSuccessesAndFailuresApart) {
  Registry registry;
  FleetMetrics fleet(registry);
  using Op = RegistryOpMetrics::Op;
  fleet.registry.observe(Op::kGet, 2ms, false);
  fleet.registry.observe(Op::kGet, 1s, true);
  fleet.registry.observe(Op::kSet, 30ms, false);
  EXPECT_EQ(fleet.registry.count(Op::kGet).value(), 1);
  EXPECT_EQ(fleet.registry.failed(Op::kGet).value(), 1);
  EXPECT_EQ(fleet.registry.duration(Op::kGet).snapshot().count, 1u);
  EXPECT_DOUBLE_EQ(fleet.registry.duration(Op::kSet).snapshot().sum, 0.03);
  EXPECT_EQ(fleet.registry.count(Op::kGetAll).value(), 0);
  EXPECT_THAT(
      registry.render(),
      HasSubstr("fleet_registry_operation_duration_second_bucket{ops=\"get\",le=\"0.0025\"} 1\n"));
}

TEST(FleetMetrics, OperatorFamiliesAreRegisteredWithConventionalNamesAndStartAtZero) {
  Registry registry;
  FleetMetrics fleet(registry);
  const std::string text = registry.render();
  for (const char* line : {
           "# TYPE fleet_engine_leader gauge\n",
           "fleet_engine_leader 0\n",
           "# TYPE fleet_machines_present gauge\n",
           "fleet_units{desired_state=\"launched\"} 0\n",
           "fleet_units{desired_state=\"inactive\"} 0\n",
           "fleet_unit_states{active_state=\"failed\"} 0\n",
           "# TYPE fleet_unit_schedule_to_active_seconds histogram\n",
           "fleet_etcd_request_duration_seconds_count{method=\"lease_keepalive\"} 0\n",
           "# TYPE fleet_etcd_request_errors_total counter\n",
           "# TYPE fleet_etcd_watch_lag_revisions gauge\n",
           "fleet_dbus_call_duration_seconds_count{method=\"StartUnit\"} 0\n",
       }) {
    EXPECT_THAT(text, HasSubstr(line));
  }
  // A watch has no request duration, only errors.
  EXPECT_THAT(text, Not(HasSubstr("fleet_etcd_request_duration_seconds_count{method=\"watch\"}")));
}

TEST(FleetMetrics, EtcdRequestsAreTimedAndTheirErrorsCountedByMethodAndCode) {
  Registry registry;
  FleetMetrics fleet(registry);
  using Method = EtcdMetrics::Method;
  fleet.etcd.observe(Method::kPut, 3ms, ErrorCode::kOk);
  fleet.etcd.observe(Method::kPut, 5s, ErrorCode::kDeadlineExceeded);
  fleet.etcd.observe(Method::kPut, 5s, ErrorCode::kDeadlineExceeded);
  fleet.etcd.failed(Method::kWatch, ErrorCode::kUnavailable);
  EXPECT_EQ(fleet.etcd.duration(Method::kPut).snapshot().count, 3u);
  EXPECT_EQ(fleet.etcd.duration(Method::kRange).snapshot().count, 0u);
  EXPECT_EQ(&fleet.etcd.errors(Method::kPut, ErrorCode::kDeadlineExceeded),
            &fleet.etcd.errors(Method::kPut, ErrorCode::kDeadlineExceeded));
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr("fleet_etcd_request_errors_total{method=\"put\",code=\"deadline_"
                              "exceeded\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("fleet_etcd_request_errors_total{method=\"watch\",code=\"unavailable\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("code=\"ok\"")));
}

TEST(FleetMetrics, UnitStatesAndDbusMethodsOutsideTheKnownOnesGetTheirOwnSeries) {
  Registry registry;
  FleetMetrics fleet(registry);
  EXPECT_EQ(&fleet.agent.unit_states("active"), &fleet.agent.unit_states("active"));
  fleet.agent.unit_states("active").add(2);
  fleet.agent.unit_states("someday-state").add(1);
  fleet.dbus.duration("Reload").observe(0.2);
  fleet.dbus.duration("Subscribe").observe(0.01);
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr("fleet_unit_states{active_state=\"active\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("fleet_unit_states{active_state=\"someday-state\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fleet_dbus_call_duration_seconds_count{method=\"Reload\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("fleet_dbus_call_duration_seconds_count{method=\"Subscribe\"} 1\n"));
}

TEST(FleetMetrics, TheProcessInstanceIsRegisteredInTheProcessRegistry) {
  process_metrics().engine.leader_start_time.set(1764000000);
  EXPECT_THAT(process_registry().render(),
              HasSubstr("fleet_engine_leader_start_time 1764000000\n"));
}

}  // namespace
}  // namespace fleet::metrics
