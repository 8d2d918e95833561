#include "fleet/etcd/endpoints.h"

#include <algorithm>

namespace fleet::etcd {
namespace {

constexpr std::string_view kDefaultPort = "2379";

std::string_view trim(std::string_view s, std::string_view junk) {
  auto first = s.find_first_not_of(junk);
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(junk);
  return s.substr(first, last - first + 1);
}

// Strips the decorations of the JSON-ish list form `["http://a:2379","http://b:2379"]` from one
// entry, keeping the brackets of an IPv6 literal such as http://[::1]:2379.
std::string_view undecorate(std::string_view entry) {
  constexpr std::string_view kQuotes = " \t\r\n\"";
  entry = trim(entry, kQuotes);
  if (!entry.empty() && entry.front() == '[') entry = trim(entry.substr(1), kQuotes);
  auto opened = std::count(entry.begin(), entry.end(), '[');
  auto closed = std::count(entry.begin(), entry.end(), ']');
  if (!entry.empty() && entry.back() == ']' && closed > opened) {
    entry = trim(entry.substr(0, entry.size() - 1), kQuotes);
  }
  return entry;
}

Result<Endpoint> parse_one(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::kInvalidArgument,
                "etcd endpoint \"" + std::string(url) + "\": " + std::string(why) +
                    "; write it as http://host:port or https://host:port");
  };
  Endpoint endpoint;
  endpoint.url = std::string(url);
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("no scheme");
  auto scheme = url.substr(0, scheme_end);
  if (scheme == "https") {
    endpoint.tls = true;
  } else if (scheme != "http") {
    return bad("unsupported scheme \"" + std::string(scheme) + "\"");
  }
  auto authority = url.substr(scheme_end + 3);
  if (auto slash = authority.find('/'); slash != std::string_view::npos) {
    if (authority.substr(slash).find_first_not_of('/') != std::string_view::npos) {
      return bad("a path is not allowed");
    }
    authority = authority.substr(0, slash);
  }
  if (authority.empty()) return bad("no host");
  // A port follows the last ':' unless that colon is inside an IPv6 literal "[::1]".
  auto colon = authority.rfind(':');
  bool has_port =
      colon != std::string_view::npos && (authority.front() != '[' || authority.find(']') < colon);
  if (has_port) {
    auto port = authority.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) {
      return bad("bad port \"" + std::string(port) + "\"");
    }
    if (colon == 0) return bad("no host");
    endpoint.authority = std::string(authority);
  } else {
    endpoint.authority = std::string(authority) + ":" + std::string(kDefaultPort);
  }
  return endpoint;
}

}  // namespace

Result<std::vector<Endpoint>> parse_endpoints(std::string_view list) {
  std::vector<Endpoint> endpoints;
  while (true) {
    auto comma = list.find(',');
    auto entry = undecorate(list.substr(0, comma));
    if (!entry.empty()) {
      auto endpoint = parse_one(entry);
      if (!endpoint) return fail(endpoint.error());
      endpoints.push_back(std::move(*endpoint));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (endpoints.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "no etcd endpoint given; list at least one, e.g. http://127.0.0.1:2379");
  }
  return endpoints;
}

std::string join_urls(const std::vector<Endpoint>& endpoints) {
  std::string out;
  for (const auto& endpoint : endpoints) {
    if (!out.empty()) out += ", ";
    out += endpoint.url;
  }
  return out;
}

}  // namespace fleet::etcd
