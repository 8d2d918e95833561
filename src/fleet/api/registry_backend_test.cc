#include "fleet/api/registry_backend.h"

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

}  // namespace
}  // namespace fleet::api
