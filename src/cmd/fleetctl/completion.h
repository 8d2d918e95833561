// Shell completion for fleetctl, generated from the command table (commands.h) and the flags each
// command declares, so it cannot drift from what fleetctl accepts. `fleetctl completion bash`
// prints it; dist/bash-completion/fleetctl is a copy for packaging, which a test keeps equal.
#pragma once

#include <string>

namespace fleet::fleetctl {

// A bash script defining `_fleetctl` and registering it with `complete -F _fleetctl fleetctl`.
// It completes command names (and prefixes), global and command flags, flag values (--driver,
// --output, --fields lists, TLS files), local unit files for submit/load/start, and unit names
// from the registry (by running fleetctl list-unit-files with the global flags already typed)
// for the commands that act on existing units. Needs bash 4; not bash-completion's helpers.
std::string bash_completion_script();

}  // namespace fleet::fleetctl
