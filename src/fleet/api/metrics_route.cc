#include "fleet/api/metrics_route.h"

#include "fleet/api/request_target.h"
#include "fleet/metrics/registry.h"
#include "fleet/metrics/text_format.h"

namespace fleet::api {

bool is_metrics_request(const HttpRequest& request) {
  auto target = parse_request_target(request.target);
  return target && target->path == "/metrics";
}

HttpResponse serve_metrics(const HttpRequest& request, const metrics::Registry& registry) {
  if (request.method != "GET") {
    return HttpResponse::error(405, "only HTTP GET supported against this resource");
  }
  HttpResponse response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", std::string(metrics::kTextMediaType));
  response.body = registry.render();
  return response;
}

}  // namespace fleet::api
