// The fleet API fleetctl talks to, as --driver and --endpoint choose (spec §1.1, §1.2):
//   --driver=etcd  etcd directly (--endpoint: comma-separated etcd URLs, default
//                  http://127.0.0.1:2379), through the same RegistryService fleetd's API uses
//   --driver=API   fleetd's HTTP API at --endpoint (default unix:///var/run/fleet.sock), with
//                  --request-timeout per request and TLS that verifies the server unless
//                  --insecure-skip-verify
// With --tunnel both go through an SSH tunnel to the bastion (ssh_tunnel.h), so the endpoint
// names an address as the bastion sees it.
#pragma once

#include <memory>
#include <ostream>

#include "fleet/base/error.h"
#include "fleet/client/fleet_api.h"

#include "cmd/fleetctl/options.h"
#include "cmd/fleetctl/ssh_tunnel.h"

namespace fleet::fleetctl {

inline constexpr std::string_view kDefaultEtcdEndpoint = "http://127.0.0.1:2379";

// The fleet API and, with --tunnel, the SSH tunnel it goes through.
struct Connection {
  std::unique_ptr<SshTunnel> tunnel;
  std::unique_ptr<client::FleetApi> api;
};

// kInvalidArgument for an unknown driver (`unrecognized driver "x"`), a malformed endpoint, an
// unreadable TLS file or --insecure-skip-verify with the etcd driver; kUnavailable when the
// --tunnel cannot be opened. Otherwise connects lazily: an unreachable fleetd or etcd shows in
// the first request's error. Warnings (an API endpoint list of which only the first entry is
// used) go to `warnings`.
Result<Connection> open_api(const GlobalOptions& options, std::ostream& warnings);

}  // namespace fleet::fleetctl
