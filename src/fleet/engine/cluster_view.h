// The leading engine's view of the cluster: watch-fed caches of units, bodies, the schedule,
// machines and dynamic metadata, turned into the Scheduler's ClusterState, and a Plan turned
// back into schedule writes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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
    // What each schedulable unit's schedule entry must say, by unit name.
    std::unordered_map<std::string_view, registry::Assignment> assignments;
    // Entries to fix whatever the plan: units destroyed or now global, a unit listed on two
    // machines, an entry whose hash or desired state is out of date.
    std::vector<registry::ScheduleWrite> repairs;
    // Unit records by desired state (indexed by unit::DesiredState), those sitting out for their
    // body included: what etcd holds, for fleet_units.
    std::array<size_t, 3> units_by_desired{};
  };
  // The cluster as the caches hold it now. Only what changed since the previous call is read
  // again (all of it after a cache relisted), so a pass at 100,000 units that changed a few
  // costs a few. With `absent_machines_return`, state.returning lists the machines that units
  // are scheduled on but that this view never saw present: ones that left while it watched are
  // gone. Valid until the next call; the engine's thread only.
  const Snapshot& snapshot(bool absent_machines_return = false);

  // The writes that carry out `plan` on `snapshot`, repairs included, at most one per entry.
  static std::vector<registry::ScheduleWrite> writes_for(const Plan& plan,
                                                         const Snapshot& snapshot);

  // Waits until the schedule cache shows the write committed at `revision`.
  bool wait_for_schedule(etcd::Revision revision, std::chrono::milliseconds timeout) const;

 private:
  // Everything the view holds about one unit name: its record, parsed options and schedule
  // entries, and where that puts it in the snapshot.
  struct Tracked {
    std::optional<registry::UnitRecord> record;  // none: no unit record that decodes
    // The [X-Fleet] options of the body with `options_hash`; null while the body cache does not
    // hold that body yet, and then the unit sits out, schedule entries included.
    std::shared_ptr<const unit::FleetOptions> options;
    unit::UnitHash options_hash;
    std::map<std::string, registry::Assignment, std::less<>> entries;  // by machine ID
    size_t index = kUnlisted;                                          // in snapshot_.state.units
    std::vector<registry::ScheduleWrite> repairs;
    bool dirty = false;  // queued for update() in this snapshot()
    // The desired state this unit adds to Snapshot::units_by_desired; none without a record.
    std::optional<unit::DesiredState> counted;
  };
  static constexpr size_t kUnlisted = static_cast<size_t>(-1);
  // Lets find() take a std::string_view without building a std::string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  using TrackedUnits = std::unordered_map<std::string, Tracked, NameHash, std::equal_to<>>;
  using Node = TrackedUnits::value_type;

  template <class Record>
  using Cache = registry::WatchCache<Record>;

  explicit ClusterView(registry::Registry& registry) : registry_(registry) {}
  void read_machines();
  // Reads every unit and schedule entry again, as after a relist.
  void read_all_units();
  // The node of `name` (added when new), queued in `dirty` unless it is already.
  Node& track(std::string_view name, std::vector<Node*>& dirty);
  // Brings `node`'s unit, assignment and repairs in the snapshot in line with what it tracks;
  // forgets it when nothing is left to track.
  void update(Node& node);
  void unlist(Tracked& unit);

  registry::Registry& registry_;
  std::unique_ptr<Cache<registry::UnitRecord>> units_;
  std::unique_ptr<Cache<unit::UnitFile>> bodies_;
  std::unique_ptr<Cache<registry::Assignment>> schedule_;
  std::unique_ptr<Cache<registry::MachineRecord>> machines_;
  std::unique_ptr<Cache<std::string>> metadata_;
  // snapshot() only: the view kept between calls. Node keys are stable, so `assignments` and
  // `repairing_` point into them.
  TrackedUnits tracked_;
  std::unordered_set<std::string_view> without_body_;  // units with a record but no options
  std::unordered_set<std::string_view> repairing_;     // units with repairs
  std::unordered_set<std::string> seen_present_;       // every machine ID present in a snapshot
  Snapshot snapshot_;
};

}  // namespace fleet::engine
