#include "fleet/api/registry_backend.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"

#include "fixtures/eventually.h"

namespace fleet::api {
namespace {

using fleet::testing::eventually;
using namespace std::chrono_literals;

class RegistryBackendTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
  }

  std::unique_ptr<registry::Registry> registry_;
};

TEST_F(RegistryBackendTest, HoldsTheCacheOnlyWhileTheApiIsInUse) {
  RegistryBackend backend(*registry_, {.idle_timeout = 300ms});
  EXPECT_FALSE(backend.loaded()) << "an unused API mirrors nothing";
  EXPECT_TRUE(backend.ready());

  ASSERT_TRUE(registry_->create_unit(
      {"web.service", unit::UnitFile::parse("[Service]\nExecStart=/bin/web\n").value(),
       unit::DesiredState::kInactive}));
  auto units = backend.units({0, 10});
  ASSERT_TRUE(units.has_value()) << units.error().message;
  EXPECT_EQ(units->total, 1u);
  EXPECT_TRUE(backend.loaded());

  EXPECT_TRUE(eventually([&] { return !backend.loaded(); }, 10s)) << "dropped once idle";
  EXPECT_EQ(backend.unit("web.service").value()->name, "web.service") << "and loaded again";
}

TEST_F(RegistryBackendTest, IsNotReadyWhileEtcdCannotBeRead) {
  auto unreachable =
      etcd::Client::connect({.endpoints = {"http://127.0.0.1:1"}, .request_timeout = 200ms});
  ASSERT_TRUE(unreachable.has_value());
  registry::Registry registry(**unreachable, registry::Keys(prefix_));
  RegistryBackend backend(registry, {.load_wait = 5s, .idle_timeout = 1s});

  auto units = backend.units({0, 10});
  ASSERT_FALSE(units.has_value());
  EXPECT_EQ(units.error().code, ErrorCode::kUnavailable) << units.error().message;
  EXPECT_FALSE(backend.ready()) << "the API answers 503 meanwhile";
  EXPECT_TRUE(eventually([&] { return backend.ready(); }, 10s))
      << "asked by nobody for idle_timeout, it stops retrying and lets the next call try";
}

// fleetctl start of many units: one PUT per unit from many clients at once. Each is created, with
// its own answer, and each client reads its own write back at once.
TEST_F(RegistryBackendTest, ConcurrentCreatesAreEachCreatedAndReadBack) {
  RegistryBackend backend(*registry_);
  ASSERT_TRUE(backend.units({0, 10}).has_value());
  constexpr int kClients = 24;
  std::vector<std::string> problems(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      schema::Unit unit{.name = "app@" + std::to_string(i) + ".service",
                        .options = {{"Service", "ExecStart", "/bin/app"}},
                        .desired_state = "launched"};
      auto put = backend.put_unit(unit);
      if (!put || *put != PutOutcome::kCreated) {
        problems[i] = put ? "not created" : put.error().message;
        return;
      }
      auto read = backend.unit(unit.name);
      if (!read || !*read || (*read)->desired_state != "launched") problems[i] = "not read back";
    });
  }
  for (auto& client : clients) client.join();
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(problems[i], "") << "client " << i;
  EXPECT_EQ(backend.units({0, 100}).value().total, static_cast<size_t>(kClients));
}

// A unit another fleetd created a moment ago may not be in this one's cache yet: a PUT of it is
// still an update (or a replace), never a failed create.
TEST_F(RegistryBackendTest, APutOfAUnitTheCacheMayNotHoldYetUpdatesIt) {
  RegistryBackend backend(*registry_);
  ASSERT_TRUE(backend.units({0, 10}).has_value());
  const std::vector<schema::UnitOption> options = {{"Service", "ExecStart", "/bin/web"}};
  ASSERT_TRUE(registry_->create_unit(
      {"web.service", unit::UnitFile::from_options(options), unit::DesiredState::kInactive}));
  auto updated =
      backend.put_unit({.name = "web.service", .options = options, .desired_state = "launched"});
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(*updated, PutOutcome::kUpdated);
  EXPECT_EQ(registry_->unit("web.service").value()->desired, unit::DesiredState::kLaunched);

  ASSERT_TRUE(registry_->create_unit(
      {"db.service", unit::UnitFile::from_options(options), unit::DesiredState::kInactive}));
  auto replaced = backend.put_unit({.name = "db.service",
                                    .options = {{"Service", "ExecStart", "/bin/db"}},
                                    .desired_state = "loaded"});
  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  EXPECT_EQ(*replaced, PutOutcome::kReplaced);
  EXPECT_EQ(backend.unit("db.service").value()->options.front().value, "/bin/db");
}

}  // namespace
}  // namespace fleet::api
