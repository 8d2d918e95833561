// The [X-Fleet] section: where a unit may run (spec §3.3), the rules for combining its options
// (§3.4) and the specifiers its values may use (§3.5).
//
// Example:
//   auto options = parse_fleet_options(file, "web@1.service");
//   for (const auto& key : options.unknown_keys)
//     std::cerr << unrecognized_requirement_warning("web@1.service", key) << "\n";
//   if (auto ok = check_requirements(options); !ok) return fail(ok.error());
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/unit/unit_file.h"
#include "fleet/unit/unit_name.h"

namespace fleet::unit {

inline constexpr std::string_view kFleetSection = "X-Fleet";

// What a unit's [X-Fleet] section asks for. Each deprecated name (X-ConditionMachineID,
// X-ConditionMachineBootID, X-ConditionMachineOf, X-ConditionMachineMetadata, X-Conflicts) means
// the same as its modern one; its values come first. Every value has been split as
// split_multi_value() does and had its specifiers expanded.
struct FleetOptions {
  // The first value of MachineID=, else of X-ConditionMachineID=, else of
  // X-ConditionMachineBootID= (legacy: only runs where a machine ID happens to equal it).
  std::optional<std::string> machine_id;
  // MachineOf=: units that must share this unit's machine (exact names, all required).
  std::vector<std::string> machine_of;
  // MachineMetadata=key=value: accepted values per key; a machine must match one value of every
  // key. Values that are not exactly one "=" between two non-empty parts are ignored.
  std::map<std::string, std::set<std::string>, std::less<>> machine_metadata;
  // Conflicts=: globs of units that must not share the machine, each value also split on white
  // space.
  std::vector<std::string> conflicts;
  // Replaces=: globs of units this unit pushes off its machine.
  std::vector<std::string> replaces;
  // Global=: the last value, true when it is true, yes, 1, on or t (any case).
  bool global = false;
  // Keys fleet does not know, in order of first appearance. Accepted; fleetctl warns.
  std::vector<std::string> unknown_keys;
};

// Reads the [X-Fleet] section of `file` for the unit called `unit_name`, whose name gives the
// specifiers their values; none are expanded when it has no ".". Never fails: malformed values
// are ignored, as in the original.
FleetOptions parse_fleet_options(const UnitFile& file, std::string_view unit_name);

// An [X-Fleet] value as a list: when the whole value starts and ends with `"`, it is split on
// spaces outside quotes and the quotes dropped (`"a=b" "c=d"` -> a=b, c=d); otherwise the value is
// the only item.
std::vector<std::string> split_multi_value(std::string_view value);

// Replaces %n (full name), %N (name without suffix), %p (prefix) and %i (instance) in `value`;
// any other % sequence stays as it is.
std::string expand_specifiers(std::string_view value, const UnitNameInfo& name);

// A machine's effective metadata: key -> value.
using MachineMetadata = std::map<std::string, std::string, std::less<>>;

// Whether a machine with `metadata` may run a unit with `options`: for every MachineMetadata key
// the machine has one of the listed values. The engine places by it and agents take global units
// by it, so both must agree.
bool metadata_matches(const FleetOptions& options, const MachineMetadata& metadata);

// Whether units `a` and `b` must not share a machine: a Conflicts= glob of either matches the
// other's name (a malformed glob matches nothing, as in the original).
bool conflict(std::string_view a, const FleetOptions& a_options, std::string_view b,
              const FleetOptions& b_options);

// The combination rules, first broken one reported with the original's message
// (kInvalidArgument): `MachineID cannot be used with Peers` (MachineOf), `... with Conflicts`,
// `... with Global`, `... with Replaces`, `Global cannot be used with Peers`,
// `Global cannot be used with Replaces`, `Conflicts cannot be used with Replaces`, and
// `unresolvable requirements: peer "p" matches conflict "c"` (or `matches replace "r"`) when a
// MachineOf names a unit the unit's own Conflicts or Replaces glob matches.
Status check_requirements(const FleetOptions& options);

// What the API checks before it accepts a new unit's options: check_storable() (unit_file.h)
// and check_requirements().
Status validate_unit(const UnitFile& file, std::string_view unit_name);

// fleetctl's warning for an unknown key:
// `Unit web.service: unrecognized requirement in [X-Fleet] section: "MachineOff"`.
std::string unrecognized_requirement_warning(std::string_view unit_name, std::string_view key);

}  // namespace fleet::unit
