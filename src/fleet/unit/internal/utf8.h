// Go's view of text, which fleet's unit-file format inherits: UTF-8 decoding that turns each
// invalid byte into U+FFFD, unicode.IsSpace, strings.TrimSpace and strings.Fields. Matching Go here
// keeps the options (and so the hashes) of a unit identical to the ones the original computed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fleet::unit::internal {

inline constexpr char32_t kRuneError = U'\uFFFD';

struct DecodedRune {
  char32_t rune = kRuneError;
  size_t size = 0;  // bytes consumed; 1 for an invalid byte, 0 only for empty input
};

// The first rune of `text` (Go's utf8.DecodeRuneInString): overlong forms, surrogates and
// truncated sequences decode as {kRuneError, 1}.
DecodedRune decode_rune(std::string_view text);

// The last rune of `text` (Go's utf8.DecodeLastRuneInString).
DecodedRune decode_last_rune(std::string_view text);

// Appends the UTF-8 encoding of `rune` (a valid scalar value).
void append_rune(std::string& out, char32_t rune);

// Go's unicode.IsSpace: ASCII white space, U+0085, U+00A0 and the Unicode White_Space runes.
bool is_space(char32_t rune);

// Go's strings.TrimSpace / TrimLeft / TrimRight with unicode.IsSpace.
std::string_view trim_space(std::string_view text);
std::string_view trim_left_space(std::string_view text);
std::string_view trim_right_space(std::string_view text);

// Go's strings.Fields: the runs of non-space text, in order.
std::vector<std::string_view> fields(std::string_view text);

}  // namespace fleet::unit::internal
