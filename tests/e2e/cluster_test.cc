// fleet on 3 real systemd machines: units submitted through the registry really run where the
// spec says, and stop, unload and destroy really take them down (spec 3.7-3.10, 5.4).
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "cluster_harness.h"
#include "fixtures/eventually.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

constexpr auto kDeadline = 30s;

std::string service(const std::string& fleet_section = "") {
  return "[Unit]\nDescription=test\n\n[Service]\nExecStart=/bin/sleep infinity\n" +
         (fleet_section.empty() ? "" : "\n[X-Fleet]\n" + fleet_section);
}

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new ClusterHarness(
        three_fleetd_machines({{0, {{"metadata", "role=db"}}},
                               {1, {{"metadata", "role=web"}}},
                               // The original's graceful shutdown, on one machine.
                               {2, {{"metadata", "role=web"}, {"purge_on_shutdown", "true"}}}}));
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  ClusterHarness& h() { return *harness_; }

  // Waits until `name` is in `state` per systemctl on machine m.
  bool becomes(size_t m, const std::string& name, const std::string& state) {
    return eventually([&] { return h().systemd_state(m, name) == state; }, kDeadline, 200ms);
  }

  static ClusterHarness* harness_;
};

ClusterHarness* ClusterTest::harness_ = nullptr;

TEST_F(ClusterTest, ASubmittedUnitRunsAndEachDesiredStateTakesItThere) {
  h().submit("life.service", service(), DesiredState::kLaunched);
  auto m = h().wait_running("life.service", kDeadline);
  ASSERT_TRUE(m.has_value()) << "never ran on exactly one machine";

  // Its state as that machine's systemd reports it reaches etcd.
  const auto& id = h().cluster().machines()[*m].machine_id;
  EXPECT_TRUE(eventually(
      [&] {
        auto kv = h().client().get(h().registry().keys().state("life.service", id));
        if (!kv || !*kv) return false;
        auto state = registry::decode_unit_state((*kv)->key, (*kv)->value);
        return state && state->active_state == "active" && state->sub_state == "running" &&
               state->launched;
      },
      kDeadline, 200ms));

  ASSERT_TRUE(h().registry().set_desired_state("life.service", DesiredState::kLoaded));
  EXPECT_TRUE(becomes(*m, "life.service", "inactive")) << "stop";
  EXPECT_EQ(h().cluster().exec(*m, {"systemctl", "show", "-P", "LoadState", "life.service"}).output,
            "loaded\n")
      << "a stopped unit stays loaded";

  ASSERT_TRUE(h().registry().set_desired_state("life.service", DesiredState::kInactive));
  EXPECT_TRUE(eventually(
      [&] {
        return h().scheduled_on("life.service").empty() &&
               h().cluster()
                       .exec(*m, {"systemctl", "show", "-P", "LoadState", "life.service"})
                       .output == "not-found\n";
      },
      kDeadline, 200ms))
      << "unload removes it from systemd";

  ASSERT_TRUE(h().registry().set_desired_state("life.service", DesiredState::kLaunched));
  auto again = h().wait_running("life.service", kDeadline);
  ASSERT_TRUE(again.has_value());
  h().destroy("life.service");
  EXPECT_TRUE(becomes(*again, "life.service", "inactive")) << "destroy";
  EXPECT_TRUE(eventually(
      [&] {
        return h().cluster()
                   .exec(*again, {"test", "-e", "/run/fleet/units/life.service"})
                   .exit_code == 1;
      },
      kDeadline, 200ms))
      << "the unit file is removed";
}

TEST_F(ClusterTest, AGlobalUnitRunsOnEveryMachineItsMetadataAllows) {
  h().submit("everywhere.service", service("Global=true\n"), DesiredState::kLaunched);
  h().submit("webs.service", service("Global=true\nMachineMetadata=role=web\n"),
             DesiredState::kLaunched);
  for (size_t m = 0; m < h().size(); ++m) {
    EXPECT_TRUE(becomes(m, "everywhere.service", "active")) << "machine " << m;
  }
  EXPECT_TRUE(becomes(1, "webs.service", "active"));
  EXPECT_TRUE(becomes(2, "webs.service", "active"));
  EXPECT_EQ(h().systemd_state(0, "webs.service"), "inactive") << "role=db must not run it";
  EXPECT_TRUE(h().scheduled_on("everywhere.service").empty()) << "agents, not the engine, decide";

  h().destroy("everywhere.service");
  h().destroy("webs.service");
  for (size_t m = 0; m < h().size(); ++m) {
    EXPECT_TRUE(becomes(m, "everywhere.service", "inactive")) << "machine " << m;
  }
}

TEST_F(ClusterTest, MachineMetadataPlacesAUnitOnAMatchingMachine) {
  h().submit("db.service", service("MachineMetadata=role=db\n"), DesiredState::kLaunched);
  EXPECT_EQ(h().wait_running("db.service", kDeadline), std::optional<size_t>(0));
  h().destroy("db.service");
}

TEST_F(ClusterTest, MachineOfPutsAUnitBesideItsPeer) {
  h().submit("peer.service", service("MachineMetadata=role=web\n"), DesiredState::kLaunched);
  h().submit("follower.service", service("MachineOf=peer.service\n"), DesiredState::kLaunched);
  auto peer = h().wait_running("peer.service", kDeadline);
  ASSERT_TRUE(peer.has_value());
  EXPECT_NE(*peer, 0u);
  EXPECT_EQ(h().wait_running("follower.service", kDeadline), peer);
  h().destroy("follower.service");
  h().destroy("peer.service");
}

TEST_F(ClusterTest, ConflictingInstancesOfATemplateGetAMachineEach) {
  const std::string tmpl = service("Conflicts=spread@*.service\n");
  std::set<size_t> machines;
  for (int i = 1; i <= 3; ++i) {
    h().submit("spread@" + std::to_string(i) + ".service", tmpl, DesiredState::kLaunched);
  }
  for (int i = 1; i <= 3; ++i) {
    auto m = h().wait_running("spread@" + std::to_string(i) + ".service", kDeadline);
    ASSERT_TRUE(m.has_value()) << i;
    machines.insert(*m);
  }
  EXPECT_EQ(machines.size(), 3u);
  for (int i = 1; i <= 3; ++i) h().destroy("spread@" + std::to_string(i) + ".service");
}

TEST_F(ClusterTest, RestartingFleetdLeavesItsUnitsRunningWhereTheyAre) {
  // On machine 0: machine 2 purges its units when fleetd stops.
  h().submit("steady.service", service("MachineMetadata=role=db\n"), DesiredState::kLaunched);
  auto m = h().wait_running("steady.service", kDeadline);
  ASSERT_TRUE(m.has_value());
  auto pid = h().main_pid(*m, "steady.service");
  ASSERT_NE(pid, "0");

  const auto presence_key = h().registry().keys().machine(h().cluster().machines()[*m].machine_id);
  auto presence_lease = [&]() -> etcd::LeaseId {
    auto kv = h().client().get(presence_key);
    return kv && *kv ? (*kv)->lease : 0;
  };
  auto lease = presence_lease();
  ASSERT_NE(lease, 0);
  auto fleetd_pid = h().main_pid(*m, "fleet.service");

  auto restarted = h().cluster().exec(*m, {"systemctl", "restart", "fleet.service"});
  ASSERT_TRUE(restarted.ok()) << restarted.output;
  ASSERT_TRUE(becomes(*m, "fleet.service", "active"));
  EXPECT_NE(h().main_pid(*m, "fleet.service"), fleetd_pid) << "fleetd did not restart";
  EXPECT_EQ(presence_lease(), lease) << "the restarted fleetd re-adopts its lease";
  // Longer than agent_ttl (3 s): had the machine looked gone, the engine would have moved it.
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(h().scheduled_on("steady.service"), std::vector<size_t>{*m}) << "rescheduled";
    ASSERT_EQ(h().main_pid(*m, "steady.service"), pid) << "restarted";
    std::this_thread::sleep_for(200ms);  // the pace of the checks, not a wait for a condition
  }
  h().destroy("steady.service");
}

TEST_F(ClusterTest, PurgeOnShutdownStopsEveryUnitWhenFleetdStops) {
  const auto& purging = h().cluster().machines()[2];
  h().submit("purged.service", service("MachineID=" + purging.machine_id + "\n"),
             DesiredState::kLaunched);
  ASSERT_EQ(h().wait_running("purged.service", kDeadline), std::optional<size_t>(2));

  auto stopped = h().cluster().exec(2, {"systemctl", "stop", "fleet.service"});
  ASSERT_TRUE(stopped.ok()) << stopped.output;
  EXPECT_EQ(h().systemd_state(2, "purged.service"), "inactive")
      << "purged before fleetd exited; fleetd's log:\n"
      << h().fleetd_log(2);
  EXPECT_EQ(h().client().get(h().registry().keys().machine(purging.machine_id)).value(),
            std::nullopt)
      << "its presence goes at once, not after agent_ttl";

  auto started = h().cluster().exec(2, {"systemctl", "start", "fleet.service"});
  ASSERT_TRUE(started.ok()) << started.output;
  EXPECT_TRUE(becomes(2, "purged.service", "active")) << "back when fleetd is";
  h().destroy("purged.service");
}

TEST_F(ClusterTest, SighupReloadsAndSigusr1DumpsWithoutDisturbingUnits) {
  h().submit("calm.service", service("MachineMetadata=role=db\n"), DesiredState::kLaunched);
  ASSERT_EQ(h().wait_running("calm.service", kDeadline), std::optional<size_t>(0));
  auto pid = h().main_pid(0, "calm.service");
  auto fleetd_log_has = [&](const std::string& text) {
    return eventually([&] { return h().fleetd_log(0).find(text) != std::string::npos; }, kDeadline,
                      200ms);
  };

  ASSERT_TRUE(h().cluster().exec(0, {"systemctl", "kill", "-s", "USR1", "fleet.service"}).ok());
  EXPECT_TRUE(fleetd_log_has("\"calm.service\":{\"hash\":")) << "the dump names the unit it holds";

  ASSERT_TRUE(h().cluster().exec(0, {"systemctl", "kill", "-s", "HUP", "fleet.service"}).ok());
  EXPECT_TRUE(fleetd_log_has("event=reloading")) << h().fleetd_log(0);
  // Restarted on the new configuration, it registers again and still holds the unit.
  EXPECT_TRUE(fleetd_log_has("event=unit_adopted unit=calm.service launched=true"))
      << h().fleetd_log(0);
  EXPECT_TRUE(becomes(0, "fleet.service", "active")) << "READY=1 again after the reload";
  EXPECT_EQ(h().main_pid(0, "calm.service"), pid);
  EXPECT_EQ(h().scheduled_on("calm.service"), std::vector<size_t>{0});
  h().destroy("calm.service");
}

TEST_F(ClusterTest, ARestartNeverStopsAUnitSystemdStartedForAnother) {
  // dep.service is only loaded in fleet; systemd runs it because needy.service requires it.
  h().submit("dep.service", service("MachineMetadata=role=db\n"), DesiredState::kLoaded);
  h().submit("needy.service",
             "[Unit]\nRequires=dep.service\nAfter=dep.service\n\n[Service]\n"
             "ExecStart=/bin/sleep infinity\n\n[X-Fleet]\nMachineOf=dep.service\n",
             DesiredState::kLaunched);
  ASSERT_EQ(h().wait_running("needy.service", kDeadline), std::optional<size_t>(0));
  ASSERT_TRUE(becomes(0, "dep.service", "active"));
  auto pid = h().main_pid(0, "dep.service");

  ASSERT_TRUE(h().cluster().exec(0, {"systemctl", "restart", "fleet.service"}).ok());
  ASSERT_TRUE(becomes(0, "fleet.service", "active"));
  // The restarted agent's first pass is over once it has published the units' states anew.
  EXPECT_TRUE(eventually(
      [&] {
        return h().fleetd_log(0).find("event=unit_adopted unit=dep.service launched=false") !=
               std::string::npos;
      },
      kDeadline, 200ms));
  auto until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(h().systemd_state(0, "dep.service"), "active") << h().fleetd_log(0);
    std::this_thread::sleep_for(200ms);  // the pace of the checks, not a wait for a condition
  }
  EXPECT_EQ(h().main_pid(0, "dep.service"), pid);
  h().destroy("needy.service");
  h().destroy("dep.service");
}

}  // namespace
}  // namespace fleet::testing
