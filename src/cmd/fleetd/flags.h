// fleetd's command line (spec §4.1): only -version (or `version`) and -config PATH, in Go's flag
// syntax (-name, --name, -name=value, -name value). Options are set in fleet.conf or FLEET_*.
#pragma once

#include <string>
#include <vector>

#include "fleet/base/error.h"

namespace fleet::fleetd {

struct Flags {
  bool version = false;
  bool help = false;
  std::string config_path{};  // empty: /etc/fleet/fleet.conf when it exists
};

// kInvalidArgument with the message fleetd prints before its usage, e.g.
// "fleetd takes no arguments. Did you mean to invoke fleetctl instead?".
Result<Flags> parse_flags(const std::vector<std::string>& args);

std::string usage();

}  // namespace fleet::fleetd
