#include "fleet/client/endpoint.h"

#include <gtest/gtest.h>

namespace fleet::client {
namespace {

using Transport = ApiEndpoint::Transport;

struct Accepted {
  std::string_view text;
  Transport transport;
  std::string_view host;
  std::string_view port;
  std::string_view socket_path;
  std::string_view base_path;
  std::string_view host_header;
};

TEST(ParseApiEndpoint, AcceptsTheFourSchemes) {
  const Accepted cases[] = {
      {"unix:///var/run/fleet.sock", Transport::kUnix, "", "", "/var/run/fleet.sock", "",
       "domain-sock"},
      {"file:///var/run/fleet.sock", Transport::kUnix, "", "", "/var/run/fleet.sock", "",
       "domain-sock"},
      {"unix:/run/fleet%20api.sock", Transport::kUnix, "", "", "/run/fleet api.sock", "",
       "domain-sock"},
      {"http://127.0.0.1:49153", Transport::kTcp, "127.0.0.1", "49153", "", "", "127.0.0.1:49153"},
      {"http://fleet.example.com", Transport::kTcp, "fleet.example.com", "80", "", "",
       "fleet.example.com"},
      {"HTTP://fleet/", Transport::kTcp, "fleet", "80", "", "", "fleet"},
      {"http://proxy:8080/fleet-api/", Transport::kTcp, "proxy", "8080", "", "/fleet-api",
       "proxy:8080"},
      {"https://10.0.0.1", Transport::kTls, "10.0.0.1", "443", "", "", "10.0.0.1"},
      {"https://[::1]:8443/x?ignored#too", Transport::kTls, "::1", "8443", "", "/x", "[::1]:8443"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_api_endpoint(c.text);
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error().message;
    EXPECT_EQ(parsed->transport, c.transport) << c.text;
    EXPECT_EQ(parsed->url, c.text);
    EXPECT_EQ(parsed->host, c.host) << c.text;
    EXPECT_EQ(parsed->port, c.port) << c.text;
    EXPECT_EQ(parsed->socket_path, c.socket_path) << c.text;
    EXPECT_EQ(parsed->base_path, c.base_path) << c.text;
    EXPECT_EQ(parsed->host_header(), c.host_header) << c.text;
    EXPECT_FALSE(parsed->others_ignored) << c.text;
  }
}

TEST(ParseApiEndpoint, UsesOnlyTheFirstOfAList) {
  auto parsed = parse_api_endpoint("http://a:1,http://b:2");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->url, "http://a:1");
  EXPECT_EQ(parsed->host, "a");
  EXPECT_TRUE(parsed->others_ignored);

  auto bad_second = parse_api_endpoint("unix:///run/fleet.sock,bogus");
  ASSERT_TRUE(bad_second) << "the original never looks at the others";
  EXPECT_TRUE(bad_second->others_ignored);
}

TEST(ParseApiEndpoint, RefusesWithTheOriginalsWords) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"/var/run/fleet.sock", "URL scheme undefined"},
      {"", "URL scheme undefined"},
      {"127.0.0.1:8080", "URL scheme undefined"},
      {",http://a", "URL scheme undefined"},
      {"unix://var/run/fleet.sock", "unable to connect to host \"var\" with scheme \"unix\""},
      {"file://host/sock", "unable to connect to host \"host\" with scheme \"file\""},
      {"unix://", "no socket path in endpoint \"unix://\""},
      {"unix:///bad%zz", "invalid escape in endpoint \"unix:///bad%zz\""},
      {"ftp://x",
       "unsupported URL scheme \"ftp\" in endpoint \"ftp://x\": use http://, https:// "
       "or unix://"},
      {"localhost:8080",
       "unsupported URL scheme \"localhost\" in endpoint \"localhost:8080\": "
       "use http://, https:// or unix://"},
      {"http://", "no host in endpoint \"http://\""},
      {"http://:80", "no host in endpoint \"http://:80\""},
      {"http:/path", "no host in endpoint \"http:/path\""},
      {"http://h:0", "invalid port \"0\" in endpoint \"http://h:0\""},
      {"http://h:65536", "invalid port \"65536\" in endpoint \"http://h:65536\""},
      {"http://h:x", "invalid port \"x\" in endpoint \"http://h:x\""},
      {"http://[::1", "missing ']' in endpoint \"http://[::1\""},
      {"http://[::1]x", "bad host in endpoint \"http://[::1]x\""},
      {"http://user:pw@h", "credentials in endpoint \"http://user:pw@h\" are not supported"},
  };
  for (const auto& [text, message] : cases) {
    auto parsed = parse_api_endpoint(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << text;
    EXPECT_EQ(parsed.error().message, message) << text;
  }
}

}  // namespace
}  // namespace fleet::client
