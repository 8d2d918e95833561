// The web dashboard (decisions.md, "Added"): one page on the API's listeners showing machines,
// units with their desired and current states and placement, live over GET /fleet/x1/events, and
// a unit's journal through the x1 relay. GET / is the page; GET /dashboard/<file> its script and
// style sheet. The files are built into fleetd (dashboard/, embedded by cmake/embed_files.cmake),
// so nothing needs installing beside it and the browser loads nothing from another site.
//
// The page only reads the API from the browser, so it is served outside the router and before
// the machine is registered, like /metrics: it loads and shows the API's 503 in its error banner
// rather than a bare error document.
//
// Example (ApiServer::handle):
//   if (is_dashboard_request(request)) return serve_dashboard(request);
#pragma once

#include "fleet/api/http_message.h"

namespace fleet::api {

// Whether the request's path is `/` or under `/dashboard/` (a query string is ignored).
bool is_dashboard_request(const HttpRequest& request);

// GET and HEAD: the file with its Content-Type, an ETag and Cache-Control: no-cache, so a browser
// revalidates (304 on If-None-Match) and never runs an old script against a new fleetd. An unknown
// file is fleet's JSON 404; any other method its JSON 405.
HttpResponse serve_dashboard(const HttpRequest& request);

}  // namespace fleet::api
