// fleet on 3 real systemd machines when machines fail: a dead machine's units move, a machine
// cut off from etcd keeps its units running (decisions.md 9, 10).
#include <gtest/gtest.h>

#include "cluster_harness.h"
#include "fixtures/eventually.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

constexpr auto kAgentTtl = 3s;
constexpr auto kDeadline = 30s;

const std::string kService = "[Service]\nExecStart=/bin/sleep infinity\n";

class ClusterFaultsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { harness_ = new ClusterHarness(three_fleetd_machines()); }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  ClusterHarness& h() { return *harness_; }
  static ClusterHarness* harness_;
};

ClusterHarness* ClusterFaultsTest::harness_ = nullptr;

// Runs first: it needs every machine alive.
TEST_F(ClusterFaultsTest, AMachineCutOffFromEtcdKeepsItsUnitsRunning) {
  h().submit("island.service", kService, DesiredState::kLaunched);
  auto m = h().wait_running("island.service", kDeadline);
  ASSERT_TRUE(m.has_value());
  auto pid = h().main_pid(*m, "island.service");

  h().cluster().disconnect(*m);
  // Past agent_ttl its presence is gone and the engine runs the unit elsewhere; the cut-off
  // machine never stops its copy while it cannot hear etcd.
  auto elsewhere = h().wait_running("island.service", kDeadline, *m);
  EXPECT_TRUE(elsewhere.has_value()) << "not rescheduled";
  EXPECT_EQ(h().systemd_state(*m, "island.service"), "active");
  EXPECT_EQ(h().main_pid(*m, "island.service"), pid);

  h().cluster().reconnect(*m);
  // Back in touch, it learns the unit runs elsewhere now and stops its copy.
  EXPECT_TRUE(eventually([&] { return h().systemd_state(*m, "island.service") == "inactive"; },
                         kDeadline, 200ms));
  EXPECT_EQ(h().scheduled_on("island.service"), std::vector<size_t>{*elsewhere});
  h().destroy("island.service");
}

TEST_F(ClusterFaultsTest, ADeadMachinesUnitsRunElsewhereWithinTheAgentTtl) {
  h().submit("survivor.service", kService, DesiredState::kLaunched);
  auto m = h().wait_running("survivor.service", kDeadline);
  ASSERT_TRUE(m.has_value());

  auto killed_at = std::chrono::steady_clock::now();
  h().cluster().kill(*m);
  auto moved = h().wait_running("survivor.service", kAgentTtl + 2s, *m);
  auto took = std::chrono::steady_clock::now() - killed_at;
  ASSERT_TRUE(moved.has_value()) << "not running elsewhere within agent_ttl + 2 s";
  RecordProperty(
      "moved_after_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

}  // namespace
}  // namespace fleet::testing
