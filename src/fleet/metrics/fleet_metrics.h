// Every metric of spec §5.10, by its original name (existing dashboards keep working), and the
// families operators need beyond them (etcd and D-Bus latency, the cluster's units and machines),
// declared in this one place as keys.h holds every etcd key. Unlike the original, all of them are
// registered and updated (decisions.md: "every documented metric name, and all of them actually
// exported"; the original never registered the histogram and the registry families, and *added* the
// epoch to the leader gauge instead of setting it).
//
// Each label value the code uses is created at zero up front, so a dashboard's rate() sees a
// series from the first scrape, not from the first event; only the etcd error codes and the
// watched keys, many or known only at run time, get theirs when first seen.
//
// Example:
//   metrics::Registry registry;
//   metrics::FleetMetrics fleet(registry);
//   fleet.engine.reconciles.inc();
//
// fleetd uses the process's instance (process_metrics()), which GET /metrics renders. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "fleet/base/error.h"
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

  // Beyond spec §5.10, what operators watch. fleet_engine_leader: 1 on the leading fleetd, else 0.
  Gauge& leader;
  // The cluster as the leader's view holds it (kept by its watches, so a scrape reads no etcd;
  // the API's cache would not do, as it is dropped when idle); 0 on every other fleetd, so sum()
  // or max() over the fleetds reads the cluster's figure.
  // fleet_machines_present: machines with a presence key.
  Gauge& machines_present;
  // fleet_units{desired_state}: unit records by desired state, indexed by unit::DesiredState
  // (inactive, loaded, launched).
  std::array<Gauge*, 3> units{};

 private:
  EngineMetrics(Registry& registry, CounterFamily& tasks, CounterFamily& task_failures,
                CounterFamily& reconcile_failures, GaugeFamily& units_family);
};

// The agent's: what its machine runs and how fast it gets there (agent/state_publisher.h).
class AgentMetrics {
 public:
  explicit AgentMetrics(Registry& registry);

  // fleet_unit_schedule_to_active_seconds: from the agent's pass that first set out to launch a
  // unit scheduled here until the init system reported it active.
  Histogram& schedule_to_active;

  // fleet_unit_states{active_state}: the units this machine holds by the active state it
  // published. Summed over the fleetds, the unit states in etcd. systemd's states have series
  // from the start; another value gets one when first seen.
  Gauge& unit_states(std::string_view active_state);

 private:
  static constexpr size_t kKnownStates = 8;
  GaugeFamily& unit_states_;
  std::array<std::pair<std::string_view, Gauge*>, kKnownStates> known_states_{};
};

// etcd requests (etcd/client.h, watcher.h, lease_session.h). The client counts here only when
// its ClientOptions::metrics points here, so fleetctl and the benchmarks count nothing.
class EtcdMetrics {
 public:
  // The label values, in this order: range, put, delete, txn, compact, lease_grant,
  // lease_revoke, lease_time_to_live, lease_keepalive, member_list, watch.
  enum class Method {
    kRange,
    kPut,
    kDelete,
    kTxn,
    kCompact,
    kLeaseGrant,
    kLeaseRevoke,
    kLeaseTimeToLive,
    kLeaseKeepAlive,
    kMemberList,
    kWatch,
  };
  static constexpr size_t kMethods = static_cast<size_t>(Method::kWatch) + 1;

  explicit EtcdMetrics(Registry& registry);

  // One request that ended with `code` (kOk: answered) after `elapsed`, retries and failover
  // included: fleet_etcd_request_duration_seconds{method} observes every request, and
  // fleet_etcd_request_errors_total{method,code} counts those that failed.
  void observe(Method method, std::chrono::steady_clock::duration elapsed, ErrorCode code);
  // A failure without a duration (a watch stream that broke).
  void failed(Method method, ErrorCode code);

  Histogram& duration(Method method) { return *duration_[index(method)]; }
  Counter& errors(Method method, ErrorCode code);

  // fleet_etcd_watch_lag_revisions{key}: the series of watches on `key`. Takes a lock and
  // allocates: called once per watch, set on each of its responses.
  Gauge& watch_lag(const std::string& key) { return watch_lag_.with({key}); }

 private:
  static constexpr size_t index(Method method) { return static_cast<size_t>(method); }
  static constexpr size_t kCodes = static_cast<size_t>(ErrorCode::kUnauthenticated) + 1;

  Histogram* duration_[kMethods] = {};  // null for kWatch, which has no duration
  CounterFamily& errors_family_;
  // Each (method, code) series once created, so an error after the first takes no lock.
  std::atomic<Counter*> errors_[kMethods][kCodes] = {};
  GaugeFamily& watch_lag_;
};

// Calls to systemd's manager over D-Bus (systemd/systemd_unit_manager.h), counted only when its
// SystemdOptions::metrics points here.
class DbusMetrics {
 public:
  explicit DbusMetrics(Registry& registry);

  // fleet_dbus_call_duration_seconds{method}: by the D-Bus method's own name ("StartUnit",
  // "ListUnitsByNames", ...). The unit manager's methods have series from the start.
  Histogram& duration(std::string_view method);

 private:
  static constexpr size_t kKnownMethods = 8;
  HistogramFamily& family_;
  std::array<std::pair<std::string_view, Histogram*>, kKnownMethods> known_{};
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
  // Registers every family above in `registry`, which must outlive this.
  explicit FleetMetrics(Registry& registry);

  EngineMetrics engine;
  RegistryOpMetrics registry;
  AgentMetrics agent;
  EtcdMetrics etcd;
  DbusMetrics dbus;
};

// The process's registry: what fleetd serves on GET /metrics.
Registry& process_registry();
// Registered in process_registry(); what the engine and the registry count into unless told
// otherwise.
FleetMetrics& process_metrics();

}  // namespace fleet::metrics
