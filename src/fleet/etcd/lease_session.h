// One etcd lease kept alive for as long as its owner lives (etcd's concurrency.Session shape).
//
// fleetd holds everything ephemeral it writes (presence, unit states, leadership) on one lease.
// The session sends keep-alives every TTL/3 over one stream, failing over between endpoints, and
// declares the lease lost once etcd says it is gone or no keep-alive was answered within the TTL
// (so the owner stops acting on it in time). A lost session stays lost; start a new one.
// Destroying a session does not revoke the lease: a restarted fleetd re-adopts it (`reuse`) and
// nothing it wrote vanishes; otherwise it expires after its TTL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "fleet/base/clock.h"
#include "fleet/base/error.h"
#include "fleet/etcd/types.h"

namespace fleet::etcd {

class Client;

struct LeaseSessionOptions {
  int64_t ttl_seconds = 30;
  // A lease an earlier run held: adopted when etcd still has it and it was granted with
  // ttl_seconds (a changed TTL takes a new lease), else a new one is granted.
  LeaseId reuse = 0;
  // Called once, on the session's thread, when the lease is lost: an owner need not poll lost().
  std::function<void()> on_lost{};
};

class LeaseSession {
 public:
  // Grants (or re-adopts) the lease and starts keeping it alive. Returns the grant's error when
  // etcd cannot be reached. `client` and `clock` must outlive the session.
  static Result<std::unique_ptr<LeaseSession>> start(Client& client, LeaseSessionOptions options,
                                                     const Clock& clock = SystemClock::instance());

  // Stops the keep-alives without revoking the lease.
  ~LeaseSession();

  LeaseSession(const LeaseSession&) = delete;
  LeaseSession& operator=(const LeaseSession&) = delete;

  LeaseId id() const { return id_; }
  int64_t ttl_seconds() const { return ttl_seconds_; }
  // True when `reuse` was still alive and was adopted.
  bool reused() const { return reused_; }

  bool lost() const;
  // Waits up to `timeout` for the lease to be lost; true if it was.
  bool wait_lost(std::chrono::milliseconds timeout) const;
  // Why the lease was lost; empty while it is held.
  std::string lost_reason() const;

  // Revokes the lease now (its keys vanish) and stops the keep-alives.
  Status revoke();

 private:
  LeaseSession(Client& client, LeaseId id, int64_t ttl_seconds, bool reused, const Clock& clock,
               std::function<void()> on_lost);
  void run();
  // Keeps the lease alive until it is lost or we stop.
  void keep_alive();
  // Keeps the lease alive over one stream until it breaks, the lease is lost or we stop.
  void keep_alive_over(size_t endpoint);
  void mark_lost(std::string reason);
  bool stopping() const;

  struct Stream;

  Client& client_;
  const LeaseId id_;
  const int64_t ttl_seconds_;
  const bool reused_;
  const Clock& clock_;
  const std::function<void()> on_lost_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;     // guarded by mu_
  std::string lost_reason_;   // guarded by mu_; non-empty once lost
  Clock::TimePoint expiry_;   // guarded by mu_: when the lease runs out without another answer
  Stream* stream_ = nullptr;  // guarded by mu_
  std::thread thread_;
};

}  // namespace fleet::etcd
