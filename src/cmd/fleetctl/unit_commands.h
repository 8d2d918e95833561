// The steps the unit commands (submit, load, start, stop, unload, destroy) share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/schema/schema.h"
#include "fleet/unit/desired_state.h"

#include "cmd/fleetctl/context.h"

namespace fleet::fleetctl {

// True, after `No units given` and the hint `Run 'fleetctl help <command>' for usage.` on stderr,
// when `args` is empty (decisions.md fix 1: exit 1 with a usage hint).
bool no_units_given(Context& context, const std::vector<std::string>& args,
                    std::string_view command);

// The registry's units that `args` name exactly (after name mangling), in argument order; names
// not in the registry are left out. nullopt ends the command with `exit`: 1 after `No units
// given` (no_units_given, for `command`) or a registry error, 0 after `Units not found in
// registry` (spec §1.3's quirk).
std::optional<std::vector<schema::Unit>> existing_units(Context& context,
                                                        const std::vector<std::string>& args,
                                                        std::string_view command, int& exit);

// After `units` were sent to `target`: prints `Triggered global unit X <verb>` for global ones
// (never waited for), then `Triggered unit X <verb>` for the rest with --no-block, or waits for
// them (spec §1.7), with `wait_active` also until systemd runs them. Returns the exit status;
// each unit that did not get there is reported as `Error waiting for units: <why>`.
int trigger_or_wait(Context& context, const std::vector<schema::Unit>& units,
                    unit::DesiredState target, std::string_view verb, bool wait_active = false);

// load and start: create what is missing (--replace allowed from `replaceable` desired states),
// set the desired state `target`, then trigger_or_wait.
int run_lazy_state_change(Context& context, const std::vector<std::string>& args,
                          unit::DesiredState target, std::string_view verb,
                          const std::vector<unit::DesiredState>& replaceable, bool wait_active);

// "[a.service b.service]": how the original prints a list of names (Go's %v of a slice).
std::string name_list(const std::vector<std::string>& names);

}  // namespace fleet::fleetctl
