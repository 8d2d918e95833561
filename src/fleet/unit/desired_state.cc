#include "fleet/unit/desired_state.h"

namespace fleet::unit {

std::string_view to_string(DesiredState state) {
  switch (state) {
    case DesiredState::kInactive:
      return "inactive";
    case DesiredState::kLoaded:
      return "loaded";
    case DesiredState::kLaunched:
      return "launched";
  }
  return "inactive";
}

std::optional<DesiredState> parse_desired_state(std::string_view text) {
  for (auto state : {DesiredState::kInactive, DesiredState::kLoaded, DesiredState::kLaunched}) {
    if (text == to_string(state)) return state;
  }
  return std::nullopt;
}

}  // namespace fleet::unit
