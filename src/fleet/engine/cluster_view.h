// The leading engine's view of the cluster: watch-fed caches of units, bodies, the schedule,
// machines and dynamic metadata, turned into the Scheduler's ClusterState, and a Plan turned
// back into schedule writes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/engine/cluster_state.h"
#include "fleet/engine/scheduler.h"
#include "fleet/registry/registry.h"
#include "fleet/registry/watch_cache.h"

namespace fleet::engine {

class ClusterView {
 public:
  // Lists and starts following everything; `on_change` runs (on a cache's thread) after each
  // change. `registry` must outlive the view.
  static Result<std::unique_ptr<ClusterView>> start(registry::Registry& registry,
                                                    std::function<void()> on_change);

  struct Snapshot {
    ClusterState state;
    // What each schedulable unit's schedule entry must say.
    std::unordered_map<std::string, registry::Assignment> assignments;
    // Entries to fix whatever the plan: units destroyed or now global, a unit listed on two
    // machines, an entry whose hash or desired state is out of date.
    std::vector<registry::ScheduleWrite> repairs;
  };
  Snapshot snapshot();

  // The writes that carry out `plan` on `snapshot`, repairs included, at most one per entry.
  static std::vector<registry::ScheduleWrite> writes_for(const Plan& plan,
                                                         const Snapshot& snapshot);

  // Waits until the schedule cache shows the write committed at `revision`.
  bool wait_for_schedule(etcd::Revision revision, std::chrono::milliseconds timeout) const;

 private:
  struct ParsedOptions {
    unit::UnitHash hash;
    std::shared_ptr<const unit::FleetOptions> options;
  };

  template <class Record>
  using Cache = registry::WatchCache<Record>;

  explicit ClusterView(registry::Registry& registry) : registry_(registry) {}
  // The unit's [X-Fleet] options, parsed once per (name, body).
  std::shared_ptr<const unit::FleetOptions> options_of(const std::string& name,
                                                       const unit::UnitHash& hash,
                                                       const unit::UnitFile& body);

  registry::Registry& registry_;
  std::unique_ptr<Cache<registry::UnitRecord>> units_;
  std::unique_ptr<Cache<unit::UnitFile>> bodies_;
  std::unique_ptr<Cache<registry::Assignment>> schedule_;
  std::unique_ptr<Cache<registry::MachineRecord>> machines_;
  std::unique_ptr<Cache<std::string>> metadata_;
  std::unordered_map<std::string, ParsedOptions> parsed_;  // snapshot() only
};

}  // namespace fleet::engine
