// Publishes the state of every unit this machine holds to states/<unit>/<machine>, on the
// fleetd's lease, as soon as it changes (spec §5.6, driven by systemd's signals: decisions.md 8).
//
// Example:
//   StatePublisher publisher(registry, machine_id);
//   publisher.set_lease(session->id());
//   publisher.hold("web.service", hash, /*launched=*/true);
//   publisher.report("web.service", {"loaded", "active", "running"});  // from UnitManager::watch
//   publisher.release("web.service");                                  // unloaded: state removed
//
// Writes happen on the publisher's own thread, batched: each time it wakes it takes every pending
// change (up to etcd's 128 operations per transaction) and writes them together
// (Registry::publish_states: one transaction, or single puts when too few to pay for one), so a
// thousand units starting at once cost eight requests, not a thousand. Latest state wins: a unit
// that flaps ten times while etcd is slow costs one write. A request that fails is retried (backing
// off) until it lands, with each unit's latest state; a new lease re-publishes everything.
//
// It also counts, in its AgentMetrics, the held units by active state (fleet_unit_states) and the
// time each launch took to show active (fleet_unit_schedule_to_active_seconds). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fleet/agent/unit_manager.h"
#include "fleet/metrics/fleet_metrics.h"
#include "fleet/registry/registry.h"

namespace fleet::agent {

class StatePublisher {
 public:
  // `metrics` must outlive the publisher.
  StatePublisher(registry::Registry& registry, std::string machine_id,
                 metrics::AgentMetrics& metrics = metrics::process_metrics().agent);
  // Takes this publisher's units out of fleet_unit_states.
  ~StatePublisher();
  StatePublisher(const StatePublisher&) = delete;
  StatePublisher& operator=(const StatePublisher&) = delete;

  // The lease states are written on; a new one re-publishes every state. 0: hold writes back.
  void set_lease(etcd::LeaseId lease);
  // The agent holds `unit` with these contents, started by it or not.
  void hold(const std::string& unit, const unit::UnitHash& hash, bool launched);
  // What the init system reports; ignored for a unit the agent does not hold.
  void report(const std::string& unit, const UnitStatus& status);
  // A status the agent read itself, which may be older than a report() that overtook it: applied
  // only when no report() for `unit` came after `since` (a value of last_report()). Otherwise a
  // late read could undo the signal that followed it, and nothing would correct it.
  void report_if_quiet(const std::string& unit, const UnitStatus& status, uint64_t since);
  uint64_t last_report() const;
  // The agent sets out to launch `unit` (true) or no longer wants it launched (false). The time
  // from the first of a run of `true` until a report() of "active" is observed once as
  // schedule-to-active; a unit already active is not timed.
  void launching(const std::string& unit, bool launching);
  // The agent unloaded `unit` (or a previous run held it): its state is removed.
  void release(const std::string& unit);
  // A previous run on the same lease held `unit`, so a state of it may be in etcd: a unit that
  // has no status yet gets its key removed rather than left showing that run's state.
  void may_be_published(const std::string& unit);

  // Waits until every change so far has reached etcd; false on timeout.
  bool flush(std::chrono::milliseconds timeout);
  // States as last reported, by unit (for the SIGUSR1 dump).
  std::map<std::string, registry::UnitStateRecord> states() const;

 private:
  void run();
  // Takes up to etcd::kMaxTxnOps pending changes out of dirty_ and returns the writes they need
  // (fewer when a unit needs none). Called with mu_ held.
  std::vector<registry::Registry::StateWrite> take_writes();
  // Moves a unit between fleet_unit_states series (`by` = +1 or -1); "" is no state yet.
  void count_state(const std::string& active_state, double by);

  registry::Registry& registry_;
  const std::string machine_id_;
  metrics::AgentMetrics& metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, registry::UnitStateRecord> states_;  // guarded by mu_
  uint64_t reports_ = 0;                                     // guarded by mu_
  std::map<std::string, uint64_t> reported_at_;  // guarded by mu_: sequence of the last report
  std::set<std::string> dirty_;  // guarded by mu_: units whose key must be written or removed
  // guarded by mu_: units whose key may be in etcd (this publisher wrote it, or a previous run
  // did); removing any other would be a wasted write per loaded unit.
  std::set<std::string> published_;
  // guarded by mu_: when the agent set out to launch each unit not yet reported active.
  std::map<std::string, std::chrono::steady_clock::time_point> launching_;
  etcd::LeaseId lease_ = 0;  // guarded by mu_
  bool writing_ = false;     // guarded by mu_: a write is in flight
  bool stopping_ = false;    // guarded by mu_
  std::thread thread_;
};

}  // namespace fleet::agent
