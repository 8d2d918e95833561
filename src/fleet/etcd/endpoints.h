// Parsing of etcd endpoint lists as users write them in fleet.conf or on the command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"

namespace fleet::etcd {

// One etcd client URL, e.g. "https://10.0.0.1:2379".
struct Endpoint {
  std::string url;        // as the user wrote it (trimmed), for messages
  std::string authority;  // "host:port" that gRPC dials
  bool tls = false;       // https: the connection uses TLS

  bool operator==(const Endpoint&) const = default;
};

// Parses a comma-separated list ("http://a:2379, http://b:2379"); the original's decorations
// (`[`, `]`, `"`) are stripped so both `["a","b"]` and `a,b` work. Each entry needs the scheme
// http:// or https:// and a host; a missing port means etcd's client port 2379.
// Returns kInvalidArgument naming the bad entry and the expected form.
Result<std::vector<Endpoint>> parse_endpoints(std::string_view list);

// Joins the URLs for messages: "http://a:2379, http://b:2379".
std::string join_urls(const std::vector<Endpoint>& endpoints);

}  // namespace fleet::etcd
