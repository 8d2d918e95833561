#include "fleet/api/pagination.h"

#include <gtest/gtest.h>

namespace fleet::api {
namespace {

RequestTarget with_tokens(std::vector<std::string> tokens) {
  RequestTarget target{.path = "/fleet/v1/units", .query = {}};
  for (auto& token : tokens) target.query.emplace_back("nextPageToken", std::move(token));
  return target;
}

TEST(PageTokenTest, EncodesLittleEndianLimitThenPageAsPaddedUrlSafeBase64) {
  EXPECT_EQ((PageToken{100, 2}.encode()), "ZAACAA==");
  EXPECT_EQ((PageToken{100, 3}.encode()), "ZAADAA==");
  EXPECT_EQ((PageToken{65535, 65535}.encode()), "_____w==") << "the URL-safe alphabet";
  EXPECT_EQ(decode_page_token("ZAACAA==").value(), (PageToken{100, 2}));
  EXPECT_EQ(decode_page_token("EwBMLg==").value(), (PageToken{19, 11852}));
  EXPECT_EQ(decode_page_token("ZAACAAAA").value(), (PageToken{100, 2})) << "extra bytes ignored";
}

TEST(PageTokenTest, UndecodableTokensSayWhyAsGoDid) {
  EXPECT_EQ(decode_page_token("").error().message, "EOF");
  EXPECT_EQ(decode_page_token("ZAA=").error().message, "unexpected EOF");
  EXPECT_EQ(decode_page_token("ZAACAA").error().message, "illegal base64 data at input byte 4");
  EXPECT_EQ(decode_page_token("ZAAC+A==").error().message, "illegal base64 data at input byte 4")
      << "'+' is standard base64, not URL-safe";
  EXPECT_EQ(decode_page_token("ZAACAA==ZA").error().message, "illegal base64 data at input byte 8");
  for (auto text : {"ZAACAA==", "ZAADAA==", "AQABAA=="}) {
    EXPECT_EQ(decode_page_token(text)->encode(), text);
  }
}

TEST(RequestedPageTest, StartsAtPageOneAndChecksTheToken) {
  EXPECT_EQ(requested_page(with_tokens({}), 100).value(), (PageToken{100, 1}));
  EXPECT_EQ(requested_page(with_tokens({"ZAACAA=="}), 100).value(), (PageToken{100, 2}));
  EXPECT_EQ(requested_page(with_tokens({"ZAACAA==", "ZAADAA=="}), 100).error().message,
            "too many values for page token");
  EXPECT_EQ(requested_page(with_tokens({"EwBMLg=="}), 100).error().message,
            "token limit must be 100");
  EXPECT_EQ(requested_page(with_tokens({"ZAACAA=="}), 2).error().message, "token limit must be 2");
  EXPECT_EQ(requested_page(with_tokens({"ZAAAAA=="}), 100).error().message,
            "token page must be greater than zero");
  EXPECT_EQ(requested_page(with_tokens({"!"}), 100).error().code, ErrorCode::kInvalidArgument);
}

TEST(NextPageTokenTest, PointsOnWhileAPageIsFull) {
  const PageToken first{2, 1};
  EXPECT_EQ(next_page_token(first, 0), "") << "no items";
  EXPECT_EQ(next_page_token(first, 1), "") << "a short page is the last";
  EXPECT_EQ(next_page_token(first, 2), (PageToken{2, 2}.encode()))
      << "a full last page still points to an empty one";
  EXPECT_EQ(next_page_token(first, 5), (PageToken{2, 2}.encode()));
  EXPECT_EQ(next_page_token(PageToken{2, 3}, 5), "");
  EXPECT_EQ(next_page_token(PageToken{2, 4}, 5), "") << "past the end";
  EXPECT_EQ((PageToken{100, 3}.slice().offset), 200u);
}

}  // namespace
}  // namespace fleet::api
