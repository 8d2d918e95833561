#include <chrono>

#include <gtest/gtest.h>

#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/api/router.h"

#include "cmd/fleetctl/testing/driver_under_test.h"
#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetctl::testing {
namespace {

// Small pages, so that listing a handful of units already follows nextPageToken.
constexpr int kTokenLimit = 2;

// fleetd's API as the daemon wires it: the real server and router over a RegistryBackend.
class ApiDriver final : public DriverUnderTest {
 public:
  explicit ApiDriver(const DriverTarget& target) : backend_(target.registry) {
    auto server = api::ApiServer::start(
        {.listen = {.socket_activation = false, .unix_socket = socket_path()}, .version = "test"});
    if (!server) {
      ADD_FAILURE() << "cannot start the API server: " << server.error().message;
      return;
    }
    server_ = std::move(*server);
    attachment_ = server_->attach(api::Router(backend_, {.token_limit = kTokenLimit}),
                                  [this] { return backend_.ready(); });
    if (!fleet::testing::eventually([this] { return backend_.ready(); },
                                    std::chrono::seconds(20))) {
      ADD_FAILURE() << "the API backend never read etcd";
    }
  }

  std::vector<std::string> flags() const override { return {"--endpoint=unix://" + socket_path()}; }

 private:
  std::string socket_path() const { return (dir_.path() / "fleet.sock").string(); }

  fleet::testing::TempDir dir_{"fleetctl-api"};
  api::RegistryBackend backend_;
  std::unique_ptr<api::ApiServer> server_;
  api::ApiServer::Attachment attachment_;  // detached first, before the backend it calls goes
};

}  // namespace

std::unique_ptr<DriverUnderTest> start_driver(const DriverTarget& target) {
  return std::make_unique<ApiDriver>(target);
}

}  // namespace fleet::fleetctl::testing
