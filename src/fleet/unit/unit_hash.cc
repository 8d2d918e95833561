#include "fleet/unit/unit_hash.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <openssl/evp.h>

#include "fleet/unit/internal/quote.h"

namespace fleet::unit {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

}  // namespace

UnitHash UnitHash::of(std::string_view data) {
  UnitHash hash;
  unsigned int length = 0;
  // SHA1 only fails when OpenSSL itself is broken (no default provider); every unit identity
  // depends on it, so there is nothing sensible to continue with.
  if (EVP_Digest(data.data(), data.size(), hash.bytes_.data(), &length, EVP_sha1(), nullptr) != 1 ||
      length != kSize) {
    std::fputs("fleet: OpenSSL cannot compute SHA1\n", stderr);
    std::abort();
  }
  return hash;
}

Result<UnitHash> UnitHash::from_hex(std::string_view hex) {
  auto bad = [&] {
    return fail(ErrorCode::kInvalidArgument,
                "unit hash " + internal::quote(hex) + " is not 40 hex digits (a SHA1)");
  };
  if (hex.size() != 2 * kSize) return bad();
  UnitHash hash;
  for (size_t i = 0; i < kSize; ++i) {
    int high = hex_value(hex[2 * i]);
    int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return bad();
    hash.bytes_[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return hash;
}

Result<UnitHash> UnitHash::from_bytes(std::string_view bytes) {
  if (bytes.size() != kSize) {
    return fail(ErrorCode::kInvalidArgument,
                "unit hash has " + std::to_string(bytes.size()) + " bytes, not 20 (a SHA1)");
  }
  UnitHash hash;
  std::copy(bytes.begin(), bytes.end(), hash.bytes_.begin());
  return hash;
}

std::string UnitHash::hex() const {
  std::string out;
  out.reserve(2 * kSize);
  for (uint8_t byte : bytes_) {
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0x0F];
  }
  return out;
}

std::string UnitHash::short_hex() const { return hex().substr(0, kShortLength); }

}  // namespace fleet::unit
