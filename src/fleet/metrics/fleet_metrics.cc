#include "fleet/metrics/fleet_metrics.h"

#include <cctype>
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

// EtcdMetrics::Method order.
const std::string kEtcdMethods[] = {
    "range",           "put",         "delete",       "txn",
    "compact",         "lease_grant", "lease_revoke", "lease_time_to_live",
    "lease_keepalive", "member_list", "watch"};
static_assert(std::size(kEtcdMethods) == EtcdMetrics::kMethods);

// unit::DesiredState order.
const std::string kDesiredStates[] = {"inactive", "loaded", "launched"};

// systemd's ActiveState values (systemctl --state=help).
constexpr std::string_view kActiveStates[] = {"active",      "reloading",  "inactive",
                                              "failed",      "activating", "deactivating",
                                              "maintenance", "refreshing"};

// The methods SystemdUnitManager calls on systemd's manager.
constexpr std::string_view kDbusMethods[] = {
    "LinkUnitFiles", "EnableUnitFiles", "DisableUnitFiles", "ResetFailedUnit",
    "StartUnit",     "StopUnit",        "Reload",           "ListUnitsByNames"};

// "deadline_exceeded": gRPC's code name in the lower case Prometheus label values use.
std::string code_label(ErrorCode code) {
  std::string label(error_code_name(code));
  for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return label;
}

// A unit's launch takes from well under a second (a simple service) to minutes (an image to
// pull first).
std::vector<double> launch_buckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
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
                           {"type"}),
          registry.gauge("fleet_units",
                         "Unit records in etcd by desired state, as the engine leader's view "
                         "holds them; 0 on the other fleetds.",
                         {"desired_state"})) {}

EngineMetrics::EngineMetrics(Registry& registry, CounterFamily& tasks, CounterFamily& task_failures,
                             CounterFamily& reconcile_failures, GaugeFamily& units_family)
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
      schedule_failures(reconcile_failures.with({"schedule"})),
      leader(registry
                 .gauge("fleet_engine_leader",
                        "1 while this fleetd's engine leads the cluster, else 0.")
                 .with({})),
      machines_present(registry
                           .gauge("fleet_machines_present",
                                  "Machines with a presence key in etcd, as the engine leader's "
                                  "view holds them; 0 on the other fleetds.")
                           .with({})) {
  for (size_t i = 0; i < units.size(); ++i) units[i] = &units_family.with({kDesiredStates[i]});
}

AgentMetrics::AgentMetrics(Registry& registry)
    : schedule_to_active(registry
                             .histogram("fleet_unit_schedule_to_active_seconds",
                                        "Time in seconds from this machine's agent setting out "
                                        "to launch a unit scheduled here until the init system "
                                        "reported it active.",
                                        {}, launch_buckets())
                             .with({})),
      unit_states_(registry.gauge("fleet_unit_states",
                                  "Units this machine holds by the active state its agent "
                                  "published to etcd; summed over the fleetds, the cluster's.",
                                  {"active_state"})) {
  static_assert(std::size(kActiveStates) == kKnownStates);
  for (size_t i = 0; i < known_states_.size(); ++i) {
    known_states_[i] = {kActiveStates[i], &unit_states_.with({std::string(kActiveStates[i])})};
  }
}

Gauge& AgentMetrics::unit_states(std::string_view active_state) {
  for (const auto& [state, gauge] : known_states_) {
    if (state == active_state) return *gauge;
  }
  return unit_states_.with({std::string(active_state)});
}

EtcdMetrics::EtcdMetrics(Registry& registry)
    : errors_family_(registry.counter("fleet_etcd_request_errors_total",
                                      "etcd requests that failed, by method and gRPC status code.",
                                      {"method", "code"})),
      watch_lag_(registry.gauge("fleet_etcd_watch_lag_revisions",
                                "How many revisions etcd was ahead of what a watch on this key "
                                "had delivered, as of the last response read from it.",
                                {"key"})) {
  auto& duration = registry.histogram("fleet_etcd_request_duration_seconds",
                                      "Time in seconds each etcd request took, retries and "
                                      "failover included, by method; a lease keep-alive is its "
                                      "round trip on the keep-alive stream.",
                                      {"method"}, duration_buckets());
  for (size_t i = 0; i < kMethods; ++i) {
    if (i != index(Method::kWatch)) duration_[i] = &duration.with({kEtcdMethods[i]});
  }
}

void EtcdMetrics::observe(Method method, std::chrono::steady_clock::duration elapsed,
                          ErrorCode code) {
  if (auto* histogram = duration_[index(method)]) {
    histogram->observe(std::chrono::duration<double>(elapsed).count());
  }
  if (code != ErrorCode::kOk) failed(method, code);
}

void EtcdMetrics::failed(Method method, ErrorCode code) { errors(method, code).inc(); }

Counter& EtcdMetrics::errors(Method method, ErrorCode code) {
  // Created on first use rather than up front: eleven methods times seventeen codes would be
  // mostly series that never move.
  auto c = static_cast<size_t>(code) < kCodes ? static_cast<size_t>(code)
                                              : static_cast<size_t>(ErrorCode::kUnknown);
  auto& slot = errors_[index(method)][c];
  if (Counter* counter = slot.load(std::memory_order_acquire)) return *counter;
  Counter& counter =
      errors_family_.with({kEtcdMethods[index(method)], code_label(static_cast<ErrorCode>(c))});
  slot.store(&counter, std::memory_order_release);
  return counter;
}

DbusMetrics::DbusMetrics(Registry& registry)
    : family_(registry.histogram("fleet_dbus_call_duration_seconds",
                                 "Time in seconds each call to systemd over D-Bus took, by "
                                 "method.",
                                 {"method"}, duration_buckets())) {
  static_assert(std::size(kDbusMethods) == kKnownMethods);
  for (size_t i = 0; i < known_.size(); ++i) {
    known_[i] = {kDbusMethods[i], &family_.with({std::string(kDbusMethods[i])})};
  }
}

Histogram& DbusMetrics::duration(std::string_view method) {
  for (const auto& [name, histogram] : known_) {
    if (name == method) return *histogram;
  }
  return family_.with({std::string(method)});
}

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

FleetMetrics::FleetMetrics(Registry& registry)
    : engine(registry), registry(registry), agent(registry), etcd(registry), dbus(registry) {}

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
