// The parts of fleetd's start and of its SIGUSR1 dump that need no systemd, apart from daemon.cc
// so that tests drive them: what fleetd logs about its configuration and its API, and the text of
// the dump. Everything here logs through spdlog's default logger.
//
// Nothing here prints a secret: the configuration goes through config::describe() (the etcd
// password shows as "<set>", TLS files by path), and the dump holds run state, no configuration.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fleet/api/api_server.h"
#include "fleet/base/error.h"
#include "fleet/config/config.h"

#include "cmd/fleetd/flags.h"

namespace fleet::agent {
class Agent;
}  // namespace fleet::agent

namespace fleet::fleetd {

// load_config() of the flags' file and the process's FLEET_* variables; logs each warning and
// then the effective configuration. Errors are load_config()'s, for the caller to log.
Result<config::Config> load_logged_config(const Flags& flags);

// What fleetd serves its API with under `config`: systemd's sockets or /var/run/fleet.sock,
// api_listen, and api_tls_* on the TCP listeners.
api::ApiServerOptions api_options(const config::Config& config);

// One line per api_listen address that other hosts can reach without a client certificate:
// no api_tls_* at all, or TLS without api_tls_cafile. Loopback addresses are never listed.
std::vector<std::string> api_exposure_warnings(const config::Config& config);

// Starts the API with `options` and logs where it listens, what could not be opened, and
// api_exposure_warnings(config). Fails as ApiServer::start() does.
Result<std::unique_ptr<api::ApiServer>> start_logged_api(const api::ApiServerOptions& options,
                                                         const config::Config& config);

// SIGUSR1's line: the agent's dump and `engine` (the engine's, or {"disabled":true}) as one JSON
// object.
std::string state_dump(const agent::Agent& agent, nlohmann::json engine);

}  // namespace fleet::fleetd
