// The scheduler: a pure function from a ClusterState to the Plan that makes it right
// (spec §3.8, §3.9 with the fixes of decisions.md 6).
//
// Example:
//   Plan plan = Scheduler::plan(state);
//   for (const Decision& d : plan.decisions) { ... write d to etcd ... }
//
// Rules, in the order the original applies them:
//  - Only non-global units with desired state loaded or launched are placed; a scheduled unit
//    whose desired state is inactive is unscheduled ("target state inactive"), and so is a
//    global unit that still has a machine ("unit is global").
//  - A scheduled unit whose machine is gone is rescheduled ("target Machine(X) went away"):
//    unscheduled, then placed again in the same plan when some machine can run it; unless the
//    machine is in ClusterState::returning, where it stays, counted on no machine.
//  - A scheduled unit its machine can no longer run (MachineID, MachineMetadata, MachineOf peer
//    moved, Conflicts, Replaces) is unscheduled and placed again. Units on one machine are checked
//    in name order, so of two that conflict the first by name stays (as agents decide, §3.10);
//    of two where one replaces the other, the replacing one stays.
//  - Placement takes units in name order (deterministic, unlike the original's map order) and
//    gives each the least-loaded machine able to run it, ties broken by ascending machine ID.
//    Load = non-global units with desired state other than inactive scheduled there, plus global
//    units with desired state other than inactive whose MachineMetadata matches and that do not
//    conflict with units already counted (the non-global ones first, then the global ones in
//    name order: a global unit never displaces a scheduled one). Each decision updates the loads
//    seen by later ones.
//  - Able to run: MachineID equals the machine's ID or its first 8 characters; for every
//    MachineMetadata key the machine has one of the listed values; every MachineOf peer is on
//    that machine (a global peer counts where it is counted); no Conflicts glob matches either way
//    between the unit and units counted there; no unit there replaces it.
//  - MachineOf: a unit whose peer is placed later in the same plan follows it in the same plan;
//    a follower of a unit that moves moves with it. A unit whose peer is not scheduled
//    (inactive, unknown, waiting) waits. Units whose MachineOf form a cycle are never placed;
//    if they already share a machine they stay.
//  - Replaces: a unit placed on a machine hosting units its Replaces globs match pushes them off,
//    with their followers; each is placed again on the least-loaded other machine that can run
//    it, with every check applied (the original skipped them), or waits unscheduled when none
//    can. A push frees room, so units that waited earlier in the plan are tried again. A pair
//    that replaces each other is ignored (§3.3). A unit is pushed at most once per plan (a unit
//    that would push one pushed already cannot go there): a longer cycle (A replaces B replaces C
//    replaces A) still ends, but the next plan may move its units again.
//  - A unit no machine can run stays unscheduled and is listed in Plan::waiting with why.
// Global units are never placed or pushed; agents decide them. Their MachineOf and Replaces
// (which check_requirements() rejects) are ignored.
#pragma once

#include <string>
#include <vector>

#include "fleet/engine/cluster_state.h"

namespace fleet::engine {

// One change of where a unit runs:
//   schedule    from empty, to set
//   unschedule  from set, to empty
//   reschedule  both set (different machines): the move commits atomically
struct Decision {
  std::string unit;
  std::string from;
  std::string to;
  std::string reason;  // for logs, e.g. "target Machine(abc) went away"

  bool operator==(const Decision&) const = default;
};

// A unit that should run but that no machine can run now.
struct Waiting {
  std::string unit;
  // "zero agents available", "no agents able to run job", or the latter followed by
  // ": peer Unit(p) is not scheduled" or ": MachineOf cycle through Unit(p)".
  std::string reason;

  bool operator==(const Waiting&) const = default;
};

struct Plan {
  // In the order they were made. At most one per unit: a unit that moves twice in one plan has
  // one decision from where it was to where it ends, with the reason it left; one that leaves
  // and comes back has none.
  std::vector<Decision> decisions;
  std::vector<Waiting> waiting;  // by unit name

  bool empty() const { return decisions.empty(); }
};

class Scheduler {
 public:
  // Deterministic: the same state gives the same plan, whatever the order of its vectors.
  // Pure, so safe to call from any thread.
  static Plan plan(const ClusterState& state);
};

}  // namespace fleet::engine
