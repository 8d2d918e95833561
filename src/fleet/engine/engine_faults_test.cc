// The engine under etcd trouble (decisions.md 10): losing etcd itself never makes it move units.
#include <thread>

#include <gtest/gtest.h>

#include "fleet/engine/engine.h"
#include "fleet/engine/testing/read_schedule.h"
#include "fleet/engine/testing/simulated_machine.h"

#include "fixtures/etcd_cluster.h"
#include "fixtures/eventually.h"

namespace fleet::engine {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

constexpr auto kDeadline = 15s;
constexpr int64_t kMachineTtlSeconds = 2;

TEST(EngineFaultsTest, AnEngineCutOffFromEtcdMovesNothingWhenItComesBack) {
  fleet::testing::EtcdCluster cluster(3);
  // The engine talks to one member only; the machines, to the other two. Killing that member
  // cuts the engine off while the machines stay alive and keep their presence.
  const int engine_member = (cluster.leader() + 1) % 3;
  std::vector<std::string> others;
  for (int i = 0; i < 3; ++i) {
    if (i != engine_member) others.push_back(cluster.endpoint(i));
  }
  auto machines_client = etcd::Client::connect({.endpoints = others}).value();
  registry::Registry machines_side(*machines_client, registry::Keys());
  testing::SimulatedMachine a(machines_side, "aaaa", kMachineTtlSeconds);
  testing::SimulatedMachine b(machines_side, "bbbb", kMachineTtlSeconds);
  auto engine_client =
      etcd::Client::connect({.endpoints = {cluster.endpoint(engine_member)}}).value();
  registry::Registry engine_side(*engine_client, registry::Keys());
  auto engine =
      Engine::start(engine_side, {.machine_id = "aaaa", .reconcile_interval = 200ms}).value();

  auto body = unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep 1d\n").value();
  std::vector<registry::NewUnit> units;
  for (int i = 0; i < 10; ++i) {
    units.push_back({"web@" + std::to_string(i) + ".service", body, DesiredState::kLaunched});
  }
  for (const auto& created : machines_side.create_units(units)) ASSERT_TRUE(created.has_value());
  auto schedule = [&] { return testing::read_schedule(*machines_client, machines_side.keys()); };
  ASSERT_TRUE(
      fleet::testing::eventually([&] { return schedule().size() == units.size(); }, kDeadline));
  const auto before = schedule();

  cluster.kill(engine_member);
  // The outage itself, not a wait for a condition: it outlasts the machines' presence TTL and
  // the engine's leadership, the span in which the original engine rescheduled everything.
  std::this_thread::sleep_for(std::chrono::seconds(kMachineTtlSeconds + 1));
  cluster.start(engine_member);

  // Back in etcd, the engine leads again and plans on what etcd holds.
  const auto passes = engine->stats().passes;
  ASSERT_TRUE(fleet::testing::eventually(
      [&] { return engine->leading() && engine->stats().passes > passes; }, kDeadline));
  EXPECT_EQ(schedule(), before);
}

}  // namespace
}  // namespace fleet::engine
