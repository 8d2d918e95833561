// The resources the router dispatches to, one file each (unit_routes.cc, state_routes.cc,
// machine_routes.cc, discovery.cc). Each answers every method on its paths.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "fleet/api/backend.h"
#include "fleet/api/event_feed.h"
#include "fleet/api/http_message.h"
#include "fleet/api/request_target.h"
#include "fleet/api/unit_inspection.h"

namespace fleet::api::internal {

struct RouteContext {
  Backend& backend;
  uint16_t token_limit;
  const HttpRequest& request;
  const RequestTarget& target;
  UnitInspector* inspector = nullptr;  // the x1 routes answer 501 without one
  EventFeed* events = nullptr;         // /fleet/x1/events answers 501 without one
};

// `item` is the name after the collection's path, nullopt for the collection itself.
HttpResponse serve_units(const RouteContext& context, std::optional<std::string_view> item);
HttpResponse serve_state(const RouteContext& context, std::optional<std::string_view> item);
HttpResponse serve_machines(const RouteContext& context);
HttpResponse serve_discovery(const RouteContext& context);
// /fleet/x1/units/<name>/status and .../journal.
HttpResponse serve_inspection(const RouteContext& context, std::string_view name,
                              UnitInspection::Kind kind);
// /fleet/x1/events.
HttpResponse serve_events(const RouteContext& context);

// A failed backend call as the client sees it (error_mapping.h). A 500 is logged here, once, with
// its cause, which `show_cause` also puts in the response's message.
HttpResponse backend_failure(const RouteContext& context, const Error& error,
                             bool show_cause = false);

}  // namespace fleet::api::internal
