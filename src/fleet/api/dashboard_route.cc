#include "fleet/api/dashboard_route.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "fleet/api/internal/embedded_files.h"
#include "fleet/api/request_target.h"

namespace fleet::api {
namespace {

constexpr std::string_view kFilePrefix = "/dashboard/";
constexpr std::string_view kIndex = "index.html";

std::string_view media_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";  // RFC 9239
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// If-None-Match (RFC 9110 §13.1.2): a list of tags or "*", compared weakly.
bool matches(const HttpRequest& request, std::string_view etag) {
  for (std::string_view header : request.header_values("If-None-Match")) {
    while (!header.empty()) {
      const size_t comma = header.find(',');
      std::string_view tag = trimmed(header.substr(0, comma));
      if (tag.starts_with("W/")) tag.remove_prefix(2);
      if (tag == "*" || tag == etag) return true;
      if (comma == std::string_view::npos) break;
      header.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace

bool is_dashboard_request(const HttpRequest& request) {
  auto target = parse_request_target(request.target);
  return target && (target->path == "/" || target->path.starts_with(kFilePrefix));
}

HttpResponse serve_dashboard(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse refused =
        HttpResponse::error(405, "only GET and HEAD supported against this resource");
    refused.headers.emplace_back("Allow", "GET, HEAD");
    return refused;
  }
  auto target = parse_request_target(request.target);
  if (!target) return HttpResponse::error(400, target.error().message);
  const std::string_view path = target->path;
  const std::string_view name = path == "/" ? kIndex : path.substr(kFilePrefix.size());
  const auto files = internal::dashboard_files();
  const auto file = std::find_if(files.begin(), files.end(),
                                 [&](const internal::EmbeddedFile& f) { return f.name == name; });
  if (file == files.end()) return HttpResponse::error(404, "");

  HttpResponse response;
  response.headers = {{"ETag", std::string(file->etag)}, {"Cache-Control", "no-cache"}};
  if (matches(request, file->etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.headers.emplace_back("Content-Type", std::string(media_type(file->name)));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // The page runs only its own script and talks only to the fleetd that served it.
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  response.body = std::string(file->bytes);
  return response;
}

}  // namespace fleet::api
