#include "fleet/base/error.h"

#include <gtest/gtest.h>

#include "fleet/base/testing/manual_clock.h"

namespace fleet {
namespace {

Result<int> parse_positive(int value) {
  if (value <= 0) return fail(ErrorCode::kInvalidArgument, "value must be positive");
  return value;
}

TEST(ErrorTest, ResultCarriesValueOrError) {
  EXPECT_EQ(parse_positive(3).value(), 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().to_string(), "INVALID_ARGUMENT: value must be positive");
}

TEST(ErrorTest, CodeNamesMatchGrpc) {
  EXPECT_EQ(error_code_name(ErrorCode::kFailedPrecondition), "FAILED_PRECONDITION");
  EXPECT_EQ(error_code_name(ErrorCode::kUnavailable), "UNAVAILABLE");
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnauthenticated), 16);
}

TEST(ManualClockTest, MovesOnlyWhenAdvanced) {
  testing::ManualClock clock;
  auto start = clock.now();
  EXPECT_EQ(clock.now(), start);
  clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(clock.now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace fleet
