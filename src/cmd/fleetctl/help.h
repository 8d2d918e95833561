// fleetctl's help pages, laid out as the original's: NAME, USAGE, VERSION (root only), COMMANDS,
// DESCRIPTION, OPTIONS and GLOBAL OPTIONS sections with tab-aligned columns.
#pragma once

#include <string>

#include "cmd/fleetctl/commands.h"

namespace fleet::fleetctl {

// `fleetctl`, `fleetctl help`, `fleetctl --help`: every command and every global flag.
std::string root_help();

// `fleetctl help <command>`, `fleetctl <command> --help`.
std::string command_help(const Command& command);

}  // namespace fleet::fleetctl
