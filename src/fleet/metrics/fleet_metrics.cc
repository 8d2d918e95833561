#include "fleet/metrics/fleet_metrics.h"

#include <string>

namespace fleet::metrics {
namespace {

// The original's label values (spec §5.10), in RegistryOpMetrics::Op order.
const std::string kOpNames[] = {"get", "set", "get_all"};
const std::string kUnscheduleUnit = "unscheduleunit";
const std::string kAttemptScheduleUnit = "attemptscheduleunit";

// A pass takes milliseconds on a small cluster and seconds on thousands of units; an etcd round
// trip a fraction of a millisecond to seconds on a struggling cluster. The default buckets,
// extended down to a millisecond, cover both.
std::vector<double> duration_buckets() {
  std::vector<double> buckets = {0.001, 0.0025};
  const auto& defaults = Histogram::default_buckets();
  buckets.insert(buckets.end(), defaults.begin(), defaults.end());
  return buckets;
}

}  // namespace

EngineMetrics::EngineMetrics(Registry& registry)
    : EngineMetrics(
          registry,
          registry.counter("fleet_engine_task_count_total",
                           "Schedule changes the engine leader attempted, by type.", {"type"}),
          registry.counter("fleet_engine_task_failure_count_total",
                           "Schedule changes of the engine leader that etcd did not "
                           "commit, by type.",
                           {"type"}),
          registry.counter("fleet_engine_reconcile_failure_count_total",
                           "Engine reconcile failures: units whose machine went away "
                           "(machine_away), passes that could not read or write etcd "
                           "(run), units no machine can run (schedule).",
                           {"type"})) {}

EngineMetrics::EngineMetrics(Registry& registry, CounterFamily& tasks, CounterFamily& task_failures,
                             CounterFamily& reconcile_failures)
    : leader_start_time(registry
                            .gauge("fleet_engine_leader_start_time",
                                   "Unix time in seconds when this fleetd became the engine "
                                   "leader; 0 while it is not.")
                            .with({})),
      unschedule_tasks(tasks.with({kUnscheduleUnit})),
      schedule_tasks(tasks.with({kAttemptScheduleUnit})),
      unschedule_task_failures(task_failures.with({kUnscheduleUnit})),
      schedule_task_failures(task_failures.with({kAttemptScheduleUnit})),
      reconciles(registry
                     .counter("fleet_engine_reconcile_count_total",
                              "Reconcile passes the engine leader completed.")
                     .with({})),
      reconcile_duration(registry
                             .histogram("fleet_engine_reconcile_duration_second",
                                        "Time in seconds each completed reconcile pass took.", {},
                                        duration_buckets())
                             .with({})),
      machine_away_failures(reconcile_failures.with({"machine_away"})),
      run_failures(reconcile_failures.with({"run"})),
      schedule_failures(reconcile_failures.with({"schedule"})) {}

RegistryOpMetrics::RegistryOpMetrics(Registry& registry) {
  auto& count = registry.counter("fleet_registry_operation_count_total",
                                 "Registry operations that succeeded, by type.", {"type"});
  // "ops", not "type": the original's label name on this one family.
  auto& duration = registry.histogram("fleet_registry_operation_duration_second",
                                      "Time in seconds each successful registry operation took.",
                                      {"ops"}, duration_buckets());
  auto& failed = registry.counter("fleet_registry_operation_failed_count_total",
                                  "Registry operations that failed, by type.", {"type"});
  for (size_t i = 0; i < std::size(kOpNames); ++i) {
    count_[i] = &count.with({kOpNames[i]});
    duration_[i] = &duration.with({kOpNames[i]});
    failed_[i] = &failed.with({kOpNames[i]});
  }
}

void RegistryOpMetrics::observe(Op op, std::chrono::steady_clock::duration elapsed, bool failed) {
  if (failed) {
    failed_[index(op)]->inc();
    return;
  }
  count_[index(op)]->inc();
  duration_[index(op)]->observe(std::chrono::duration<double>(elapsed).count());
}

FleetMetrics::FleetMetrics(Registry& registry) : engine(registry), registry(registry) {}

Registry& process_registry() {
  // Never destroyed: threads still counting while the process exits must not find it gone.
  static Registry* registry = new Registry();
  return *registry;
}

FleetMetrics& process_metrics() {
  static FleetMetrics* metrics = new FleetMetrics(process_registry());
  return *metrics;
}

}  // namespace fleet::metrics
