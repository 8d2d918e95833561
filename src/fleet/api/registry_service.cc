#include "fleet/api/registry_service.h"

#include <algorithm>
#include <map>
#include <utility>

#include "fleet/api/internal/views.h"
#include "fleet/unit/fleet_options.h"
#include "fleet/unit/unit_name.h"

namespace fleet::api {
namespace {

using internal::UnitView;
using unit::DesiredState;

Status invalid(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

Status conflict(std::string message) { return fail(ErrorCode::kAlreadyExists, std::move(message)); }

// An empty text is "not given".
Result<std::optional<DesiredState>> parse_desired(const std::string& text) {
  if (text.empty()) return std::optional<DesiredState>();
  auto state = unit::parse_desired_state(text);
  if (!state) {
    return fail(
        invalid("invalid desiredState \"" + text + "\": expected inactive, loaded or launched")
            .error());
  }
  return state;
}

// A template only describes its instances: systemd cannot run it.
Status check_activatable(std::string_view name, DesiredState desired) {
  auto info = unit::parse_unit_name(name);
  if (desired != DesiredState::kInactive && info && info->is_template()) {
    return invalid("cannot activate template \"" + std::string(name) + "\"");
  }
  return {};
}

// The unit the options describe, if the API accepts it in `desired`.
Result<unit::UnitFile> accepted_body(const schema::Unit& unit, DesiredState desired) {
  auto body = unit::UnitFile::from_options(unit.options);
  if (auto valid = unit::validate_unit(body, unit.name); !valid) return fail(valid.error());
  if (auto activatable = check_activatable(unit.name, desired); !activatable) {
    return fail(activatable.error());
  }
  return body;
}

}  // namespace

RegistryService::RegistryService(registry::Registry& registry) : registry_(registry) {}

Result<registry::NewUnit> RegistryService::new_unit(const schema::Unit& unit) const {
  if (auto valid = unit::validate_unit_name(unit.name); !valid) return fail(valid.error());
  auto desired = parse_desired(unit.desired_state);
  if (!desired) return fail(desired.error());
  if (unit.options.empty()) {
    return fail(conflict("unit does not exist and options field empty").error());
  }
  const auto state = desired->value_or(DesiredState::kInactive);
  auto body = accepted_body(unit, state);
  if (!body) return fail(body.error());
  return registry::NewUnit{unit.name, std::move(*body), state};
}

Result<PutOutcome> RegistryService::put_unit(const schema::Unit& unit) {
  if (auto valid = unit::validate_unit_name(unit.name); !valid) return fail(valid.error());
  auto desired = parse_desired(unit.desired_state);
  if (!desired) return fail(desired.error());
  auto existing = registry_.unit(unit.name);
  if (!existing) return fail(existing.error());

  if (!*existing) {
    auto created = new_unit(unit);
    if (!created) return fail(created.error());
    if (auto stored = registry_.create_unit(*created); !stored) return fail(stored.error());
    return PutOutcome::kCreated;
  }

  if (!unit.options.empty() &&
      unit::UnitFile::from_options(unit.options).hash() != (*existing)->hash) {
    const auto state = desired->value_or(DesiredState::kInactive);
    auto body = accepted_body(unit, state);
    if (!body) return fail(body.error());
    if (auto replaced = registry_.replace_unit({unit.name, std::move(*body), state}); !replaced) {
      return fail(replaced.error());
    }
    return PutOutcome::kReplaced;
  }

  if (!*desired) {
    return fail(conflict("must provide DesiredState to update existing unit").error());
  }
  if (auto activatable = check_activatable(unit.name, **desired); !activatable) {
    return fail(activatable.error());
  }
  if (auto set = registry_.set_desired_state(unit.name, **desired); !set) return fail(set.error());
  return PutOutcome::kUpdated;
}

Status RegistryService::create_unit(const schema::Unit& unit) {
  auto put = put_unit(unit);
  if (!put) return fail(put.error());
  return {};
}

Status RegistryService::set_desired_state(std::string_view name, DesiredState state) {
  schema::Unit unit;
  unit.name = std::string(name);
  unit.desired_state = std::string(unit::to_string(state));
  return create_unit(unit);
}

Status RegistryService::destroy_unit(std::string_view name) {
  auto destroyed = registry_.destroy_unit(name);
  if (!destroyed && destroyed.error().code == ErrorCode::kNotFound) {
    return fail(ErrorCode::kNotFound, "unit does not exist");
  }
  return destroyed;
}

Result<std::vector<schema::Machine>> RegistryService::machines() {
  auto& client = registry_.client();
  const auto& keys = registry_.keys();
  auto present = client.list_prefix(keys.machines());
  if (!present) return fail(present.error());
  auto dynamic = client.list_prefix(keys.metadata());
  if (!dynamic) return fail(dynamic.error());

  std::map<std::string, registry::Metadata, std::less<>> dynamic_of;
  for (const auto& kv : dynamic->kvs) {
    if (auto entry = keys.metadata_entry_of(kv.key)) {
      dynamic_of[std::string(entry->first)][std::string(entry->second)] = kv.value;
    }
  }
  std::vector<schema::Machine> machines;
  machines.reserve(present->kvs.size());
  for (const auto& kv : present->kvs) {
    auto record = registry::decode_machine(kv.key, kv.value);
    if (!record) return fail(record.error());
    auto extra = dynamic_of.find(record->id);
    machines.push_back(internal::machine_view(
        *record, extra == dynamic_of.end() ? registry::Metadata{} : extra->second));
  }
  std::sort(machines.begin(), machines.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return machines;
}

Result<std::vector<schema::Unit>> RegistryService::units() {
  auto& client = registry_.client();
  const auto& keys = registry_.keys();
  // Units first: a body or schedule entry read later is at least as new as the unit listing, so
  // a listed unit lacks its body only when it was destroyed or replaced in between.
  auto units = client.list_prefix(keys.units());
  if (!units) return fail(units.error());
  auto bodies = client.list_prefix(keys.bodies());
  if (!bodies) return fail(bodies.error());
  auto schedule = client.list_prefix(keys.schedule());
  if (!schedule) return fail(schedule.error());
  auto states = client.list_prefix(keys.states());
  if (!states) return fail(states.error());

  std::map<std::string_view, std::string_view> body_text;
  for (const auto& kv : bodies->kvs) body_text.emplace(kv.key, kv.value);
  std::map<std::string_view, std::string_view> target_of;
  for (const auto& kv : schedule->kvs) {
    // A unit the engine has yet to move off a second machine keeps its first.
    if (auto at = keys.scheduled_of(kv.key)) target_of.emplace(at->second, at->first);
  }
  std::map<std::string_view, std::string_view> report_text;
  for (const auto& kv : states->kvs) report_text.emplace(kv.key, kv.value);

  std::map<std::string, unit::UnitFile, std::less<>> decoded;  // by body key: shared by instances
  std::vector<schema::Unit> listed;
  listed.reserve(units->kvs.size());
  for (const auto& kv : units->kvs) {
    auto name = keys.unit_of(kv.key);
    if (!name) continue;
    auto record = registry::decode_unit(kv.key, kv.value);
    if (!record) return fail(record.error());
    const std::string body_key = keys.body(record->hash);
    auto body = decoded.find(body_key);
    if (body == decoded.end()) {
      auto text = body_text.find(body_key);
      if (text == body_text.end()) continue;
      auto parsed = registry::decode_body(body_key, text->second);
      if (!parsed) return fail(parsed.error());
      body = decoded.emplace(body_key, std::move(*parsed)).first;
    }
    std::string_view target;
    std::optional<registry::UnitStateRecord> report;
    if (auto scheduled = target_of.find(*name); !record->global && scheduled != target_of.end()) {
      target = scheduled->second;
      const std::string report_key = keys.state(*name, target);
      if (auto text = report_text.find(report_key); text != report_text.end()) {
        auto decoded_report = registry::decode_unit_state(report_key, text->second);
        if (!decoded_report) return fail(decoded_report.error());
        report = std::move(*decoded_report);
      }
    }
    listed.push_back(internal::unit_view(std::string(*name), *record, body->second.options(),
                                         target, report ? &*report : nullptr, UnitView::kListed));
  }
  return listed;
}

Result<std::optional<schema::Unit>> RegistryService::unit(std::string_view name) {
  auto record = registry_.unit(name);
  if (!record) return fail(record.error());
  if (!*record) return std::optional<schema::Unit>();
  auto body = registry_.body((*record)->hash);
  if (!body) return fail(body.error());
  // Destroyed (or replaced) between the two reads.
  if (!*body) return std::optional<schema::Unit>();

  std::string target;
  std::optional<registry::UnitStateRecord> report;
  if (!(*record)->global) {
    auto scheduled = scheduled_machine(name);
    if (!scheduled) return fail(scheduled.error());
    target = std::move(*scheduled);
  }
  if (!target.empty()) {
    const std::string key = registry_.keys().state(name, target);
    auto kv = registry_.client().get(key);
    if (!kv) return fail(kv.error());
    if (*kv) {
      auto decoded = registry::decode_unit_state(key, (*kv)->value);
      if (!decoded) return fail(decoded.error());
      report = std::move(*decoded);
    }
  }
  return std::optional<schema::Unit>(
      internal::unit_view(std::string(name), **record, (*body)->options(), target,
                          report ? &*report : nullptr, UnitView::kAlone));
}

Result<std::string> RegistryService::scheduled_machine(std::string_view name) {
  auto& client = registry_.client();
  const auto& keys = registry_.keys();
  // Schedule keys are per machine (each agent watches only its own), so one unit's entry is found
  // by asking each present machine's prefix: a cost in machines, not in units.
  const std::string machines_prefix = keys.machines();
  auto present = client.range(machines_prefix,
                              {.range_end = etcd::prefix_end(machines_prefix), .keys_only = true});
  if (!present) return fail(present.error());
  std::vector<std::string> ids;
  for (const auto& kv : present->kvs) {
    if (auto id = keys.machine_of(kv.key)) ids.emplace_back(*id);
  }
  for (size_t start = 0; start < ids.size(); start += etcd::kMaxTxnOps) {
    const size_t end = std::min(ids.size(), start + etcd::kMaxTxnOps);
    etcd::Txn probe;
    for (size_t i = start; i < end; ++i) {
      etcd::Op get = etcd::Op::get(keys.scheduled(ids[i], name));
      get.range.count_only = true;
      probe.success.push_back(std::move(get));
    }
    auto found = client.txn(probe);
    if (!found) return fail(found.error());
    for (size_t i = start; i < end; ++i) {
      if (found->responses[i - start].range.count > 0) return ids[i];
    }
  }
  return std::string();
}

Result<std::vector<schema::UnitState>> RegistryService::unit_states(
    const client::UnitStateFilter& filter) {
  const auto& keys = registry_.keys();
  auto listed = registry_.client().list_prefix(
      filter.unit_name.empty() ? keys.states() : keys.states_of(filter.unit_name));
  if (!listed) return fail(listed.error());
  std::vector<schema::UnitState> states;
  states.reserve(listed->kvs.size());
  for (const auto& kv : listed->kvs) {
    auto at = keys.state_of(kv.key);
    if (!at || (!filter.machine_id.empty() && at->second != filter.machine_id)) continue;
    auto record = registry::decode_unit_state(kv.key, kv.value);
    if (!record) return fail(record.error());
    states.push_back(internal::unit_state_view(at->first, at->second, *record));
  }
  std::sort(states.begin(), states.end(), internal::state_order);
  return states;
}

}  // namespace fleet::api
