// Aborts with a message when a metric is declared wrongly (a bad name, mismatched labels, a name
// registered twice): programming errors that a test run catches, never runtime conditions.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fleet::metrics::internal {

inline void check(bool condition, std::string_view message) {
  if (condition) return;
  std::fprintf(stderr, "fleet::metrics: %.*s\n", static_cast<int>(message.size()), message.data());
  std::abort();
}

}  // namespace fleet::metrics::internal
