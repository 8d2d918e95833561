#include "fleet/client/endpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "fleet/client/url_encoding.h"

namespace fleet::client {
namespace {

tl::unexpected<Error> invalid(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), as Go's url.Parse reads it.
bool valid_scheme(std::string_view scheme) {
  if (scheme.empty() || !std::isalpha(static_cast<unsigned char>(scheme.front()))) return false;
  return std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

// "host", "host:port", "[v6]" or "[v6]:port" into `endpoint`.
Status parse_authority(std::string_view authority, ApiEndpoint& endpoint) {
  const std::string url = quoted(endpoint.url);
  if (authority.find('@') != std::string_view::npos) {
    return invalid("credentials in endpoint " + url + " are not supported");
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid("missing ']' in endpoint " + url);
    endpoint.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return invalid("bad host in endpoint " + url);
    if (!rest.empty()) port = rest.substr(1);
  } else {
    auto colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return invalid("no host in endpoint " + url);
  if (!port.empty()) {
    unsigned number = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
      return invalid("invalid port " + quoted(port) + " in endpoint " + url);
    }
    endpoint.port = std::string(port);
  } else {
    endpoint.port = endpoint.transport == ApiEndpoint::Transport::kTls ? "443" : "80";
  }
  return {};
}

}  // namespace

std::string ApiEndpoint::host_header() const {
  if (transport == Transport::kUnix) return "domain-sock";
  const bool v6 = host.find(':') != std::string::npos;
  const std::string name = v6 ? "[" + host + "]" : host;
  const bool default_port = port == (transport == Transport::kTls ? "443" : "80");
  return default_port ? name : name + ":" + port;
}

Result<ApiEndpoint> parse_api_endpoint(std::string_view endpoints) {
  ApiEndpoint endpoint;
  auto comma = endpoints.find(',');
  endpoint.others_ignored = comma != std::string_view::npos;
  std::string_view url = endpoints.substr(0, comma);
  endpoint.url = std::string(url);

  auto colon = url.find(':');
  if (colon == std::string_view::npos || !valid_scheme(url.substr(0, colon))) {
    return invalid("URL scheme undefined");
  }
  const std::string scheme = lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 1);
  // The query and fragment of a URL name nothing the API client could use.
  rest = rest.substr(0, rest.find_first_of("?#"));
  std::string_view authority;
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    auto slash = rest.find('/');
    authority = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (scheme == "unix" || scheme == "file") {
    // Usually a missing slash: unix://var/run/fleet.sock names the host "var".
    if (!authority.empty()) {
      return invalid("unable to connect to host " + quoted(authority) + " with scheme " +
                     quoted(scheme));
    }
    auto path = percent_decode(rest);
    if (!path) return invalid("invalid escape in endpoint " + quoted(url));
    if (path->empty()) return invalid("no socket path in endpoint " + quoted(url));
    endpoint.transport = ApiEndpoint::Transport::kUnix;
    endpoint.socket_path = std::move(*path);
    return endpoint;
  }
  if (scheme != "http" && scheme != "https") {
    return invalid("unsupported URL scheme " + quoted(scheme) + " in endpoint " + quoted(url) +
                   ": use http://, https:// or unix://");
  }
  endpoint.transport =
      scheme == "https" ? ApiEndpoint::Transport::kTls : ApiEndpoint::Transport::kTcp;
  if (auto parsed = parse_authority(authority, endpoint); !parsed) return fail(parsed.error());
  // Kept escaped as written: it goes into request targets as it is.
  while (rest.ends_with('/')) rest.remove_suffix(1);
  endpoint.base_path = std::string(rest);
  return endpoint;
}

}  // namespace fleet::client
