// fleetctl as a function: what the program does with its arguments, for main() and for tests.
//
// Example:
//   std::ostringstream out, err;
//   int status = fleetctl::run({"--driver=etcd", "list-units"}, out, err);
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {

// Runs fleetctl with `args` (without the program name), writing what it prints to `out` and
// `err`, reading FLEETCTL_* from `environment`; returns the exit status: 0 success, 1 error,
// 2 for the deprecated signing feature. Never throws.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Environment& environment = process_environment());

}  // namespace fleet::fleetctl
