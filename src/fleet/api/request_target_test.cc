#include "fleet/api/request_target.h"

#include <gtest/gtest.h>

namespace fleet::api {
namespace {

TEST(RequestTargetTest, DecodesThePathAndTheQueryLikeGo) {
  auto target = parse_request_target("/fleet/v1/units/web%40a%5Cx2d.service?a=1&b=x+y%21&a=2");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->path, "/fleet/v1/units/web@a\\x2d.service");
  EXPECT_EQ(target->values("a"), (std::vector<std::string_view>{"1", "2"}));
  EXPECT_EQ(target->first("b"), "x y!");
  EXPECT_EQ(target->first("missing"), "");
  EXPECT_EQ(parse_request_target("/a+b")->path, "/a+b") << "'+' is a space only in a query";
}

TEST(RequestTargetTest, DropsQueryPairsWithBadEscapesButRefusesABadPath) {
  auto target = parse_request_target("/x?bad=%zz&good=1&flag&=v");
  ASSERT_TRUE(target.has_value());
  EXPECT_TRUE(target->values("bad").empty());
  EXPECT_EQ(target->first("good"), "1");
  EXPECT_EQ(target->values("flag"), (std::vector<std::string_view>{""}));
  EXPECT_EQ(parse_request_target("/units/%zz").error().message, "invalid URL escape \"%zz\"");
  EXPECT_EQ(parse_request_target("/units/%4").error().message, "invalid URL escape \"%4\"");
}

TEST(RequestTargetTest, AcceptsTheAbsoluteForm) {
  EXPECT_EQ(parse_request_target("http://fleet/fleet/v1/units?x=1")->path, "/fleet/v1/units");
  EXPECT_EQ(parse_request_target("http://fleet")->path, "/");
  EXPECT_EQ(parse_request_target("http://fleet?x=1")->first("x"), "1");
}

}  // namespace
}  // namespace fleet::api
