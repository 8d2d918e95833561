#include "fleet/engine/cluster_view.h"

#include <set>

#include <gtest/gtest.h>

namespace fleet::engine {
namespace {

using registry::Assignment;
using registry::ScheduleWrite;
using unit::DesiredState;

const Assignment kLaunched{unit::UnitHash::of("a"), DesiredState::kLaunched};
const Assignment kLoaded{unit::UnitHash::of("a"), DesiredState::kLoaded};

ClusterView::Snapshot snapshot_with(std::vector<ScheduleWrite> repairs) {
  ClusterView::Snapshot snapshot;
  snapshot.assignments = {{"a.service", kLaunched}, {"b.service", kLoaded}};
  snapshot.repairs = std::move(repairs);
  return snapshot;
}

// etcd refuses a transaction that touches one key twice.
void expect_each_key_once(const std::vector<ScheduleWrite>& writes) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& write : writes) {
    if (!write.remove_from.empty()) {
      EXPECT_TRUE(keys.insert({write.remove_from, write.unit}).second) << write.unit;
    }
    if (!write.put_on.empty()) {
      EXPECT_TRUE(keys.insert({write.put_on, write.unit}).second) << write.unit;
    }
  }
}

TEST(ClusterViewWritesTest, DecisionsCarryTheUnitsCurrentAssignment) {
  Plan plan;
  plan.decisions = {{"a.service", "", "m1", "schedule"}, {"b.service", "m1", "m2", "moved"}};
  auto writes = ClusterView::writes_for(plan, snapshot_with({}));
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].put_on, "m1");
  EXPECT_EQ(writes[0].assignment, kLaunched);
  EXPECT_EQ(writes[1].remove_from, "m1");
  EXPECT_EQ(writes[1].put_on, "m2");
  EXPECT_EQ(writes[1].assignment, kLoaded);
}

TEST(ClusterViewWritesTest, RepairsOfUnitsThePlanDoesNotTouchAreKept) {
  Plan plan;
  plan.decisions = {{"a.service", "", "m1", "schedule"}};
  auto writes = ClusterView::writes_for(
      plan, snapshot_with({{"gone.service", "m2", "", {}}, {"b.service", "", "m3", kLoaded}}));
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[1].unit, "gone.service");
  EXPECT_EQ(writes[2].unit, "b.service");
}

TEST(ClusterViewWritesTest, ARepairOfAnEntryTheDecisionRewritesIsDropped) {
  Plan plan;
  // b is moved off m1, where its entry was also out of date; a was on m1 and m2 and moves to m2.
  plan.decisions = {{"b.service", "m1", "m2", "moved"}, {"a.service", "m1", "m2", "moved"}};
  auto writes = ClusterView::writes_for(
      plan, snapshot_with({{"b.service", "", "m1", kLoaded}, {"a.service", "m2", "", {}}}));
  EXPECT_EQ(writes.size(), 2u);
  expect_each_key_once(writes);
}

TEST(ClusterViewWritesTest, ADuplicateElsewhereIsStillRemovedWhenTheUnitMoves) {
  Plan plan;
  plan.decisions = {{"a.service", "m1", "m2", "moved"}};
  auto writes = ClusterView::writes_for(plan, snapshot_with({{"a.service", "m3", "", {}}}));
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[1].remove_from, "m3");
  expect_each_key_once(writes);
}

}  // namespace
}  // namespace fleet::engine
