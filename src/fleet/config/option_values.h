// How fleet.conf's values are read, one function per kind of value. Each is pure and returns
// only the problem (`invalid boolean "yes" ...`); the caller adds where the value came from.
//
// Example:
//   split_etcd_servers("[\"http://a:2379\", \"http://b:2379\"]");  // {"http://a:2379", ...}
//   parse_metadata("region=us-west, az=us-west-1");              // {az: us-west-1, region: ...}
//   parse_api_listen("49153, 10.0.0.5:49153");   // {127.0.0.1:49153, 10.0.0.5:49153}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/config/config.h"

namespace fleet::config {

// Go's strconv.ParseBool: 1, t, T, TRUE, true, True and 0, f, F, FALSE, false, False.
// kInvalidArgument `invalid boolean "yes" (use true or false)` otherwise.
Result<bool> parse_bool(std::string_view text);

// A decimal int with an optional sign. kInvalidArgument `invalid number "x"` otherwise, or
// when it does not fit an int.
Result<int> parse_int(std::string_view text);

// The original's list reading: split on ',', strip spaces, '[', ']' and '"' around each item, so
// both `["http://a:2379","http://b:2379"]` and `http://a:2379, http://b:2379` work. Empty items
// are dropped (the original kept them, to fail later when dialling ""), and a ']' that closes an
// IPv6 literal stays (`http://[::1]`).
std::vector<std::string> split_etcd_servers(std::string_view text);

// `k=v,k2=v2`: split on ',', each pair at its first '=', spaces and tabs trimmed from key and
// value; the last of duplicate keys wins. Pairs without '=' or with an empty key cannot be
// matched by any MachineMetadata and are skipped; each skipped non-blank pair is appended to
// `skipped` as written (trimmed) when it is given.
Metadata parse_metadata(std::string_view text, std::vector<std::string>* skipped = nullptr);

// A comma-separated list of HOST:PORT, [IPV6]:PORT, :PORT or PORT (the last two on 127.0.0.1);
// blank items are skipped, so "" is no address. kInvalidArgument naming the bad item:
// `"x": expected HOST:PORT, [IPV6]:PORT or PORT`, `"h:99999": invalid port "99999"`,
// `"::1:80": put an IPv6 address in brackets, e.g. [::1]:80`, `"h:80": listed twice`.
Result<std::vector<ListenAddress>> parse_api_listen(std::string_view text);

}  // namespace fleet::config
