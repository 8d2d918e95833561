// Go's %q, which the original used in the messages users and scripts see: `invalid unit type:
// "x"`, `invalid character 'c' in unit name`. Printable text is kept as is, the rest escaped.
#pragma once

#include <string>
#include <string_view>

namespace fleet::unit::internal {

// `text` in double quotes, like Go's strconv.Quote (an invalid UTF-8 byte becomes \xNN).
std::string quote(std::string_view text);

// `rune` in single quotes, like Go's strconv.QuoteRune.
std::string quote_rune(char32_t rune);

}  // namespace fleet::unit::internal
