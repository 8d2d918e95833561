// What only the etcd driver does (the shared bodies are in fleetctl_test.cc).
#include <gtest/gtest.h>

#include "cmd/fleetctl/testing/fleetctl_test_base.h"

namespace fleet::fleetctl {
namespace {

using testing::FleetctlTest;

TEST_F(FleetctlTest, AnUnreachableEtcdIsAnErrorNotAHang) {
  auto result = fleetctl_as_is(
      {"--driver=etcd", "--endpoint=http://127.0.0.1:1", "--request-timeout=0.5", "list-machines"});
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(result.err.starts_with("Error retrieving list of active machines: ")) << result.err;
}

TEST_F(FleetctlTest, TheEtcdDriverAlwaysVerifiesEtcd) {
  auto result = fleetctl({"--insecure-skip-verify", "list-machines"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "Unable to initialize client: --insecure-skip-verify applies to the fleet API "
            "(--driver=API) only; the etcd driver always verifies etcd's certificate\n");
}

}  // namespace
}  // namespace fleet::fleetctl
