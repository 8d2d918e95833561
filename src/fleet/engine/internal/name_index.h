// Unit names in ascending order. The scheduler calls a unit by its rank here, so id order is name
// order (the order every rule processes units in) and the names that share a prefix are one
// range of ids.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace fleet::engine::internal {

// No unit, no machine.
inline constexpr int kNone = -1;

class NameIndex {
 public:
  // `sorted_names` must be ascending and unique; the views must outlive the index.
  explicit NameIndex(std::vector<std::string_view> sorted_names);

  std::string_view name(int id) const { return names_[id]; }

  // The id of `name`, or kNone.
  int find(std::string_view name) const;

  // [first, last): the ids of the names that start with `prefix`.
  std::pair<int, int> prefix_range(std::string_view prefix) const;

 private:
  std::vector<std::string_view> names_;
};

}  // namespace fleet::engine::internal
