// Seeded random clusters: once a plan is written, the cluster must keep every rule, and planning
// again must change nothing.
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/engine/scheduler.h"
#include "fleet/engine/testing/cluster_builder.h"
#include "fleet/unit/glob.h"

namespace fleet::engine {
namespace {

using testing::apply;
using testing::expect_stable;
using testing::machine;
using testing::unit;
using unit::DesiredState;

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(engine_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(engine_); }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(static_cast<int>(items.size()))];
  }
  std::string hex_id() {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 16; ++i) id += kDigits[below(16)];
    return id;
  }

 private:
  std::mt19937 engine_;
};

constexpr std::array<const char*, 3> kRegions = {"us", "eu", "ap"};

std::string random_region(Random& random) { return kRegions[random.below(kRegions.size())]; }

MachineInfo random_machine(Random& random) {
  testing::Metadata metadata;
  if (random.chance(0.8)) metadata["region"] = random_region(random);
  if (random.chance(0.5)) metadata["disk"] = random.chance(0.5) ? "ssd" : "hdd";
  return machine(random.hex_id(), std::move(metadata));
}

// A unit of a random kind, exercising one rule or a mix; `earlier` are the names made before.
// Replaces only ever names old-* units, which replace nothing: longer Replaces cycles are out of
// the scheduler's promises (see scheduler.h).
UnitInfo random_unit(Random& random, int i, const std::vector<std::string>& earlier,
                     const std::vector<std::string>& machine_ids) {
  std::string n = std::to_string(i);
  std::string name;
  std::string x_fleet;
  switch (random.below(11)) {
    case 0:
      name = "web@" + n + ".service";
      x_fleet = "Conflicts=web@*";
      break;
    case 1:
      name = "db-" + n + ".service";
      x_fleet = "MachineMetadata=region=" + random_region(random);
      if (random.chance(0.3)) x_fleet += "\nMachineMetadata=disk=ssd";
      if (random.chance(0.3)) x_fleet += "\nMachineMetadata=region=" + random_region(random);
      break;
    case 2:
      name = "side-" + n + ".service";
      if (!earlier.empty()) x_fleet = "MachineOf=" + random.pick(earlier);
      break;
    case 3: {
      name = "pin-" + n + ".service";
      const std::string& id = random.pick(machine_ids);
      x_fleet = "MachineID=" + (random.chance(0.5) ? id : id.substr(0, 8));
      break;
    }
    case 4:
      name = "old-" + n + ".service";
      if (random.chance(0.3)) x_fleet = "MachineMetadata=region=" + random_region(random);
      break;
    case 5:
      name = "new-" + n + ".service";
      x_fleet = random.chance(0.5)
                    ? "Replaces=old-*"
                    : "Replaces=old-" + std::to_string(random.below(i + 1)) + ".service";
      break;
    case 6:
      name = "g-" + n + ".service";
      x_fleet = "Global=true";
      if (random.chance(0.5)) x_fleet += "\nMachineMetadata=region=" + random_region(random);
      if (random.chance(0.3)) x_fleet += "\nConflicts=lone-*";
      break;
    case 7:
      name = "lone-" + n + ".service";
      x_fleet = "Conflicts=db-* app-" + std::to_string(random.below(i + 1)) + ".service";
      break;
    case 8:
      // Follows itself (a cycle of one) or loop-<i+1>, which seldom exists (an unknown peer).
      // random_cluster adds a cycle of two.
      name = "loop-" + n + ".service";
      x_fleet = "MachineOf=loop-" + (random.chance(0.5) ? n : std::to_string(i + 1)) + ".service";
      break;
    default:
      name = "app-" + n + ".service";
      break;
  }
  return unit(name, x_fleet);
}

DesiredState random_desired(Random& random) {
  int roll = random.below(10);
  return roll == 0   ? DesiredState::kInactive
         : roll == 1 ? DesiredState::kLoaded
                     : DesiredState::kLaunched;
}

// Units land anywhere, constraints or not, on present machines and on gone ones: the plan must
// sort it out.
void scatter(Random& random, ClusterState& state, const std::vector<std::string>& gone) {
  for (auto& u : state.units) {
    int roll = random.below(20);
    if (roll < 9) {
      u.machine = random.pick(state.machines).id;
    } else if (roll == 9) {
      u.machine = random.pick(gone);
    }
  }
}

ClusterState random_cluster(Random& random) {
  ClusterState state;
  int machine_count = 10 + random.below(31);
  for (int m = 0; m < machine_count; ++m) state.machines.push_back(random_machine(random));
  std::vector<std::string> ids;
  for (const auto& m : state.machines) ids.push_back(m.id);
  std::vector<std::string> gone = {random.hex_id(), random.hex_id()};
  ids.insert(ids.end(), gone.begin(), gone.end());

  int unit_count = 200 + random.below(301);
  std::vector<std::string> names;
  for (int i = 0; i < unit_count; ++i) {
    UnitInfo u = random_unit(random, i, names, ids);
    u.desired = random_desired(random);
    names.push_back(u.name);
    state.units.push_back(std::move(u));
  }
  if (random.chance(0.5)) {
    state.units.push_back(unit("pair-a.service", "MachineOf=pair-b.service"));
    state.units.push_back(unit("pair-b.service", "MachineOf=pair-a.service"));
  }
  scatter(random, state, gone);
  return state;
}

bool any_glob_matches(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
    return unit::glob_match(glob, name).value_or(false);
  });
}

bool metadata_fits(const unit::FleetOptions& options, const MachineInfo& m) {
  for (const auto& [key, values] : options.machine_metadata) {
    auto it = m.metadata.find(key);
    if (it == m.metadata.end() || !values.contains(it->second)) return false;
  }
  return true;
}

// The rules of scheduler.h, checked on a state with a plan written into it.
void expect_rules_hold(const ClusterState& state, const Plan& plan) {
  std::map<std::string, const MachineInfo*> machines;
  for (const auto& m : state.machines) machines[m.id] = &m;
  std::map<std::string, const UnitInfo*> units;
  std::map<std::string, std::vector<const UnitInfo*>> on;
  for (const auto& u : state.units) {
    units[u.name] = &u;
    if (!u.machine.empty()) on[u.machine].push_back(&u);
  }
  std::vector<std::string> should_wait;
  for (const auto& [name, u] : units) {
    SCOPED_TRACE(name + " on " + u->machine);
    const auto& options = *u->options;
    bool should_run = u->desired != DesiredState::kInactive && !options.global;
    if (should_run && u->machine.empty()) should_wait.push_back(name);
    if (u->machine.empty()) continue;
    EXPECT_TRUE(should_run);
    ASSERT_TRUE(machines.contains(u->machine));
    const MachineInfo& m = *machines[u->machine];
    if (options.machine_id) {
      EXPECT_TRUE(m.id == *options.machine_id || m.id.substr(0, 8) == *options.machine_id);
    }
    EXPECT_TRUE(metadata_fits(options, m));
    for (const auto& peer_name : options.machine_of) {
      ASSERT_TRUE(units.contains(peer_name)) << peer_name;
      const UnitInfo& peer = *units[peer_name];
      if (peer.options->global) {
        EXPECT_NE(peer.desired, DesiredState::kInactive) << peer_name;
        EXPECT_TRUE(metadata_fits(*peer.options, m)) << peer_name;
      } else {
        EXPECT_EQ(peer.machine, u->machine) << peer_name;
      }
    }
    for (const UnitInfo* other : on[u->machine]) {
      if (other == u) continue;
      EXPECT_FALSE(any_glob_matches(options.conflicts, other->name)) << other->name;
      bool replaces = any_glob_matches(options.replaces, other->name);
      bool replaced = any_glob_matches(other->options->replaces, u->name);
      EXPECT_FALSE(replaces && !replaced) << other->name;
    }
  }
  std::vector<std::string> waiting;
  for (const auto& w : plan.waiting) waiting.push_back(w.unit);
  EXPECT_EQ(waiting, should_wait);
}

// How many plans, over all seeds, made a decision or left a unit waiting with each reason: the
// generator must reach every rule, or the invariants prove little.
void count_reasons(const Plan& plan, std::map<std::string, int>& seen) {
  const std::vector<std::string> kinds = {"went away",      "target state inactive",
                                          "unit is global", "conflict",
                                          "replaced by",    "metadata",
                                          "agent ID",       "required peer",
                                          "not scheduled",  "MachineOf cycle"};
  for (const auto& kind : kinds) {
    auto has = [&kind](const std::string& reason) {
      return reason.find(kind) != std::string::npos;
    };
    bool found = std::any_of(plan.decisions.begin(), plan.decisions.end(),
                             [&](const Decision& d) { return has(d.reason); }) ||
                 std::any_of(plan.waiting.begin(), plan.waiting.end(),
                             [&](const Waiting& w) { return has(w.reason); });
    if (found) ++seen[kind];
  }
}

// Between plans: machines go, desired states change, units are added.
void churn(Random& random, ClusterState& state, int round) {
  for (int lost = random.below(3); lost > 0 && state.machines.size() > 2; --lost) {
    state.machines.erase(state.machines.begin() +
                         random.below(static_cast<int>(state.machines.size())));
  }
  if (random.chance(0.5)) state.machines.push_back(random_machine(random));
  for (auto& u : state.units) {
    if (random.chance(0.05)) u.desired = random_desired(random);
  }
  std::vector<std::string> names;
  for (const auto& u : state.units) names.push_back(u.name);
  std::vector<std::string> ids;
  for (const auto& m : state.machines) ids.push_back(m.id);
  for (int i = 0; i < 20; ++i) {
    UnitInfo u = random_unit(random, 10000 * (round + 1) + i, names, ids);
    names.push_back(u.name);
    state.units.push_back(std::move(u));
  }
}

TEST(SchedulerRandomTest, WrittenPlansKeepEveryRuleAndAreFinal) {
  std::map<std::string, int> seen;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random random(seed);
    ClusterState state = random_cluster(random);
    for (int round = 0; round < 3; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      Plan plan = Scheduler::plan(state);
      count_reasons(plan, seen);
      ClusterState after = apply(state, plan);
      expect_rules_hold(after, plan);
      expect_stable(state, plan);
      state = std::move(after);
      churn(random, state, round);
    }
  }
  for (const auto& [kind, plans] : seen) EXPECT_GT(plans, 0) << kind;
  EXPECT_EQ(seen.size(), 10u);
}

// Load as the rules define it, with no global units: scheduled units per machine.
int load_spread(const ClusterState& state) {
  std::map<std::string, int> load;
  for (const auto& m : state.machines) load[m.id] = 0;
  for (const auto& u : state.units) {
    if (!u.machine.empty()) ++load[u.machine];
  }
  auto [low, high] = std::minmax_element(
      load.begin(), load.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return high->second - low->second;
}

TEST(SchedulerRandomTest, UnconstrainedUnitsSpreadEvenly) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random random(seed);
    ClusterState state;
    for (int m = 5 + random.below(36); m > 0; --m)
      state.machines.push_back(machine(random.hex_id()));
    for (int i = 100 + random.below(401); i > 0; --i) {
      state.units.push_back(
          unit("u" + std::to_string(i) + ".service", "", "", random_desired(random)));
    }
    state = apply(state, Scheduler::plan(state));
    EXPECT_LE(load_spread(state), 1);

    // A machine lost and units added: those that move and the new ones go where load is lowest.
    state.machines.erase(state.machines.begin() +
                         random.below(static_cast<int>(state.machines.size())));
    for (int i = 0; i < 50; ++i) state.units.push_back(unit("v" + std::to_string(i) + ".service"));
    Plan plan = Scheduler::plan(state);
    EXPECT_FALSE(plan.empty());
    state = apply(state, plan);
    EXPECT_LE(load_spread(state), 1);
  }
}

}  // namespace
}  // namespace fleet::engine
