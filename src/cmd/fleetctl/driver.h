// The fleet API fleetctl talks to, as --driver and --endpoint choose (spec §1.1, §1.2):
//   --driver=etcd  etcd directly (--endpoint: comma-separated etcd URLs, default
//                  http://127.0.0.1:2379), through the same RegistryService fleetd's API uses
//   --driver=API   fleetd's HTTP API at --endpoint (default unix:///var/run/fleet.sock)
#pragma once

#include <memory>

#include "fleet/base/error.h"
#include "fleet/client/fleet_api.h"

#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {

inline constexpr std::string_view kDefaultEtcdEndpoint = "http://127.0.0.1:2379";

// kInvalidArgument for an unknown driver (`unrecognized driver "x"`), a malformed endpoint or an
// unreadable TLS file; kUnimplemented for what this fleetctl cannot do yet (--tunnel, the HTTP
// API). Connects lazily: an unreachable etcd shows in the first request's error.
Result<std::unique_ptr<client::FleetApi>> open_api(const GlobalOptions& options);

}  // namespace fleet::fleetctl
