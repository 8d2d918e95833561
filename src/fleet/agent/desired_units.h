// Which units this machine should hold (spec §3.10): a pure function of what the registry says,
// so the rule is table-tested without etcd or systemd.
//
// Example:
//   auto wanted = desired_units({.scheduled = mine, .global = globals, .metadata = metadata});
//   for (const auto& [name, assignment] : wanted) ...
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/registry/records.h"
#include "fleet/unit/fleet_options.h"

namespace fleet::agent {

// A unit offered to this machine: scheduled here by the engine, or global.
struct OfferedUnit {
  std::string_view name;  // the caller's, alive while it uses the offers
  registry::Assignment assignment;
  // Its [X-Fleet] options (specifiers expanded). Never null.
  std::shared_ptr<const unit::FleetOptions> options;
};

struct Offers {
  std::vector<OfferedUnit> scheduled;  // any order
  std::vector<OfferedUnit> global;     // any order
  unit::MachineMetadata metadata;      // this machine's effective metadata
};

// The units this machine should hold, by name, each with its hash and desired state (loaded or
// launched). A global unit is taken when its MachineMetadata matches; a unit whose desired state
// is inactive is not taken. Units that conflict with one already taken are dropped: the scheduled
// ones are taken first, then the global ones, each group in name order, so two conflicting global
// units resolve to the first by name (TestScheduleGlobalConflicts) and a global unit never
// displaces a unit the engine placed here, which is also how the engine counts load.
std::map<std::string, registry::Assignment> desired_units(const Offers& offers);

}  // namespace fleet::agent
