#include "fleet/config/duration.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

namespace fleet::config {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(ParseGoDurationTest, ReadsWhatGoReads) {
  const std::vector<std::pair<std::string, nanoseconds>> cases = {
      {"0", nanoseconds(0)},
      {"+0", nanoseconds(0)},
      {"-0", nanoseconds(0)},
      {"0s", nanoseconds(0)},
      {"30s", seconds(30)},
      {"3s", seconds(3)},
      {"1m30s", seconds(90)},
      {"500ms", milliseconds(500)},
      {"1h", hours(1)},
      {"2h45m", hours(2) + minutes(45)},
      {"1.5h", minutes(90)},
      {".5s", milliseconds(500)},
      {"5.s", seconds(5)},
      {"1.000000001s", nanoseconds(1'000'000'001)},
      {"1.0000000001s", seconds(1)},  // below a nanosecond is dropped
      {"100us", microseconds(100)},
      {"100\xC2\xB5s", microseconds(100)},  // micro sign
      {"100\xCE\xBCs", microseconds(100)},  // Greek mu
      {"1ns", nanoseconds(1)},
      {"1h2m3s4ms5us6ns",
       hours(1) + minutes(2) + seconds(3) + milliseconds(4) + microseconds(5) + nanoseconds(6)},
      {"1s1s", seconds(2)},  // Go adds repeated units up
      {"+5s", seconds(5)},
      {"-1.5h", -minutes(90)},
      {"9223372036854775807ns", nanoseconds::max()},
      {"-9223372036854775808ns", nanoseconds::min()},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_go_duration(text);
    ASSERT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(ParseGoDurationTest, RejectsWithTheReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", R"(invalid duration "")"},
      {"30x", R"(invalid duration "30x": unknown unit "x")"},
      {"1S", R"(invalid duration "1S": unknown unit "S")"},
      {"30 s", R"(invalid duration "30 s": unknown unit " s")"},
      {"1e3s", R"(invalid duration "1e3s": unknown unit "e")"},
      {"30", R"(invalid duration "30": missing unit)"},
      {"1h30", R"(invalid duration "1h30": missing unit)"},
      {"s", R"(invalid duration "s")"},
      {".", R"(invalid duration ".")"},
      {".s", R"(invalid duration ".s")"},
      {"-", R"(invalid duration "-")"},
      {"+-1s", R"(invalid duration "+-1s")"},
      {" 1s", R"(invalid duration " 1s")"},
      {"9223372036854775808ns", R"(invalid duration "9223372036854775808ns")"},
      {"3000000h", R"(invalid duration "3000000h")"},
      {"99999999999999999999s", R"(invalid duration "99999999999999999999s")"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    testing::expect_invalid_argument(parse_go_duration(text).map([](auto) {}), message);
  }
}

TEST(FormatGoDurationTest, WritesWhatGoWritesAndReadsBack) {
  const std::vector<std::pair<milliseconds, std::string>> cases = {
      {milliseconds(0), "0s"},
      {milliseconds(1), "1ms"},
      {milliseconds(500), "500ms"},
      {milliseconds(999), "999ms"},
      {milliseconds(1000), "1s"},
      {milliseconds(1050), "1.05s"},
      {milliseconds(1500), "1.5s"},
      {milliseconds(30'000), "30s"},
      {milliseconds(90'000), "1m30s"},
      {milliseconds(3'600'000), "1h0m0s"},
      {milliseconds(3'723'500), "1h2m3.5s"},
      {milliseconds(-500), "-500ms"},
      {milliseconds(-1500), "-1.5s"},
  };
  for (const auto& [duration, text] : cases) {
    EXPECT_EQ(format_go_duration(duration), text);
    auto back = parse_go_duration(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, duration) << text;
  }
}

TEST(ParseSecondsTest, ReadsDecimalSeconds) {
  const std::vector<std::pair<std::string, milliseconds>> cases = {
      {"1.0", milliseconds(1000)}, {"2", milliseconds(2000)},
      {"0.5", milliseconds(500)},  {"+2.5", milliseconds(2500)},
      {".25", milliseconds(250)},  {"5.", milliseconds(5000)},
      {"1e-3", milliseconds(1)},   {"1E1", milliseconds(10'000)},
      {"0.0004", milliseconds(0)},  // rounded to the nearest millisecond
      {"0.0016", milliseconds(2)}, {"-1", milliseconds(-1000)},  // the caller checks the sign
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_seconds(text);
    ASSERT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(ParseSecondsTest, RejectsAnythingElse) {
  for (std::string text : {"", "abc", "1s", "1.0.0", " 1", "1 ", "+", "-", "+-1", "++1", "inf",
                           "-inf", "nan", "0x10", "1e400", "1e300"}) {
    SCOPED_TRACE(text);
    testing::expect_invalid_argument(parse_seconds(text).map([](auto) {}),
                                     "invalid number of seconds \"" + text + "\"");
  }
}

TEST(FormatSecondsTest, KeepsOneDecimalAtLeast) {
  const std::vector<std::pair<milliseconds, std::string>> cases = {
      {milliseconds(1000), "1.0"},   {milliseconds(2000), "2.0"}, {milliseconds(250), "0.25"},
      {milliseconds(1), "0.001"},    {milliseconds(1500), "1.5"}, {milliseconds(0), "0.0"},
      {milliseconds(-250), "-0.25"},
  };
  for (const auto& [duration, text] : cases) {
    EXPECT_EQ(format_seconds(duration), text);
    EXPECT_EQ(parse_seconds(text), duration) << text;
  }
}

}  // namespace
}  // namespace fleet::config
