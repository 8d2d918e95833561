#include "fleet/agent/run_state.h"

#include <fstream>

#include <gtest/gtest.h>

#include "fixtures/temp_dir.h"

namespace fleet::agent {
namespace {

const unit::UnitHash kHash = unit::UnitFile::parse("[Service]\nExecStart=/bin/true\n")->hash();

TEST(RunStateTest, SurvivesTheTripThroughAFile) {
  testing::TempDir dir("run-state");
  const auto path = dir.path() / "fleet" / "agent.json";
  RunState state{.lease = 0x7905a21689e66b07,
                 .machine = "2c4d6f8a1b3e5d7f9a0b2c4d6e8f0a1b",
                 .held = {{"a.service", {kHash, true}}, {"b@1.service", {kHash, false}}}};
  ASSERT_TRUE(save_run_state(path, state));
  EXPECT_EQ(load_run_state(path), state);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".new"));
}

TEST(RunStateTest, AStateSavedWithoutTheMachineIdReadsWithAnEmptyOne) {
  auto state = decode_run_state(R"({"lease":7,"units":{}})");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(*state, RunState{.lease = 7});
  EXPECT_FALSE(decode_run_state(R"({"lease":7,"machine":1,"units":{}})").has_value());
}

TEST(RunStateTest, NothingSavedOrSomethingElseReadsAsEmpty) {
  testing::TempDir dir("run-state");
  EXPECT_EQ(load_run_state(dir.path() / "absent.json"), RunState{});
  for (const char* text : {"", "{", "[]", R"({"lease":1})", R"({"lease":"x","units":{}})",
                           R"({"lease":1,"units":{"a.service":{"hash":"zz","launched":true}}})"}) {
    std::ofstream(dir.path() / "bad.json", std::ios::trunc) << text;
    EXPECT_EQ(load_run_state(dir.path() / "bad.json"), RunState{}) << text;
    EXPECT_FALSE(decode_run_state(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace fleet::agent
