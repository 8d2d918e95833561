// The two ways fleet.conf spells a length of time: Go duration strings (agent_ttl = "30s",
// "1m30s", "500ms") and plain seconds as a decimal number (etcd_request_timeout = 1.0).
//
// Example:
//   auto ttl = parse_go_duration("1m30s");      // 90s
//   format_go_duration(std::chrono::milliseconds(90'000));   // "1m30s"
//   auto timeout = parse_seconds("0.5");         // 500ms
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::config {

// Go's time.ParseDuration: an optional sign, then one or more decimal numbers each followed by
// a unit (ns, us, µs, μs, ms, s, m, h), e.g. "300ms", "-1.5h", "2h45m"; "0" alone needs no unit.
// Negative values are returned as such; callers decide what they accept. Returns
// kInvalidArgument: `invalid duration "30x": unknown unit "x"`, `invalid duration "30": missing
// unit`, `invalid duration "x"` (anything else, overflow included).
Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// Go's Duration.String at millisecond precision: "0s", "500ms", "1.5s", "1m30s", "1h0m0s".
// parse_go_duration reads it back.
std::string format_go_duration(std::chrono::milliseconds duration);

// A decimal number of seconds as Go's strconv.ParseFloat reads it ("1", "1.0", "+2.5", "1e-3"),
// rounded to the nearest millisecond. kInvalidArgument `invalid number of seconds "x"` for
// anything else, infinities and NaN included; the sign is not checked.
Result<std::chrono::milliseconds> parse_seconds(std::string_view text);

// Seconds with at least one decimal, as fleet.conf writes them: "1.0", "0.25", "2.5".
std::string format_seconds(std::chrono::milliseconds duration);

}  // namespace fleet::config
