#include "fleet/unit/glob.h"

#include <optional>

#include "fleet/unit/internal/quote.h"
#include "fleet/unit/internal/utf8.h"

namespace fleet::unit {
namespace {

using internal::decode_rune;
using internal::kRuneError;

// A malformed pattern; the caller turns it into the error that names the pattern.
struct BadPattern {};

template <class T>
using Parsed = tl::expected<T, BadPattern>;

// A run of the pattern without stars, and whether stars preceded it.
struct Chunk {
  bool after_star = false;
  std::string_view text;
};

// Splits the next chunk off `pattern`. A '*' inside a class belongs to the class.
Chunk next_chunk(std::string_view& pattern) {
  Chunk chunk;
  while (!pattern.empty() && pattern.front() == '*') {
    pattern.remove_prefix(1);
    chunk.after_star = true;
  }
  bool in_class = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;  // a trailing '\' is reported by match_chunk
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (c == '*' && !in_class) {
      break;
    }
  }
  chunk.text = pattern.substr(0, i);
  pattern.remove_prefix(i);
  return chunk;
}

// One possibly escaped character of a class, consumed from `chunk`.
Parsed<char32_t> class_char(std::string_view& chunk) {
  if (chunk.empty() || chunk.front() == '-' || chunk.front() == ']') {
    return tl::unexpected(BadPattern{});
  }
  if (chunk.front() == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return tl::unexpected(BadPattern{});
  }
  auto decoded = decode_rune(chunk);
  chunk.remove_prefix(decoded.size);
  // A class must be closed, so it cannot end right after a character.
  if ((decoded.rune == kRuneError && decoded.size == 1) || chunk.empty()) {
    return tl::unexpected(BadPattern{});
  }
  return decoded.rune;
}

// Matches the chunk against the start of `name`: the rest of the name on a match, nullopt
// otherwise. After a mismatch the rest of the chunk is still read, to report a malformed one.
Parsed<std::optional<std::string_view>> match_chunk(std::string_view chunk, std::string_view name) {
  bool failed = false;
  while (!chunk.empty()) {
    if (name.empty()) failed = true;
    char c = chunk.front();
    if (c == '[') {
      char32_t rune = 0;
      if (!failed) {
        auto decoded = decode_rune(name);
        rune = decoded.rune;
        name.remove_prefix(decoded.size);
      }
      chunk.remove_prefix(1);
      bool negated = !chunk.empty() && chunk.front() == '^';
      if (negated) chunk.remove_prefix(1);
      bool matched = false;
      for (int ranges = 0;; ++ranges) {
        if (ranges > 0 && !chunk.empty() && chunk.front() == ']') {
          chunk.remove_prefix(1);
          break;
        }
        auto low = class_char(chunk);
        if (!low) return tl::unexpected(low.error());
        char32_t high = *low;
        if (chunk.front() == '-') {
          chunk.remove_prefix(1);
          auto parsed = class_char(chunk);
          if (!parsed) return tl::unexpected(parsed.error());
          high = *parsed;
        }
        if (*low <= rune && rune <= high) matched = true;
      }
      if (matched == negated) failed = true;
    } else if (c == '?') {
      if (!failed) {
        if (name.front() == '/') failed = true;
        name.remove_prefix(decode_rune(name).size);
      }
      chunk.remove_prefix(1);
    } else {
      if (c == '\\') {
        chunk.remove_prefix(1);
        if (chunk.empty()) return tl::unexpected(BadPattern{});
      }
      if (!failed) {
        if (chunk.front() != name.front()) failed = true;
        name.remove_prefix(1);
      }
      chunk.remove_prefix(1);
    }
  }
  if (failed) return std::nullopt;
  return name;
}

// Checks that the rest of the pattern is well formed, for a pattern that has already failed.
Parsed<bool> no_match(std::string_view pattern) {
  while (!pattern.empty()) {
    auto checked = match_chunk(next_chunk(pattern).text, {});
    if (!checked) return tl::unexpected(checked.error());
  }
  return false;
}

Parsed<bool> match(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    auto chunk = next_chunk(pattern);
    // A trailing star matches the rest of the name unless it holds a '/'.
    if (chunk.after_star && chunk.text.empty()) return name.find('/') == std::string_view::npos;
    auto here = match_chunk(chunk.text, name);
    // The last chunk must use up the name; otherwise a later star may still absorb the rest.
    if (here && *here && ((*here)->empty() || !pattern.empty())) {
      name = **here;
      continue;
    }
    if (!here) return tl::unexpected(here.error());
    bool advanced = false;
    // After a star, try the chunk at each later position the star can reach (not past a '/').
    for (size_t skip = 0; chunk.after_star && skip < name.size() && name[skip] != '/'; ++skip) {
      auto later = match_chunk(chunk.text, name.substr(skip + 1));
      if (later && *later) {
        if (pattern.empty() && !(*later)->empty()) continue;
        name = **later;
        advanced = true;
        break;
      }
      if (!later) return tl::unexpected(later.error());
    }
    if (!advanced) return no_match(pattern);
  }
  return name.empty();
}

}  // namespace

Result<bool> glob_match(std::string_view pattern, std::string_view name) {
  auto matched = match(pattern, name);
  if (!matched) {
    return fail(ErrorCode::kInvalidArgument, "syntax error in pattern " + internal::quote(pattern));
  }
  return *matched;
}

}  // namespace fleet::unit
