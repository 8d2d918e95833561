#include "fleet/api/registry_cache.h"

#include <algorithm>
#include <iterator>
#include <mutex>

#include "fleet/api/internal/schedule_index.h"
#include "fleet/api/internal/views.h"

namespace fleet::api {
namespace {

using internal::UnitView;

Result<std::vector<schema::UnitOption>> decode_options(std::string_view key,
                                                       std::string_view value) {
  auto body = registry::decode_body(key, value);
  if (!body) return fail(body.error());
  return body->options();
}

// The entries of `entries` whose keys start with `prefix`, in key order.
template <class Entries>
auto prefix_range(const Entries& entries, const std::string& prefix) {
  auto first = entries.lower_bound(prefix);
  auto last = first;
  while (last != entries.end() && std::string_view(last->first).starts_with(prefix)) ++last;
  return std::make_pair(first, last);
}

}  // namespace

RegistryCache::RegistryCache(registry::Registry& registry)
    : registry_(registry), keys_(registry.keys()) {}

RegistryCache::~RegistryCache() = default;

Result<std::unique_ptr<RegistryCache>> RegistryCache::start(registry::Registry& registry) {
  std::unique_ptr<RegistryCache> cache(new RegistryCache(registry));
  auto& client = registry.client();
  const auto& keys = registry.keys();
  auto& metrics = registry.metrics();
  auto units = registry::WatchCache<registry::UnitRecord>::start(
      client, keys.units(), registry::decode_unit, {}, metrics);
  if (!units) return fail(units.error());
  cache->units_ = std::move(*units);
  auto bodies =
      registry::WatchCache<Options>::start(client, keys.bodies(), decode_options, {}, metrics);
  if (!bodies) return fail(bodies.error());
  cache->bodies_ = std::move(*bodies);
  auto schedule = internal::ScheduleIndex::start(client, keys, metrics);
  if (!schedule) return fail(schedule.error());
  cache->schedule_ = std::move(*schedule);
  auto states = registry::WatchCache<registry::UnitStateRecord>::start(
      client, keys.states(), registry::decode_unit_state, {}, metrics);
  if (!states) return fail(states.error());
  cache->states_ = std::move(*states);
  auto machines = registry::WatchCache<registry::MachineRecord>::start(
      client, keys.machines(), registry::decode_machine, {}, metrics);
  if (!machines) return fail(machines.error());
  cache->machines_ = std::move(*machines);
  auto metadata = registry::WatchCache<std::string>::start(
      client, keys.metadata(), registry::decode_metadata_value, {}, metrics);
  if (!metadata) return fail(metadata.error());
  cache->metadata_ = std::move(*metadata);
  return cache;
}

Result<std::optional<RegistryCache::Options>> RegistryCache::options_of(
    const unit::UnitHash& hash) const {
  if (auto cached = bodies_->get(keys_.body(hash))) return std::move(cached->record);
  // Bodies are written before their units, but on another watch, which may lag this one.
  auto body = registry_.body(hash);
  if (!body) return fail(body.error());
  if (!*body) return std::optional<Options>();
  return (*body)->options();
}

Result<std::optional<schema::Unit>> RegistryCache::view_of(std::string_view name,
                                                           const registry::UnitRecord& record,
                                                           UnitView view) const {
  auto options = options_of(record.hash);
  if (!options) return fail(options.error());
  if (!*options) return std::optional<schema::Unit>();
  std::string target = record.global ? std::string() : schedule_->target(name);
  std::optional<registry::UnitStateRecord> report;
  if (!target.empty()) {
    if (auto entry = states_->get(keys_.state(name, target))) report = std::move(entry->record);
  }
  return internal::unit_view(std::string(name), record, std::move(**options), target,
                             report ? &*report : nullptr, view);
}

Result<Listing<schema::Unit>> RegistryCache::units(Slice slice) const {
  // Units are keyed units/<name>, so key order is name order.
  std::vector<std::pair<std::string, registry::UnitRecord>> page;
  size_t total = 0;
  units_->read([&](const auto& entries) {
    total = entries.size();
    auto it = entries.begin();
    std::advance(it, std::min(slice.offset, total));
    for (; it != entries.end() && page.size() < slice.limit; ++it) {
      if (auto name = keys_.unit_of(it->first)) page.emplace_back(*name, it->second.record);
    }
  });
  Listing<schema::Unit> listing{.items = {}, .total = total};
  listing.items.reserve(page.size());
  for (const auto& [name, record] : page) {
    auto view = view_of(name, record, UnitView::kListed);
    if (!view) return fail(view.error());
    if (*view) listing.items.push_back(std::move(**view));
  }
  return listing;
}

Result<std::optional<schema::Unit>> RegistryCache::unit(std::string_view name) const {
  auto entry = units_->get(keys_.unit(name));
  if (!entry) return std::optional<schema::Unit>();
  return view_of(name, entry->record, UnitView::kAlone);
}

bool RegistryCache::has_unit(std::string_view name) const {
  return units_->contains(keys_.unit(name));
}

bool RegistryCache::has_body(const unit::UnitHash& hash) const {
  return bodies_->contains(keys_.body(hash));
}

Listing<schema::UnitState> RegistryCache::unit_states(const client::UnitStateFilter& filter,
                                                      Slice slice) const {
  Listing<schema::UnitState> listing;
  states_->read_with_revision([&](const auto& entries, etcd::Revision revision) {
    const std::string prefix =
        filter.unit_name.empty() ? keys_.states() : keys_.states_of(filter.unit_name);
    // Sorting views of the matches, not copies, keeps a large listing cheap.
    struct Match {
      std::string_view unit;
      std::string_view machine;
      const std::string* key;
    };
    auto sorted_matches = [&] {
      std::vector<Match> matches;
      auto [first, last] = prefix_range(entries, prefix);
      for (auto it = first; it != last; ++it) {
        auto at = keys_.state_of(it->first);
        if (!at || (!filter.machine_id.empty() && at->second != filter.machine_id)) continue;
        matches.push_back({at->first, at->second, &it->first});
      }
      // Key order (states/<unit>/<machine>) is this order unless a unit's name continues
      // another's with '-' or '.', which sort before '/'.
      auto by_unit = [](const Match& a, const Match& b) {
        return a.unit != b.unit ? a.unit < b.unit : a.machine < b.machine;
      };
      if (!std::is_sorted(matches.begin(), matches.end(), by_unit)) {
        std::sort(matches.begin(), matches.end(), by_unit);
      }
      return matches;
    };
    auto emit = [&](size_t total, auto&& key_at) {
      listing.total = total;
      for (size_t i = slice.offset; i < total && listing.items.size() < slice.limit; ++i) {
        const std::string& key = key_at(i);
        auto at = keys_.state_of(key);
        listing.items.push_back(
            internal::unit_state_view(at->first, at->second, entries.find(key)->second.record));
      }
    };
    if (!filter.unit_name.empty() || !filter.machine_id.empty()) {
      auto matches = sorted_matches();
      emit(matches.size(), [&](size_t i) -> const std::string& { return *matches[i].key; });
      return;
    }
    // The whole listing, paged by fleetctl list-units: ordered once per change of the states,
    // not once per page (at 100,000 states every page sorted them all: 25 s a listing).
    std::lock_guard lock(order_mu_);
    if (order_revision_ != revision) {
      order_.clear();
      for (const auto& match : sorted_matches()) order_.push_back(*match.key);
      order_revision_ = revision;
    }
    emit(order_.size(), [&](size_t i) -> const std::string& { return order_[i]; });
  });
  return listing;
}

std::optional<schema::UnitState> RegistryCache::unit_state(std::string_view name) const {
  return states_->read([&](const auto& entries) -> std::optional<schema::UnitState> {
    auto [first, last] = prefix_range(entries, keys_.states_of(name));
    for (auto it = first; it != last; ++it) {
      if (auto at = keys_.state_of(it->first)) {
        return internal::unit_state_view(at->first, at->second, it->second.record);
      }
    }
    return std::nullopt;
  });
}

Listing<schema::Machine> RegistryCache::machines(Slice slice) const {
  // Machines are keyed machines/<id>, so key order is ID order.
  std::vector<registry::MachineRecord> page;
  size_t total = 0;
  machines_->read([&](const auto& entries) {
    total = entries.size();
    auto it = entries.begin();
    std::advance(it, std::min(slice.offset, total));
    for (; it != entries.end() && page.size() < slice.limit; ++it) {
      page.push_back(it->second.record);
    }
  });
  std::vector<registry::Metadata> dynamic(page.size());
  metadata_->read([&](const auto& entries) {
    for (size_t i = 0; i < page.size(); ++i) dynamic[i] = dynamic_metadata(entries, page[i].id);
  });
  Listing<schema::Machine> listing{.items = {}, .total = total};
  listing.items.reserve(page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    listing.items.push_back(internal::machine_view(page[i], dynamic[i]));
  }
  return listing;
}

schema::Machine RegistryCache::machine_view(const registry::MachineRecord& record) const {
  auto dynamic =
      metadata_->read([&](const auto& entries) { return dynamic_metadata(entries, record.id); });
  return internal::machine_view(record, dynamic);
}

template <class Entries>
registry::Metadata RegistryCache::dynamic_metadata(const Entries& entries,
                                                   std::string_view machine) const {
  registry::Metadata dynamic;
  auto [first, last] = prefix_range(entries, keys_.metadata_of(machine));
  for (auto it = first; it != last; ++it) {
    if (auto entry = keys_.metadata_entry_of(it->first)) {
      dynamic[std::string(entry->second)] = it->second.record;
    }
  }
  return dynamic;
}

template <class Record>
bool RegistryCache::wait_for_key(const registry::WatchCache<Record>& cache, const std::string& key,
                                 std::chrono::milliseconds timeout) const {
  auto written = registry_.client().get(key);
  // Gone already (another client's delete): nothing of ours left to wait for.
  if (!written || !*written) return written.has_value();
  return cache.wait_for_change((*written)->mod_revision, timeout);
}

bool RegistryCache::wait_for_unit_write(std::string_view name,
                                        std::chrono::milliseconds timeout) const {
  return wait_for_key(*units_, keys_.unit(name), timeout);
}

bool RegistryCache::wait_for_units_at(etcd::Revision revision,
                                      std::chrono::milliseconds timeout) const {
  return units_->wait_for_change(revision, timeout);
}

bool RegistryCache::wait_for_metadata_write(std::string_view machine, std::string_view key,
                                            std::chrono::milliseconds timeout) const {
  return wait_for_key(*metadata_, keys_.metadata_entry(machine, key), timeout);
}

bool RegistryCache::wait_for_unit_delete(std::string_view name, etcd::Revision revision,
                                         std::chrono::milliseconds timeout) const {
  // The delete's own revision is unknown, only that it is later than `revision`: wait change by
  // change until the unit is gone (or was created anew, by someone else, after it).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string key = keys_.unit(name);
  etcd::Revision next = revision + 1;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !units_->wait_for_change(next, left)) return false;
    auto entry = units_->get(key);
    if (!entry || entry->mod_revision > revision) return true;
    next = std::max(next, units_->revision()) + 1;
  }
}

}  // namespace fleet::api
