// The leading engine's view of the cluster: watch-fed caches of units, bodies, the schedule,
// machines and dynamic metadata, turned into the Scheduler's ClusterState, and a Plan turned
// back into schedule writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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
    Snapshot() = default;
    // Move-only: the keys of `assignments` point into `state.units`' names, which a move keeps in
    // place but a copy would not. Add no units after snapshot().
    Snapshot(Snapshot&&) = default;
    Snapshot& operator=(Snapshot&&) = default;

    ClusterState state;
    // What each schedulable unit's schedule entry must say, by unit name.
    std::unordered_map<std::string_view, registry::Assignment> assignments;
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
  // What snapshot() keeps of a unit across passes, so that a pass neither parses nor allocates
  // anything here for a unit it saw before, and finds a schedule entry's unit by name.
  struct Known {
    unit::UnitHash hash;
    // The unit's [X-Fleet] options, parsed from the body with `hash`; null while the body cache
    // does not hold that body yet.
    std::shared_ptr<const unit::FleetOptions> options;
    uint64_t pass = 0;  // the snapshot() that last listed the unit; older entries are swept
    size_t index = 0;   // the unit's position in that snapshot's state.units
  };
  // Lets find() take a std::string_view without building a std::string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  template <class Record>
  using Cache = registry::WatchCache<Record>;

  explicit ClusterView(registry::Registry& registry) : registry_(registry) {}
  registry::Registry& registry_;
  std::unique_ptr<Cache<registry::UnitRecord>> units_;
  std::unique_ptr<Cache<unit::UnitFile>> bodies_;
  std::unique_ptr<Cache<registry::Assignment>> schedule_;
  std::unique_ptr<Cache<registry::MachineRecord>> machines_;
  std::unique_ptr<Cache<std::string>> metadata_;
  // snapshot() only: every unit the last snapshot listed, by name.
  std::unordered_map<std::string, Known, NameHash, std::equal_to<>> known_;
  uint64_t pass_ = 0;
};

}  // namespace fleet::engine
