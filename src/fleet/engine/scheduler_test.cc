#include "fleet/engine/scheduler.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/engine/testing/cluster_builder.h"

namespace fleet::engine {
namespace {

using testing::expect_stable;
using testing::machine;
using testing::moves;
using testing::unit;
using testing::waits;
using unit::DesiredState;
using Strings = std::vector<std::string>;

// One rule: a cluster, the decisions its plan makes ("unit: from -> to", in order) and the
// units it leaves waiting ("unit: reason"). Every case also checks that the written plan is
// final: planning again changes nothing.
struct Case {
  std::string rule;
  std::vector<MachineInfo> machines;
  std::vector<UnitInfo> units;
  Strings moves;
  Strings waits = {};
};

void check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rule);
    ClusterState state{c.machines, c.units};
    Plan plan = Scheduler::plan(state);
    EXPECT_EQ(moves(plan), c.moves);
    EXPECT_EQ(waits(plan), c.waits);
    expect_stable(state, plan);
  }
}

constexpr auto kInactive = DesiredState::kInactive;
constexpr auto kLoaded = DesiredState::kLoaded;
// The waiting line of a unit no machine can run.
std::string no_agents(const std::string& unit) { return unit + ": no agents able to run job"; }

TEST(SchedulerTest, PlacesOnTheLeastLoadedMachine) {
  check({
      {"least loaded wins, ties by machine ID",
       {machine("m1"), machine("m2"), machine("m3")},
       {unit("x1.service", "", "m1"), unit("x2.service", "", "m1"), unit("y.service", "", "m2"),
        unit("z.service", "", "m3"), unit("new.service")},
       {"new.service:  -> m2"}},
      {"IDs order as strings, whatever the input order",
       {machine("m9"), machine("m10"), machine("m100")},
       {unit("u.service")},
       {"u.service:  -> m10"}},
      {"each decision updates the loads later ones see",
       {machine("m2"), machine("m1")},
       {unit("c.service"), unit("a.service"), unit("b.service")},
       {"a.service:  -> m1", "b.service:  -> m2", "c.service:  -> m1"}},
      {"inactive units are not placed",
       {machine("m1")},
       {unit("u.service", "", "", kInactive)},
       {}},
      {"loaded units are placed like launched ones",
       {machine("m1")},
       {unit("u.service", "", "", kLoaded)},
       {"u.service:  -> m1"}},
      {"inactive units add no load, loaded ones do",
       {machine("m1"), machine("m2")},
       {unit("idle.service", "", "", kInactive), unit("l.service", "", "m2", kLoaded),
        unit("u.service")},
       {"u.service:  -> m1"}},
      {"no machine at all",
       {},
       {unit("a.service"), unit("b.service", "", "", kInactive)},
       {},
       {"a.service: zero agents available"}},
  });
}

TEST(SchedulerTest, MachineIdNamesTheFullOrShortId) {
  const std::string full = "0123456789abcdef0123456789abcdef";
  const std::string other = "fedcba9876543210fedcba9876543210";
  std::vector<MachineInfo> machines = {machine(full), machine(other)};
  auto busy = unit("busy.service", "", full);
  check({
      {"full ID, even on the busiest machine",
       machines,
       {busy, unit("u.service", "MachineID=" + full)},
       {"u.service:  -> " + full}},
      {"first 8 characters",
       machines,
       {busy, unit("u.service", "MachineID=01234567")},
       {"u.service:  -> " + full}},
      {"legacy X-ConditionMachineID",
       machines,
       {busy, unit("u.service", "X-ConditionMachineID=01234567")},
       {"u.service:  -> " + full}},
      {"7 characters are no ID",
       machines,
       {unit("u.service", "MachineID=0123456")},
       {},
       {no_agents("u.service")}},
      {"9 characters are no ID",
       machines,
       {unit("u.service", "MachineID=012345678")},
       {},
       {no_agents("u.service")}},
      {"a short ID two machines share: the less loaded",
       {machine("01234567aaaa"), machine("01234567bbbb"), machine("01234568")},
       {unit("x.service", "", "01234567aaaa"), unit("u.service", "MachineID=01234567")},
       {"u.service:  -> 01234567bbbb"}},
      {"a follower's short ID",
       machines,
       {unit("p.service", "", full), unit("f.service", "MachineOf=p.service\nMachineID=01234567")},
       {"f.service:  -> " + full}},
      {"an ID no machine has",
       machines,
       {unit("u.service", "MachineID=gone")},
       {},
       {no_agents("u.service")}},
  });
}

TEST(SchedulerTest, MachineMetadataOrsValuesOfAKeyAndAndsKeys) {
  std::vector<MachineInfo> machines = {
      machine("m1", {{"region", "us"}, {"disk", "ssd"}}),
      machine("m2", {{"region", "eu"}, {"disk", "hdd"}}),
      machine("m3", {{"region", "ap"}, {"disk", "ssd"}}),
      machine("m4"),
  };
  auto busy_m1 = unit("busy.service", "", "m1");
  check({
      {"one value",
       machines,
       {unit("u.service", "MachineMetadata=region=eu")},
       {"u.service:  -> m2"}},
      {"values of one key: any",
       machines,
       {busy_m1, unit("u.service", "MachineMetadata=region=us\nMachineMetadata=region=eu")},
       {"u.service:  -> m2"}},
      {"different keys: all",
       machines,
       {busy_m1, unit("u.service", "MachineMetadata=region=us\nMachineMetadata=disk=ssd")},
       {"u.service:  -> m1"}},
      {"grouping on lines does not matter",
       machines,
       {busy_m1, unit("u.service",
                      "MachineMetadata=\"region=us\" \"disk=ssd\"\n"
                      "MachineMetadata=region=ap")},
       {"u.service:  -> m3"}},
      {"no machine has it",
       machines,
       {unit("u.service", "MachineMetadata=region=mars")},
       {},
       {no_agents("u.service")}},
      {"with a MachineID too, both must hold",
       machines,
       {unit("u.service", "MachineID=m2\nMachineMetadata=region=us")},
       {},
       {no_agents("u.service")}},
  });
}

TEST(SchedulerTest, MachineOfPlacesUnitsTogether) {
  std::vector<MachineInfo> two = {machine("m1"), machine("m2")};
  check({
      {"on its peer's machine, however loaded",
       two,
       {unit("p.service", "", "m1"), unit("x.service", "", "m1"),
        unit("f.service", "MachineOf=p.service")},
       {"f.service:  -> m1"}},
      {"a peer placed later in the same plan is followed",
       two,
       {unit("x.service", "", "m1"), unit("a.service", "MachineOf=b.service"), unit("b.service")},
       {"b.service:  -> m2", "a.service:  -> m2"}},
      {"chains",
       two,
       {unit("a.service", "MachineOf=b.service"), unit("b.service", "MachineOf=c.service"),
        unit("c.service")},
       {"c.service:  -> m1", "b.service:  -> m1", "a.service:  -> m1"}},
      {"every peer, on one machine",
       two,
       {unit("p1.service", "", "m2"), unit("p2.service", "", "m2"),
        unit("f.service", "MachineOf=p1.service\nMachineOf=p2.service")},
       {"f.service:  -> m2"}},
      {"peers on two machines",
       two,
       {unit("p1.service", "", "m1"), unit("p2.service", "", "m2"),
        unit("f.service", "MachineOf=p1.service\nMachineOf=p2.service")},
       {},
       {no_agents("f.service")}},
      {"the follower's own constraints still hold",
       {machine("m1", {{"region", "us"}}), machine("m2", {{"region", "eu"}})},
       {unit("p.service", "", "m1"),
        unit("f.service", "MachineOf=p.service\nMachineMetadata=region=eu")},
       {},
       {no_agents("f.service")}},
      {"an inactive peer: the follower waits",
       two,
       {unit("p.service", "", "", kInactive), unit("f.service", "MachineOf=p.service")},
       {},
       {no_agents("f.service") + ": peer Unit(p.service) is not scheduled"}},
      {"an unknown peer: the follower waits",
       two,
       {unit("f.service", "MachineOf=nope.service")},
       {},
       {no_agents("f.service") + ": peer Unit(nope.service) is not scheduled"}},
      {"a cycle never gets placed; its followers wait for it",
       two,
       {unit("a.service", "MachineOf=b.service"), unit("b.service", "MachineOf=a.service"),
        unit("c.service", "MachineOf=a.service"), unit("self.service", "MachineOf=self.service")},
       {},
       {no_agents("a.service") + ": MachineOf cycle through Unit(b.service)",
        no_agents("b.service") + ": MachineOf cycle through Unit(a.service)",
        no_agents("c.service") + ": peer Unit(a.service) is not scheduled",
        no_agents("self.service") + ": MachineOf cycle through Unit(self.service)"}},
      {"a cycle already together stays",
       two,
       {unit("a.service", "MachineOf=b.service", "m2"),
        unit("b.service", "MachineOf=a.service", "m2")},
       {}},
      {"a global peer: where it applies, least loaded there",
       {machine("m1", {{"region", "us"}}), machine("m2", {{"region", "eu"}}),
        machine("m3", {{"region", "us"}})},
       {unit("g.service", "Global=true\nMachineMetadata=region=us"), unit("x.service", "", "m1"),
        unit("f.service", "MachineOf=g.service")},
       {"f.service:  -> m3"}},
      {"an inactive global peer applies nowhere",
       two,
       {unit("g.service", "Global=true", "", kInactive), unit("f.service", "MachineOf=g.service")},
       {},
       {no_agents("f.service")}},
  });
}

TEST(SchedulerTest, FollowersMoveWithTheirPeer) {
  check({
      {"peer's machine lost",
       {machine("m2"), machine("m3")},
       {unit("x.service", "", "m2"), unit("p.service", "", "m1"),
        unit("f.service", "MachineOf=p.service", "m1")},
       {"p.service: m1 -> m3", "f.service: m1 -> m3"}},
      {"peer pushed off by a conflict",
       {machine("m1"), machine("m2")},
       {unit("a.service", "Conflicts=p.service", "m1"), unit("p.service", "", "m1"),
        unit("f.service", "MachineOf=p.service", "m1")},
       {"p.service: m1 -> m2", "f.service: m1 -> m2"}},
      {"peer made inactive",
       {machine("m1")},
       {unit("p.service", "", "m1", kInactive), unit("f.service", "MachineOf=p.service", "m1")},
       {"p.service: m1 -> ", "f.service: m1 -> "},
       {no_agents("f.service") + ": peer Unit(p.service) is not scheduled"}},
      {"peer of a peer moved",
       {machine("m2")},
       {unit("c.service", "", "m1"), unit("b.service", "MachineOf=c.service", "m1"),
        unit("a.service", "MachineOf=b.service", "m1")},
       {"c.service: m1 -> m2", "b.service: m1 -> m2", "a.service: m1 -> m2"}},
  });
}

TEST(SchedulerTest, ConflictsAreCheckedBothWays) {
  std::vector<MachineInfo> two = {machine("m1"), machine("m2")};
  const std::vector<UnitInfo> busy_m2 = {unit("x.service", "", "m2"), unit("y.service", "", "m2")};
  auto with_busy_m2 = [&](std::vector<UnitInfo> units) {
    units.insert(units.end(), busy_m2.begin(), busy_m2.end());
    return units;
  };
  check({
      {"its glob matches a unit there",
       two,
       with_busy_m2({unit("web@1.service", "", "m1"), unit("web@2.service", "Conflicts=web@*")}),
       {"web@2.service:  -> m2"}},
      {"a unit there has a glob matching it",
       two,
       with_busy_m2({unit("web@1.service", "Conflicts=web@*", "m1"), unit("web@2.service")}),
       {"web@2.service:  -> m2"}},
      {"a glob matching the unit itself does not count",
       {machine("m1")},
       {unit("web@1.service", "Conflicts=web@*")},
       {"web@1.service:  -> m1"}},
      {"values split on white space",
       {machine("m1"), machine("m2"), machine("m3")},
       {unit("a.service", "", "m1"), unit("b.service", "", "m2"),
        unit("u.service", "Conflicts=a.service b.service")},
       {"u.service:  -> m3"}},
      {"a malformed glob matches nothing",
       {machine("m1")},
       {unit("a.service", "", "m1"), unit("u.service", "Conflicts=a.serv[")},
       {"u.service:  -> m1"}},
      {"conflicting everywhere",
       two,
       {unit("a1.service", "", "m1"), unit("a2.service", "", "m2"),
        unit("u.service", "Conflicts=a*")},
       {},
       {no_agents("u.service")}},
      {"scheduled together: the first by name stays (its glob)",
       two,
       {unit("a.service", "Conflicts=b.service", "m1"), unit("b.service", "", "m1")},
       {"b.service: m1 -> m2"}},
      {"scheduled together: the first by name stays (the other's glob)",
       two,
       {unit("a.service", "", "m1"), unit("b.service", "Conflicts=a.service", "m1")},
       {"b.service: m1 -> m2"}},
      {"three together, room for two",
       two,
       {unit("web@1.service", "Conflicts=web@*", "m1"),
        unit("web@2.service", "Conflicts=web@*", "m1"),
        unit("web@3.service", "Conflicts=web@*", "m1")},
       {"web@3.service: m1 -> ", "web@2.service: m1 -> m2"},
       {no_agents("web@3.service")}},
      {"a conflict with a global unit counted there",
       {machine("m1", {{"role", "db"}}), machine("m2")},
       {unit("g.service", "Global=true\nMachineMetadata=role=db\nConflicts=x.service"),
        unit("y.service", "", "m2"), unit("x.service")},
       {"x.service:  -> m2"}},
  });
}

TEST(SchedulerTest, ReplacesPushesUnitsOffAndPlacesThemAgain) {
  check({
      {"the replaced unit moves to the least-loaded other machine",
       {machine("m1"), machine("m2"), machine("m3")},
       {unit("old.service", "", "m1"), unit("x.service", "", "m2"), unit("y.service", "", "m2"),
        unit("z.service", "", "m3"), unit("new.service", "Replaces=old.service")},
       {"new.service:  -> m1", "old.service: m1 -> m3"}},
      {"a glob pushes every unit it matches",
       {machine("m1"), machine("m2"), machine("m3")},
       {unit("old@1.service", "", "m1"), unit("old@2.service", "", "m1"),
        unit("x.service", "", "m2"), unit("y.service", "", "m2"), unit("z1.service", "", "m3"),
        unit("z2.service", "", "m3"), unit("z3.service", "", "m3"),
        unit("new.service", "Replaces=old@*")},
       {"new.service:  -> m1", "old@1.service: m1 -> m2", "old@2.service: m1 -> m2"}},
      {"the replaced unit's own constraints hold where it goes",
       {machine("m1", {{"role", "legacy"}}), machine("m2")},
       {unit("old.service", "MachineMetadata=role=legacy", "m1"), unit("x.service", "", "m2"),
        unit("new.service", "Replaces=old.service")},
       {"new.service:  -> m1", "old.service: m1 -> "},
       {no_agents("old.service")}},
      {"followers of the replaced unit go with it",
       {machine("m1"), machine("m2"), machine("m3")},
       {unit("old.service", "", "m1"), unit("side.service", "MachineOf=old.service", "m1"),
        unit("x1.service", "", "m2"), unit("x2.service", "", "m2"), unit("x3.service", "", "m2"),
        unit("y1.service", "", "m3"), unit("y2.service", "", "m3"),
        unit("new.service", "Replaces=old.service")},
       {"new.service:  -> m1", "old.service: m1 -> m3", "side.service: m1 -> m3"}},
      {"a replaced unit is not placed beside its replacer",
       {machine("m1"), machine("m2")},
       {unit("new.service", "Replaces=old.service", "m1"), unit("x.service", "", "m2"),
        unit("y.service", "", "m2"), unit("old.service")},
       {"old.service:  -> m2"}},
      {"scheduled together: the replaced unit moves, whatever the names",
       {machine("m1"), machine("m2")},
       {unit("a.service", "", "m1"), unit("b.service", "Replaces=a.service", "m1")},
       {"a.service: m1 -> m2"}},
      {"a circular pair is ignored",
       {machine("m1"), machine("m2")},
       {unit("b.service", "Replaces=a.service", "m1"), unit("x.service", "", "m2"),
        unit("a.service", "Replaces=b.service")},
       {"a.service:  -> m1"}},
      {"the replaced unit's Conflicts still keep the replacer off",
       {machine("m1"), machine("m2")},
       {unit("old.service", "Conflicts=new.service", "m1"), unit("x.service", "", "m2"),
        unit("new.service", "Replaces=old.service")},
       {"new.service:  -> m2"}},
      {"a push makes room for a unit that waited earlier in the pass",
       {machine("m1")},
       {unit("a.service", "Conflicts=old.service"), unit("old.service", "", "m1"),
        unit("new.service", "Replaces=old.service")},
       {"new.service:  -> m1", "old.service: m1 -> ", "a.service:  -> m1"},
       {no_agents("old.service")}},
      {"global units are not pushed",
       {machine("m1")},
       {unit("g.service", "Global=true"), unit("new.service", "Replaces=g.service")},
       {"new.service:  -> m1"}},
  });
}

// Only pairs that replace each other are ignored (spec §3.3). A longer cycle ends because a unit
// moves at most once per plan; the next plan may move them again.
TEST(SchedulerTest, ReplacesCyclesEnd) {
  Plan plan = Scheduler::plan(
      {{machine("m1"), machine("m2")},
       {unit("a.service", "Replaces=b.service"), unit("b.service", "Replaces=c.service"),
        unit("c.service", "Replaces=a.service")}});
  EXPECT_EQ(moves(plan), (Strings{"a.service:  -> m2", "b.service:  -> m1"}));
  EXPECT_EQ(waits(plan), Strings{no_agents("c.service")});
}

TEST(SchedulerTest, ChecksScheduledUnits) {
  check({
      {"machine lost: placed elsewhere",
       {machine("m2")},
       {unit("u.service", "", "m1")},
       {"u.service: m1 -> m2"}},
      {"machine lost, nowhere else to go",
       {machine("m2")},
       {unit("u.service", "MachineID=m1", "m1")},
       {"u.service: m1 -> "},
       {no_agents("u.service")}},
      {"desired state inactive",
       {machine("m1")},
       {unit("u.service", "", "m1", kInactive)},
       {"u.service: m1 -> "}},
      {"global now",
       {machine("m1")},
       {unit("g.service", "Global=true", "m1")},
       {"g.service: m1 -> "}},
      {"metadata changed",
       {machine("m1", {{"region", "eu"}}), machine("m2", {{"region", "us"}})},
       {unit("u.service", "MachineMetadata=region=us", "m1")},
       {"u.service: m1 -> m2"}},
      {"a valid cluster has nothing to do",
       {machine("m1", {{"region", "us"}}), machine("m2")},
       {unit("a.service", "MachineMetadata=region=us", "m1"),
        unit("b.service", "MachineOf=a.service\nConflicts=c.service", "m1"),
        unit("c.service", "", "m2"), unit("g.service", "Global=true"),
        unit("d.service", "Replaces=e.service", "m2"), unit("e.service", "", "m1"),
        unit("i.service", "", "", kInactive)},
       {}},
      {"a unit that leaves and comes back makes no decision",
       {machine("m1"), machine("m2")},
       {unit("a.service", "MachineOf=z.service\nConflicts=b.service", "m1"),
        unit("b.service", "", "m1"), unit("x.service", "", "m2"),
        unit("z.service", "", "", kInactive)},
       {"a.service: m1 -> "},
       {no_agents("a.service") + ": peer Unit(z.service) is not scheduled"}},
  });
}

TEST(SchedulerTest, UnitsOfAReturningMachineStayWhereTheyAre) {
  ClusterState state{
      {machine("m2")},
      {unit("a.service", "", "m1"), unit("b.service", "MachineOf=a.service", "m1"),
       unit("c.service", "", "m3"), unit("off.service", "", "m1", kInactive), unit("new.service")},
      {"m1"}};
  Plan plan = Scheduler::plan(state);
  // m3 is not returning: its unit moves. An inactive unit leaves m1 all the same, and new units
  // go only where a machine is.
  EXPECT_EQ(moves(plan),
            (Strings{"off.service: m1 -> ", "c.service: m3 -> m2", "new.service:  -> m2"}));
  EXPECT_EQ(waits(plan), Strings{});
  expect_stable(state, plan);

  state.returning.clear();
  EXPECT_EQ(moves(Scheduler::plan(state)),
            (Strings{"off.service: m1 -> ", "a.service: m1 -> m2", "b.service: m1 -> m2",
                     "c.service: m3 -> m2", "new.service:  -> m2"}));
}

TEST(SchedulerTest, GlobalUnitsCountWhereTheyApply) {
  check({
      {"never placed", {machine("m1")}, {unit("g.service", "Global=true")}, {}},
      {"counted where their metadata matches",
       {machine("m1", {{"role", "db"}}), machine("m2")},
       {unit("g.service", "Global=true\nMachineMetadata=role=db"), unit("u.service")},
       {"u.service:  -> m2"}},
      {"not counted where they conflict with a scheduled unit",
       {machine("m1"), machine("m2")},
       {unit("a.service", "", "m2"), unit("b.service", "", "m1"),
        unit("g.service", "Global=true\nConflicts=a.service"), unit("u.service")},
       {"u.service:  -> m2"}},
      {"of two conflicting global units, the first by name counts",
       {machine("a"), machine("b", {{"role", "db"}})},
       {unit("x.service", "", "a"), unit("g1.service", "Global=true\nConflicts=g2.service"),
        unit("g2.service", "Global=true\nMachineMetadata=role=db"), unit("u.service")},
       {"u.service:  -> b"}},
      {"counted again once the unit they conflict with leaves",
       {machine("m0"), machine("m1", {{"role", "db"}})},
       {unit("a.service", "MachineOf=p.service", "m1"), unit("p.service", "", "", kInactive),
        unit("g.service", "Global=true\nMachineMetadata=role=db\nConflicts=a.service"),
        unit("x.service", "", "m0"), unit("u.service")},
       {"a.service: m1 -> ", "u.service:  -> m0"},
       {no_agents("a.service") + ": peer Unit(p.service) is not scheduled"}},
      {"inactive ones count nowhere",
       {machine("a"), machine("b", {{"role", "db"}})},
       {unit("g.service", "Global=true\nMachineMetadata=role=db", "", kInactive),
        unit("x.service", "", "a"), unit("u.service")},
       {"u.service:  -> b"}},
  });
}

TEST(SchedulerTest, DecisionsSayWhy) {
  struct ReasonCase {
    std::vector<MachineInfo> machines;
    std::vector<UnitInfo> units;
    std::string reason;  // of the decision for u.service
  };
  const std::vector<ReasonCase> cases = {
      {{machine("m1")}, {unit("u.service")}, "target state launched and unit not scheduled"},
      {{machine("m1")},
       {unit("u.service", "", "", kLoaded)},
       "target state loaded and unit not scheduled"},
      {{machine("m2")}, {unit("u.service", "", "m1")}, "target Machine(m1) went away"},
      {{machine("m1")}, {unit("u.service", "", "m1", kInactive)}, "target state inactive"},
      {{machine("m1")}, {unit("u.service", "Global=true", "m1")}, "unit is global"},
      {{machine("m1"), machine("m2")},
       {unit("u.service", "MachineID=m2", "m1")},
       "target Machine(m1) unable to run unit: agent ID \"m1\" does not match required \"m2\""},
      {{machine("m1"), machine("m2", {{"a", "b"}})},
       {unit("u.service", "MachineMetadata=a=b", "m1")},
       "target Machine(m1) unable to run unit: local Machine metadata insufficient"},
      {{machine("m1"), machine("m2")},
       {unit("a.service", "Conflicts=u.service", "m1"), unit("u.service", "", "m1")},
       "target Machine(m1) unable to run unit: found conflict with locally-scheduled "
       "Unit(a.service)"},
      {{machine("m1"), machine("m2")},
       {unit("p.service", "", "m2"), unit("u.service", "MachineOf=p.service", "m1")},
       "target Machine(m1) unable to run unit: required peer Unit(p.service) is not scheduled "
       "locally"},
      {{machine("m1"), machine("m2")},
       {unit("u.service", "", "m1"), unit("x.service", "", "m2"),
        unit("v.service", "Replaces=u.service")},
       "replaced by Unit(v.service)"},
  };
  for (const auto& c : cases) {
    Plan plan = Scheduler::plan({c.machines, c.units});
    auto it = std::find_if(plan.decisions.begin(), plan.decisions.end(),
                           [](const Decision& d) { return d.unit == "u.service"; });
    ASSERT_NE(it, plan.decisions.end()) << c.reason;
    EXPECT_EQ(it->reason, c.reason);
  }
}

TEST(SchedulerTest, SamePlanWhateverTheInputOrder) {
  std::vector<MachineInfo> machines = {machine("m1", {{"region", "us"}}),
                                       machine("m2", {{"region", "eu"}}), machine("m3"),
                                       machine("m4", {{"region", "us"}})};
  std::vector<UnitInfo> units = {
      unit("gone.service", "", "m0"),
      unit("web@1.service", "Conflicts=web@*", "m1"),
      unit("web@2.service", "Conflicts=web@*", "m1"),
      unit("web@3.service", "Conflicts=web@*"),
      unit("side.service", "MachineOf=web@3.service"),
      unit("us.service", "MachineMetadata=region=us"),
      unit("g.service", "Global=true\nMachineMetadata=region=us"),
      unit("new.service", "Replaces=old.service"),
      unit("old.service", "", "m3"),
      unit("stop.service", "", "m2", kInactive),
  };
  for (int i = 0; i < 10; ++i) units.push_back(unit("plain" + std::to_string(i) + ".service"));
  Plan expected = Scheduler::plan({machines, units});
  ASSERT_FALSE(expected.empty());
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(machines.begin(), machines.end(), random);
    std::shuffle(units.begin(), units.end(), random);
    Plan plan = Scheduler::plan({machines, units});
    EXPECT_EQ(plan.decisions, expected.decisions);
    EXPECT_EQ(plan.waiting, expected.waiting);
  }
}

}  // namespace
}  // namespace fleet::engine
