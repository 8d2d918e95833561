#include "fleet/config/config.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fleet::config {
namespace {

using std::chrono::milliseconds;

TEST(ConfigTest, DefaultsAreTheOriginals) {
  Config config;
  EXPECT_EQ(config.verbosity, 0);
  EXPECT_EQ(config.etcd_servers,
            (std::vector<std::string>{"http://127.0.0.1:2379", "http://127.0.0.1:4001"}));
  EXPECT_EQ(config.etcd_username, "");
  EXPECT_EQ(config.etcd_password, "");
  EXPECT_EQ(config.etcd_keyfile, "");
  EXPECT_EQ(config.etcd_certfile, "");
  EXPECT_EQ(config.etcd_cafile, "");
  EXPECT_EQ(config.etcd_key_prefix, "/_coreos.com/fleet/");
  EXPECT_EQ(config.etcd_request_timeout, milliseconds(1000));
  EXPECT_EQ(config.engine_reconcile_interval, milliseconds(2000));
  EXPECT_EQ(config.public_ip, "");
  EXPECT_TRUE(config.metadata.empty());
  EXPECT_EQ(config.agent_ttl, milliseconds(30'000));
  EXPECT_EQ(config.units_directory, "/run/fleet/units/");
  EXPECT_FALSE(config.systemd_user);
  EXPECT_EQ(config.token_limit, 100);
  EXPECT_FALSE(config.enable_grpc);
  EXPECT_FALSE(config.disable_engine);
  EXPECT_FALSE(config.disable_watches);
  EXPECT_FALSE(config.verify_units);
  EXPECT_EQ(config.authorized_keys_file, "");
  EXPECT_TRUE(config.api_listen.empty());
  EXPECT_FALSE(config.purge_on_shutdown);
  EXPECT_EQ(config.api_tls_certfile, "");
  EXPECT_EQ(config.api_tls_keyfile, "");
  EXPECT_EQ(config.api_tls_cafile, "");
  EXPECT_EQ(config.source_file, "");
  EXPECT_TRUE(config.warnings.empty());
}

TEST(DescribeTest, DefaultsInFileSyntax) {
  EXPECT_EQ(describe(Config{}),
            "config_file=\"\" verbosity=0 "
            "etcd_servers=http://127.0.0.1:2379,http://127.0.0.1:4001 etcd_username=\"\" "
            "etcd_password=\"\" etcd_keyfile=\"\" etcd_certfile=\"\" etcd_cafile=\"\" "
            "etcd_key_prefix=/_coreos.com/fleet/ etcd_request_timeout=1.0 "
            "engine_reconcile_interval=2.0 public_ip=\"\" metadata=\"\" agent_ttl=30s "
            "units_directory=/run/fleet/units/ systemd_user=false token_limit=100 "
            "enable_grpc=false disable_engine=false disable_watches=false verify_units=false "
            "authorized_keys_file=\"\" api_listen=\"\" purge_on_shutdown=false "
            "api_tls_certfile=\"\" api_tls_keyfile=\"\" api_tls_cafile=\"\"");
}

TEST(DescribeTest, NeverShowsThePassword) {
  Config config;
  config.etcd_password = "s3cret pass";
  config.etcd_keyfile = "/etc/fleet/key.pem";
  config.api_tls_certfile = "/etc/fleet/api.crt";
  config.api_tls_keyfile = "/etc/fleet/api.key";
  config.api_tls_cafile = "/etc/fleet/clients-ca.crt";
  auto text = describe(config);
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_NE(text.find(" etcd_password=<set> "), std::string::npos) << text;
  EXPECT_NE(text.find(" etcd_keyfile=/etc/fleet/key.pem "), std::string::npos) << text;
  EXPECT_TRUE(
      text.ends_with(" api_tls_certfile=/etc/fleet/api.crt api_tls_keyfile=/etc/fleet/"
                     "api.key api_tls_cafile=/etc/fleet/clients-ca.crt"))
      << text;
}

TEST(ListenAddressTest, LoopbackIsWhatOnlyThisHostReaches) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "localhost"}) {
    EXPECT_TRUE((ListenAddress{host, 80}.is_loopback())) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "", "10.0.0.5", "fe80::1", "128.0.0.1",
                           "fleet.example.com", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE((ListenAddress{host, 80}.is_loopback())) << host;
  }
}

TEST(DescribeTest, QuotesWhatNeedsIt) {
  Config config;
  config.source_file = "/etc/fleet/fleet.conf";
  config.metadata = {{"region", "us west"}, {"disk", "ssd"}};
  config.etcd_username = "say \"hi\"";
  config.agent_ttl = milliseconds(90'500);
  config.etcd_request_timeout = milliseconds(250);
  config.api_listen = {{"127.0.0.1", 49153}, {"::", 49153}};
  config.warnings = {"not shown"};
  auto text = describe(config);
  EXPECT_TRUE(text.starts_with("config_file=/etc/fleet/fleet.conf verbosity=0 ")) << text;
  EXPECT_NE(text.find(" metadata=\"disk=ssd,region=us west\" "), std::string::npos) << text;
  EXPECT_NE(text.find(" etcd_username=\"say \\\"hi\\\"\" "), std::string::npos) << text;
  EXPECT_NE(text.find(" agent_ttl=1m30.5s "), std::string::npos) << text;
  EXPECT_NE(text.find(" etcd_request_timeout=0.25 "), std::string::npos) << text;
  EXPECT_NE(text.find(" api_listen=127.0.0.1:49153,[::]:49153 "), std::string::npos) << text;
  EXPECT_EQ(text.find("not shown"), std::string::npos) << text;
}

}  // namespace
}  // namespace fleet::config
