// The scheduler's working copy of a ClusterState: units and machines called by integer ids
// (units in name order, machines in ID order), where each unit is placed now, and per-machine
// lists that keep every check to the work of one machine. Changed as a plan is made; it points
// into the ClusterState, which must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fleet/engine/cluster_state.h"
#include "fleet/engine/internal/machine_pools.h"
#include "fleet/engine/internal/name_index.h"
#include "fleet/engine/internal/reason.h"
#include "fleet/engine/internal/unit_glob.h"

namespace fleet::engine::internal {

struct UnitSlot {
  const UnitInfo* info = nullptr;
  bool active = false;  // desired state loaded or launched
  bool global = false;
  // Compiled options, for active units only. Global units have no peers and no Replaces
  // (Global cannot be used with either, and nothing moves a global unit).
  std::vector<int> peers;  // parallel to options().machine_of; kNone for a name no unit has
  std::vector<UnitGlob> conflicts;
  std::vector<UnitGlob> replaces;
  int pool = kNone;  // the pool of its MachineID and MachineMetadata, made on first need

  int machine = kNone;  // where it is placed now
  // Scheduled on a machine of ClusterState::returning: it stays there, counted on no machine.
  bool kept = false;
  bool pushed = false;      // moved by a Replaces in this plan already: never moved twice
  Reason departure;         // why it left the machine it had in the snapshot
  Reason waiting;           // why the last attempt to place it failed
  uint64_t changed_at = 0;  // when its placement last changed: orders the decisions

  const unit::FleetOptions& options() const { return *info->options; }
  bool carrier() const { return !conflicts.empty() || !replaces.empty(); }
  bool needs_placement() const { return active && !global && machine == kNone && !kept; }
};

struct MachineSlot {
  const MachineInfo* info = nullptr;
  std::vector<int> units;     // non-global units placed here, ascending
  std::vector<int> carriers;  // those of `units` with a Conflicts or Replaces glob, ascending
  std::vector<int> globals;   // global units counted here, ascending
  std::vector<int> candidate_globals;  // active global units whose MachineMetadata matches

  int load() const { return static_cast<int>(units.size() + globals.size()); }
};

class ClusterModel {
 public:
  explicit ClusterModel(const ClusterState& state);

  int unit_count() const { return static_cast<int>(units_.size()); }
  int machine_count() const { return static_cast<int>(machines_.size()); }
  UnitSlot& unit(int u) { return units_[u]; }
  const UnitSlot& unit(int u) const { return units_[u]; }
  const MachineSlot& machine(int m) const { return machines_[m]; }
  std::string_view name(int u) const { return names_.name(u); }
  int find_unit(std::string_view name) const { return names_.find(name); }
  int find_machine(std::string_view id) const;
  // Active units whose MachineOf names unit `u`, ascending.
  const std::vector<int>& followers(int u) const { return followers_[u]; }

  // The checks of "able to run" (scheduler.h). Each tells what keeps unit `u` off machine `m`
  // as the machine is now, or gives an empty Reason.
  Reason fixed_blocker(int u, int m) const;     // MachineID, MachineMetadata
  Reason peer_blocker(int u, int m) const;      // MachineOf
  Reason conflict_blocker(int u, int m) const;  // Conflicts, either way
  Reason replacer_on(int u, int m) const;       // a unit there whose Replaces matches u
  // The units on `m` that u's Replaces push off, ascending (circular pairs left out).
  std::vector<int> replaced_by(int u, int m) const;
  // Every check but the fixed ones, which u's pool or its peers' machine already passed; also
  // false when u would push off a unit that Replaces moved already.
  bool can_place(int u, int m) const;

  // The machines u's MachineID and MachineMetadata allow, least loaded first.
  const MachinePools::Order& candidates(int u);

  void attach(int u, int m);
  void detach(int u);
  // Records why u left the machine it had in the snapshot, unless it left already.
  void depart(int u, Reason why);
  // Counts m's global units again: after its non-global units, in name order, each unless it
  // conflicts with a unit counted before it. Returns the ones no longer counted.
  std::vector<int> recount_globals(int m);

 private:
  bool replaces(int a, int b) const;
  bool matched_by(const std::vector<UnitGlob>& globs, int u) const;
  // The first machine whose ID is not less than `id` (machine_count() when none is).
  int first_machine_from(std::string_view id) const;
  // Applies `edit` (insert or erase) to u in m's lists, and records u as now at `now_at`.
  void move(int u, int m, void (*edit)(std::vector<int>&, int), int now_at);
  int pool_for(const unit::FleetOptions& options);
  std::vector<int> allowed_machines(const unit::FleetOptions& options) const;

  std::vector<UnitSlot> units_;
  NameIndex names_;
  std::vector<MachineSlot> machines_;
  std::vector<std::vector<int>> followers_;
  // Machines by one MachineMetadata key and value.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<int>> by_metadata_;
  // Pools by MachineID and MachineMetadata, written out as one string.
  std::map<std::string, int> pool_by_requirement_;
  MachinePools pools_;
  uint64_t clock_ = 0;
};

}  // namespace fleet::engine::internal
