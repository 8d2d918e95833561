// fleet's API v1 (spec §2.5, §2.6 with decisions.md fix 5) as a function from a request to a
// response over a Backend: no sockets, so every row of the spec is a table test
// (router_test.cc). The HTTP server (http_server.h) calls it for each request; the 503 before the
// machine is registered and the Server header are the server's (api_server.h).
//
// Routes, under both /fleet/v1 and the legacy /v1-alpha:
//   GET /discovery                       the discovery document (other methods 405)
//   GET /units                           UnitPage
//   GET, PUT, DELETE /units/<name>       one unit
//   GET /state[?machineID=&unitName=]    UnitStatePage
//   GET /state/<name>                    one UnitState
//   GET, PATCH /machines                 MachinePage; dynamic metadata
// and fleet's extension (unit_inspection.h), under /fleet/x1 only:
//   GET /units/<name>/status, GET /units/<name>/journal
//   GET /events                          the event stream (event_feed.h)
// `/` and a bare prefix answer 405, any other path 404.
//
// Example:
//   Router router(backend, {.token_limit = config.token_limit});
//   HttpResponse response = router.handle({.method = "GET", .target = "/fleet/v1/units"});
//
// Thread-safe when the backend is; the router itself holds no state.
#pragma once

#include <cstdint>

#include "fleet/api/backend.h"
#include "fleet/api/event_feed.h"
#include "fleet/api/http_message.h"
#include "fleet/api/unit_inspection.h"

namespace fleet::api {

struct RouterOptions {
  // fleetd's token_limit: the page size, and the limit every page token must carry. Values past
  // uint16 (the token's field) are clamped to it.
  int token_limit = 100;
  // Runs the x1 routes' commands; must outlive the router. Null: they answer 501.
  UnitInspector* inspector = nullptr;
  // Serves /fleet/x1/events; must outlive the router. Null: it answers 501.
  EventFeed* events = nullptr;
};

class Router {
 public:
  // `backend` must outlive the router.
  Router(Backend& backend, RouterOptions options = {});

  HttpResponse handle(const HttpRequest& request) const;

 private:
  Backend& backend_;
  uint16_t token_limit_;
  UnitInspector* inspector_;
  EventFeed* events_;
};

}  // namespace fleet::api
