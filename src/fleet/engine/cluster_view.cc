#include "fleet/engine/cluster_view.h"

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

  // Every unit listed gets its known_ entry stamped with this pass; those of units gone are swept
  // after. A unit whose body the cache does not hold yet keeps an entry without options and sits
  // this pass out, schedule entries included.
  const uint64_t pass = ++pass_;
  size_t listed = 0;
  units_->read([&](const auto& entries) {
    // Reserved so that no push_back moves the names `assignments` points into.
    snap.state.units.reserve(entries.size());
    snap.assignments.reserve(entries.size());
    for (const auto& [key, entry] : entries) {
      auto name = keys.unit_of(key);
      if (!name) continue;
      const auto& record = entry.record;
      auto found = known_.find(*name);
      if (found == known_.end()) found = known_.try_emplace(std::string(*name)).first;
      Known& known = found->second;
      known.pass = pass;
      ++listed;
      if (known.hash != record.hash || !known.options) {
        known.hash = record.hash;
        auto body = bodies_->get(keys.body(record.hash));
        known.options = body ? std::make_shared<const unit::FleetOptions>(
                                   unit::parse_fleet_options(body->record, *name))
                             : nullptr;
        if (!known.options) continue;
      }
      known.index = snap.state.units.size();
      snap.state.units.push_back(UnitInfo{std::string(*name), record.desired, known.options, ""});
      if (!record.global) {
        snap.assignments.emplace(snap.state.units.back().name,
                                 registry::Assignment{record.hash, record.desired});
      }
    }
  });
  if (known_.size() > listed)
    std::erase_if(known_, [&](const auto& e) { return e.second.pass != pass; });

  schedule_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      auto at = keys.scheduled_of(key);
      if (!at) continue;
      auto [machine, name] = *at;
      auto found = known_.find(name);
      if (found != known_.end() && !found->second.options) continue;  // body not cached yet
      if (found == known_.end() || found->second.options->global) {
        // Destroyed, or global now.
        snap.repairs.push_back({std::string(name), std::string(machine), "", {}});
        continue;
      }
      auto& unit = snap.state.units[found->second.index];
      if (!unit.machine.empty()) {
        // On two machines: the first stays.
        snap.repairs.push_back({std::string(name), std::string(machine), "", {}});
        continue;
      }
      unit.machine = machine;
      const registry::Assignment wanted{found->second.hash, unit.desired};
      if (!(entry.record == wanted))
        snap.repairs.push_back({std::string(name), "", std::string(machine), wanted});
    }
  });
  return snap;
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
