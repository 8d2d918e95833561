#include "fleet/api/router.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>

#include "fleet/api/error_mapping.h"
#include "fleet/api/internal/routes.h"

namespace fleet::api {
namespace {

constexpr std::array<std::string_view, 2> kPrefixes = {"/fleet/v1", "/v1-alpha"};
constexpr std::string_view kExtensionPrefix = "/fleet/x1/units/";
constexpr std::string_view kEventsPath = "/fleet/x1/events";

struct InspectionPath {
  std::string_view unit;
  UnitInspection::Kind kind;
};

// "<unit>/status" or "<unit>/journal" after the x1 units prefix.
std::optional<InspectionPath> match_inspection(std::string_view rest) {
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  const std::string_view what = rest.substr(slash + 1);
  if (what == "status") return InspectionPath{rest.substr(0, slash), UnitInspection::Kind::kStatus};
  if (what == "journal") {
    return InspectionPath{rest.substr(0, slash), UnitInspection::Kind::kJournal};
  }
  return std::nullopt;
}

// What follows the unit collection `collection` in `path`: nullopt for the collection itself,
// its item's name for `collection/<name>`; no match (false) for anything else, a trailing slash or
// deeper path included, as fleet's Go mux had it. Such a path stays a 404, but `problem` says why:
// it is most often a unit name with "/" in it, escaped or not.
struct Match {
  bool matched = false;
  std::optional<std::string_view> item{};
  std::string_view problem{};
};

Match match(std::string_view path, std::string_view collection) {
  if (!path.starts_with(collection)) return {};
  std::string_view rest = path.substr(collection.size());
  if (rest.empty()) return {true, std::nullopt};
  if (rest.front() != '/') return {};
  rest.remove_prefix(1);
  if (rest.empty()) return {.problem = "unit name cannot be empty"};
  if (rest.find('/') != std::string_view::npos) {
    return {.problem = "unit name cannot contain \"/\""};
  }
  return {true, rest};
}

// The collections whose items are units.
struct UnitCollection {
  std::string_view path;
  HttpResponse (*serve)(const internal::RouteContext&, std::optional<std::string_view>);
};
constexpr std::array<UnitCollection, 2> kUnitCollections = {
    {{"/units", internal::serve_units}, {"/state", internal::serve_state}}};

}  // namespace

namespace internal {

HttpResponse backend_failure(const RouteContext& context, const Error& error, bool show_cause) {
  if (http_status(error.code) != 500) return error_response(error);
  spdlog::error("event=api_request_failed method={} target=\"{}\" error=\"{}\"",
                context.request.method, context.request.target, error.to_string());
  return show_cause ? HttpResponse::error(500, error.message) : error_response(error);
}

}  // namespace internal

Router::Router(Backend& backend, RouterOptions options)
    : backend_(backend),
      token_limit_(static_cast<uint16_t>(
          std::clamp<int>(options.token_limit, 1, std::numeric_limits<uint16_t>::max()))),
      inspector_(options.inspector),
      events_(options.events) {}

HttpResponse Router::handle(const HttpRequest& request) const {
  auto target = parse_request_target(request.target);
  if (!target) return HttpResponse::error(400, target.error().message);
  const std::string_view path = target->path;
  const internal::RouteContext context{.backend = backend_,
                                       .token_limit = token_limit_,
                                       .request = request,
                                       .target = *target,
                                       .inspector = inspector_,
                                       .events = events_};
  if (path == "/") return HttpResponse::error(405, "");
  if (path == kEventsPath) return internal::serve_events(context);
  if (path.starts_with(kExtensionPrefix)) {
    if (auto inspection = match_inspection(path.substr(kExtensionPrefix.size()))) {
      return internal::serve_inspection(context, inspection->unit, inspection->kind);
    }
    return HttpResponse::error(404, "");
  }

  for (std::string_view prefix : kPrefixes) {
    if (!path.starts_with(prefix)) continue;
    std::string_view rest = path.substr(prefix.size());
    if (rest.empty()) return HttpResponse::error(405, "");
    if (rest == "/discovery") return internal::serve_discovery(context);
    if (rest == "/machines") return internal::serve_machines(context);
    for (const auto& collection : kUnitCollections) {
      auto found = match(rest, collection.path);
      if (found.matched) return collection.serve(context, found.item);
      if (!found.problem.empty()) return HttpResponse::error(404, std::string(found.problem));
    }
  }
  return HttpResponse::error(404, "");
}

}  // namespace fleet::api
