#include "fleet/agent/task_plan.h"

#include <gtest/gtest.h>

namespace fleet::agent {
namespace {

using registry::Assignment;
using unit::DesiredState;

const unit::UnitHash kOld = unit::UnitFile::parse("[Service]\nExecStart=/bin/old\n")->hash();
const unit::UnitHash kNew = unit::UnitFile::parse("[Service]\nExecStart=/bin/new\n")->hash();

std::vector<std::string> summary(const std::vector<Task>& tasks) {
  std::vector<std::string> out;
  for (const auto& task : tasks) out.push_back(std::string(to_string(task.type)) + " " + task.unit);
  return out;
}

using Lines = std::vector<std::string>;

TEST(TaskPlanTest, NothingToDoWhenTheMachineHoldsWhatItShould) {
  EXPECT_TRUE(plan_tasks({}, {}).empty());
  EXPECT_TRUE(plan_tasks({{"a.service", {kOld, DesiredState::kLaunched}},
                          {"b.service", {kOld, DesiredState::kLoaded}}},
                         {{"a.service", {kOld, true}}, {"b.service", {kOld, false}}})
                  .empty());
}

TEST(TaskPlanTest, NewUnitsAreLoadedReloadedOnceAndStartedWhenLaunched) {
  auto tasks = plan_tasks({{"b.service", {kOld, DesiredState::kLaunched}},
                           {"a.service", {kOld, DesiredState::kLoaded}}},
                          {});
  EXPECT_EQ(summary(tasks), (Lines{"LoadUnit a.service", "LoadUnit b.service", "ReloadUnitFiles ",
                                   "StartUnit b.service"}));
  EXPECT_EQ(tasks[0].reason, "unit scheduled here but not loaded");
}

TEST(TaskPlanTest, UnitsNoLongerScheduledHereAreUnloaded) {
  auto tasks = plan_tasks({}, {{"a.service", {kOld, true}}});
  EXPECT_EQ(summary(tasks), (Lines{"UnloadUnit a.service", "ReloadUnitFiles "}));
  EXPECT_EQ(tasks[0].reason, "unit loaded but not scheduled here");
}

TEST(TaskPlanTest, HeldUnitsAreUnloadedWhereverTheySortAmongTheDesiredOnes) {
  auto tasks = plan_tasks({{"b.service", {kOld, DesiredState::kLaunched}},
                           {"d.service", {kOld, DesiredState::kLaunched}}},
                          {{"a.service", {kOld, true}},
                           {"b.service", {kOld, true}},
                           {"c.service", {kOld, true}},
                           {"e.service", {kOld, true}}});
  EXPECT_EQ(summary(tasks),
            (Lines{"UnloadUnit a.service", "UnloadUnit c.service", "UnloadUnit e.service",
                   "LoadUnit d.service", "ReloadUnitFiles ", "StartUnit d.service"}));
}

TEST(TaskPlanTest, ChangedContentsAreUnloadedLoadedAndStartedAgain) {
  auto tasks =
      plan_tasks({{"a.service", {kNew, DesiredState::kLaunched}}}, {{"a.service", {kOld, true}}});
  EXPECT_EQ(summary(tasks), (Lines{"UnloadUnit a.service", "LoadUnit a.service", "ReloadUnitFiles ",
                                   "StartUnit a.service"}));
  EXPECT_EQ(tasks[0].reason, "unit loaded but hash differs to expected");
}

TEST(TaskPlanTest, DesiredStateChangesStartAndStopWithoutReloading) {
  auto tasks = plan_tasks({{"a.service", {kOld, DesiredState::kLaunched}},
                           {"b.service", {kOld, DesiredState::kLoaded}}},
                          {{"a.service", {kOld, false}}, {"b.service", {kOld, true}}});
  EXPECT_EQ(summary(tasks), (Lines{"StopUnit b.service", "StartUnit a.service"}));
  EXPECT_EQ(tasks[0].reason, "unit currently launched but desired state is loaded");
  EXPECT_EQ(tasks[1].reason, "unit currently loaded but desired state is launched");
}

TEST(TaskPlanTest, KindsRunInTheOriginalsOrderEachByName) {
  auto tasks = plan_tasks(
      {{"c.service", {kOld, DesiredState::kLaunched}},
       {"d.service", {kNew, DesiredState::kLoaded}},
       {"e.service", {kOld, DesiredState::kLoaded}}},
      {{"z.service", {kOld, true}}, {"d.service", {kOld, false}}, {"e.service", {kOld, true}}});
  EXPECT_EQ(summary(tasks), (Lines{"UnloadUnit d.service", "UnloadUnit z.service",
                                   "LoadUnit c.service", "LoadUnit d.service", "ReloadUnitFiles ",
                                   "StopUnit e.service", "StartUnit c.service"}));
}

TEST(TaskPlanTest, AReloadOwedByAnEarlierPassIsPlannedUntilItSucceeds) {
  // The files were swapped last pass but its reload failed: systemd still has the old contents.
  auto tasks = plan_tasks({{"a.service", {kNew, DesiredState::kLaunched}}},
                          {{"a.service", {kNew, false}}}, /*reload_pending=*/true);
  EXPECT_EQ(summary(tasks), (Lines{"ReloadUnitFiles ", "StartUnit a.service"}));
  EXPECT_TRUE(plan_tasks({}, {}, /*reload_pending=*/true).size() == 1);
}

}  // namespace
}  // namespace fleet::agent
