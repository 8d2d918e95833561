// /machines: the list, and PATCH of dynamic metadata (spec §2.5).
#include <regex>

#include "fleet/api/internal/routes.h"
#include "fleet/api/pagination.h"
#include "fleet/schema/json.h"

namespace fleet::api::internal {
namespace {

// /<machineID>/metadata/<key>
const std::regex& metadata_path() {
  static const std::regex pattern("^/([^/]+)/metadata/([A-Za-z0-9_.-]+)$");
  return pattern;
}

HttpResponse list(const RouteContext& context) {
  auto page = requested_page(context.target, context.token_limit);
  if (!page) return HttpResponse::error(400, page.error().message);
  auto listing = context.backend.machines(page->slice());
  if (!listing) return backend_failure(context, listing.error());
  return HttpResponse::json(
      200, schema::encode(schema::MachinePage{std::move(listing->items),
                                              next_page_token(*page, listing->total)}));
}

// Every operation is checked before any is applied, so a bad one leaves the metadata as it was;
// a registry failure midway leaves the earlier ones applied, as in fleet.
HttpResponse patch(const RouteContext& context) {
  auto ops = schema::decode_machine_metadata_ops(context.request.body);
  if (!ops) return HttpResponse::error(400, ops.error().message);
  for (const auto& op : *ops) {
    if (op.op != "add" && op.op != "remove" && op.op != "replace") {
      return HttpResponse::error(400, "invalid op: expect add, remove, or replace");
    }
    if (!std::regex_match(op.path, metadata_path())) {
      return HttpResponse::error(400, "machine metadata path invalid");
    }
    if (op.op != "remove" && op.value.empty()) {
      return HttpResponse::error(400, "invalid value: add and replace require a value");
    }
  }
  for (const auto& op : *ops) {
    std::smatch parts;
    std::regex_match(op.path, parts, metadata_path());
    // A removal is stored as "": it must also hide a value fleetd's configuration sets.
    auto set = context.backend.set_machine_metadata(parts[1].str(), parts[2].str(),
                                                    op.op == "remove" ? "" : op.value);
    // Unlike the other 500s, fleet told the client what failed here.
    if (!set) return backend_failure(context, set.error(), /*show_cause=*/true);
  }
  return HttpResponse::empty(204);
}

}  // namespace

HttpResponse serve_machines(const RouteContext& context) {
  const std::string& method = context.request.method;
  if (method == "GET") return list(context);
  if (method == "PATCH") return patch(context);
  return HttpResponse::error(405, "only GET and PATCH supported against this resource");
}

}  // namespace fleet::api::internal
