// /state and /state/<name> (spec §2.5).
#include "fleet/api/internal/routes.h"
#include "fleet/api/pagination.h"
#include "fleet/schema/json.h"

namespace fleet::api::internal {
namespace {

HttpResponse list(const RouteContext& context) {
  auto page = requested_page(context.target, context.token_limit);
  if (!page) return HttpResponse::error(400, page.error().message);
  // Filters apply before paging: a page holds only matching states.
  const client::UnitStateFilter filter{
      .unit_name = std::string(context.target.first("unitName")),
      .machine_id = std::string(context.target.first("machineID"))};
  auto listing = context.backend.unit_states(filter, page->slice());
  if (!listing) return backend_failure(context, listing.error());
  return HttpResponse::json(
      200, schema::encode(schema::UnitStatePage{std::move(listing->items),
                                                next_page_token(*page, listing->total)}));
}

HttpResponse get(const RouteContext& context, std::string_view name) {
  auto state = context.backend.unit_state(name);
  if (!state) return backend_failure(context, state.error());
  if (!*state) return HttpResponse::error(404, "unit state does not exist");
  return HttpResponse::json(200, schema::encode(**state));
}

}  // namespace

HttpResponse serve_state(const RouteContext& context, std::optional<std::string_view> item) {
  if (context.request.method != "GET") {
    return HttpResponse::error(405, "only GET supported against this resource");
  }
  return item ? get(context, *item) : list(context);
}

}  // namespace fleet::api::internal
