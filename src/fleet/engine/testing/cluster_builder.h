// Scheduler test helpers: ClusterStates written as [X-Fleet] text, plans applied to them, and
// plans shown as short strings that read well in a failure message.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/engine/cluster_state.h"
#include "fleet/engine/scheduler.h"
#include "fleet/unit/desired_state.h"
#include "fleet/unit/fleet_options.h"

namespace fleet::engine::testing {

using Metadata = std::map<std::string, std::string, std::less<>>;

// The options of unit `unit_name` whose [X-Fleet] section holds the lines `x_fleet`, parsed as
// fleetd parses them (so specifiers expand and deprecated keys merge).
std::shared_ptr<const unit::FleetOptions> fleet_options(std::string_view x_fleet,
                                                        std::string_view unit_name);

MachineInfo machine(std::string id, Metadata metadata = {});

// A unit with [X-Fleet] lines `x_fleet`, scheduled to `machine` ("" for none).
UnitInfo unit(std::string name, std::string_view x_fleet = "", std::string machine = "",
              unit::DesiredState desired = unit::DesiredState::kLaunched);

// The state once `plan`'s decisions are written: each unit moves to its decision's `to`. A
// decision for a unit the state lacks, or whose `from` is not where the unit is, fails the test.
ClusterState apply(ClusterState state, const Plan& plan);

// "unit: from -> to" for each decision, in order, e.g. "a.service:  -> m1".
std::vector<std::string> moves(const Plan& plan);

// "unit: reason" for each waiting unit.
std::vector<std::string> waits(const Plan& plan);

// Fails the test unless planning again once `plan` is written changes nothing: no decision, and
// the same units waiting for the same reasons.
void expect_stable(const ClusterState& state, const Plan& plan);

}  // namespace fleet::engine::testing
