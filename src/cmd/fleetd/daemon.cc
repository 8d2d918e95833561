#include "cmd/fleetd/daemon.h"

#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "fleet/agent/agent.h"
#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/api/registry_event_feed.h"
#include "fleet/api/relaying_inspector.h"
#include "fleet/api/router.h"
#include "fleet/config/config.h"
#include "fleet/config/machine_identity.h"
#include "fleet/engine/engine.h"
#include "fleet/etcd/client.h"
#include "fleet/metrics/fleet_metrics.h"
#include "fleet/registry/registry.h"
#include "fleet/systemd/systemd_unit_manager.h"

#include "cmd/fleetd/startup.h"

namespace fleet::fleetd {
namespace {

constexpr std::chrono::seconds kFirstRetry{1};
constexpr std::chrono::seconds kLastRetry{60};
// What a fleetd keeps for its next run (agent/run_state.h): /run survives a restart, not a reboot.
constexpr const char* kStateFile = "/run/fleet/agent.json";

// Where other fleetds relay fleetctl status/journal to this one: the first TCP api_listen
// address, with a wildcard host replaced by the address other machines know this one by.
std::string relay_address(const config::Config& config, const std::string& public_ip) {
  if (config.api_listen.empty()) return "";
  config::ListenAddress address = config.api_listen.front();
  if (address.host.empty() || address.host == "0.0.0.0" || address.host == "::") {
    if (public_ip.empty()) return "";
    address.host = public_ip;
  }
  return address.to_string();
}

void configure_logging(int verbosity) {
  // journald stamps each line itself; a terminal or file gets the time from us.
  spdlog::set_pattern(std::getenv("JOURNAL_STREAM") ? "%l %v" : "%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_level(verbosity > 0 ? spdlog::level::debug : spdlog::level::info);
}

// Starts the engine once etcd answers, retrying in the background, so a fleetd that comes up
// before etcd does still leads later.
class EngineRunner {
 public:
  EngineRunner(registry::Registry& registry, engine::EngineOptions options)
      : thread_([this, &registry, options = std::move(options)] { run(registry, options); }) {}

  // Hands the leadership over at once (graceful stop) and stops the engine.
  ~EngineRunner() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (engine_) {
      if (auto resigned = engine_->resign(); !resigned) {
        spdlog::warn("event=engine_resign_failed error=\"{}\"", resigned.error().to_string());
      }
    }
  }

  nlohmann::json dump() const {
    std::lock_guard lock(mu_);
    if (!engine_) return {{"started", false}};
    auto stats = engine_->stats();
    return {{"started", true},        {"leading", engine_->leading()},
            {"passes", stats.passes}, {"settled_passes", stats.settled_passes},
            {"writes", stats.writes}, {"refused_writes", stats.refused_writes},
            {"errors", stats.errors}};
  }

 private:
  void run(registry::Registry& registry, const engine::EngineOptions& options) {
    auto backoff = std::chrono::duration_cast<std::chrono::milliseconds>(kFirstRetry);
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto started = engine::Engine::start(registry, options);
      lock.lock();
      if (started) {
        engine_ = std::move(*started);
        spdlog::info("event=engine_started machine={}", options.machine_id);
        return;
      }
      spdlog::error("event=engine_start_failed error=\"{}\" retry_in_ms={}",
                    started.error().to_string(), backoff.count());
      cv_.wait_for(lock, backoff, [&] { return stopping_; });
      backoff =
          std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kLastRetry));
    }
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                   // guarded by mu_
  std::unique_ptr<engine::Engine> engine_;  // guarded by mu_
  std::thread thread_;
};

// Everything one configuration runs; SIGHUP replaces it whole.
class Server {
 public:
  // Serves the API through `api` while it runs.
  static Result<std::unique_ptr<Server>> start(const config::Config& config, api::ApiServer& api) {
    std::unique_ptr<Server> server(new Server());
    auto machine_id = config::read_machine_id();
    if (!machine_id) return fail(machine_id.error());
    std::string public_ip = config.public_ip;
    if (public_ip.empty()) {
      auto detected = config::detect_public_ip();
      if (detected) {
        public_ip = *detected;
      } else {
        spdlog::warn("event=public_ip_unknown error=\"{}\" (set public_ip in fleet.conf)",
                     detected.error().message);
      }
    }

    auto client = etcd::Client::connect({.endpoints = config.etcd_servers,
                                         .tls = {.ca_file = config.etcd_cafile,
                                                 .cert_file = config.etcd_certfile,
                                                 .key_file = config.etcd_keyfile},
                                         .username = config.etcd_username,
                                         .password = config.etcd_password,
                                         .request_timeout = config.etcd_request_timeout,
                                         .metrics = &metrics::process_metrics().etcd});
    if (!client) return fail(client.error());
    server->client_ = std::move(*client);
    server->registry_ = std::make_unique<registry::Registry>(*server->client_,
                                                             registry::Keys(config.etcd_key_prefix),
                                                             metrics::process_metrics().registry);

    auto manager = systemd::SystemdUnitManager::connect(
        {.units_directory = config.units_directory,
         .systemd_user = config.systemd_user,
         .on_watch_error =
             [](const Error& error) {
               spdlog::warn("event=systemd_watch_failed error=\"{}\"", error.to_string());
             },
         .metrics = &metrics::process_metrics().dbus});
    if (!manager) return fail(manager.error());
    server->manager_ = std::move(*manager);

    registry::MachineRecord machine{
        .id = *machine_id,
        .public_ip = public_ip,
        .metadata = config.metadata,
        .version = FLEET_VERSION,
        .capabilities = {{"GRPC", config.enable_grpc}, {"DISABLE_ENGINE", config.disable_engine}},
        .api_address = relay_address(config, public_ip)};
    auto agent = agent::Agent::start(
        *server->registry_, *server->manager_,
        {.machine = machine,
         .ttl = std::chrono::duration_cast<std::chrono::seconds>(config.agent_ttl),
         .state_file = kStateFile});
    if (!agent) return fail(agent.error());
    server->agent_ = std::move(*agent);
    server->purge_on_shutdown_ = config.purge_on_shutdown;

    if (!config.disable_engine) {
      server->engine_ = std::make_unique<EngineRunner>(
          *server->registry_,
          engine::EngineOptions{
              .machine_id = *machine_id,
              .reconcile_interval = config.engine_reconcile_interval,
              .machine_grace =
                  std::chrono::duration_cast<std::chrono::milliseconds>(config.agent_ttl),
              .metrics = &metrics::process_metrics().engine});
    }
    server->backend_ = std::make_unique<api::RegistryBackend>(*server->registry_);
    // Relays present this fleetd's own certificate: the other fleetds' api_tls_cafile asks for one.
    server->inspector_ = std::make_unique<api::RelayingInspector>(
        *server->registry_, *machine_id,
        client::TlsSettings{.ca_file = config.api_tls_cafile,
                            .cert_file = config.api_tls_certfile,
                            .key_file = config.api_tls_keyfile});
    server->events_ = std::make_unique<api::RegistryEventFeed>(
        *server->registry_, *server->backend_,
        api::RegistryEventFeedOptions{.max_streams =
                                          api::max_event_streams(api_options(config).threads)});
    server->api_ =
        api.attach(api::Router(*server->backend_, {.token_limit = config.token_limit,
                                                   .inspector = server->inspector_.get(),
                                                   .events = server->events_.get()}),
                   [s = server.get()] { return s->registered() && s->backend_->ready(); });
    spdlog::info("event=fleetd_started machine={} public_ip={} version={}", *machine_id, public_ip,
                 FLEET_VERSION);
    return server;
  }

  // The engine hands over its leadership; units keep running (a reload starts them again).
  ~Server() = default;

  // SIGTERM: with purge_on_shutdown, every unit is unloaded and the lease revoked first, so the
  // engine reschedules them at once (the original's behaviour).
  void shut_down() {
    engine_.reset();
    // A fleetd that never reached etcd in this run has nothing to hand over: purging would only
    // stop units the cluster still counts on (decisions.md 10).
    if (!purge_on_shutdown_ || agent_->stats().registrations == 0) return;
    if (auto purged = agent_->purge(); !purged) {
      spdlog::error("event=purge_failed error=\"{}\"", purged.error().to_string());
    }
  }

  bool registered() const { return agent_->registered(); }

  std::string dump() const {
    return state_dump(*agent_, engine_ ? engine_->dump() : nlohmann::json{{"disabled", true}});
  }

 private:
  Server() = default;

  // Declared in the order they are built; destroyed in reverse.
  std::unique_ptr<etcd::Client> client_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<systemd::SystemdUnitManager> manager_;
  std::unique_ptr<agent::Agent> agent_;
  std::unique_ptr<EngineRunner> engine_;
  std::unique_ptr<api::RegistryBackend> backend_;
  std::unique_ptr<api::RelayingInspector> inspector_;
  // Ends its streams before the backend and registry they read go.
  std::unique_ptr<api::RegistryEventFeed> events_;
  api::ApiServer::Attachment api_;  // detached first, before anything the API reads goes
  bool purge_on_shutdown_ = false;
};

}  // namespace

int run_daemon(const Flags& flags) {
  configure_logging(0);
  // Signals are taken by sigwait below, never by a handler in some other thread: block them
  // before any thread starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto config = load_logged_config(flags);
  if (!config) {
    spdlog::critical("event=config_invalid error=\"{}\"", config.error().message);
    return 1;
  }
  configure_logging(config->verbosity);
  // The API's listeners outlive every Server: a reload keeps them (spec §2.1), and requests
  // meanwhile get 503, except GET /metrics: the process's metrics outlive every Server too, so
  // counts carry on across a reload.
  auto api = start_logged_api(api_options(*config), *config);
  if (!api) {
    spdlog::critical("event=start_failed error=\"{}\"", api.error().to_string());
    return 1;
  }
  auto server = Server::start(*config, **api);
  if (!server) {
    spdlog::critical("event=start_failed error=\"{}\"", server.error().to_string());
    return 1;
  }

  bool ready = false;
  const timespec tick{0, 200'000'000};
  while (true) {
    if (!ready && (*server)->registered()) {
      sd_notify(0, "READY=1");
      ready = true;
    }
    int signal = sigtimedwait(&signals, nullptr, &tick);
    if (signal < 0) continue;  // the tick, or EINTR
    if (signal == SIGTERM || signal == SIGINT) {
      spdlog::info("event=shutting_down signal={} purge={}", strsignal(signal),
                   config->purge_on_shutdown);
      sd_notify(0, "STOPPING=1");
      (*server)->shut_down();
      server->reset();
      return 0;
    }
    if (signal == SIGUSR1) {
      std::cout << (*server)->dump() << std::endl;
      continue;
    }
    // SIGHUP: a configuration that does not load leaves the running one in place.
    spdlog::info("event=reloading config_file={}", flags.config_path.empty()
                                                       ? std::string(config::kDefaultConfigPath)
                                                       : flags.config_path);
    auto reloaded = load_logged_config(flags);
    if (!reloaded) {
      spdlog::error("event=reload_failed error=\"{}\" (keeping the running configuration)",
                    reloaded.error().message);
      continue;
    }
    sd_notify(0, "RELOADING=1");
    server->reset();
    if (reloaded->api_listen != config->api_listen) {
      spdlog::warn(
          "event=api_listen_unchanged (the API keeps its listeners until fleetd restarts)");
    }
    if (api_options(*reloaded).tls != api_options(*config).tls) {
      spdlog::warn("event=api_tls_unchanged (the API keeps its TLS files until fleetd restarts)");
    }
    config = std::move(reloaded);
    configure_logging(config->verbosity);
    auto restarted = Server::start(*config, **api);
    if (!restarted) {
      spdlog::critical("event=start_failed error=\"{}\"", restarted.error().to_string());
      return 1;
    }
    server = std::move(restarted);
    ready = false;
  }
}

}  // namespace fleet::fleetd
