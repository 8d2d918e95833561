// The SHA1 that identifies a unit's contents (spec §3.2): content-addressed storage, "differs
// from local unit file" checks and the agent's reload decision all compare these.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::unit {

class UnitHash {
 public:
  static constexpr size_t kSize = 20;
  static constexpr size_t kShortLength = 7;  // hex digits list-unit-files shows

  // The zero hash, which no unit has: "no hash known".
  UnitHash() = default;

  // SHA1 of `data`, normally a unit's canonical serialisation (UnitFile::hash()).
  static UnitHash of(std::string_view data);

  // Parses 40 hex digits (either case). kInvalidArgument for anything else.
  static Result<UnitHash> from_hex(std::string_view hex);

  // The 20 raw bytes, as fleet's etcd records store them. kInvalidArgument for any other size.
  static Result<UnitHash> from_bytes(std::string_view bytes);
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

  // 40 lowercase hex digits, as the API's `hash` and `--full` show it.
  std::string hex() const;
  // The first 7 hex digits, as list output shows it: "e55c0ae".
  std::string short_hex() const;

  bool empty() const { return *this == UnitHash(); }

  friend auto operator<=>(const UnitHash&, const UnitHash&) = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace fleet::unit
