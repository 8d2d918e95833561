// The agent: makes this machine's systemd run what fleet scheduled here (spec §3.10, §5.4).
//
// It holds the fleetd's one lease (presence and unit states hang on it), registers the machine,
// follows only its own slice of the registry (its schedule, the global units, its dynamic
// metadata) through watch-fed caches, and on every change plans the tasks that make the machine
// hold what it should and runs them through the UnitManager. Unit states reach etcd through the
// StatePublisher, driven by the init system's signals.
//
// Example:
//   auto agent = Agent::start(registry, systemd, {.machine = record, .ttl = 30s,
//                                                 .state_file = "/run/fleet/agent.json"});
//   agent.value()->wait_registered(10s);
//   ...
//   agent.value().reset();  // units keep running; a restart within the TTL re-adopts the lease
//
// What it never does (decisions.md 9, 10): stop units because fleetd stops or etcd is away. While
// etcd cannot be reached the caches keep their last contents, so nothing is unloaded; when the
// lease was lost meanwhile, the agent takes a new one, registers again and re-publishes its
// states, and unloads only what the engine has since moved elsewhere.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "fleet/agent/run_state.h"
#include "fleet/agent/state_publisher.h"
#include "fleet/agent/task_plan.h"
#include "fleet/agent/unit_manager.h"
#include "fleet/etcd/lease_session.h"
#include "fleet/registry/registry.h"
#include "fleet/registry/watch_cache.h"
#include "fleet/unit/fleet_options.h"

namespace fleet::agent {

struct AgentOptions {
  // This machine as it registers: ID, public IP, configured metadata, version, capabilities.
  registry::MachineRecord machine{};
  // agent_ttl: how long presence and unit states outlive a fleetd that stopped answering.
  std::chrono::seconds ttl{30};
  // Where the lease and the held units are kept across restarts of fleetd ("" = not kept;
  // run_state.h): a restart within the TTL re-adopts the lease, so the machine never looks gone
  // and nothing is rescheduled, and knows which units it had started.
  std::filesystem::path state_file{};
  // The longest the agent goes without a pass when nothing changes (spec §5.4: 5 s).
  std::chrono::milliseconds resync{5000};
  // Where the agent counts its units' states and launch times; null: the process's
  // (metrics::process_metrics()). Must outlive the agent.
  metrics::AgentMetrics* metrics = nullptr;
};

struct AgentStats {
  uint64_t passes = 0;
  uint64_t tasks = 0;         // tasks completed
  uint64_t failed_tasks = 0;  // tasks that failed (the unit's later tasks wait for the next pass)
  uint64_t registrations = 0;
};

class Agent {
 public:
  // Re-adopts the units already in the units directory (a restarted fleetd), subscribes to their
  // changes, and starts the loop that registers the machine and keeps it in line. Fails only
  // when the unit manager cannot list its units; etcd trouble is retried in the background.
  // `registry` and `manager` must outlive the agent.
  static Result<std::unique_ptr<Agent>> start(registry::Registry& registry, UnitManager& manager,
                                              AgentOptions options);
  // Stops the loop. Units keep running and the lease is not revoked.
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  bool registered() const;
  // Waits until the machine is registered on a live lease; false on timeout.
  bool wait_registered(std::chrono::milliseconds timeout) const;

  // purge_on_shutdown: stops the loop, unloads every unit, removes their states and revokes the
  // lease, so the engine reschedules them at once (the original's graceful shutdown).
  Status purge();

  // The held units, the published states and the counters, as JSON (SIGUSR1).
  std::string dump() const;
  AgentStats stats() const;

 private:
  Agent(registry::Registry& registry, UnitManager& manager, AgentOptions options);
  Status adopt_existing_units();
  void run();
  void stop();
  void poke();
  // Each returns false when etcd did not answer; the loop backs off and tries again. A task that
  // fails is logged and retried on the next pass, without backing off.
  bool keep_registered();
  bool keep_caches();
  bool pass();
  using Body = std::shared_ptr<const unit::UnitFile>;
  // A unit offered to this machine, scheduled here or global, and what derives from its contents.
  struct Offer {
    registry::Assignment assignment;
    Body body{};  // null until fetched, and while it cannot be
    std::shared_ptr<const unit::FleetOptions> options{};  // of `body`; null with it
  };
  using OfferMap = std::map<std::string, Offer, std::less<>>;
  bool run_task(const Task& task, const std::map<std::string, registry::Assignment>& desired);
  // Gives up the previous run's lease once this run's holds the presence and the states.
  void retire_previous_lease(etcd::LeaseId lease);
  // Gives the offers their bodies (each content fetched once) and [X-Fleet] options. A unit whose
  // body does not decode is added to `undecided`, one whose body etcd did not return to
  // `unfetched`; neither has a body. `offers_changed`: an offer came, went or changed since the
  // last pass (otherwise the cached bodies are still exactly the offered ones).
  void resolve_bodies(std::set<std::string>& undecided, std::set<std::string>& unfetched,
                      bool offers_changed);
  // The offer whose contents the offered unit `name` gets: the scheduled one when it is also
  // global.
  const Offer& contents_of(std::string_view name) const;
  // Saves the lease and held_ to options_.state_file.
  void save_run_state(etcd::LeaseId lease);

  registry::Registry& registry_;
  UnitManager& manager_;
  const AgentOptions options_;
  StatePublisher publisher_;

  // Loop thread only.
  std::unique_ptr<etcd::LeaseSession> session_;
  std::unique_ptr<registry::WatchCache<registry::Assignment>> schedule_;
  std::unique_ptr<registry::WatchCache<registry::Assignment>> global_;
  std::unique_ptr<registry::WatchCache<std::string>> metadata_;
  // A pass runs on every change, and a machine may hold hundreds of units: the offers and what
  // derives from them are kept between passes and redone only for what changed.
  OfferMap scheduled_offers_;
  OfferMap global_offers_;
  // The caches' last changes the offers reflect.
  etcd::Revision scheduled_revision_ = -1;
  etcd::Revision global_revision_ = -1;
  // The offers' bodies, by contents: only bodies still offered stay.
  std::map<unit::UnitHash, Body> body_cache_;
  RunState saved_;  // what the previous run left; its lease is given up once ours holds
  // False while saved_.lease belongs to another machine ID (/etc/machine-id changed): it is not
  // kept alive, only revoked.
  bool reuse_saved_lease_ = true;
  // Unit files changed since the last daemon-reload that succeeded: a reload that failed, or
  // never ran because the pass stopped early, is owed until one succeeds.
  bool reload_pending_ = false;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  // The loop thread, its only writer, reads it without the lock.
  std::map<std::string, HeldUnit> held_;  // guarded by mu_; written by the loop thread only
  bool registered_ = false;               // guarded by mu_
  bool poked_ = true;                     // guarded by mu_
  bool stopping_ = false;                 // guarded by mu_
  AgentStats stats_;                      // guarded by mu_
  std::thread thread_;
};

}  // namespace fleet::agent
