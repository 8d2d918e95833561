#include "fleet/unit/unit_hash.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fleet::unit {
namespace {

TEST(UnitHashTest, Sha1OfData) {
  EXPECT_EQ(UnitHash::of("").hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(UnitHash::of("abc").hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(UnitHash::of("abc").short_hex(), "a9993e3");
}

TEST(UnitHashTest, DefaultIsEmpty) {
  EXPECT_TRUE(UnitHash().empty());
  EXPECT_EQ(UnitHash().hex(), std::string(40, '0'));
  EXPECT_FALSE(UnitHash::of("").empty());
}

TEST(UnitHashTest, HexRoundTripsInEitherCase) {
  auto hash = UnitHash::of("unit");
  EXPECT_EQ(UnitHash::from_hex(hash.hex()), hash);
  std::string upper = hash.hex();
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(UnitHash::from_hex(upper), hash);
}

TEST(UnitHashTest, RawBytesRoundTripAndOnlyTwentyOfThem) {
  auto hash = UnitHash::of("unit");
  ASSERT_EQ(hash.bytes().size(), UnitHash::kSize);
  EXPECT_EQ(UnitHash::from_bytes(hash.bytes()), hash);
  auto short_hash = UnitHash::from_bytes(hash.bytes().substr(1));
  ASSERT_FALSE(short_hash.has_value());
  EXPECT_EQ(short_hash.error().message, "unit hash has 19 bytes, not 20 (a SHA1)");
}

TEST(UnitHashTest, OrdersAndCompares) {
  auto low = UnitHash::from_hex("00" + std::string(38, 'f')).value();
  auto high = UnitHash::from_hex("01" + std::string(38, '0')).value();
  EXPECT_LT(low, high);
  EXPECT_NE(low, high);
}

TEST(UnitHashTest, RejectsWhatIsNotASha1) {
  const std::vector<std::string> bad_hashes = {"", "e55c0ae", std::string(41, 'a'),
                                               std::string(39, 'a') + "g"};
  for (const auto& bad : bad_hashes) {
    SCOPED_TRACE(bad);
    auto hash = UnitHash::from_hex(bad);
    ASSERT_FALSE(hash.has_value());
    EXPECT_EQ(hash.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(hash.error().message, "unit hash \"" + bad + "\" is not 40 hex digits (a SHA1)");
  }
}

}  // namespace
}  // namespace fleet::unit
