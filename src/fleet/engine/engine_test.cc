#include "fleet/engine/engine.h"

#include <gtest/gtest.h>

#include "fleet/engine/testing/read_schedule.h"
#include "fleet/engine/testing/simulated_machine.h"
#include "fleet/etcd/testing/etcd_test_base.h"

#include "fixtures/eventually.h"

namespace fleet::engine {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

constexpr auto kDeadline = 10s;
// Short enough that leadership (5x this) and machine presence expire quickly in tests.
constexpr auto kInterval = 200ms;
constexpr int64_t kMachineTtlSeconds = 2;

// Machines live kMachineTtlSeconds after their last keep-alive.
class SimulatedMachine : public testing::SimulatedMachine {
 public:
  SimulatedMachine(registry::Registry& registry, std::string id, registry::Metadata metadata = {})
      : testing::SimulatedMachine(registry, std::move(id), kMachineTtlSeconds,
                                  std::move(metadata)) {}
};

class EngineTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
  }

  std::unique_ptr<Engine> start_engine(const std::string& machine_id) {
    auto engine =
        Engine::start(*registry_, {.machine_id = machine_id, .reconcile_interval = kInterval});
    EXPECT_TRUE(engine.has_value()) << engine.error().message;
    return engine ? std::move(*engine) : nullptr;
  }

  void submit(const std::string& name, DesiredState desired,
              const std::string& fleet_section = "") {
    auto body =
        unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep 1d\n" +
                              (fleet_section.empty() ? "" : "\n[X-Fleet]\n" + fleet_section))
            .value();
    auto created = registry_->create_unit({name, body, desired});
    ASSERT_TRUE(created.has_value()) << created.error().message;
  }

  std::map<std::string, std::vector<std::string>> schedule() {
    return testing::read_schedule(*client_, registry_->keys());
  }

  std::optional<registry::Assignment> entry(const std::string& machine, const std::string& unit) {
    auto kv = client_->get(registry_->keys().scheduled(machine, unit)).value();
    if (!kv) return std::nullopt;
    return registry::decode_assignment(kv->key, kv->value).value();
  }

  std::string machine_of(const std::string& unit) {
    auto where = schedule()[unit];
    return where.size() == 1 ? where.front() : "";
  }

  bool all_scheduled(const std::vector<std::string>& units) {
    auto now = schedule();
    return std::all_of(units.begin(), units.end(),
                       [&](const auto& unit) { return now[unit].size() == 1; });
  }

  std::unique_ptr<registry::Registry> registry_;
};

TEST_F(EngineTest, UnitsAreSpreadOverTheMachinesAndInactiveOnesWait) {
  SimulatedMachine a(*registry_, "aaaa"), b(*registry_, "bbbb"), c(*registry_, "cccc");
  auto engine = start_engine("aaaa");
  std::vector<std::string> units;
  for (int i = 0; i < 30; ++i) {
    units.push_back("web@" + std::to_string(i) + ".service");
    submit(units.back(), i % 2 ? DesiredState::kLaunched : DesiredState::kLoaded);
  }
  submit("idle.service", DesiredState::kInactive);

  ASSERT_TRUE(fleet::testing::eventually([&] { return all_scheduled(units); }, kDeadline));
  std::map<std::string, int> load;
  for (const auto& [unit, machines] : schedule()) {
    ASSERT_EQ(machines.size(), 1u) << unit;
    ++load[machines.front()];
  }
  EXPECT_EQ(load, (std::map<std::string, int>{{"aaaa", 10}, {"bbbb", 10}, {"cccc", 10}}));
  EXPECT_EQ(schedule().count("idle.service"), 0u);
  EXPECT_TRUE(engine->leading());
}

TEST_F(EngineTest, ConstraintsDecideTheMachine) {
  SimulatedMachine a(*registry_, "aaaa", {{"disk", "ssd"}}), b(*registry_, "bbbb");
  auto engine = start_engine("aaaa");
  submit("db.service", DesiredState::kLaunched, "MachineMetadata=disk=ssd\n");
  submit("pinned.service", DesiredState::kLaunched, "MachineID=bbbb\n");
  submit("sidecar.service", DesiredState::kLaunched, "MachineOf=pinned.service\n");
  ASSERT_TRUE(fleet::testing::eventually(
      [&] {
        return all_scheduled({"db.service", "pinned.service", "sidecar.service"});
      },
      kDeadline));
  EXPECT_EQ(machine_of("db.service"), "aaaa");
  EXPECT_EQ(machine_of("pinned.service"), "bbbb");
  EXPECT_EQ(machine_of("sidecar.service"), "bbbb");
}

TEST_F(EngineTest, DesiredStateChangesReachTheScheduleEntry) {
  SimulatedMachine a(*registry_, "aaaa");
  auto engine = start_engine("aaaa");
  submit("web.service", DesiredState::kLaunched);
  ASSERT_TRUE(fleet::testing::eventually([&] { return entry("aaaa", "web.service").has_value(); },
                                         kDeadline));
  EXPECT_EQ(entry("aaaa", "web.service")->desired, DesiredState::kLaunched);

  ASSERT_TRUE(registry_->set_desired_state("web.service", DesiredState::kLoaded));
  EXPECT_TRUE(fleet::testing::eventually(
      [&] {
        auto now = entry("aaaa", "web.service");
        return now && now->desired == DesiredState::kLoaded;
      },
      kDeadline));

  ASSERT_TRUE(registry_->set_desired_state("web.service", DesiredState::kInactive));
  EXPECT_TRUE(fleet::testing::eventually([&] { return schedule().empty(); }, kDeadline))
      << "an inactive unit is unscheduled";

  ASSERT_TRUE(registry_->set_desired_state("web.service", DesiredState::kLaunched));
  ASSERT_TRUE(fleet::testing::eventually([&] { return !schedule().empty(); }, kDeadline));
  ASSERT_TRUE(registry_->destroy_unit("web.service"));
  EXPECT_TRUE(fleet::testing::eventually([&] { return schedule().empty(); }, kDeadline))
      << "a destroyed unit leaves the schedule";
}

// A plan is a function of the cluster: with nothing changed the engine's timer wakes it, and it
// plans nothing, until a change arrives.
TEST_F(EngineTest, ASettledClusterIsNotPlannedAgainUntilItChanges) {
  SimulatedMachine a(*registry_, "aaaa");
  auto engine = start_engine("aaaa");
  submit("web.service", DesiredState::kLaunched);
  ASSERT_TRUE(fleet::testing::eventually([&] { return entry("aaaa", "web.service").has_value(); },
                                         kDeadline));
  ASSERT_TRUE(
      fleet::testing::eventually([&] { return engine->stats().settled_passes > 0; }, kDeadline));
  const auto planned = engine->stats().passes;
  const auto settled = engine->stats().settled_passes;
  ASSERT_TRUE(fleet::testing::eventually(
      [&] { return engine->stats().settled_passes >= settled + 3; }, kDeadline));
  EXPECT_EQ(engine->stats().passes, planned);

  submit("db.service", DesiredState::kLaunched);
  EXPECT_TRUE(fleet::testing::eventually([&] { return entry("aaaa", "db.service").has_value(); },
                                         kDeadline));
  EXPECT_GT(engine->stats().passes, planned);
}

TEST_F(EngineTest, AMachineThatDiesHasItsUnitsMovedWithinItsTtlPlusOneSecond) {
  SimulatedMachine a(*registry_, "aaaa"), b(*registry_, "bbbb");
  auto engine = start_engine("aaaa");
  std::vector<std::string> units;
  for (int i = 0; i < 10; ++i) {
    units.push_back("web@" + std::to_string(i) + ".service");
    submit(units.back(), DesiredState::kLaunched);
  }
  ASSERT_TRUE(fleet::testing::eventually([&] { return all_scheduled(units); }, kDeadline));

  b.kill();
  auto all_on_a = [&] {
    auto now = schedule();
    return std::all_of(units.begin(), units.end(), [&](const auto& unit) {
      return now[unit] == std::vector<std::string>{"aaaa"};
    });
  };
  EXPECT_TRUE(fleet::testing::eventually(all_on_a, std::chrono::seconds(kMachineTtlSeconds + 1)));
}

TEST_F(EngineTest, ANewLeaderMovesUnitsOffAMachineItNeverSawOnlyAfterTheGrace) {
  SimulatedMachine a(*registry_, "aaaa");
  submit("away.service", DesiredState::kLaunched);
  // Scheduled on a machine not registered (yet), as after an outage that outlived its lease.
  auto record = registry_->unit("away.service").value();
  ASSERT_TRUE(record.has_value());
  ASSERT_TRUE(client_
                  ->put(registry_->keys().scheduled("bbbb", "away.service"),
                        registry::encode(registry::Assignment{record->hash, record->desired}))
                  .has_value());

  constexpr auto kGrace = 2s;
  const auto started = std::chrono::steady_clock::now();
  auto engine = Engine::start(
      *registry_, {.machine_id = "aaaa", .reconcile_interval = kInterval, .machine_grace = kGrace});
  ASSERT_TRUE(engine.has_value()) << engine.error().message;
  EXPECT_TRUE(
      fleet::testing::eventually([&] { return machine_of("away.service") == "aaaa"; }, kDeadline));
  EXPECT_GE(std::chrono::steady_clock::now() - started, kGrace);
}

TEST_F(EngineTest, WhenTheLeaderDiesAnotherEngineTakesOverWithinTheLeadershipTtl) {
  SimulatedMachine a(*registry_, "aaaa");
  auto first = start_engine("aaaa");
  ASSERT_TRUE(fleet::testing::eventually([&] { return first->leading(); }, kDeadline));
  auto second = start_engine("bbbb");
  submit("before.service", DesiredState::kLaunched);
  ASSERT_TRUE(
      fleet::testing::eventually([&] { return all_scheduled({"before.service"}); }, kDeadline));
  EXPECT_FALSE(second->leading());

  first.reset();  // a crash: the leadership lease is no longer kept alive
  const auto ttl = 5 * kInterval;
  EXPECT_TRUE(fleet::testing::eventually([&] { return second->leading(); }, ttl + 1s));
  submit("after.service", DesiredState::kLaunched);
  EXPECT_TRUE(
      fleet::testing::eventually([&] { return all_scheduled({"after.service"}); }, kDeadline));
}

TEST_F(EngineTest, AResigningLeaderHandsOverAtOnce) {
  SimulatedMachine a(*registry_, "aaaa");
  auto first = start_engine("aaaa");
  ASSERT_TRUE(fleet::testing::eventually([&] { return first->leading(); }, kDeadline));
  auto second = start_engine("bbbb");
  ASSERT_TRUE(first->resign());
  // Well inside the 1 s the leadership would take to expire.
  EXPECT_TRUE(fleet::testing::eventually([&] { return second->leading(); }, 5 * kInterval / 2));
}

TEST_F(EngineTest, ADeposedLeaderNeverWritesAgainAndNoUnitIsScheduledTwice) {
  SimulatedMachine a(*registry_, "aaaa"), b(*registry_, "bbbb");
  auto first = start_engine("aaaa");
  ASSERT_TRUE(fleet::testing::eventually([&] { return first->leading(); }, kDeadline));
  auto second = start_engine("bbbb");
  submit("one.service", DesiredState::kLaunched);
  ASSERT_TRUE(
      fleet::testing::eventually([&] { return all_scheduled({"one.service"}); }, kDeadline));

  // The leadership lease dies under the first engine (etcd revoked it, say after a partition):
  // from then on etcd refuses whatever it still tries to write.
  // The schedule shows in etcd a moment before the engine counts the write that made it.
  ASSERT_TRUE(fleet::testing::eventually([&] { return first->stats().writes == 1; }, kDeadline));
  const auto writes_before = first->stats().writes;
  ASSERT_TRUE(client_->lease_revoke(first->lease()));
  ASSERT_TRUE(fleet::testing::eventually([&] { return second->leading(); }, kDeadline));
  std::vector<std::string> units;
  for (int i = 0; i < 40; ++i) {
    units.push_back("web@" + std::to_string(i) + ".service");
    submit(units.back(), DesiredState::kLaunched);
  }
  ASSERT_TRUE(fleet::testing::eventually([&] { return all_scheduled(units); }, kDeadline));
  EXPECT_TRUE(fleet::testing::eventually([&] { return second->stats().writes > 0; }, kDeadline));
  EXPECT_EQ(first->stats().writes, writes_before);
  for (const auto& [unit, machines] : schedule()) EXPECT_EQ(machines.size(), 1u) << unit;
}

}  // namespace
}  // namespace fleet::engine
