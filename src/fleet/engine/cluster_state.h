// What the scheduler sees: a snapshot of the cluster, built by the engine from its registry
// caches. Plain values; the scheduler never talks to etcd.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fleet/unit/desired_state.h"
#include "fleet/unit/fleet_options.h"

namespace fleet::engine {

// A machine whose presence is alive.
struct MachineInfo {
  std::string id;
  // Effective metadata: fleetd's configured metadata overlaid with the dynamic metadata set
  // through the API (spec §5.2).
  std::map<std::string, std::string, std::less<>> metadata;
};

struct UnitInfo {
  std::string name;
  unit::DesiredState desired = unit::DesiredState::kInactive;
  // The unit's [X-Fleet] options, specifiers already expanded. Shared because the engine keeps
  // them parsed in its cache and a snapshot of 100,000 units must not copy them. Never null.
  std::shared_ptr<const unit::FleetOptions> options;
  // The machine the unit is scheduled to now; empty when it is not scheduled. Empty for global
  // units, which agents decide; one left over from before the unit was global is unscheduled.
  std::string machine;
};

struct ClusterState {
  std::vector<MachineInfo> machines;  // any order; IDs are unique (etcd keys)
  std::vector<UnitInfo> units;        // any order; names are unique (etcd keys)
  // Machines gone from etcd whose units stay scheduled there for now: an engine that has only
  // just begun to lead cannot tell a machine that is away from one that has not registered again
  // yet after an outage (decisions.md 10). Any order.
  std::vector<std::string> returning{};
};

}  // namespace fleet::engine
