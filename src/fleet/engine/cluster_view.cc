#include "fleet/engine/cluster_view.h"

#include <unordered_set>

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

std::shared_ptr<const unit::FleetOptions> ClusterView::options_of(const std::string& name,
                                                                  const unit::UnitHash& hash,
                                                                  const unit::UnitFile& body) {
  auto parsed = std::make_shared<const unit::FleetOptions>(unit::parse_fleet_options(body, name));
  parsed_[name] = ParsedOptions{hash, parsed};
  return parsed;
}

ClusterView::Snapshot ClusterView::snapshot() {
  const auto& keys = registry_.keys();
  Snapshot snap;

  std::unordered_map<std::string, registry::Metadata> dynamic;
  metadata_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      if (auto at = keys.metadata_entry_of(key)) {
        dynamic[std::string(at->first)].insert_or_assign(std::string(at->second), entry.record);
      }
    }
  });
  machines_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      auto id = keys.machine_of(key);
      if (!id) continue;
      auto extra = dynamic.find(std::string(*id));
      snap.state.machines.push_back(
          {std::string(*id), extra == dynamic.end() ? entry.record.metadata
                                                    : registry::effective_metadata(
                                                          entry.record.metadata, extra->second)});
    }
  });

  // Units whose body the cache does not hold yet sit this pass out, schedule entries included.
  std::unordered_set<std::string> unknown;
  std::unordered_map<std::string, size_t> index;
  std::unordered_map<std::string, ParsedOptions> still_used;
  units_->read([&](const auto& entries) {
    snap.state.units.reserve(entries.size());
    for (const auto& [key, entry] : entries) {
      auto name_view = keys.unit_of(key);
      if (!name_view) continue;
      std::string name(*name_view);
      const auto& record = entry.record;
      std::shared_ptr<const unit::FleetOptions> options;
      if (auto known = parsed_.find(name);
          known != parsed_.end() && known->second.hash == record.hash) {
        options = known->second.options;
      } else if (auto body = bodies_->get(keys.body(record.hash))) {
        options = options_of(name, record.hash, body->record);
      } else {
        unknown.insert(name);
        continue;
      }
      still_used[name] = ParsedOptions{record.hash, options};
      index.emplace(name, snap.state.units.size());
      if (!record.global)
        snap.assignments.emplace(name, registry::Assignment{record.hash, record.desired});
      snap.state.units.push_back(UnitInfo{std::move(name), record.desired, std::move(options), ""});
    }
  });
  parsed_ = std::move(still_used);

  schedule_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      auto at = keys.scheduled_of(key);
      if (!at) continue;
      std::string machine(at->first);
      std::string name(at->second);
      if (unknown.contains(name)) continue;
      auto found = index.find(name);
      if (found == index.end() || snap.state.units[found->second].options->global) {
        snap.repairs.push_back({name, machine, "", {}});  // destroyed, or global now
        continue;
      }
      auto& unit = snap.state.units[found->second];
      if (!unit.machine.empty()) {
        snap.repairs.push_back({name, machine, "", {}});  // on two machines: the first stays
        continue;
      }
      unit.machine = machine;
      const auto& wanted = snap.assignments.at(name);
      if (!(entry.record == wanted)) snap.repairs.push_back({name, "", machine, wanted});
    }
  });
  return snap;
}

std::vector<registry::ScheduleWrite> ClusterView::writes_for(const Plan& plan,
                                                             const Snapshot& snapshot) {
  std::vector<registry::ScheduleWrite> writes;
  writes.reserve(plan.decisions.size() + snapshot.repairs.size());
  std::unordered_map<std::string, const Decision*> decided;
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
