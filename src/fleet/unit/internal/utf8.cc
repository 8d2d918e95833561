#include "fleet/unit/internal/utf8.h"

#include <cstdint>

namespace fleet::unit::internal {
namespace {

constexpr DecodedRune kInvalid{kRuneError, 1};

bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// Allowed range of the second byte of a multi-byte sequence, which is where overlong forms,
// surrogates and values past U+10FFFF are told apart from valid ones.
struct SecondByteRange {
  uint8_t low;
  uint8_t high;
};

SecondByteRange second_byte_range(uint8_t lead) {
  switch (lead) {
    case 0xE0:
      return {0xA0, 0xBF};
    case 0xED:
      return {0x80, 0x9F};
    case 0xF0:
      return {0x90, 0xBF};
    case 0xF4:
      return {0x80, 0x8F};
    default:
      return {0x80, 0xBF};
  }
}

}  // namespace

DecodedRune decode_rune(std::string_view text) {
  if (text.empty()) return {kRuneError, 0};
  auto lead = static_cast<uint8_t>(text[0]);
  if (lead < 0x80) return {lead, 1};
  size_t size = 0;
  char32_t rune = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    size = 2;
    rune = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    size = 3;
    rune = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    size = 4;
    rune = lead & 0x07;
  } else {
    return kInvalid;
  }
  if (text.size() < size) return kInvalid;
  auto [low, high] = second_byte_range(lead);
  auto second = static_cast<uint8_t>(text[1]);
  if (second < low || second > high) return kInvalid;
  for (size_t i = 1; i < size; ++i) {
    auto byte = static_cast<uint8_t>(text[i]);
    if (!is_continuation(byte)) return kInvalid;
    rune = (rune << 6) | (byte & 0x3F);
  }
  return {rune, size};
}

DecodedRune decode_last_rune(std::string_view text) {
  if (text.empty()) return {kRuneError, 0};
  constexpr size_t kMaxRuneSize = 4;
  size_t start = text.size() - 1;
  size_t limit = text.size() > kMaxRuneSize ? text.size() - kMaxRuneSize : 0;
  while (start > limit && is_continuation(static_cast<uint8_t>(text[start]))) --start;
  auto decoded = decode_rune(text.substr(start));
  if (start + decoded.size != text.size()) return kInvalid;
  return decoded;
}

void append_rune(std::string& out, char32_t rune) {
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

bool is_space(char32_t rune) {
  switch (rune) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case U'\u0085':
    case U'\u00A0':
    case U'\u1680':
    case U'\u2028':
    case U'\u2029':
    case U'\u202F':
    case U'\u205F':
    case U'\u3000':
      return true;
    default:
      return rune >= U'\u2000' && rune <= U'\u200A';
  }
}

std::string_view trim_left_space(std::string_view text) {
  while (!text.empty()) {
    auto first = decode_rune(text);
    if (!is_space(first.rune)) break;
    text.remove_prefix(first.size);
  }
  return text;
}

std::string_view trim_right_space(std::string_view text) {
  while (!text.empty()) {
    auto last = decode_last_rune(text);
    if (!is_space(last.rune)) break;
    text.remove_suffix(last.size);
  }
  return text;
}

std::string_view trim_space(std::string_view text) {
  return trim_right_space(trim_left_space(text));
}

std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  bool in_field = false;
  for (size_t at = 0; at < text.size();) {
    auto decoded = decode_rune(text.substr(at));
    if (is_space(decoded.rune)) {
      if (in_field) out.push_back(text.substr(start, at - start));
      in_field = false;
    } else if (!in_field) {
      start = at;
      in_field = true;
    }
    at += decoded.size;
  }
  if (in_field) out.push_back(text.substr(start));
  return out;
}

}  // namespace fleet::unit::internal
