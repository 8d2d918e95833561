#include "fleet/api/discovery.h"

#include <algorithm>

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
namespace {

// Whether a Host header is a plain host[:port] (RFC 3986 §3.2.2-3.2.3: names, IPv4, bracketed
// IPv6). Anything else (quotes, backslashes, spaces, bytes past ASCII) would break out of the
// JSON string it goes into, or out of the URL.
bool plain_host(std::string_view host) {
  constexpr std::string_view kPunctuation = "-._~!$&'()*+,;=:[]%";
  return !host.empty() && std::all_of(host.begin(), host.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kPunctuation.find(c) != std::string_view::npos;
  });
}

}  // namespace

HttpResponse serve_discovery(const RouteContext& context) {
  // decisions.md fix 5: fleet answered 400 here; 405 is what the method deserves.
  if (context.request.method != "GET") {
    return HttpResponse::error(405, "only HTTP GET supported against this resource");
  }
  // The client reached us by this name, so it can reach the API by it too. A unix-socket client
  // sends a placeholder host, which it ignores as it ignores the rest of the URL. A Host that is
  // not a plain host[:port] gets fleet's placeholder instead.
  auto host = context.request.header_values("Host");
  return HttpResponse::json(200,
                            discovery_document(host.size() == 1 && plain_host(host.front())
                                                   ? "http://" + std::string(host.front()) + "/"
                                                   : std::string()));
}

}  // namespace internal
}  // namespace fleet::api
