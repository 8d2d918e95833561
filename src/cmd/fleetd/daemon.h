// fleetd: the one composition root. It reads the configuration, connects to etcd and to the
// machine's systemd, and runs the agent and the engine until a signal says otherwise
// (spec §5.1 with decisions.md 9 and 10):
//   SIGTERM, SIGINT  stop; units keep running and the lease outlives us for agent_ttl, so a
//                    restart re-adopts both (purge_on_shutdown=true: unload every unit first)
//   SIGHUP           re-read the configuration and restart the components with it
//   SIGUSR1          print the agent's and the engine's state as one JSON line on stdout
// It tells systemd READY=1 (Type=notify) once the machine is registered in etcd. The HTTP API
// (spec §2) is served from start to exit on systemd's sockets, /var/run/fleet.sock and
// `api_listen` (with TLS there when api_tls_* are set), keeping its listeners and TLS files
// across SIGHUP; it answers 503 until the machine is registered. GET /metrics (spec §5.10) is
// served on the same listeners from start to exit.
#pragma once

#include "cmd/fleetd/flags.h"

namespace fleet::fleetd {

// Runs fleetd until SIGTERM or SIGINT; returns the process's exit code.
int run_daemon(const Flags& flags);

}  // namespace fleet::fleetd
