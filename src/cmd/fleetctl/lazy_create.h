// What submit, load and start do first (spec §1.4): make sure each named unit is in the registry,
// creating it from a local unit file, or from its template (in the registry, else next to the
// argument), and with --replace updating one whose local file changed.
#pragma once

#include <string>
#include <vector>

#include "fleet/unit/desired_state.h"

#include "cmd/fleetctl/context.h"

namespace fleet::fleetctl {

// The name a command-line argument stands for (spec §1.3): its basename, with ".service" unless
// it has a type fleetctl recognises.
std::string unit_name_of(const std::string& argument);

// Creates, in argument order, the units of `args` that are missing (or, with --replace, whose
// local file differs and whose desired state `replaceable` allows), then waits until the created
// ones read inactive. Warnings go to stderr as the original words them. Returns the first error
// (`unable to find Unit(x.service) in Registry or on filesystem`, ...), or `One or more errors
// creating units` after a wait timed out.
Status lazy_create_units(Context& context, const std::vector<std::string>& args,
                         const std::vector<unit::DesiredState>& replaceable);

// Sets the desired state of each named unit unless it already is that, in order; returns the
// units changed (as they were before). `unable to find unit x.service` when one does not exist.
Result<std::vector<schema::Unit>> set_desired_states(Context& context,
                                                     const std::vector<std::string>& args,
                                                     unit::DesiredState state);

}  // namespace fleet::fleetctl
