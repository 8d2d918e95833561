#include "fleet/client/url_encoding.h"

#include <gtest/gtest.h>

namespace fleet::client {
namespace {

TEST(UrlEncoding, EscapesWhatWouldChangeTheUrl) {
  EXPECT_EQ(escape_path_segment("web@1.service"), "web@1.service");
  EXPECT_EQ(escape_path_segment("a:b_c-d~e.service"), "a:b_c-d~e.service");
  EXPECT_EQ(escape_path_segment("x\\x2d.mount"), "x%5Cx2d.mount");
  EXPECT_EQ(escape_path_segment("a/b c?#%"), "a%2Fb%20c%3F%23%25");
  EXPECT_EQ(escape_path_segment("\xc3\xa9"), "%C3%A9");

  EXPECT_EQ(escape_query_component("ZAACAA=="), "ZAACAA%3D%3D");
  EXPECT_EQ(escape_query_component("a&b=c+d"), "a%26b%3Dc%2Bd");
  EXPECT_EQ(escape_query_component("web@1.service"), "web%401.service");
}

TEST(UrlEncoding, DecodesPercentSequences) {
  EXPECT_EQ(percent_decode("/run/a%20b%2fc"), "/run/a b/c");
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
}

}  // namespace
}  // namespace fleet::client
