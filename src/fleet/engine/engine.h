// The engine: on the one fleetd that holds the leadership, keeps fleet's schedule right.
//
// Every fleetd runs one (unless disable_engine). A follower only watches the leader key and
// campaigns when it disappears, so 1,000 followers cost etcd nothing while the leader lives. The
// leader lists units, bodies, the schedule, machines and metadata once, follows them through
// watches, and whenever they change (debounced, plus every reconcile interval) plans with the
// Scheduler and writes the plan in batched transactions guarded by its leadership. It then waits
// until its own cache shows those writes before planning again, so it never plans on a schedule
// that lags its own decisions.
//
// Example:
//   auto engine = Engine::start(registry, {.machine_id = id});
//   ...
//   (*engine)->resign();  // graceful shutdown: another engine takes over at once
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "fleet/base/clock.h"
#include "fleet/base/error.h"
#include "fleet/engine/cluster_view.h"
#include "fleet/engine/leader_election.h"
#include "fleet/metrics/fleet_metrics.h"
#include "fleet/registry/registry.h"
#include "fleet/registry/watch_cache.h"

namespace fleet::engine {

struct EngineOptions {
  std::string machine_id{};
  // engine_reconcile_interval: the longest the engine goes without a pass, and, times 5, the TTL
  // of its leadership (spec §4.2, §5.3).
  std::chrono::milliseconds reconcile_interval{2000};
  // How long a burst of changes may keep arriving before the engine plans: one pass for a
  // thousand units submitted together, not a thousand passes.
  std::chrono::milliseconds debounce{20};
  // For this long after it begins to lead, the engine leaves units where they are when their
  // machine is absent from etcd and has not been present since (ClusterState::returning): after
  // an outage that outlived the machines' leases they register again one by one, and moving the
  // units of the last ones would restart them. A machine seen to leave is gone at once. fleetd
  // uses agent_ttl, the time a machine may be away before its units move.
  std::chrono::milliseconds machine_grace{0};
  // Where the engine counts (spec §5.10, engine.cc says what each metric means here); null: the
  // process's (metrics::process_metrics()). Must outlive the engine.
  metrics::EngineMetrics* metrics = nullptr;
};

struct EngineStats {
  uint64_t passes = 0;          // plans made as leader
  uint64_t settled_passes = 0;  // passes as leader that found nothing changed since an empty plan
  uint64_t writes = 0;          // schedule changes committed
  uint64_t refused_writes = 0;  // transactions etcd refused because leadership was gone
  uint64_t errors = 0;          // passes that failed on etcd trouble
};

class Engine {
 public:
  // Starts the follower's watch on the leader key and the loop. `registry` and `clock` must
  // outlive the engine.
  static Result<std::unique_ptr<Engine>> start(registry::Registry& registry, EngineOptions options,
                                               const Clock& clock = SystemClock::instance());
  // Stops the loop. The leadership is not released: it expires with its lease (as after a crash).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Stops this engine and gives up its leadership now, so another engine takes over without
  // waiting for the TTL (graceful shutdown).
  Status resign();
  bool leading() const;
  EngineStats stats() const;
  // The lease the leadership hangs on (tests kill it to play a crash).
  etcd::LeaseId lease() const;

 private:
  Engine(registry::Registry& registry, EngineOptions options, const Clock& clock);
  void poke();
  void run();
  void stop();
  // One pass: campaign when no engine leads, plan and write when this one does.
  void pass();
  // True once this engine leads (campaigning when nobody does); drops the view when it does not.
  // Sets fleet_engine_leader_start_time when this engine starts to lead.
  bool take_or_keep_leadership();
  // The leader-only gauges: back to 0 when this engine stops leading; set from the leader's view.
  void stop_reporting_leadership();
  void report_cluster(const ClusterView::Snapshot& snapshot);
  bool campaign_or_keep();
  // Counts what one planned pass attempts (spec §5.10 families, see engine.cc).
  void count_plan(const ClusterView::Snapshot& snapshot, const Plan& plan,
                  const std::vector<registry::ScheduleWrite>& writes);
  void count_failed_writes(const std::vector<registry::ScheduleWrite>& writes);
  void count(uint64_t EngineStats::*counter, uint64_t by = 1);

  registry::Registry& registry_;
  const EngineOptions options_;
  const Clock& clock_;
  metrics::EngineMetrics& metrics_;
  std::unique_ptr<LeaderElection> election_;
  std::unique_ptr<registry::WatchCache<registry::LeaderRecord>> leader_key_;
  std::unique_ptr<ClusterView> view_;  // loop thread only; exists only while leading
  Clock::TimePoint grace_end_{};       // loop thread only: options_.machine_grace after view_ began
  std::set<std::string> returning_logged_;  // loop thread only: returning machines logged
  bool led_last_pass_ = false;              // loop thread only
  // Changes the view has seen, and how many of them the last plan with nothing to write had
  // seen (loop thread only; nullopt: plan at the next pass). A plan is a pure function of the
  // view, so while nothing changed a timed pass would only plan the same nothing again: at
  // 100,000 units that was a quarter of a core, all the time.
  std::atomic<uint64_t> view_changes_{0};
  std::optional<uint64_t> settled_at_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = true;      // guarded by mu_; the first pass runs at once
  bool stopping_ = false;  // guarded by mu_
  EngineStats stats_;      // guarded by mu_
  std::thread thread_;
};

}  // namespace fleet::engine
