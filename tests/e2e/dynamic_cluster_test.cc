// The original functional suite's dynamic-cluster rows (spec 7.2): machines join, leave and are
// replaced while mutually conflicting units run, and only the units that must move do. One
// 4-machine cluster is shared; each test starts and ends with fleetd running everywhere.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "cluster_harness.h"
#include "fixtures/eventually.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

constexpr auto kDeadline = 30s;

class DynamicClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { harness_ = new ClusterHarness(fleetd_machines(4)); }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  ClusterHarness& h() { return *harness_; }
  std::string id(size_t m) const { return harness_->cluster().machines()[m].machine_id; }
  bool registered(const std::string& machine_id) {
    auto machine = h().registry().machine(machine_id);
    return machine && machine->has_value();
  }

  // Stops fleetd in machine m and waits until the machine is out of the cluster (its presence
  // expires with its lease, agent_ttl after the stop: fleetd leaves its lease to expire).
  void leave(size_t m) {
    auto stopped = h().cluster().exec(m, {"systemctl", "stop", "fleet.service"}, 60s);
    ASSERT_TRUE(stopped.ok()) << stopped.output;
    ASSERT_TRUE(eventually([&] { return !registered(id(m)); }, kDeadline, 200ms))
        << "machine " << m << " still registered";
  }
  // Starts fleetd in machine m; returns once it has registered (fleet.service is active).
  void join(size_t m) {
    auto started = h().cluster().exec(m, {"systemctl", "start", "fleet.service"}, 60s);
    ASSERT_TRUE(started.ok()) << started.output << h().fleetd_log(m);
    EXPECT_TRUE(registered(id(m)));
  }

  // Submits `count` units that conflict with one another (the original's conflict.N.service) and
  // returns where each one runs, once each runs on a machine of its own.
  std::map<std::string, size_t> start_conflicting(const std::string& prefix, int count) {
    std::map<std::string, size_t> where;
    for (int i = 0; i < count; ++i) {
      h().submit(prefix + "." + std::to_string(i) + ".service",
                 "[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nConflicts=" + prefix +
                     ".*.service\n",
                 DesiredState::kLaunched);
    }
    std::set<size_t> machines;
    for (int i = 0; i < count; ++i) {
      const auto name = prefix + "." + std::to_string(i) + ".service";
      auto m = h().wait_running(name, kDeadline);
      EXPECT_TRUE(m.has_value()) << name << " does not run on exactly one machine";
      if (!m) continue;
      where[name] = *m;
      machines.insert(*m);
    }
    EXPECT_EQ(machines.size(), where.size()) << "conflicting units share a machine";
    return where;
  }
  void destroy(const std::map<std::string, size_t>& units) {
    for (const auto& [name, m] : units) h().destroy(name);
  }

  // name -> MainPID on its machine.
  std::map<std::string, std::string> pids(const std::map<std::string, size_t>& units) {
    std::map<std::string, std::string> out;
    for (const auto& [name, m] : units) out[name] = h().main_pid(m, name);
    return out;
  }

  static ClusterHarness* harness_;
};

ClusterHarness* DynamicClusterTest::harness_ = nullptr;

// TestDynamicClusterNewMemberUnitMigration: 3 conflicting units on 3 machines; a 4th machine joins
// and nothing moves to it. Stopping fleet on one unit's machine moves that unit to the new member
// and no other unit moves. The stopped machine keeps its copy running meanwhile (decisions.md 9);
// its fleetd, back, stops that copy, which is no longer scheduled there.
TEST_F(DynamicClusterTest, NewMemberUnitMigration) {
  const size_t fresh = 3;
  ASSERT_NO_FATAL_FAILURE(leave(fresh));
  auto where = start_conflicting("migrate", 3);
  ASSERT_EQ(where.size(), 3u);
  ASSERT_NO_FATAL_FAILURE(join(fresh));
  const auto before = pids(where);

  const std::string moving = "migrate.0.service";
  const size_t host = where[moving];
  ASSERT_NO_FATAL_FAILURE(leave(host));
  EXPECT_EQ(h().wait_running(moving, kDeadline, host), std::optional<size_t>(fresh))
      << h().fleetd_log(fresh);
  EXPECT_EQ(h().systemd_state(host, moving), "active") << "decisions.md 9";
  for (const auto& [name, m] : where) {
    if (name == moving) continue;
    EXPECT_EQ(h().scheduled_on(name), std::vector<size_t>{m}) << name << " moved";
    EXPECT_EQ(h().main_pid(m, name), before.at(name)) << name << " restarted";
  }

  ASSERT_NO_FATAL_FAILURE(join(host));
  EXPECT_TRUE(
      eventually([&] { return h().systemd_state(host, moving) == "inactive"; }, kDeadline, 200ms))
      << h().fleetd_log(host);
  EXPECT_EQ(h().scheduled_on(moving), std::vector<size_t>{fresh});
  destroy(where);
}

// TestDynamicClusterMemberReboot: 3 machines (the 4th's fleetd is stopped) run 3 conflicting
// units; one member is replaced, as the original's ReplaceMember does: killed, and booted again
// with the same address and a new machine ID. Exactly one unit migrates: the replaced member's,
// which can only go to the new member; the old machine ID leaves the cluster.
TEST_F(DynamicClusterTest, MemberReboot) {
  const size_t spare = 3;
  ASSERT_NO_FATAL_FAILURE(leave(spare));
  auto where = start_conflicting("reboot", 3);
  ASSERT_EQ(where.size(), 3u);
  std::map<std::string, std::string> before;  // unit -> machine ID
  for (const auto& [name, m] : where) before[name] = id(m);
  const auto pids_before = pids(where);

  const size_t replaced = where["reboot.1.service"];
  const std::string old_id = id(replaced);
  h().cluster().kill(replaced);
  h().cluster().restart(replaced, NspawnCluster::Identity::kNew);
  ASSERT_NE(id(replaced), old_id);
  EXPECT_TRUE(registered(id(replaced)));
  EXPECT_TRUE(eventually([&] { return !registered(old_id); }, kDeadline, 200ms));

  int migrated = 0;
  for (const auto& [name, m] : where) {
    auto now = h().wait_running(name, kDeadline);
    ASSERT_TRUE(now.has_value()) << name << "\n" << h().fleetd_log(replaced);
    if (id(*now) == before[name]) {
      EXPECT_EQ(h().main_pid(*now, name), pids_before.at(name)) << name << " restarted";
      continue;
    }
    ++migrated;
    EXPECT_EQ(name, "reboot.1.service");
    EXPECT_EQ(*now, replaced) << "to the new member";
  }
  EXPECT_EQ(migrated, 1);
  destroy(where);
  ASSERT_NO_FATAL_FAILURE(join(spare));
}

}  // namespace
}  // namespace fleet::testing
