// The Backend fleetd's API server runs on: writes go to etcd through RegistryService (the same
// validation fleetctl's etcd driver applies), reads come from a RegistryCache, so a GET costs no
// etcd round trip. A client that writes and then reads sees its write: each write waits (at most
// kReadYourWritesTimeout) for the cache to catch up with it before answering.
//
// The cache mirrors every unit, body, state and machine, so a fleetd holds it only while its API
// is in use (DESIGN.md principle 2: a machine's steady-state reads are its own slice). The first
// call loads it (waiting up to `load_wait`); `idle_timeout` without calls drops it again.
//
// Example:
//   RegistryBackend backend(registry);
//   auto page = backend.units({.offset = 0, .limit = 100});   // loads the cache, then reads it
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "fleet/api/backend.h"
#include "fleet/api/registry_cache.h"
#include "fleet/api/registry_service.h"
#include "fleet/base/group_commit.h"
#include "fleet/registry/registry.h"

namespace fleet::api {

struct RegistryBackendOptions {
  // How long a call waits for the cache to load before failing with kUnavailable.
  std::chrono::milliseconds load_wait{10'000};
  // How long the cache is kept after the last call.
  std::chrono::milliseconds idle_timeout{600'000};
};

class RegistryBackend : public Backend {
 public:
  static constexpr std::chrono::milliseconds kReadYourWritesTimeout{2000};

  // `registry` must outlive the backend.
  explicit RegistryBackend(registry::Registry& registry, RegistryBackendOptions options = {});
  // Stops loading (waiting for an etcd list in progress) and drops the cache.
  ~RegistryBackend() override;
  RegistryBackend(const RegistryBackend&) = delete;
  RegistryBackend& operator=(const RegistryBackend&) = delete;

  // False while the cache is wanted but could not be loaded (etcd unreachable): calls would fail.
  // Loading is retried, with backoff, until it succeeds or the API has been idle for
  // idle_timeout; then this is true again and the next call tries anew.
  bool ready() const;
  // Whether the cache is held now.
  bool loaded() const;

  // Backend
  Result<Listing<schema::Unit>> units(Slice slice) override;
  Result<std::optional<schema::Unit>> unit(std::string_view name) override;
  Result<PutOutcome> put_unit(const schema::Unit& unit) override;
  Status destroy_unit(std::string_view name) override;
  Result<Listing<schema::UnitState>> unit_states(const client::UnitStateFilter& filter,
                                                 Slice slice) override;
  Result<std::optional<schema::UnitState>> unit_state(std::string_view name) override;
  Result<Listing<schema::Machine>> machines(Slice slice) override;
  Status set_machine_metadata(std::string_view machine, std::string_view key,
                              std::string_view value) override;

  // The cache, loaded if need be; kUnavailable when it cannot be loaded within load_wait. Counts
  // as a call for idle_timeout. The caller's reference keeps the cache alive across an eviction.
  // Public for the event feed (registry_event_feed.h), which shows records as these reads do.
  Result<std::shared_ptr<const RegistryCache>> cache();

 private:
  using Clock = std::chrono::steady_clock;

  // The loader thread: loads when wanted, retries failures, drops the cache when idle.
  void run();
  // Creates `unit`, which `cache` does not hold, in a transaction shared with the other creates
  // in flight; the revision it was created at, or kAlreadyExists when it exists after all.
  Result<etcd::Revision> create_unseen(const RegistryCache& cache, const schema::Unit& unit);

  registry::Registry& registry_;
  RegistryService service_;
  const RegistryBackendOptions options_;

  mutable std::mutex mu_;
  std::condition_variable changed_;             // the loader's work, and each load's outcome
  bool stopping_ = false;                       // guarded by mu_
  bool wanted_ = false;                         // guarded by mu_: a call asked; load until idle
  uint64_t attempts_ = 0;                       // guarded by mu_: loads finished, either way
  std::optional<Error> load_error_;             // guarded by mu_: why the last load failed
  Clock::time_point last_call_{};               // guarded by mu_
  std::shared_ptr<const RegistryCache> cache_;  // guarded by mu_
  // `fleetctl start` of many units sends one PUT each, from many clients at once: committing
  // them together saves etcd a write transaction per unit, its most expensive request.
  GroupCommit<registry::NewUnit, Result<etcd::Revision>> creates_;
  std::thread loader_;
};

}  // namespace fleet::api
