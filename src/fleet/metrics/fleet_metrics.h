// Every metric of spec §5.10, by its original name (existing dashboards keep working), declared in
// this one place as keys.h holds every etcd key. Unlike the original, all of them are registered
// and updated (decisions.md: "every documented metric name, and all of them actually exported";
// the original never registered the histogram and the registry families, and *added* the epoch
// to the leader gauge instead of setting it).
//
// Each label value the code uses is created at zero up front, so a dashboard's rate() sees a
// series from the first scrape, not from the first event.
//
// Example:
//   metrics::Registry registry;
//   metrics::FleetMetrics fleet(registry);
//   fleet.engine.reconciles.inc();
//
// fleetd uses the process's instance (process_metrics()), which GET /metrics renders. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "fleet/metrics/registry.h"

namespace fleet::metrics {

// The engine's (engine/engine.cc says what each counts there).
struct EngineMetrics {
  explicit EngineMetrics(Registry& registry);

  // fleet_engine_leader_start_time: unix seconds when this fleetd became the leader; 0 while it
  // does not lead.
  Gauge& leader_start_time;
  // fleet_engine_task_count_total{type}: schedule changes the leader attempted.
  Counter& unschedule_tasks;  // type="unscheduleunit"
  Counter& schedule_tasks;    // type="attemptscheduleunit"
  // fleet_engine_task_failure_count_total{type}: those etcd did not commit.
  Counter& unschedule_task_failures;
  Counter& schedule_task_failures;
  // fleet_engine_reconcile_count_total and fleet_engine_reconcile_duration_second: passes the
  // leader completed, and how long each took.
  Counter& reconciles;
  Histogram& reconcile_duration;
  // fleet_engine_reconcile_failure_count_total{type}.
  Counter& machine_away_failures;  // type="machine_away"
  Counter& run_failures;           // type="run"
  Counter& schedule_failures;      // type="schedule"

 private:
  EngineMetrics(Registry& registry, CounterFamily& tasks, CounterFamily& task_failures,
                CounterFamily& reconcile_failures);
};

// The registry's operations (registry/registry.h says which call is which kind).
class RegistryOpMetrics {
 public:
  enum class Op { kGet, kSet, kGetAll };

  explicit RegistryOpMetrics(Registry& registry);

  // One operation that took `elapsed`. As in the original, fleet_registry_operation_count_total
  // and fleet_registry_operation_duration_second{ops} count the operations that succeeded, and
  // fleet_registry_operation_failed_count_total those that failed.
  void observe(Op op, std::chrono::steady_clock::duration elapsed, bool failed);

  Counter& count(Op op) { return *count_[index(op)]; }
  Counter& failed(Op op) { return *failed_[index(op)]; }
  Histogram& duration(Op op) { return *duration_[index(op)]; }

 private:
  static constexpr size_t index(Op op) { return static_cast<size_t>(op); }

  Counter* count_[3];
  Counter* failed_[3];
  Histogram* duration_[3];
};

struct FleetMetrics {
  // Registers every family of spec §5.10 in `registry`, which must outlive this.
  explicit FleetMetrics(Registry& registry);

  EngineMetrics engine;
  RegistryOpMetrics registry;
};

// The process's registry: what fleetd serves on GET /metrics.
Registry& process_registry();
// Registered in process_registry(); what the engine and the registry count into unless told
// otherwise.
FleetMetrics& process_metrics();

}  // namespace fleet::metrics
