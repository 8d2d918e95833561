// GET /metrics (spec §2.1, §5.10): the Prometheus text exposition of a metrics::Registry, on the
// API's listeners next to /fleet/v1.
//
// It is not part of API v1, so it is served outside the router and outside the v1 rule that every
// request gets 503 until the machine is registered: a fleetd that cannot reach etcd is exactly
// when its metrics (failed registry operations, an engine that no longer leads) matter.
//
// Example (ApiServer::handle):
//   if (is_metrics_request(request)) return serve_metrics(request, registry);
#pragma once

#include "fleet/api/http_message.h"

namespace fleet::metrics {
class Registry;
}  // namespace fleet::metrics

namespace fleet::api {

// Whether the request's path is /metrics (any query string is ignored, as Prometheus may add one).
bool is_metrics_request(const HttpRequest& request);

// 200 with the text format for GET; fleet's JSON 405 for any other method, as the v1 routes answer.
HttpResponse serve_metrics(const HttpRequest& request, const metrics::Registry& registry);

}  // namespace fleet::api
