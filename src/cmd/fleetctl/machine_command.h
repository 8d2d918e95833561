// Running a command on the machine of a unit, as the original fleetctl's status, journal and ssh
// did (spec §1.5): here when the machine is this host, over SSH to its public IP otherwise. With
// --inspect-via=fleetd (or no SSH set up) status and journal ask fleetd instead (decisions.md
// "Added"), and this file is not used.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"

#include "cmd/fleetctl/context.h"

namespace fleet::fleetctl {

// Whether status and journal go over SSH. --inspect-via=auto (the default) says yes when SSH is
// set up the way the original required it (an ssh-agent: SSH_AUTH_SOCK) or --tunnel is given.
// kInvalidArgument for a value other than auto, ssh or fleetd.
Result<bool> inspect_over_ssh(const GlobalOptions& global);

// The unit called `name`; nullopt after printing why not (`Unit X does not exist.`, or the API's
// error).
std::optional<schema::Unit> existing_unit(Context& context, const std::string& name);

// Runs `argv` on machine `machine_id`: directly when it is this host's /etc/machine-id, else as
// one shell command line over SSH (--ssh-port, --tunnel, ...). Returns the command's exit
// status, or 1 with the reason on context.err() when it could not be run at all.
int run_on_machine(Context& context, std::string_view machine_id,
                   const std::vector<std::string>& argv);

// Runs `command` (a shell command line; empty: an interactive shell) over SSH on `address`, the
// SSH settings coming from the global flags and the command's --ssh-port and -A.
int run_over_ssh(Context& context, std::string_view address, std::string_view command);

}  // namespace fleet::fleetctl
