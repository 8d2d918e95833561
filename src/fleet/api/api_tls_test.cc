// The API over TCP with TLS and client certificates (fleet.conf's api_tls_*): the real server over
// RegistryBackend on a real etcd, reached by fleet's HTTP client and by the fleetctl binary, and
// refused at the handshake to every client without a certificate from the configured CA. The
// unix socket beside it stays plain.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/api/relaying_inspector.h"
#include "fleet/client/endpoint.h"
#include "fleet/client/http_transport.h"
#include "fleet/etcd/testing/etcd_test_base.h"

#include "fixtures/eventually.h"
#include "fixtures/run_command.h"
#include "fixtures/temp_dir.h"
#include "fixtures/test_pki.h"

namespace fleet::api {
namespace {

using fleet::testing::eventually;
using fleet::testing::TempDir;
using fleet::testing::TlsFiles;
using namespace std::chrono_literals;

class ApiTlsTest : public etcd::testing::EtcdTestBase {
 protected:
  static void SetUpTestSuite() {
    EtcdTestBase::SetUpTestSuite();
    pki_dir_ = new TempDir("api-tls-pki");
    pki_ = fleet::testing::make_test_pki(pki_dir_->path());
    // Same names and shapes, another CA: its client certificate must not pass.
    other_pki_dir_ = new TempDir("api-tls-other-pki");
    other_pki_ = fleet::testing::make_test_pki(other_pki_dir_->path());
  }
  static void TearDownTestSuite() {
    delete pki_dir_;
    delete other_pki_dir_;
    pki_dir_ = other_pki_dir_ = nullptr;
    EtcdTestBase::TearDownTestSuite();
  }

  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
    backend_ = std::make_unique<RegistryBackend>(*registry_);
    ASSERT_TRUE(eventually([&] { return backend_->ready(); }, 10s));
    auto server = ApiServer::start(options(pki_.server_key_file));
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    ASSERT_TRUE(server_->failures().empty()) << server_->failures()[0].message;
    attached_ = server_->attach(Router(*backend_, {.token_limit = 100}),
                                [this] { return backend_->ready(); });
  }

  void TearDown() override {
    attached_ = {};
    server_.reset();
  }

  ApiServerOptions options(const std::string& key_file) const {
    return {.listen = {.socket_activation = false,
                       .unix_socket = socket_path(),
                       .tcp = {{"127.0.0.1", 0}}},
            .tls = {.cert_file = pki_.server_cert_file,
                    .key_file = key_file,
                    .client_ca_file = pki_.ca_file},
            .version = "test"};
  }

  std::string socket_path() const { return (dir_.path() / "fleet.sock").string(); }

  // "127.0.0.1:PORT" of the TCP listener.
  std::string tcp_address() const {
    for (const auto& address : server_->addresses()) {
      if (address.starts_with("tcp:")) return address.substr(4);
    }
    ADD_FAILURE() << "no TCP listener";
    return "";
  }

  // GET /fleet/v1/machines through the client fleetctl uses.
  static Result<client::HttpResponse> machines(const std::string& endpoint,
                                               const client::TlsSettings& tls = {}) {
    auto parsed = client::parse_api_endpoint(endpoint);
    if (!parsed) return fail(parsed.error());
    auto transport = client::HttpTransport::create(*parsed, 5s, tls);
    if (!transport) return fail(transport.error());
    return (*transport)->send({.target = "/fleet/v1/machines"});
  }

  static client::TlsSettings with_client_certificate(const TlsFiles& issuer) {
    return {.ca_file = pki_.ca_file,
            .cert_file = issuer.client_cert_file,
            .key_file = issuer.client_key_file};
  }

  static inline TempDir* pki_dir_ = nullptr;
  static inline TempDir* other_pki_dir_ = nullptr;
  static inline TlsFiles pki_;
  static inline TlsFiles other_pki_;

  TempDir dir_{"api-tls"};
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<RegistryBackend> backend_;
  std::unique_ptr<ApiServer> server_;
  ApiServer::Attachment attached_;
};

TEST_F(ApiTlsTest, AClientWithACertificateFromTheCaIsServed) {
  auto reply = machines("https://" + tcp_address(), with_client_certificate(pki_));
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  EXPECT_EQ(reply->status, 200) << reply->body;
}

TEST_F(ApiTlsTest, AClientWithoutACertificateGetsNoAnswer) {
  auto reply = machines("https://" + tcp_address(), {.ca_file = pki_.ca_file});
  ASSERT_FALSE(reply.has_value()) << "answered " << reply->status << ": " << reply->body;
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable) << reply.error().message;
}

TEST_F(ApiTlsTest, AClientWithACertificateFromAnotherCaGetsNoAnswer) {
  auto reply = machines("https://" + tcp_address(), with_client_certificate(other_pki_));
  ASSERT_FALSE(reply.has_value()) << "answered " << reply->status << ": " << reply->body;
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable) << reply.error().message;
}

TEST_F(ApiTlsTest, PlainHttpGetsNoAnswer) {
  auto reply = machines("http://" + tcp_address());
  ASSERT_FALSE(reply.has_value()) << "answered " << reply->status << ": " << reply->body;
}

TEST_F(ApiTlsTest, TheUnixSocketStaysPlainAndGroupOnly) {
  auto reply = machines("unix://" + socket_path());
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  EXPECT_EQ(reply->status, 200) << reply->body;
  struct stat info {};
  ASSERT_EQ(::stat(socket_path().c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);
}

TEST_F(ApiTlsTest, FleetctlTalksToItWithItsTlsFlags) {
  const std::vector<std::string> endpoint = {FLEETCTL_BINARY, "--endpoint",
                                             "https://" + tcp_address(), "--ca-file", pki_.ca_file};
  auto with_certificate = endpoint;
  with_certificate.insert(
      with_certificate.end(),
      {"--cert-file", pki_.client_cert_file, "--key-file", pki_.client_key_file, "list-machines"});
  auto listed = fleet::testing::run_command(with_certificate);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_TRUE(listed.output.starts_with("MACHINE")) << listed.output;

  auto without_certificate = endpoint;
  without_certificate.push_back("list-machines");
  auto refused = fleet::testing::run_command(without_certificate);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_EQ(refused.output.find("MACHINE"), std::string::npos) << refused.output;
}

TEST_F(ApiTlsTest, AKeyThatIsNotTheCertificatesStopsTheServer) {
  attached_ = {};
  server_.reset();
  auto server = ApiServer::start(options(other_pki_.server_key_file));
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(server.error().message.find(other_pki_.server_key_file), std::string::npos)
      << server.error().message;
  EXPECT_FALSE(std::filesystem::exists(socket_path())) << "no socket file left behind";
}

// fleetctl status/journal asked of one fleetd for a unit on another: the relay reaches the other
// fleetd over https and presents this fleetd's own certificate, which the other's
// api_tls_cafile asks for.
TEST_F(ApiTlsTest, ARelayReachesAnotherFleetdWithItsOwnCertificate) {
  auto lease = client_->lease_grant(30);
  ASSERT_TRUE(lease.has_value()) << lease.error().message;
  ASSERT_TRUE(registry_
                  ->register_machine({.id = "peer",
                                      .public_ip = "127.0.0.1",
                                      .metadata = {},
                                      .version = "test",
                                      .capabilities = {},
                                      .api_address = tcp_address()},
                                     lease->id)
                  .has_value());
  const UnitInspection inspection{
      .kind = UnitInspection::Kind::kStatus, .unit = "hello.service", .machine_id = "peer"};

  RelayingInspector over_tls(*registry_, "self",
                             {.ca_file = pki_.ca_file,
                              .cert_file = pki_.server_cert_file,
                              .key_file = pki_.server_key_file});
  auto relayed = over_tls.inspect(inspection);
  // The peer's own answer (this test's router runs no commands), not the relay's 503.
  EXPECT_EQ(relayed.status, 501) << relayed.body;
  EXPECT_NE(relayed.body.find("does not run commands"), std::string::npos) << relayed.body;

  RelayingInspector plain(*registry_, "self");
  auto refused = plain.inspect(inspection);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("cannot reach machine peer"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace fleet::api
