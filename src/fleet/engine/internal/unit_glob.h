// A Conflicts= or Replaces= glob, bound to the units of one snapshot.
//
// The names a glob can match all start with its literal prefix (what comes before its first
// meta character), and those names are one range of unit ids. Most checks therefore end in two
// integer comparisons or one binary search, and only the names inside the range reach the glob
// matcher.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

#include "fleet/engine/internal/name_index.h"

namespace fleet::engine::internal {

class UnitGlob {
 public:
  // `pattern` must outlive the glob.
  UnitGlob(std::string_view pattern, const NameIndex& names);

  // Whether the glob matches unit `id`. A malformed pattern matches nothing, as in the original.
  bool matches(int id, const NameIndex& names) const;

  // Calls `visit(id)` for each id of `ids` (ascending) other than `except` that the glob matches,
  // in order, until `visit` returns true. Returns whether it did.
  template <class Visit>
  bool any_of(const std::vector<int>& ids, int except, const NameIndex& names, Visit visit) const {
    for (auto it = std::lower_bound(ids.begin(), ids.end(), first_); it != ids.end() && *it < last_;
         ++it) {
      if (*it != except && matches(*it, names) && visit(*it)) return true;
    }
    return false;
  }

 private:
  std::string_view pattern_;
  bool literal_ = false;  // no meta character: matches exactly the one name
  int first_ = 0;         // [first_, last_): the ids whose names start with the literal prefix
  int last_ = 0;
};

}  // namespace fleet::engine::internal
