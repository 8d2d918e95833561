#include "fleet/api/internal/views.h"

#include <tuple>

namespace fleet::api::internal {
namespace {

using unit::DesiredState;

// Spec §3.7: a unit is loaded once its target machine reports it, launched once that report says
// the machine started it. A report from any other machine (the one it moved away from, still
// stopping it) does not count.
DesiredState current_state(std::string_view target, const registry::UnitStateRecord* report) {
  if (target.empty() || report == nullptr) return DesiredState::kInactive;
  return report->launched ? DesiredState::kLaunched : DesiredState::kLoaded;
}

}  // namespace

schema::Unit unit_view(std::string name, const registry::UnitRecord& record,
                       std::vector<schema::UnitOption> options, std::string_view target,
                       const registry::UnitStateRecord* report, UnitView view) {
  schema::Unit unit;
  unit.name = std::move(name);
  unit.options = std::move(options);
  unit.desired_state = std::string(unit::to_string(record.desired));
  if (record.global) {
    if (view == UnitView::kListed) {
      unit.current_state = std::string(unit::to_string(DesiredState::kInactive));
    }
    return unit;
  }
  unit.machine_id = std::string(target);
  unit.current_state = std::string(unit::to_string(current_state(target, report)));
  return unit;
}

schema::UnitState unit_state_view(std::string_view unit, std::string_view machine,
                                  const registry::UnitStateRecord& record) {
  return {std::string(unit),    record.hash.empty() ? "" : record.hash.hex(),
          std::string(machine), record.load_state,
          record.active_state,  record.sub_state};
}

schema::Machine machine_view(const registry::MachineRecord& record,
                             const registry::Metadata& dynamic) {
  auto metadata = registry::effective_metadata(record.metadata, dynamic);
  return {record.id, record.public_ip, {metadata.begin(), metadata.end()}};
}

bool state_order(const schema::UnitState& a, const schema::UnitState& b) {
  return std::tie(a.name, a.machine_id) < std::tie(b.name, b.machine_id);
}

}  // namespace fleet::api::internal
