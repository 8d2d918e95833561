#include "fleet/api/discovery.h"

#include "fleet/api/internal/discovery_json.h"
#include "fleet/api/internal/routes.h"

namespace fleet::api {

std::string discovery_document(std::string_view root_url) {
  constexpr std::string_view kPlaceholder = "$ENDPOINT/";
  std::string document(internal::kDiscoveryJson);
  if (root_url.empty()) return document;
  for (size_t at = document.find(kPlaceholder); at != std::string::npos;
       at = document.find(kPlaceholder, at + root_url.size())) {
    document.replace(at, kPlaceholder.size(), root_url);
  }
  return document;
}

namespace internal {

HttpResponse serve_discovery(const RouteContext& context) {
  // decisions.md fix 5: fleet answered 400 here; 405 is what the method deserves.
  if (context.request.method != "GET") {
    return HttpResponse::error(405, "only HTTP GET supported against this resource");
  }
  // The client reached us by this name, so it can reach the API by it too. A unix-socket client
  // sends a placeholder host, which it ignores as it ignores the rest of the URL.
  auto host = context.request.header_values("Host");
  return HttpResponse::json(200,
                            discovery_document(host.size() == 1 && !host.front().empty()
                                                   ? "http://" + std::string(host.front()) + "/"
                                                   : std::string()));
}

}  // namespace internal
}  // namespace fleet::api
