// The request target (RFC 9112 §3.2) split into a decoded path and decoded query parameters, the
// way Go's net/http hands them to fleet's handlers: `%40` in a path is `@`, `+` in a query is a
// space, and a query pair with a bad escape is dropped rather than failing the request.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fleet/base/error.h"

namespace fleet::api {

struct RequestTarget {
  std::string path{};
  std::vector<std::pair<std::string, std::string>> query{};

  // Every value given for `key`, in order.
  std::vector<std::string_view> values(std::string_view key) const;
  // The first value given for `key`, or "" (what fleet's filters use).
  std::string_view first(std::string_view key) const;
};

// Accepts the origin form ("/a/b?x=1") and the absolute form ("http://host/a/b?x=1").
// kInvalidArgument `invalid URL escape "%zz"` when the path holds a malformed escape.
Result<RequestTarget> parse_request_target(std::string_view target);

}  // namespace fleet::api
