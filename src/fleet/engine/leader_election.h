// Which fleetd's engine acts: the one whose key engine/leader exists on its own lease (spec §5.3,
// on etcd v3). The lease's TTL is 5x engine_reconcile_interval, as in the original, so a leader
// that dies is replaced within that TTL.
//
// Example:
//   auto election = LeaderElection::start(registry, {.machine_id = id, .ttl_seconds = 10});
//   if ((*election)->campaign().value_or(false))
//     registry.write_schedule(writes, (*election)->guard());
//
// Every write a leader makes carries guard(): it holds only while this very key (same create
// revision) exists, so a leader that lost its lease, or was replaced, cannot write even once
// more. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fleet/base/clock.h"
#include "fleet/base/error.h"
#include "fleet/etcd/lease_session.h"
#include "fleet/etcd/txn.h"
#include "fleet/registry/registry.h"

namespace fleet::engine {

// The engine version this code writes; a leader of a lower version is replaced (spec §5.3).
inline constexpr uint32_t kEngineVersion = 1;

struct LeaderElectionOptions {
  std::string machine_id{};
  int64_t ttl_seconds = 10;
};

class LeaderElection {
 public:
  // Grants the lease the leadership will hang on. `registry` and `clock` must outlive it.
  static Result<std::unique_ptr<LeaderElection>> start(
      registry::Registry& registry, LeaderElectionOptions options,
      const Clock& clock = SystemClock::instance());
  // Stops keeping the lease alive; it expires after its TTL. See resign() to hand over at once.
  ~LeaderElection();

  // Takes the leadership when nobody holds it. True while this fleetd leads. A lost lease
  // (etcd unreachable for a TTL) is replaced by a new one on the next call.
  Result<bool> campaign();
  bool leading() const;
  // The compare every leader write carries. Only meaningful while leading().
  etcd::Compare guard() const;
  // Deletes the leader key now (graceful shutdown), so another engine takes over at once.
  Status resign();
  // The lease, for tests that kill it.
  etcd::LeaseId lease() const;

 private:
  LeaderElection(registry::Registry& registry, LeaderElectionOptions options, const Clock& clock);
  Status renew_session_if_lost();
  // Creates the leader key unless it exists; the holder's key-value when it does (nullopt: we
  // created it and lead).
  Result<std::optional<etcd::KeyValue>> try_create();

  registry::Registry& registry_;
  const LeaderElectionOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unique_ptr<etcd::LeaseSession> session_;  // guarded by mu_
  etcd::Revision created_ = 0;  // guarded by mu_: create revision of our leader key; 0 = not ours
};

}  // namespace fleet::engine
