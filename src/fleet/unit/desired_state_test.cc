#include "fleet/unit/desired_state.h"

#include <gtest/gtest.h>

namespace fleet::unit {
namespace {

TEST(DesiredStateTest, RoundTripsTheApiSpelling) {
  for (auto state : {DesiredState::kInactive, DesiredState::kLoaded, DesiredState::kLaunched}) {
    EXPECT_EQ(parse_desired_state(to_string(state)), state);
  }
  EXPECT_EQ(to_string(DesiredState::kLaunched), "launched");
}

TEST(DesiredStateTest, RejectsOtherSpellings) {
  for (std::string_view text : {"", "Launched", "running", "launched ", "active"}) {
    EXPECT_EQ(parse_desired_state(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace fleet::unit
