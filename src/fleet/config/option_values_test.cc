#include "fleet/config/option_values.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

namespace fleet::config {
namespace {

using Strings = std::vector<std::string>;

TEST(ParseBoolTest, AcceptsGoSpellings) {
  for (std::string text : {"1", "t", "T", "TRUE", "true", "True"})
    EXPECT_EQ(parse_bool(text), true);
  for (std::string text : {"0", "f", "F", "FALSE", "false", "False"}) {
    EXPECT_EQ(parse_bool(text), false);
  }
}

TEST(ParseBoolTest, RejectsOthers) {
  for (std::string text : {"yes", "no", "on", "TRue", "", " true", "2"}) {
    SCOPED_TRACE(text);
    testing::expect_invalid_argument(parse_bool(text).map([](bool) {}),
                                     "invalid boolean \"" + text + "\" (use true or false)");
  }
}

TEST(ParseIntTest, ReadsDecimal) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"0", 0}, {"42", 42}, {"-3", -3}, {"+7", 7}, {"2147483647", 2147483647}};
  for (const auto& [text, expected] : cases) EXPECT_EQ(parse_int(text), expected) << text;
}

TEST(ParseIntTest, RejectsOthers) {
  for (std::string text : {"", "abc", "1.5", "+-1", "--1", "2147483648", " 1", "1 ", "0x10"}) {
    SCOPED_TRACE(text);
    testing::expect_invalid_argument(parse_int(text).map([](int) {}),
                                     "invalid number \"" + text + "\"");
  }
}

TEST(SplitEtcdServersTest, AcceptsBothListForms) {
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"http://a:2379,http://b:2379", {"http://a:2379", "http://b:2379"}},
      {R"(["http://a:2379","http://b:2379"])", {"http://a:2379", "http://b:2379"}},
      {R"(["http://a:2379", "http://b:2379"])", {"http://a:2379", "http://b:2379"}},
      {" http://a:2379 , http://b:2379 ", {"http://a:2379", "http://b:2379"}},
      {"\thttp://a:2379\t", {"http://a:2379"}},
      {R"("http://a:2379")", {"http://a:2379"}},
      {R"("http://a:2379", "http://b:2379")", {"http://a:2379", "http://b:2379"}},
      {"http://a:2379,", {"http://a:2379"}},  // the original kept an empty item
      {",,http://a:2379", {"http://a:2379"}},
      {"http://a:2379]", {"http://a:2379"}},
      {"http://[::1]:2379", {"http://[::1]:2379"}},
      {"http://[::1]", {"http://[::1]"}},  // the bracket closing the IPv6 literal stays
      {R"(["http://[::1]"])", {"http://[::1]"}},
      {R"(["http://[::1]:2379", "http://[fe80::1]"])", {"http://[::1]:2379", "http://[fe80::1]"}},
      {"", {}},
      {"[]", {}},
      {R"([""])", {}},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(split_etcd_servers(text), expected) << text;
}

TEST(ParseMetadataTest, SplitsPairs) {
  const std::vector<std::pair<std::string, Metadata>> cases = {
      {"", {}},
      {"region=us-west,az=us-west-1", {{"az", "us-west-1"}, {"region", "us-west"}}},
      {"foo=bar, ping=pong", {{"foo", "bar"}, {"ping", "pong"}}},
      {" a = b \t,\tc=d ", {{"a", "b"}, {"c", "d"}}},
      {"a=b=c", {{"a", "b=c"}}},
      {"a=1,a=2", {{"a", "2"}}},
      {"a=", {{"a", ""}}},
      {",,a=1, ,", {{"a", "1"}}},
      {"hostname=%H", {{"hostname", "%H"}}},
      {"disk=ssd,novalue", {{"disk", "ssd"}}},
      {"=v,k=v", {{"k", "v"}}},
      {"k=caf\xC3\xA9", {{"k", "caf\xC3\xA9"}}},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(parse_metadata(text), expected) << text;
}

TEST(ParseMetadataTest, ReportsSkippedPairs) {
  Strings skipped;
  auto metadata = parse_metadata(" novalue , =v, a=1,, ", &skipped);
  EXPECT_EQ(metadata, (Metadata{{"a", "1"}}));
  EXPECT_EQ(skipped, (Strings{"novalue", "=v"}));
}

TEST(ParseApiListenTest, ReadsAddresses) {
  using Addresses = std::vector<ListenAddress>;
  const std::vector<std::pair<std::string, Addresses>> cases = {
      {"", {}},
      {" , ", {}},
      {"49153", {{"127.0.0.1", 49153}}},
      {":49153", {{"127.0.0.1", 49153}}},
      {"0.0.0.0:49153", {{"0.0.0.0", 49153}}},
      {"[::]:49153", {{"::", 49153}}},
      {"[::1]:80", {{"::1", 80}}},
      {"localhost:0", {{"localhost", 0}}},
      {"65535", {{"127.0.0.1", 65535}}},
      {"10.0.0.5:80, 127.0.0.1:81", {{"10.0.0.5", 80}, {"127.0.0.1", 81}}},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_api_listen(text);
    ASSERT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(ParseApiListenTest, RejectsWithTheItem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"abc", R"("abc": expected HOST:PORT, [IPV6]:PORT or PORT)"},
      {"h:99999", R"("h:99999": invalid port "99999")"},
      {"h:", R"("h:": invalid port "")"},
      {"h:-1", R"("h:-1": invalid port "-1")"},
      {"h:8a", R"("h:8a": invalid port "8a")"},
      {"99999", R"("99999": invalid port "99999")"},
      {"::1:80", R"("::1:80": put an IPv6 address in brackets, e.g. [::1]:80)"},
      {"[::1]", R"("[::1]": expected [IPV6]:PORT)"},
      {"[::1]80", R"("[::1]80": expected [IPV6]:PORT)"},
      {"[]:80", R"("[]:80": empty IPv6 address in brackets)"},
      {"a b:80", R"("a b:80": space in host)"},
      {"80, :80", R"(":80": listed twice)"},
      {"10.0.0.1:80,bad", R"("bad": expected HOST:PORT, [IPV6]:PORT or PORT)"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    testing::expect_invalid_argument(parse_api_listen(text).map([](auto) {}), message);
  }
}

TEST(ListenAddressTest, BracketsIpv6) {
  EXPECT_EQ((ListenAddress{"127.0.0.1", 49153}).to_string(), "127.0.0.1:49153");
  EXPECT_EQ((ListenAddress{"::1", 80}).to_string(), "[::1]:80");
  EXPECT_EQ((ListenAddress{"localhost", 0}).to_string(), "localhost:0");
}

}  // namespace
}  // namespace fleet::config
