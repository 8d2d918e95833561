#include "fleet/unit/glob.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fleet::unit {
namespace {

enum class Outcome { kMatch, kNoMatch, kBadPattern };

struct GlobCase {
  std::string pattern;
  std::string name;
  Outcome outcome;
};

constexpr auto kMatch = Outcome::kMatch;
constexpr auto kNoMatch = Outcome::kNoMatch;
constexpr auto kBad = Outcome::kBadPattern;

// Go's path.Match behaviour, case by case.
std::vector<GlobCase> glob_cases() {
  return {
      {"abc", "abc", kMatch},
      {"*", "abc", kMatch},
      {"*c", "abc", kMatch},
      {"a*", "a", kMatch},
      {"a*", "abc", kMatch},
      {"a*", "ab/c", kNoMatch},
      {"a*/b", "abc/b", kMatch},
      {"a*/b", "a/c/b", kNoMatch},
      {"a*b*c*d*e*/f", "axbxcxdxe/f", kMatch},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/f", kMatch},
      {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", kNoMatch},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", kNoMatch},
      {"a*b?c*x", "abxbbxdbxebxczzx", kMatch},
      {"a*b?c*x", "abxbbxdbxebxczzy", kNoMatch},
      {"ab[c]", "abc", kMatch},
      {"ab[b-d]", "abc", kMatch},
      {"ab[e-g]", "abc", kNoMatch},
      {"ab[^c]", "abc", kNoMatch},
      {"ab[^b-d]", "abc", kNoMatch},
      {"ab[^e-g]", "abc", kMatch},
      {"a\\*b", "a*b", kMatch},
      {"a\\*b", "ab", kNoMatch},
      {"a?b",
       "a\xE2\x98\xBA"
       "b",
       kMatch},
      {"a[^a]b",
       "a\xE2\x98\xBA"
       "b",
       kMatch},
      {"a???b",
       "a\xE2\x98\xBA"
       "b",
       kNoMatch},
      {"a[^a][^a][^a]b",
       "a\xE2\x98\xBA"
       "b",
       kNoMatch},
      {"[a-\xCE\xB6]*", "\xCE\xB1", kMatch},
      {"*[a-\xCE\xB6]", "A", kNoMatch},
      {"a?b", "a/b", kNoMatch},
      {"a*b", "a/b", kNoMatch},
      {"[\\]a]", "]", kMatch},
      {"[\\-]", "-", kMatch},
      {"[x\\-]", "x", kMatch},
      {"[x\\-]", "-", kMatch},
      {"[x\\-]", "z", kNoMatch},
      {"[\\-x]", "x", kMatch},
      {"[\\-x]", "-", kMatch},
      {"[\\-x]", "a", kNoMatch},
      {"[]a]", "]", kBad},
      {"[-]", "-", kBad},
      {"[x-]", "x", kBad},
      {"[x-]", "-", kBad},
      {"[x-]", "z", kBad},
      {"[-x]", "x", kBad},
      {"[-x]", "-", kBad},
      {"[-x]", "a", kBad},
      {"\\", "a", kBad},
      {"[a-b-c]", "a", kBad},
      {"[", "a", kBad},
      {"[^", "a", kBad},
      {"[^bc", "a", kBad},
      {"a[", "a", kBad},
      {"a[", "ab", kBad},
      {"a[", "x", kBad},
      {"a/b[", "x", kBad},
      {"*x", "xxx", kMatch},
      {"web@*.service", "web@1.service", kMatch},
      {"web@*.service", "web@.service", kMatch},
      {"web@?.service", "web@12.service", kNoMatch},
      {"*.service", "db.socket", kNoMatch},
      {"", "", kMatch},
      {"", "a", kNoMatch},
      {"**", "", kMatch},
      {"[\xFF]", "a", kBad},
  };
}

class GlobTest : public ::testing::TestWithParam<GlobCase> {};

TEST_P(GlobTest, MatchesLikeGo) {
  SCOPED_TRACE(GetParam().pattern + " ~ " + GetParam().name);
  auto matched = glob_match(GetParam().pattern, GetParam().name);
  switch (GetParam().outcome) {
    case Outcome::kMatch:
      ASSERT_TRUE(matched.has_value()) << matched.error().message;
      EXPECT_TRUE(*matched);
      break;
    case Outcome::kNoMatch:
      ASSERT_TRUE(matched.has_value()) << matched.error().message;
      EXPECT_FALSE(*matched);
      break;
    case Outcome::kBadPattern:
      ASSERT_FALSE(matched.has_value());
      EXPECT_EQ(matched.error().code, ErrorCode::kInvalidArgument);
      EXPECT_TRUE(matched.error().message.starts_with("syntax error in pattern "));
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(PathMatch, GlobTest, ::testing::ValuesIn(glob_cases()));

TEST(GlobErrorTest, QuotesThePattern) {
  EXPECT_EQ(glob_match("a[", "x").error().message, "syntax error in pattern \"a[\"");
  EXPECT_EQ(glob_match("\\", "a").error().message, "syntax error in pattern \"\\\\\"");
  EXPECT_EQ(glob_match("[\xFF]", "a").error().message, "syntax error in pattern \"[\\xff]\"");
}

}  // namespace
}  // namespace fleet::unit
