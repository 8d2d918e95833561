#include "fleet/engine/internal/cluster_model.h"

#include <algorithm>
#include <iterator>

namespace fleet::engine::internal {
namespace {

// MachineID names a machine by its full ID or by the first 8 characters of it (spec §3.3).
bool id_matches(std::string_view id, std::string_view required) {
  return id == required || id.substr(0, 8) == required;
}

template <class Slot, class Info>
std::vector<Slot> slots_sorted_by(const std::vector<Info>& infos, std::string Info::*key) {
  // Sorting pointers, not slots, keeps the moves small.
  std::vector<const Info*> sorted(infos.size());
  for (size_t i = 0; i < infos.size(); ++i) sorted[i] = &infos[i];
  std::sort(sorted.begin(), sorted.end(),
            [key](const Info* a, const Info* b) { return a->*key < b->*key; });
  std::vector<Slot> slots(infos.size());
  for (size_t i = 0; i < infos.size(); ++i) slots[i].info = sorted[i];
  return slots;
}

NameIndex names_of(const std::vector<UnitSlot>& units) {
  std::vector<std::string_view> names;
  names.reserve(units.size());
  for (const auto& unit : units) names.push_back(unit.info->name);
  return NameIndex(std::move(names));
}

void insert_sorted(std::vector<int>& ids, int id) {
  ids.insert(std::lower_bound(ids.begin(), ids.end(), id), id);
}

void erase_sorted(std::vector<int>& ids, int id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it != ids.end() && *it == id) ids.erase(it);
}

}  // namespace

ClusterModel::ClusterModel(const ClusterState& state)
    : units_(slots_sorted_by<UnitSlot>(state.units, &UnitInfo::name)),
      names_(names_of(units_)),
      machines_(slots_sorted_by<MachineSlot>(state.machines, &MachineInfo::id)),
      followers_(units_.size()),
      pools_(machine_count()) {
  std::vector<int> globals;
  for (int u = 0; u < unit_count(); ++u) {
    UnitSlot& unit = units_[u];
    unit.active = unit.info->desired != unit::DesiredState::kInactive;
    unit.global = unit.options().global;
    if (!unit.active) continue;
    for (const auto& glob : unit.options().conflicts) unit.conflicts.emplace_back(glob, names_);
    if (unit.global) {
      globals.push_back(u);
      continue;
    }
    for (const auto& glob : unit.options().replaces) unit.replaces.emplace_back(glob, names_);
    for (const auto& peer_name : unit.options().machine_of) {
      int peer = names_.find(peer_name);
      unit.peers.push_back(peer);
      if (peer != kNone && (followers_[peer].empty() || followers_[peer].back() != u)) {
        followers_[peer].push_back(u);
      }
    }
  }
  for (int m = 0; m < machine_count(); ++m) {
    const MachineInfo& info = *machines_[m].info;
    for (const auto& [key, value] : info.metadata) by_metadata_[{key, value}].push_back(m);
    for (int g : globals) {
      if (unit::metadata_matches(units_[g].options(), info.metadata))
        machines_[m].candidate_globals.push_back(g);
    }
  }
}

int ClusterModel::find_machine(std::string_view id) const {
  int m = first_machine_from(id);
  return m < machine_count() && machines_[m].info->id == id ? m : kNone;
}

Reason ClusterModel::fixed_blocker(int u, int m) const {
  const unit::FleetOptions& options = units_[u].options();
  if (options.machine_id && !id_matches(machines_[m].info->id, *options.machine_id)) {
    return {Why::kMachineId, *options.machine_id};
  }
  if (!unit::metadata_matches(options, machines_[m].info->metadata)) return {Why::kMetadata, {}};
  return {};
}

Reason ClusterModel::peer_blocker(int u, int m) const {
  const UnitSlot& unit = units_[u];
  for (size_t i = 0; i < unit.peers.size(); ++i) {
    int peer = unit.peers[i];
    bool here =
        peer != kNone && (units_[peer].global ? std::binary_search(machines_[m].globals.begin(),
                                                                   machines_[m].globals.end(), peer)
                                              : units_[peer].machine == m);
    if (!here) return {Why::kPeer, unit.options().machine_of[i]};
  }
  return {};
}

Reason ClusterModel::conflict_blocker(int u, int m) const {
  const MachineSlot& here = machines_[m];
  int found = kNone;
  auto note = [&found](int other) {
    found = other;
    return true;
  };
  for (const auto& glob : units_[u].conflicts) {
    if (glob.any_of(here.units, u, names_, note) || glob.any_of(here.globals, u, names_, note)) {
      return {Why::kConflict, name(found)};
    }
  }
  for (const auto* others : {&here.carriers, &here.globals}) {
    for (int other : *others) {
      if (other != u && matched_by(units_[other].conflicts, u))
        return {Why::kConflict, name(other)};
    }
  }
  return {};
}

Reason ClusterModel::replacer_on(int u, int m) const {
  for (int other : machines_[m].carriers) {
    if (replaces(other, u)) return {Why::kReplaced, name(other)};
  }
  return {};
}

std::vector<int> ClusterModel::replaced_by(int u, int m) const {
  std::vector<int> pushed;
  for (const auto& glob : units_[u].replaces) {
    glob.any_of(machines_[m].units, u, names_, [&](int other) {
      if (!matched_by(units_[other].replaces, u)) pushed.push_back(other);
      return false;
    });
  }
  std::sort(pushed.begin(), pushed.end());
  pushed.erase(std::unique(pushed.begin(), pushed.end()), pushed.end());
  return pushed;
}

bool ClusterModel::can_place(int u, int m) const {
  if (peer_blocker(u, m) || conflict_blocker(u, m) || replacer_on(u, m)) return false;
  auto pushed = replaced_by(u, m);
  return std::none_of(pushed.begin(), pushed.end(), [this](int v) { return units_[v].pushed; });
}

const MachinePools::Order& ClusterModel::candidates(int u) {
  UnitSlot& unit = units_[u];
  if (unit.pool == kNone) unit.pool = pool_for(unit.options());
  return pools_.order(unit.pool);
}

void ClusterModel::attach(int u, int m) { move(u, m, insert_sorted, m); }

void ClusterModel::detach(int u) { move(u, units_[u].machine, erase_sorted, kNone); }

void ClusterModel::depart(int u, Reason why) {
  UnitSlot& unit = units_[u];
  if (unit.departure || unit.info->machine.empty()) return;
  unit.departure = why;
  unit.changed_at = ++clock_;
}

std::vector<int> ClusterModel::recount_globals(int m) {
  MachineSlot& here = machines_[m];
  if (here.candidate_globals.empty()) return {};
  int old_load = here.load();
  std::vector<int> before = std::move(here.globals);
  here.globals.clear();
  for (int g : here.candidate_globals) {
    if (!conflict_blocker(g, m)) here.globals.push_back(g);
  }
  pools_.set_load(m, old_load, here.load());
  std::vector<int> dropped;
  std::set_difference(before.begin(), before.end(), here.globals.begin(), here.globals.end(),
                      std::back_inserter(dropped));
  return dropped;
}

bool ClusterModel::replaces(int a, int b) const {
  // A pair that replaces each other is ignored (spec §3.3).
  return a != b && matched_by(units_[a].replaces, b) && !matched_by(units_[b].replaces, a);
}

bool ClusterModel::matched_by(const std::vector<UnitGlob>& globs, int u) const {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const UnitGlob& glob) { return glob.matches(u, names_); });
}

int ClusterModel::first_machine_from(std::string_view id) const {
  auto it =
      std::lower_bound(machines_.begin(), machines_.end(), id,
                       [](const MachineSlot& m, std::string_view id) { return m.info->id < id; });
  return static_cast<int>(it - machines_.begin());
}

void ClusterModel::move(int u, int m, void (*edit)(std::vector<int>&, int), int now_at) {
  MachineSlot& here = machines_[m];
  int old_load = here.load();
  edit(here.units, u);
  if (units_[u].carrier()) edit(here.carriers, u);
  units_[u].machine = now_at;
  units_[u].changed_at = ++clock_;
  pools_.set_load(m, old_load, here.load());
}

int ClusterModel::pool_for(const unit::FleetOptions& options) {
  // Each part length-prefixed, so that no two requirements read the same.
  std::string requirement;
  auto add = [&requirement](std::string_view part) {
    requirement += std::to_string(part.size()) + ":";
    requirement += part;
  };
  if (options.machine_id) {
    add(*options.machine_id);
  } else {
    requirement += "-";
  }
  for (const auto& [key, values] : options.machine_metadata) {
    add(key);
    requirement += std::to_string(values.size()) + ":";
    for (const auto& value : values) add(value);
  }
  auto [it, added] = pool_by_requirement_.try_emplace(std::move(requirement), kNone);
  if (added) {
    it->second =
        pools_.pool(allowed_machines(options), [this](int m) { return machines_[m].load(); });
  }
  return it->second;
}

std::vector<int> ClusterModel::allowed_machines(const unit::FleetOptions& options) const {
  std::vector<int> allowed;
  if (options.machine_id) {
    // Every ID it matches starts with it, and IDs that do are one run of the sorted machines.
    const std::string& required = *options.machine_id;
    for (int m = first_machine_from(required);
         m < machine_count() && machines_[m].info->id.starts_with(required); ++m) {
      if (id_matches(machines_[m].info->id, required)) allowed.push_back(m);
    }
  } else if (!options.machine_metadata.empty()) {
    // The machines with one of the first key's values; the other keys are checked below.
    const auto& [key, values] = *options.machine_metadata.begin();
    for (const auto& value : values) {
      auto it = by_metadata_.find({key, value});
      if (it != by_metadata_.end())
        allowed.insert(allowed.end(), it->second.begin(), it->second.end());
    }
    std::sort(allowed.begin(), allowed.end());
  } else {
    allowed.resize(machines_.size());
    for (int m = 0; m < machine_count(); ++m) allowed[m] = m;
  }
  std::erase_if(allowed, [&](int m) {
    return !unit::metadata_matches(options, machines_[m].info->metadata);
  });
  return allowed;
}

}  // namespace fleet::engine::internal
