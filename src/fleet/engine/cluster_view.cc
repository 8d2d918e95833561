#include "fleet/engine/cluster_view.h"

#include <algorithm>
#include <utility>

namespace fleet::engine {

Result<std::unique_ptr<ClusterView>> ClusterView::start(registry::Registry& registry,
                                                        std::function<void()> on_change) {
  std::unique_ptr<ClusterView> view(new ClusterView(registry));
  auto& client = registry.client();
  const auto& keys = registry.keys();
  auto& metrics = registry.metrics();
  // Bodies first: a unit listed after its body always finds it.
  auto bodies = Cache<unit::UnitFile>::start(client, keys.bodies(), registry::decode_body,
                                             on_change, metrics);
  if (!bodies) return fail(bodies.error());
  view->bodies_ = std::move(*bodies);
  auto units = Cache<registry::UnitRecord>::start(client, keys.units(), registry::decode_unit,
                                                  on_change, metrics);
  if (!units) return fail(units.error());
  view->units_ = std::move(*units);
  auto schedule = Cache<registry::Assignment>::start(
      client, keys.schedule(), registry::decode_assignment, on_change, metrics);
  if (!schedule) return fail(schedule.error());
  view->schedule_ = std::move(*schedule);
  auto machines = Cache<registry::MachineRecord>::start(
      client, keys.machines(), registry::decode_machine, on_change, metrics);
  if (!machines) return fail(machines.error());
  view->machines_ = std::move(*machines);
  auto metadata = Cache<std::string>::start(client, keys.metadata(),
                                            registry::decode_metadata_value, on_change, metrics);
  if (!metadata) return fail(metadata.error());
  view->metadata_ = std::move(*metadata);
  return view;
}

const ClusterView::Snapshot& ClusterView::snapshot(bool absent_machines_return) {
  const auto& keys = registry_.keys();
  // Changes are taken before the entries are read: one that lands in between is read now and
  // again next time, which changes nothing.
  const bool machines_changed = machines_->take_changes().any();
  if (metadata_->take_changes().any() || machines_changed) read_machines();

  auto unit_changes = units_->take_changes();
  auto schedule_changes = schedule_->take_changes();
  const bool bodies_changed = bodies_->take_changes().any();
  if (unit_changes.everything || schedule_changes.everything) {
    read_all_units();
  } else {
    std::vector<Node*> dirty;
    for (const auto& key : unit_changes.keys) {
      auto name = keys.unit_of(key);
      if (!name) continue;
      auto entry = units_->get(key);
      track(*name, dirty).second.record =
          entry ? std::optional(entry->record) : std::optional<registry::UnitRecord>();
    }
    for (const auto& key : schedule_changes.keys) {
      auto at = keys.scheduled_of(key);
      if (!at) continue;
      auto [machine, name] = *at;
      auto& entries = track(name, dirty).second.entries;
      if (auto entry = schedule_->get(key)) {
        entries.insert_or_assign(std::string(machine), entry->record);
      } else if (auto it = entries.find(machine); it != entries.end()) {
        entries.erase(it);
      }
    }
    if (bodies_changed) {
      for (auto name : without_body_) track(name, dirty);
    }
    for (Node* node : dirty) update(*node);
  }

  snapshot_.repairs.clear();
  std::vector<std::string_view> repairing(repairing_.begin(), repairing_.end());
  std::sort(repairing.begin(), repairing.end());
  for (auto name : repairing) {
    const auto& repairs = tracked_.find(name)->second.repairs;
    snapshot_.repairs.insert(snapshot_.repairs.end(), repairs.begin(), repairs.end());
  }
  auto& returning = snapshot_.state.returning;
  returning.clear();
  if (absent_machines_return) {
    // Asked only in a new leader's first agent_ttl: a walk of the units there beats keeping
    // per-machine counts up to date on every pass.
    std::unordered_set<std::string_view> absent;
    for (const auto& unit : snapshot_.state.units) {
      if (!unit.machine.empty() && !seen_present_.contains(unit.machine))
        absent.insert(unit.machine);
    }
    returning.assign(absent.begin(), absent.end());
  }
  return snapshot_;
}

void ClusterView::read_machines() {
  const auto& keys = registry_.keys();
  std::unordered_map<std::string, registry::Metadata> dynamic;
  metadata_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      if (auto at = keys.metadata_entry_of(key)) {
        dynamic[std::string(at->first)].insert_or_assign(std::string(at->second), entry.record);
      }
    }
  });
  auto& machines = snapshot_.state.machines;
  machines.clear();
  machines_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      auto id = keys.machine_of(key);
      if (!id) continue;
      seen_present_.emplace(*id);
      auto extra = dynamic.find(std::string(*id));
      machines.push_back({std::string(*id), extra == dynamic.end()
                                                ? entry.record.metadata
                                                : registry::effective_metadata(
                                                      entry.record.metadata, extra->second)});
    }
  });
}

void ClusterView::read_all_units() {
  const auto& keys = registry_.keys();
  for (auto& [name, unit] : tracked_) {
    unit.record.reset();
    unit.entries.clear();
  }
  std::vector<Node*> dirty;
  for (auto& node : tracked_) track(node.first, dirty);
  units_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      if (auto name = keys.unit_of(key)) track(*name, dirty).second.record = entry.record;
    }
  });
  schedule_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      if (auto at = keys.scheduled_of(key)) {
        track(at->second, dirty).second.entries.emplace(at->first, entry.record);
      }
    }
  });
  for (Node* node : dirty) update(*node);
}

ClusterView::Node& ClusterView::track(std::string_view name, std::vector<Node*>& dirty) {
  auto found = tracked_.find(name);
  if (found == tracked_.end()) found = tracked_.try_emplace(std::string(name)).first;
  if (!std::exchange(found->second.dirty, true)) dirty.push_back(&*found);
  return *found;
}

void ClusterView::update(Node& node) {
  const std::string& name = node.first;
  Tracked& unit = node.second;
  unit.dirty = false;
  auto& by_desired = snapshot_.units_by_desired;
  if (unit.counted) --by_desired[static_cast<size_t>(*unit.counted)];
  unit.counted = unit.record ? std::optional(unit.record->desired) : std::nullopt;
  if (unit.counted) ++by_desired[static_cast<size_t>(*unit.counted)];

  if (!unit.record) {
    unit.options = nullptr;
  } else if (unit.options_hash != unit.record->hash || !unit.options) {
    unit.options_hash = unit.record->hash;
    auto body = bodies_->get(registry_.keys().body(unit.record->hash));
    unit.options = body ? std::make_shared<const unit::FleetOptions>(
                              unit::parse_fleet_options(body->record, name))
                        : nullptr;
  }
  if (unit.record && !unit.options) {
    without_body_.insert(name);
  } else {
    without_body_.erase(name);
  }

  // A unit sitting out for its body keeps its entries as they are.
  unit.repairs.clear();
  std::string_view machine;
  if (!unit.record || unit.options) {
    const registry::Assignment wanted =
        unit.record ? registry::Assignment{unit.record->hash, unit.record->desired}
                    : registry::Assignment{};
    for (const auto& [on, entry] : unit.entries) {
      // Destroyed, global now, or on a second machine (the first stays).
      if (!unit.record || unit.options->global || !machine.empty()) {
        unit.repairs.push_back({name, on, "", {}});
        continue;
      }
      machine = on;
      if (!(entry == wanted)) unit.repairs.push_back({name, "", on, wanted});
    }
  }
  if (unit.repairs.empty()) {
    repairing_.erase(name);
  } else {
    repairing_.insert(name);
  }

  if (!unit.options) {
    unlist(unit);
    snapshot_.assignments.erase(name);
    if (!unit.record && unit.entries.empty()) tracked_.erase(tracked_.find(name));
    return;
  }
  auto& units = snapshot_.state.units;
  if (unit.index == kUnlisted) {
    unit.index = units.size();
    units.push_back(UnitInfo{name, {}, {}, ""});
  }
  UnitInfo& info = units[unit.index];
  info.desired = unit.record->desired;
  info.options = unit.options;
  info.machine = machine;
  if (unit.record->global) {
    snapshot_.assignments.erase(name);
  } else {
    snapshot_.assignments.insert_or_assign(
        name, registry::Assignment{unit.record->hash, unit.record->desired});
  }
}

// The last unit takes its place: the scheduler takes units in any order.
void ClusterView::unlist(Tracked& unit) {
  if (unit.index == kUnlisted) return;
  auto& units = snapshot_.state.units;
  const size_t index = std::exchange(unit.index, kUnlisted);
  if (index + 1 != units.size()) {
    units[index] = std::move(units.back());
    tracked_.find(units[index].name)->second.index = index;
  }
  units.pop_back();
}

std::vector<registry::ScheduleWrite> ClusterView::writes_for(const Plan& plan,
                                                             const Snapshot& snapshot) {
  std::vector<registry::ScheduleWrite> writes;
  writes.reserve(plan.decisions.size() + snapshot.repairs.size());
  std::unordered_map<std::string_view, const Decision*> decided;
  for (const auto& decision : plan.decisions) {
    registry::ScheduleWrite write{decision.unit, decision.from, decision.to, {}};
    if (!decision.to.empty()) {
      if (auto wanted = snapshot.assignments.find(decision.unit);
          wanted != snapshot.assignments.end()) {
        write.assignment = wanted->second;
      }
    }
    writes.push_back(std::move(write));
    decided.emplace(decision.unit, &decision);
  }
  for (const auto& repair : snapshot.repairs) {
    auto decision = decided.find(repair.unit);
    if (decision != decided.end()) {
      // The decision rewrites the entry it touches; two operations on one key in one etcd
      // transaction are refused.
      const Decision& d = *decision->second;
      if (!repair.put_on.empty()) continue;
      if (repair.remove_from == d.to || repair.remove_from == d.from) continue;
    }
    writes.push_back(repair);
  }
  return writes;
}

bool ClusterView::wait_for_schedule(etcd::Revision revision,
                                    std::chrono::milliseconds timeout) const {
  return schedule_->wait_for_change(revision, timeout);
}

}  // namespace fleet::engine
