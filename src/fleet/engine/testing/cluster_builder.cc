#include "fleet/engine/testing/cluster_builder.h"

#include <unordered_map>
#include <utility>

#include <gtest/gtest.h>

#include "fleet/unit/unit_file.h"

namespace fleet::engine::testing {

std::shared_ptr<const unit::FleetOptions> fleet_options(std::string_view x_fleet,
                                                        std::string_view unit_name) {
  auto file = unit::UnitFile::parse("[X-Fleet]\n" + std::string(x_fleet), unit_name);
  EXPECT_TRUE(file.has_value()) << file.error().message;
  if (!file) return std::make_shared<const unit::FleetOptions>();
  return std::make_shared<const unit::FleetOptions>(unit::parse_fleet_options(*file, unit_name));
}

MachineInfo machine(std::string id, Metadata metadata) {
  return {std::move(id), std::move(metadata)};
}

UnitInfo unit(std::string name, std::string_view x_fleet, std::string machine,
              unit::DesiredState desired) {
  auto options = fleet_options(x_fleet, name);
  return {std::move(name), desired, std::move(options), std::move(machine)};
}

ClusterState apply(ClusterState state, const Plan& plan) {
  std::unordered_map<std::string, UnitInfo*> by_name;
  for (auto& u : state.units) by_name[u.name] = &u;
  for (const auto& decision : plan.decisions) {
    auto it = by_name.find(decision.unit);
    if (it == by_name.end()) {
      ADD_FAILURE() << "decision for unknown unit " << decision.unit;
      continue;
    }
    EXPECT_EQ(it->second->machine, decision.from) << decision.unit;
    EXPECT_NE(decision.from, decision.to) << decision.unit;
    it->second->machine = decision.to;
  }
  return state;
}

std::vector<std::string> moves(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& d : plan.decisions) out.push_back(d.unit + ": " + d.from + " -> " + d.to);
  return out;
}

std::vector<std::string> waits(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& w : plan.waiting) out.push_back(w.unit + ": " + w.reason);
  return out;
}

void expect_stable(const ClusterState& state, const Plan& plan) {
  Plan again = Scheduler::plan(apply(state, plan));
  EXPECT_EQ(moves(again), std::vector<std::string>{});
  EXPECT_EQ(waits(again), waits(plan));
}

}  // namespace fleet::engine::testing
