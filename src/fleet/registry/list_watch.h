// List once, then watch from the listed revision; list again when etcd has compacted the
// revision the watch needed (DESIGN.md principle 1). The engine's and agents' caches sit on this.
//
// Example:
//   auto feed = ListWatch::start(client, keys.units(), [&](ListWatch::Batch batch) {
//     if (batch.snapshot) map.clear();
//     for (auto& event : batch.events) apply(event);
//   });
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/etcd/types.h"
#include "fleet/metrics/fleet_metrics.h"

namespace fleet::etcd {
class Client;
class Watcher;
}  // namespace fleet::etcd

namespace fleet::registry {

class ListWatch {
 public:
  struct Batch {
    // The whole prefix as of `revision`, as one kPut event per key: replace everything held.
    bool snapshot = false;
    std::vector<etcd::Event> events;
    // Everything under the prefix up to this revision has been delivered.
    etcd::Revision revision = 0;
  };
  using Callback = std::function<void(Batch)>;

  // Lists `prefix` and delivers that snapshot before returning (so the caller starts complete),
  // then follows changes on a background thread, one batch at a time. Fails only when the first
  // list fails; later trouble is retried until it heals. Each list is a registry get_all
  // operation in `metrics` (registry.h). `client` and `metrics` must outlive the ListWatch.
  static Result<std::unique_ptr<ListWatch>> start(
      etcd::Client& client, std::string prefix, Callback on_batch,
      metrics::RegistryOpMetrics& metrics = metrics::process_metrics().registry);
  // No callback runs after the destructor returns.
  ~ListWatch();
  ListWatch(const ListWatch&) = delete;
  ListWatch& operator=(const ListWatch&) = delete;

  // Asks etcd to confirm how far the watch has seen; the answer arrives as an empty batch.
  void request_progress();
  // How many times a compaction forced a new list.
  int relists() const;

 private:
  ListWatch(etcd::Client& client, std::string prefix, Callback on_batch,
            metrics::RegistryOpMetrics& metrics);
  // Lists and delivers a snapshot; the revision listed, or the list's error.
  Result<etcd::Revision> list();
  void watch_from(etcd::Revision revision);
  // Re-lists whenever the watch reports compaction, until stopped.
  void run();

  etcd::Client& client_;
  const std::string prefix_;
  const Callback on_batch_;
  metrics::RegistryOpMetrics& metrics_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                   // guarded by mu_
  bool compacted_ = false;                  // guarded by mu_: the watch ended; list again
  int relists_ = 0;                         // guarded by mu_
  std::unique_ptr<etcd::Watcher> watcher_;  // replaced only by run() once started
  std::thread thread_;
};

}  // namespace fleet::registry
