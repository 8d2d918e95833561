// Glob matching of unit names for Conflicts= and Replaces=, with Go's path.Match semantics so
// that a pattern matches exactly the units it matched in the original.
#pragma once

#include <string_view>

#include "fleet/base/error.h"

namespace fleet::unit {

// Whether `pattern` matches all of `name`:
//   *        any run of characters except '/'
//   ?        any one character except '/'
//   [a-z]    a character class, [^...] negated; '\' escapes inside and outside classes
//   \c       the character c
// kInvalidArgument (`syntax error in pattern "..."`) when the pattern is malformed: an empty or
// unterminated class, a misplaced '-' or ']' in a class, a trailing '\'. As in Go, a malformed
// pattern is reported even when the name fails to match before the bad part is reached.
Result<bool> glob_match(std::string_view pattern, std::string_view name);

}  // namespace fleet::unit
