// Everything the API reads, kept current by etcd watches (DESIGN.md principle 1), so a GET needs
// no etcd round trip: units, their bodies, the schedule, unit states, machines and their dynamic
// metadata. Lists come out sorted and sliced to the page asked for.
//
// Example:
//   auto cache = RegistryCache::start(registry);   // lists each prefix once, then watches
//   auto page = (*cache)->units({.offset = 0, .limit = 100});
//
// The caches follow separate watches, so a read may see one a moment ahead of another (fleet's
// API never promised a snapshot): a unit whose body has not arrived yet is read from etcd, and
// one whose body is gone (destroyed or replaced meanwhile) is left out. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/api/backend.h"
#include "fleet/registry/records.h"
#include "fleet/registry/registry.h"
#include "fleet/registry/watch_cache.h"

namespace fleet::api {
namespace internal {
class ScheduleIndex;
enum class UnitView;
}  // namespace internal

class RegistryCache {
 public:
  // Fails when a prefix cannot be listed (etcd unreachable). `registry` must outlive the cache.
  static Result<std::unique_ptr<RegistryCache>> start(registry::Registry& registry);
  ~RegistryCache();

  // Backend's reads (backend.h).
  Result<Listing<schema::Unit>> units(Slice slice) const;
  Result<std::optional<schema::Unit>> unit(std::string_view name) const;
  Listing<schema::UnitState> unit_states(const client::UnitStateFilter& filter, Slice slice) const;
  std::optional<schema::UnitState> unit_state(std::string_view name) const;
  Listing<schema::Machine> machines(Slice slice) const;
  // The machine `record` as GET /machines lists it: overlaid with its dynamic metadata.
  schema::Machine machine_view(const registry::MachineRecord& record) const;

  // Whether the cache holds the unit `name`, and the body `hash`: what a writer may assume to
  // save etcd a read, guarding its write on it.
  bool has_unit(std::string_view name) const;
  bool has_body(const unit::UnitHash& hash) const;

  // Read-your-writes: each waits, at most `timeout`, until the cache shows the write the caller
  // just made, found by the key's revision in etcd; false on timeout.
  //
  // After a write of the unit `name` (create, replace or desired state).
  bool wait_for_unit_write(std::string_view name, std::chrono::milliseconds timeout) const;
  // After a write of units that etcd committed at `revision`.
  bool wait_for_units_at(etcd::Revision revision, std::chrono::milliseconds timeout) const;
  // After deleting the unit `name`, which had `revision` (mod revision) when deleted.
  bool wait_for_unit_delete(std::string_view name, etcd::Revision revision,
                            std::chrono::milliseconds timeout) const;
  // After setting a dynamic metadata entry.
  bool wait_for_metadata_write(std::string_view machine, std::string_view key,
                               std::chrono::milliseconds timeout) const;

 private:
  template <class Record>
  using Cache = std::unique_ptr<registry::WatchCache<Record>>;
  using Options = std::vector<schema::UnitOption>;

  explicit RegistryCache(registry::Registry& registry);
  // The unit as the API shows it; nullopt when its body is gone.
  Result<std::optional<schema::Unit>> view_of(std::string_view name,
                                              const registry::UnitRecord& record,
                                              internal::UnitView view) const;
  // The options of the body `hash`: from the cache, else from etcd; nullopt when etcd lacks it.
  Result<std::optional<Options>> options_of(const unit::UnitHash& hash) const;
  // The dynamic metadata of `machine` in the metadata cache's `entries`.
  template <class Entries>
  registry::Metadata dynamic_metadata(const Entries& entries, std::string_view machine) const;
  // Waits until the cache holds `key` at `revision` or later. False on timeout.
  template <class Record>
  bool wait_for_key(const registry::WatchCache<Record>& cache, const std::string& key,
                    std::chrono::milliseconds timeout) const;

  registry::Registry& registry_;
  const registry::Keys& keys_;
  // Each set once by start(); the caches themselves are thread-safe.
  Cache<registry::UnitRecord> units_;
  Cache<Options> bodies_;
  std::unique_ptr<internal::ScheduleIndex> schedule_;
  Cache<registry::UnitStateRecord> states_;
  // Keys of all states in listing order, as of the states' change at order_revision_.
  mutable std::mutex order_mu_;
  mutable etcd::Revision order_revision_ = -1;  // guarded by order_mu_
  mutable std::vector<std::string> order_;      // guarded by order_mu_
  Cache<registry::MachineRecord> machines_;
  Cache<std::string> metadata_;
};

}  // namespace fleet::api
