#include "fleet/api/api_server.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "fleet/api/dashboard_route.h"
#include "fleet/api/metrics_route.h"

namespace fleet::api {
namespace {

HttpResponse unavailable() {
  return HttpResponse::error(503, "fleet server unable to communicate with etcd");
}

}  // namespace

ApiServer::Attachment::Attachment(Attachment&& other) noexcept
    : server_(std::exchange(other.server_, nullptr)), generation_(other.generation_) {}

ApiServer::Attachment& ApiServer::Attachment::operator=(Attachment&& other) noexcept {
  if (this != &other) {
    if (server_) server_->detach(generation_);
    server_ = std::exchange(other.server_, nullptr);
    generation_ = other.generation_;
  }
  return *this;
}

ApiServer::Attachment::~Attachment() {
  if (server_) server_->detach(generation_);
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(const ApiServerOptions& options) {
  std::unique_ptr<ApiServer> server(new ApiServer());
  server->metrics_ = options.metrics;
  auto opened = open_listeners(options.listen);
  server->failures_ = std::move(opened.failures);
  for (const auto& listener : opened.listeners) server->addresses_.push_back(listener.address());
  auto http = HttpServer::start(
      std::move(opened.listeners),
      [s = server.get()](const HttpRequest& request) { return s->handle(request); },
      {.server_header = "fleetd/" + options.version,
       .tls = options.tls,
       .body_limit = options.body_limit,
       .threads = options.threads});
  if (!http) return fail(http.error());
  server->http_ = std::move(*http);
  return server;
}

ApiServer::~ApiServer() { http_.reset(); }

ApiServer::Attachment ApiServer::attach(Router router, std::function<bool()> ready) {
  std::unique_lock lock(mu_);
  drain(lock);
  router_.emplace(router);
  ready_ = std::move(ready);
  return Attachment(this, ++generation_);
}

void ApiServer::detach(uint64_t generation) {
  std::unique_lock lock(mu_);
  if (generation == generation_) drain(lock);
}

void ApiServer::drain(std::unique_lock<std::mutex>& lock) {
  // New requests get 503 from here on; those inside the router finish before it (and what it
  // uses) may go.
  serving_ = false;
  idle_.wait(lock, [&] { return in_flight_ == 0; });
  router_.reset();
  ready_ = nullptr;
  serving_ = true;
}

HttpResponse ApiServer::handle(const HttpRequest& request) {
  // Before the 503 below: metrics and the dashboard are served with or without a ready router
  // (metrics_route.h, dashboard_route.h).
  if (metrics_ && is_metrics_request(request)) return serve_metrics(request, *metrics_);
  if (is_dashboard_request(request)) return serve_dashboard(request);
  {
    std::lock_guard lock(mu_);
    if (!serving_ || !router_) return unavailable();
    ++in_flight_;
  }
  struct Leave {
    ApiServer& server;
    ~Leave() {
      {
        std::lock_guard lock(server.mu_);
        --server.in_flight_;
      }
      server.idle_.notify_all();
    }
  } leave{*this};
  HttpResponse response = ready_() ? router_->handle(request) : unavailable();
  spdlog::debug("event=api_request method={} target=\"{}\" status={}", request.method,
                request.target, response.status);
  return response;
}

}  // namespace fleet::api
