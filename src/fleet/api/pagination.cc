#include "fleet/api/pagination.h"

#include <array>
#include <optional>

namespace fleet::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode_base64url(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = 0;
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    for (size_t j = 0; j < 3; ++j) {
      group = (group << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0);
    }
    for (size_t j = 0; j < 4; ++j) {
      out.push_back(j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 0x3f] : '=');
    }
  }
  return out;
}

int sextet(char c) {
  auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

Status corrupt_at(size_t offset) {
  return fail(ErrorCode::kInvalidArgument,
              "illegal base64 data at input byte " + std::to_string(offset));
}

// Go's base64.URLEncoding.DecodeString: four characters per group, a short last group padded
// with '=', nothing after the padding; '\r' and '\n' are skipped.
Result<std::string> decode_base64url(std::string_view text) {
  std::string cleaned;
  for (char c : text) {
    if (c != '\r' && c != '\n') cleaned.push_back(c);
  }
  std::string out;
  size_t at = 0;
  while (at < cleaned.size()) {
    std::array<int, 4> group{};
    size_t have = 0;
    for (; have < 4; ++have, ++at) {
      if (at == cleaned.size()) return fail(corrupt_at(at - have).error());
      if (cleaned[at] == '=') break;
      group[have] = sextet(cleaned[at]);
      if (group[have] < 0) return fail(corrupt_at(at).error());
    }
    if (have < 4) {
      // Padding: one '=' after three characters, two after two; then the text must end.
      if (have < 2) return fail(corrupt_at(at).error());
      const size_t pads = 4 - have;
      for (size_t p = 0; p < pads; ++p, ++at) {
        if (at == cleaned.size() || cleaned[at] != '=') return fail(corrupt_at(at).error());
      }
      if (at != cleaned.size()) return fail(corrupt_at(at).error());
    }
    const uint32_t bits = (group[0] << 18) | (group[1] << 12) | (group[2] << 6) | group[3];
    for (size_t j = 0; j + 1 < have; ++j) out.push_back(static_cast<char>(bits >> (16 - 8 * j)));
  }
  return out;
}

}  // namespace

std::string PageToken::encode() const {
  const std::array<char, 4> bytes = {static_cast<char>(limit & 0xff), static_cast<char>(limit >> 8),
                                     static_cast<char>(page & 0xff), static_cast<char>(page >> 8)};
  return encode_base64url(std::string_view(bytes.data(), bytes.size()));
}

Slice PageToken::slice() const {
  return {.offset = static_cast<size_t>(page - 1) * limit, .limit = limit};
}

Result<PageToken> decode_page_token(std::string_view text) {
  auto bytes = decode_base64url(text);
  if (!bytes) return fail(bytes.error());
  if (bytes->size() < 4) {
    return fail(ErrorCode::kInvalidArgument, bytes->empty() ? "EOF" : "unexpected EOF");
  }
  auto u16 = [&](size_t at) {
    return static_cast<uint16_t>(static_cast<unsigned char>((*bytes)[at]) |
                                 (static_cast<unsigned char>((*bytes)[at + 1]) << 8));
  };
  return PageToken{u16(0), u16(2)};
}

Result<PageToken> requested_page(const RequestTarget& target, uint16_t token_limit) {
  auto given = target.values("nextPageToken");
  if (given.empty()) return PageToken{token_limit, 1};
  if (given.size() > 1) return fail(ErrorCode::kInvalidArgument, "too many values for page token");
  auto token = decode_page_token(given.front());
  if (!token) return token;
  if (token->limit != token_limit) {
    return fail(ErrorCode::kInvalidArgument, "token limit must be " + std::to_string(token_limit));
  }
  if (token->page == 0) {
    return fail(ErrorCode::kInvalidArgument, "token page must be greater than zero");
  }
  return token;
}

std::string next_page_token(const PageToken& page, size_t total) {
  const Slice slice = page.slice();
  if (slice.offset >= total || slice.offset + slice.limit > total) return "";
  return PageToken{page.limit, static_cast<uint16_t>(page.page + 1)}.encode();
}

}  // namespace fleet::api
