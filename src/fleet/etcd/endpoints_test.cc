#include "fleet/etcd/endpoints.h"

#include <gtest/gtest.h>

namespace fleet::etcd {

void PrintTo(const Endpoint& e, std::ostream* os) {
  *os << "{" << e.url << ", " << e.authority << (e.tls ? ", tls}" : "}");
}

namespace {

TEST(ParseEndpointsTest, AcceptsTheFormsUsersWrite) {
  struct Case {
    std::string input;
    std::vector<Endpoint> expected;
  };
  std::vector<Case> cases = {
      {"http://127.0.0.1:2379", {{"http://127.0.0.1:2379", "127.0.0.1:2379", false}}},
      {"https://etcd.local:4001", {{"https://etcd.local:4001", "etcd.local:4001", true}}},
      {"http://etcd", {{"http://etcd", "etcd:2379", false}}},
      {"http://etcd:2379/", {{"http://etcd:2379/", "etcd:2379", false}}},
      {"http://[::1]:2379", {{"http://[::1]:2379", "[::1]:2379", false}}},
      {"http://[::1]", {{"http://[::1]", "[::1]:2379", false}}},
      // fleet's default, and the bracketed list form the original accepted.
      {"http://127.0.0.1:2379,http://127.0.0.1:4001",
       {{"http://127.0.0.1:2379", "127.0.0.1:2379", false},
        {"http://127.0.0.1:4001", "127.0.0.1:4001", false}}},
      {R"(["http://a:1", "http://b:2"])",
       {{"http://a:1", "a:1", false}, {"http://b:2", "b:2", false}}},
      {" http://a:1 , ,http://b:2 ", {{"http://a:1", "a:1", false}, {"http://b:2", "b:2", false}}},
  };
  for (const auto& c : cases) {
    auto parsed = parse_endpoints(c.input);
    ASSERT_TRUE(parsed.has_value()) << c.input << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, c.expected) << c.input;
  }
}

TEST(ParseEndpointsTest, RefusesWithTheEntryAndTheExpectedForm) {
  struct Case {
    std::string input;
    std::string message;
  };
  std::vector<Case> cases = {
      {"127.0.0.1:2379",
       "etcd endpoint \"127.0.0.1:2379\": no scheme; write it as http://host:port or "
       "https://host:port"},
      {"unix:///run/etcd.sock", "etcd endpoint \"unix:///run/etcd.sock\": unsupported scheme"},
      {"http://", "etcd endpoint \"http://\": no host"},
      {"http://a:b", "etcd endpoint \"http://a:b\": bad port \"b\""},
      {"http://a:2379/v2/keys", "etcd endpoint \"http://a:2379/v2/keys\": a path is not allowed"},
      {"", "no etcd endpoint given"},
      {" , ", "no etcd endpoint given"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_endpoints(c.input);
    ASSERT_FALSE(parsed.has_value()) << c.input;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message.rfind(c.message, 0), 0u)
        << c.input << " gave: " << parsed.error().message;
  }
}

}  // namespace
}  // namespace fleet::etcd
