#include "fleet/unit/internal/quote.h"

#include <cstdio>

#include "fleet/unit/internal/utf8.h"

namespace fleet::unit::internal {
namespace {

// Go's unicode.IsPrint decides from Unicode tables; outside ASCII this keeps to the runes that
// are clearly not printable (controls, spaces other than ' ', format characters, private use),
// which is all a message about a unit name or a unit-file line needs.
bool is_print(char32_t rune) {
  if (rune < 0x80) return rune >= 0x20 && rune < 0x7F;
  if (rune <= 0xA0 || rune == 0xAD) return false;
  if (rune >= 0x2000 && rune <= 0x200F) return false;
  if (rune >= 0x2028 && rune <= 0x202F) return false;
  if (rune >= 0x205F && rune <= 0x206F) return false;
  if (rune >= 0xE000 && rune <= 0xF8FF) return false;
  return !is_space(rune) && rune != 0xFEFF && !(rune >= 0xFFF9 && rune <= 0xFFFB);
}

void append_hex(std::string& out, const char* format, unsigned value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, format, value);
  out += buffer;
}

void append_escaped(std::string& out, char32_t rune, char quote_char) {
  if (rune == static_cast<char32_t>(quote_char) || rune == U'\\') {
    out += '\\';
    out += static_cast<char>(rune);
    return;
  }
  if (is_print(rune)) {
    append_rune(out, rune);
    return;
  }
  switch (rune) {
    case U'\a':
      out += "\\a";
      return;
    case U'\b':
      out += "\\b";
      return;
    case U'\f':
      out += "\\f";
      return;
    case U'\n':
      out += "\\n";
      return;
    case U'\r':
      out += "\\r";
      return;
    case U'\t':
      out += "\\t";
      return;
    case U'\v':
      out += "\\v";
      return;
    default:
      break;
  }
  if (rune < 0x20 || rune == 0x7F) {
    append_hex(out, "\\x%02x", static_cast<unsigned>(rune));
  } else if (rune < 0x10000) {
    append_hex(out, "\\u%04x", static_cast<unsigned>(rune));
  } else {
    append_hex(out, "\\U%08x", static_cast<unsigned>(rune));
  }
}

}  // namespace

std::string quote(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    auto decoded = decode_rune(text);
    if (decoded.rune == kRuneError && decoded.size == 1) {
      append_hex(out, "\\x%02x", static_cast<unsigned char>(text[0]));
    } else {
      append_escaped(out, decoded.rune, '"');
    }
    text.remove_prefix(decoded.size);
  }
  out += '"';
  return out;
}

std::string quote_rune(char32_t rune) {
  std::string out = "'";
  append_escaped(out, rune, '\'');
  out += '\'';
  return out;
}

}  // namespace fleet::unit::internal
