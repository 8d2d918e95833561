#include "fleet/engine/internal/unit_glob.h"

#include <tuple>

#include "fleet/unit/glob.h"

namespace fleet::engine::internal {

UnitGlob::UnitGlob(std::string_view pattern, const NameIndex& names) : pattern_(pattern) {
  // path.Match's meta characters; a backslash may escape anything after it.
  std::string_view prefix = pattern.substr(0, pattern.find_first_of("*?[\\"));
  literal_ = prefix.size() == pattern.size();
  if (literal_) {
    int id = names.find(pattern);
    first_ = id == kNone ? 0 : id;
    last_ = id == kNone ? 0 : id + 1;
  } else {
    std::tie(first_, last_) = names.prefix_range(prefix);
  }
}

bool UnitGlob::matches(int id, const NameIndex& names) const {
  if (id < first_ || id >= last_) return false;
  return literal_ || unit::glob_match(pattern_, names.name(id)).value_or(false);
}

}  // namespace fleet::engine::internal
