// TLS with client certificates, and username/password authentication, against real etcds.
#include <cstdlib>

#include <gtest/gtest.h>

#include "fleet/etcd/client.h"

#include "fixtures/etcd_server.h"

namespace fleet::etcd {
namespace {

TEST(TlsTest, ClientCertificateIsRequiredAndAccepted) {
  fleet::testing::EtcdServer server({.tls = true});
  const auto& pki = server.tls();

  auto client = Client::connect({.endpoints = {server.endpoint()},
                                 .tls = {.ca_file = pki.ca_file,
                                         .cert_file = pki.client_cert_file,
                                         .key_file = pki.client_key_file}});
  ASSERT_TRUE(client.has_value()) << client.error().message;
  auto put = (*client)->put("/tls/k", "v");
  ASSERT_TRUE(put.has_value()) << put.error().message;
  EXPECT_EQ((*client)->get("/tls/k").value()->value, "v");

  auto without_cert = Client::connect({.endpoints = {server.endpoint()},
                                       .tls = {.ca_file = pki.ca_file},
                                       .request_timeout = std::chrono::seconds(2)});
  ASSERT_TRUE(without_cert.has_value());
  auto refused = (*without_cert)->get("/tls/k");
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find(server.endpoint()), std::string::npos)
      << refused.error().message;

  // A plain-text client cannot talk to a TLS etcd either.
  auto plain = Client::connect({.endpoints = {"http://" + server.endpoint().substr(8)},
                                .request_timeout = std::chrono::seconds(2)});
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE((*plain)->get("/tls/k").has_value());
}

TEST(AuthTest, UsernameAndPasswordAreSentAndWrongOnesRefused) {
  fleet::testing::EtcdServer server;
  auto etcdctl = "ETCDCTL_API=3 etcdctl --endpoints=" + server.endpoint() + " ";
  ASSERT_EQ(std::system((etcdctl + "user add root:rootpw >/dev/null").c_str()), 0);
  ASSERT_EQ(std::system((etcdctl + "auth enable >/dev/null").c_str()), 0);

  auto client =
      Client::connect({.endpoints = {server.endpoint()}, .username = "root", .password = "rootpw"});
  ASSERT_TRUE(client.has_value());
  auto put = (*client)->put("/auth/k", "v");
  ASSERT_TRUE(put.has_value()) << put.error().message;
  EXPECT_EQ((*client)->get("/auth/k").value()->value, "v");

  auto anonymous = Client::connect({.endpoints = {server.endpoint()}});
  auto denied = (*anonymous)->get("/auth/k");
  ASSERT_FALSE(denied.has_value());
  EXPECT_NE(denied.error().message.find("user name is empty"), std::string::npos)
      << denied.error().message;

  auto wrong =
      Client::connect({.endpoints = {server.endpoint()}, .username = "root", .password = "nope"});
  auto failed = (*wrong)->get("/auth/k");
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message.find("authenticate as \"root\""), std::string::npos)
      << failed.error().message;
}

}  // namespace
}  // namespace fleet::etcd
