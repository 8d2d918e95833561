// fleet's records as the API shows them: one place that derives a unit's current state and
// builds the API entities, shared by RegistryService (reads etcd per call) and RegistryCache
// (reads watch-fed caches), so both answer alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet/registry/records.h"
#include "fleet/schema/schema.h"

namespace fleet::api::internal {

// A global unit reads "inactive" in a list and has no current state alone (spec §2.4).
enum class UnitView { kListed, kAlone };

// The unit `name` as the API shows it. `target` is the machine the engine scheduled it to ("" for
// none) and `report` that machine's report of it (nullptr for none); both are ignored for a
// global unit.
schema::Unit unit_view(std::string name, const registry::UnitRecord& record,
                       std::vector<schema::UnitOption> options, std::string_view target,
                       const registry::UnitStateRecord* report, UnitView view);

schema::UnitState unit_state_view(std::string_view unit, std::string_view machine,
                                  const registry::UnitStateRecord& record);

// `record` with its metadata overlaid by the dynamic entries set through the API.
schema::Machine machine_view(const registry::MachineRecord& record,
                             const registry::Metadata& dynamic);

// The order of GET /state: by unit name, then machine ID. Key order differs when one unit name
// extends another: "states/x.path.path/m" sorts before "states/x.path/m".
bool state_order(const schema::UnitState& a, const schema::UnitState& b);

}  // namespace fleet::api::internal
