// fleet's state in etcd: typed, guarded reads and writes of its records (keys.h says where each
// lives, records.h how it is encoded). Caches of whole prefixes are WatchCache (watch_cache.h).
//
// Example:
//   Registry registry(client, Keys(config.etcd_key_prefix));
//   auto results = registry.create_units({{"web.service", file, unit::DesiredState::kLaunched}});
//   registry.set_desired_state("web.service", unit::DesiredState::kLoaded);
//
// Every write that can race is guarded by etcd compares; a write that loses re-reads and tries
// again (or reports kAlreadyExists / kNotFound when the race changed the answer). Thread-safe.
//
// Metrics (spec §5.10, fleet_registry_operation_*): each public call below is one operation, of
// the original's three types:
//   get      unit(), body(), machine(): one record by its key
//   set      every write: ensure_schema, create_units (a batch is one operation),
//   set_desired_state,
//            replace_unit, destroy_unit, register_machine, set_metadata, publish_state,
//            remove_state, publish_states, write_schedule
//   get_all  the list of a whole prefix that starts (and, after a compaction, restarts) a watch
//            (ListWatch, list_watch.h): fleet's components list once and then watch, where the
//            original read whole prefixes on every pass
// An operation fails when it returns an error other than kNotFound or kAlreadyExists, which are
// answers about fleet's data, not trouble with etcd. The leader election's own transactions and the
// watches are not counted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/etcd/client.h"
#include "fleet/metrics/fleet_metrics.h"
#include "fleet/registry/keys.h"
#include "fleet/registry/records.h"
#include "fleet/unit/desired_state.h"
#include "fleet/unit/unit_file.h"

namespace fleet::registry {

struct NewUnit {
  std::string name;
  unit::UnitFile body;
  unit::DesiredState desired = unit::DesiredState::kInactive;
  // The caller saw this body in etcd (a watch-fed cache): create_units then skips asking etcd
  // whether it is there. Only a hint: the commit is guarded on the body either way.
  bool body_seen = false;
};

// One change of the schedule: delete the unit's entry on `remove_from` and/or write `assignment`
// on `put_on` (a reschedule does both, atomically).
struct ScheduleWrite {
  std::string unit;
  std::string remove_from;
  std::string put_on;
  Assignment assignment;
};

class Registry {
 public:
  // `metrics` must outlive the registry.
  Registry(etcd::Client& client, Keys keys,
           metrics::RegistryOpMetrics& metrics = metrics::process_metrics().registry);

  const Keys& keys() const { return keys_; }
  etcd::Client& client() { return client_; }
  // Where this registry counts; caches of its prefixes (WatchCache, ListWatch) count their lists
  // here too.
  metrics::RegistryOpMetrics& metrics() { return metrics_; }

  // Marks the prefix as holding this layout (keys.h kSchemaVersion) when it is new.
  // kFailedPrecondition naming both versions when another layout is already there: two fleets of
  // different layouts must never share one prefix.
  Status ensure_schema();

  // Units (the API's writes) ------------------------------------------------------------------

  // Creates every unit that does not exist yet, its body stored once per content, in as few
  // transactions as etcd allows. Per unit, in order: the revision it was created at,
  // kAlreadyExists, or why etcd failed.
  std::vector<Result<etcd::Revision>> create_units(const std::vector<NewUnit>& units);
  Status create_unit(const NewUnit& unit);

  // kNotFound when the unit does not exist.
  Status set_desired_state(std::string_view name, unit::DesiredState desired);

  // Gives an existing unit new contents and desired state in one transaction (the API's PUT of
  // changed options, `fleetctl --replace`); the old body goes when no other unit uses it.
  // kNotFound when the unit does not exist.
  Status replace_unit(const NewUnit& unit);

  // Deletes the unit, and its body when no other unit uses it. kNotFound when it does not exist.
  Status destroy_unit(std::string_view name);

  Result<std::optional<UnitRecord>> unit(std::string_view name);
  Result<std::optional<unit::UnitFile>> body(const unit::UnitHash& hash);
  // Many bodies in one read per 128 (one get operation): per hash, in order, as body() answers,
  // each carrying the request's error when etcd did not answer.
  std::vector<Result<std::optional<unit::UnitFile>>> bodies(
      const std::vector<unit::UnitHash>& hashes);

  // Machines ----------------------------------------------------------------------------------

  // Writes the machine's presence on `lease`. kAlreadyExists when another live fleetd (another
  // lease) holds the ID; a key on the same lease (a restarted fleetd re-adopting it) or on
  // `previous` (this fleetd's earlier lease, given up for one of another TTL) is taken over.
  Status register_machine(const MachineRecord& machine, etcd::LeaseId lease,
                          etcd::LeaseId previous = 0);

  // The machine's presence record, nullopt when it is not registered (its fleetd is gone).
  Result<std::optional<MachineRecord>> machine(std::string_view id);

  // Sets one dynamic metadata entry (PATCH /machines); "" removes the key from the effective
  // metadata even when fleetd's configuration sets it.
  Status set_metadata(std::string_view machine, std::string_view key, std::string_view value);

  // Unit states (each agent's writes) -------------------------------------------------------

  // Publishes how `machine`'s systemd reports `unit`, on the machine's lease: the state vanishes
  // with the fleetd that reported it.
  Status publish_state(std::string_view unit, std::string_view machine,
                       const UnitStateRecord& state, etcd::LeaseId lease);
  // Removes `machine`'s report of `unit` (unloaded there). Removing one that is absent is OK.
  Status remove_state(std::string_view unit, std::string_view machine);
  // One write of publish_states: `state` is published, or the unit's report removed if nullopt.
  struct StateWrite {
    std::string unit;
    std::optional<UnitStateRecord> state;
  };
  // Publishes and removes `machine`'s reports as publish_state and remove_state do, as one set
  // operation: one transaction when there are enough of them to be worth it, else one request
  // each. At most etcd::kMaxTxnOps writes, or etcd refuses them all.
  Status publish_states(std::string_view machine, const std::vector<StateWrite>& writes,
                        etcd::LeaseId lease);

  // Schedule (the engine's writes) --------------------------------------------------------------

  // Applies `writes` in transactions of up to 128 operations, each guarded by `guard` (the
  // engine's leadership), a few at a time, starting no more once one fails. Returns the highest
  // revision written (0 when there was nothing to write). kFailedPrecondition when the guard no
  // longer holds: the caller is no longer leader and must stop writing.
  Result<etcd::Revision> write_schedule(const std::vector<ScheduleWrite>& writes,
                                        const etcd::Compare& guard);

 private:
  // Stores the bodies of `units` (by index) that etcd lacks.
  Status store_missing_bodies(const std::vector<NewUnit>& units,
                              const std::vector<size_t>& indexes);
  // Deletes the body with `hash` unless a unit still uses it.
  Status erase_body_if_unused(const unit::UnitHash& hash);
  // Reads the unit and runs `change(record, mod_revision)` until its guarded commit wins.
  Status update_unit(std::string_view name, const std::function<std::optional<etcd::GuardedChange>(
                                                const UnitRecord&, etcd::Revision)>& change);

  // Runs `operation` (a call of this class's public interface) and counts it as one `op`.
  template <class Operation>
  auto observed(metrics::RegistryOpMetrics::Op op, Operation&& operation);
  // One record by its key, as `decode` reads it (one get operation); nullopt when absent.
  template <class Record>
  Result<std::optional<Record>> record_at(const std::string& key,
                                          Result<Record> (*decode)(std::string_view,
                                                                   std::string_view));

  etcd::Client& client_;
  const Keys keys_;
  metrics::RegistryOpMetrics& metrics_;
};

}  // namespace fleet::registry
