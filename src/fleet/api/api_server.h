// fleetd's API endpoint: the listeners and the HTTP server, which live as long as fleetd (spec
// §2.1: they survive SIGHUP), and a slot for the router of the configuration running now. While
// no router is attached, or the attached one says it is not ready (the machine is not registered
// in etcd yet), every request gets 503 `fleet server unable to communicate with etcd`; GET /metrics
// and the dashboard (`/`, `/dashboard/...`) alone are served whatever the router's state
// (metrics_route.h and dashboard_route.h say why).
//
// Example (the daemon):
//   auto api = ApiServer::start({.listen = {.tcp = config.api_listen}, .version = "0.1.0"});
//   for (const auto& failure : (*api)->failures()) log(failure.message);
//   {
//     auto attached = (*api)->attach(Router(backend, {.token_limit = 100}),
//                                    [&] { return agent.registered() && backend.ready(); });
//     ...  // serving; SIGHUP ends this scope and the next configuration attaches its own
//   }
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fleet/api/http_server.h"
#include "fleet/api/listeners.h"
#include "fleet/api/router.h"
#include "fleet/base/error.h"

namespace fleet::metrics {
class Registry;
}  // namespace fleet::metrics

namespace fleet::api {

struct ApiServerOptions {
  ListenOptions listen{};
  // On the TCP listeners only (api_tls_*); the unix socket stays plain.
  ServerTls tls{};
  std::string version{};  // every response carries `Server: fleetd/<version>`
  size_t body_limit = 1 << 20;
  // Handlers block on etcd; concurrent creates share a transaction (RegistryBackend), so more
  // threads than cores pay off under many clients.
  size_t threads = 16;
  // Served on GET /metrics when set (fleetd: metrics::process_registry()); must outlive the
  // server. Null: /metrics is an unknown path like any other.
  const metrics::Registry* metrics = nullptr;
};

class ApiServer {
 public:
  // Detaches its router when destroyed: requests already inside it finish first, later ones get
  // 503. Must not outlive the ApiServer.
  class Attachment {
   public:
    Attachment() = default;
    Attachment(Attachment&& other) noexcept;
    Attachment& operator=(Attachment&& other) noexcept;
    ~Attachment();

   private:
    friend class ApiServer;
    Attachment(ApiServer* server, uint64_t generation) : server_(server), generation_(generation) {}

    ApiServer* server_ = nullptr;
    uint64_t generation_ = 0;
  };

  // Opens the listeners and serves on those that opened; the others are in failures(). Fails
  // when an opened socket cannot be served or a TLS file cannot be used.
  static Result<std::unique_ptr<ApiServer>> start(const ApiServerOptions& options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Where it listens ("unix:/var/run/fleet.sock", "tcp:127.0.0.1:49153") and what could not be
  // opened.
  const std::vector<std::string>& addresses() const { return addresses_; }
  const std::vector<Error>& failures() const { return failures_; }

  // Serves `router` while `ready()` holds, until the attachment is destroyed; replaces a router
  // attached before. `ready` is called for every request, from the server's threads.
  [[nodiscard]] Attachment attach(Router router, std::function<bool()> ready);

 private:
  ApiServer() = default;
  HttpResponse handle(const HttpRequest& request);
  void detach(uint64_t generation);
  // Removes the router once the requests inside it have returned.
  void drain(std::unique_lock<std::mutex>& lock);

  std::vector<std::string> addresses_;
  std::vector<Error> failures_;
  const metrics::Registry* metrics_ = nullptr;  // constant after start()

  std::mutex mu_;
  std::condition_variable idle_;
  // Constant while in_flight_ > 0; guarded by mu_.
  std::optional<Router> router_;
  std::function<bool()> ready_;
  bool serving_ = true;      // guarded by mu_: false while draining
  uint64_t generation_ = 0;  // guarded by mu_: which attachment router_ belongs to
  int in_flight_ = 0;        // guarded by mu_: requests inside router_ or ready_

  std::unique_ptr<HttpServer> http_;  // last: stops before the slot it calls goes away
};

}  // namespace fleet::api
