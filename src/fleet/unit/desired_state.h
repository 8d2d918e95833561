// A unit's desired (target) state, spec §3.7: what the user asked fleet to do with it.
#pragma once

#include <optional>
#include <string_view>

namespace fleet::unit {

enum class DesiredState {
  kInactive,  // known to fleet, not assigned to any machine
  kLoaded,    // assigned and loaded into systemd, not started
  kLaunched,  // loaded and started
};

// "inactive", "loaded", "launched": the API's and etcd's spelling.
std::string_view to_string(DesiredState state);

// nullopt for anything but the three names (exact, lower case, as the API requires).
std::optional<DesiredState> parse_desired_state(std::string_view text);

}  // namespace fleet::unit
