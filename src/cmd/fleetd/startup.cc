#include "cmd/fleetd/startup.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "fleet/agent/agent.h"
#include "fleet/config/load_config.h"
#include "fleet/metrics/fleet_metrics.h"

namespace fleet::fleetd {

Result<config::Config> load_logged_config(const Flags& flags) {
  auto config = config::load_config(
      {.config_path = flags.config_path, .environment = config::fleet_environment()});
  if (!config) return config;
  for (const auto& warning : config->warnings) spdlog::warn("event=config_warning {}", warning);
  spdlog::info("event=config {}", config::describe(*config));
  return config;
}

api::ApiServerOptions api_options(const config::Config& config) {
  return {.listen = {.tcp = config.api_listen},
          .tls = {.cert_file = config.api_tls_certfile,
                  .key_file = config.api_tls_keyfile,
                  .client_ca_file = config.api_tls_cafile},
          .version = FLEET_VERSION,
          .metrics = &metrics::process_registry()};
}

// Explicit configuration is allowed (a private network may be trusted), so this warns rather
// than refuses.
std::vector<std::string> api_exposure_warnings(const config::Config& config) {
  std::vector<std::string> warnings;
  const bool tls = !config.api_tls_certfile.empty();
  const bool client_certificates = tls && !config.api_tls_cafile.empty();
  if (client_certificates) return warnings;
  for (const auto& address : config.api_listen) {
    if (address.is_loopback()) continue;
    warnings.push_back(
        "event=api_unauthenticated address=" + address.to_string() +
        (tls ? " (TLS without api_tls_cafile: any client that reaches this address can use the "
               "API without a certificate; set api_tls_cafile to require one)"
             : " (the API is reachable from other hosts without authentication; set "
               "api_tls_certfile, api_tls_keyfile and api_tls_cafile to require client "
               "certificates)"));
  }
  return warnings;
}

Result<std::unique_ptr<api::ApiServer>> start_logged_api(const api::ApiServerOptions& options,
                                                         const config::Config& config) {
  auto api = api::ApiServer::start(options);
  if (!api) return api;
  for (const auto& address : (*api)->addresses()) {
    // TLS covers TCP only; the unix socket is guarded by its mode.
    const bool tls = options.tls.enabled() && address.starts_with("tcp:");
    spdlog::info("event=api_listening address={} tls={}", address,
                 !tls                                 ? "off"
                 : options.tls.client_ca_file.empty() ? "server_only"
                                                      : "client_certificates");
  }
  for (const auto& failure : (*api)->failures()) {
    spdlog::error("event=api_listen_failed error=\"{}\"", failure.message);
  }
  for (const auto& warning : api_exposure_warnings(config)) spdlog::warn("{}", warning);
  return api;
}

std::string state_dump(const agent::Agent& agent, nlohmann::json engine) {
  nlohmann::json out;
  out["agent"] = nlohmann::json::parse(agent.dump());
  out["engine"] = std::move(engine);
  return out.dump();
}

}  // namespace fleet::fleetd
