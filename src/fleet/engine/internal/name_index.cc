#include "fleet/engine/internal/name_index.h"

#include <algorithm>

namespace fleet::engine::internal {

NameIndex::NameIndex(std::vector<std::string_view> sorted_names)
    : names_(std::move(sorted_names)) {}

int NameIndex::find(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name);
  if (it == names_.end() || *it != name) return kNone;
  return static_cast<int>(it - names_.begin());
}

std::pair<int, int> NameIndex::prefix_range(std::string_view prefix) const {
  auto first = std::lower_bound(names_.begin(), names_.end(), prefix);
  auto last = std::partition_point(
      first, names_.end(), [prefix](std::string_view name) { return name.starts_with(prefix); });
  return {static_cast<int>(first - names_.begin()), static_cast<int>(last - names_.begin())};
}

}  // namespace fleet::engine::internal
