// /units and /units/<name> (spec §2.5, with decisions.md fix 5 inside Backend::put_unit).
#include <algorithm>
#include <cctype>

#include "fleet/api/error_mapping.h"
#include "fleet/api/internal/routes.h"
#include "fleet/api/pagination.h"
#include "fleet/schema/json.h"

namespace fleet::api::internal {
namespace {

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Spec §2.3: exactly one Content-Type, whose media type (parameters aside) is JSON. Media types
// are case-insensitive (RFC 9110 §8.3.1), so "Application/JSON" passes too.
std::optional<std::string> content_type_problem(const HttpRequest& request) {
  auto values = request.header_values("Content-Type");
  if (values.size() != 1) {
    return "expected 1 Content-Type, got " + std::to_string(values.size());
  }
  std::string_view media = trim(values.front().substr(0, values.front().find(';')));
  if (!equals_ignoring_case(media, kJsonMediaType)) {
    return std::string("only acceptable Content-Type is application/json");
  }
  return std::nullopt;
}

HttpResponse list(const RouteContext& context) {
  auto page = requested_page(context.target, context.token_limit);
  if (!page) return HttpResponse::error(400, page.error().message);
  auto listing = context.backend.units(page->slice());
  if (!listing) return backend_failure(context, listing.error());
  return HttpResponse::json(
      200, schema::encode(schema::UnitPage{std::move(listing->items),
                                           next_page_token(*page, listing->total)}));
}

HttpResponse get(const RouteContext& context, std::string_view name) {
  auto unit = context.backend.unit(name);
  if (!unit) return backend_failure(context, unit.error());
  if (!*unit) return HttpResponse::error(404, "unit does not exist");
  return HttpResponse::json(200, schema::encode(**unit));
}

HttpResponse put(const RouteContext& context, std::string_view name) {
  if (auto problem = content_type_problem(context.request)) {
    return HttpResponse::error(415, std::move(*problem));
  }
  const std::string& body = context.request.body;
  // Go's decoder says EOF for a body with nothing in it, and fleet passed that on.
  if (std::all_of(body.begin(), body.end(), [](unsigned char c) { return std::isspace(c); })) {
    return HttpResponse::error(400, "unable to decode body: EOF");
  }
  auto unit = schema::decode_unit(body);
  if (!unit) return HttpResponse::error(400, "unable to decode body: " + unit.error().message);
  if (unit->name.empty()) unit->name = std::string(name);
  if (unit->name != name) {
    return HttpResponse::error(400, "name in URL \"" + std::string(name) +
                                        "\" differs from unit name in request body \"" +
                                        unit->name + "\"");
  }
  auto outcome = context.backend.put_unit(*unit);
  if (!outcome) return backend_failure(context, outcome.error());
  return HttpResponse::empty(*outcome == PutOutcome::kUpdated ? 204 : 201);
}

HttpResponse destroy(const RouteContext& context, std::string_view name) {
  auto destroyed = context.backend.destroy_unit(name);
  if (!destroyed) return backend_failure(context, destroyed.error());
  return HttpResponse::empty(204);
}

}  // namespace

HttpResponse serve_units(const RouteContext& context, std::optional<std::string_view> item) {
  const std::string& method = context.request.method;
  if (!item) {
    if (method == "GET") return list(context);
    return HttpResponse::error(405, "only GET supported against this resource");
  }
  if (method == "GET") return get(context, *item);
  if (method == "PUT") return put(context, *item);
  if (method == "DELETE") return destroy(context, *item);
  return HttpResponse::error(405, "only GET, PUT and DELETE supported against this resource");
}

}  // namespace fleet::api::internal
