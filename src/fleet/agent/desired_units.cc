#include "fleet/agent/desired_units.h"

#include <algorithm>

namespace fleet::agent {
namespace {

std::vector<const OfferedUnit*> by_name(const std::vector<OfferedUnit>& units) {
  std::vector<const OfferedUnit*> sorted;
  sorted.reserve(units.size());
  for (const auto& unit : units) sorted.push_back(&unit);
  std::sort(sorted.begin(), sorted.end(),
            [](const OfferedUnit* a, const OfferedUnit* b) { return a->name < b->name; });
  return sorted;
}

}  // namespace

std::map<std::string, registry::Assignment> desired_units(const Offers& offers) {
  std::map<std::string, registry::Assignment> taken;
  std::vector<const OfferedUnit*> accepted;
  // Two units conflict only through a Conflicts= of one of them, and most units have none: one
  // without is checked against the accepted units that have some, not against all of them.
  std::vector<const OfferedUnit*> accepted_with_conflicts;
  auto take = [&](const OfferedUnit& offered) {
    if (offered.assignment.desired == unit::DesiredState::kInactive) return;
    const bool has_conflicts = !offered.options->conflicts.empty();
    for (const OfferedUnit* other : has_conflicts ? accepted : accepted_with_conflicts) {
      if (unit::conflict(offered.name, *offered.options, other->name, *other->options)) return;
    }
    accepted.push_back(&offered);
    if (has_conflicts) accepted_with_conflicts.push_back(&offered);
    taken.emplace(offered.name, offered.assignment);
  };
  for (const OfferedUnit* unit : by_name(offers.scheduled)) take(*unit);
  for (const OfferedUnit* unit : by_name(offers.global)) {
    if (unit::metadata_matches(*unit->options, offers.metadata)) take(*unit);
  }
  return taken;
}

}  // namespace fleet::agent
