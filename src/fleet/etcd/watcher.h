// A watch on a key range that survives disconnects.
//
// The watcher streams changes to a callback in revision order. When the stream breaks (etcd
// restarted, a member died, the network blinked) it reconnects, to the next endpoint if needed,
// and resumes from the revision after the last one it delivered: no event is lost or repeated.
// When etcd has compacted that revision away the watcher reports kCompacted and ends; the caller
// re-lists and starts a new watcher from the listed revision (the list-then-watch pattern).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/etcd/types.h"

namespace fleet::metrics {
class EtcdMetrics;
class Gauge;
}  // namespace fleet::metrics

namespace fleet::etcd {

class Client;

struct WatchOptions {
  std::string key{};
  std::string range_end{};      // prefix_end(key) watches the prefix; empty: only `key`
  Revision start_revision = 0;  // first revision to deliver; 0: changes after now
  bool prev_kv = false;         // deliver each key's previous value with its event
  bool progress_notify = true;  // etcd tells a quiet watch, now and then, how far it has seen
};

struct WatchUpdate {
  enum class Kind {
    kEvents,        // `events`, in revision order
    kProgress,      // nothing changed up to `revision`
    kCompacted,     // history before `compact_revision` is gone; the watcher has ended
    kDisconnected,  // the stream broke (`error` says why); the watcher keeps reconnecting
    kResumed,       // reconnected after kDisconnected; nothing was missed
  };
  Kind kind = Kind::kEvents;
  // Every change up to and including this revision has been delivered.
  Revision revision = 0;
  std::vector<Event> events;
  Revision compact_revision = 0;
  std::optional<Error> error;
};

class Watcher {
 public:
  using Callback = std::function<void(WatchUpdate)>;

  // Starts watching in the background. `on_update` runs on the watcher's own thread, one call at
  // a time; a slow callback holds back later updates but loses none. `client` must outlive the
  // watcher.
  static std::unique_ptr<Watcher> start(Client& client, WatchOptions options, Callback on_update);

  // Stops the watch; no callback runs after the destructor returns.
  ~Watcher();

  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Asks etcd for a kProgress update now (it answers once the watch is in sync).
  void request_progress();

  // The last revision delivered (0 before the watch started).
  Revision revision() const;

 private:
  Watcher(Client& client, WatchOptions options, Callback on_update);
  void run();
  // One stream's life: returns why it ended (nullopt when stopped or compacted).
  // `connected` tells whether etcd accepted the watch on this stream.
  std::optional<Error> stream_once(size_t endpoint, bool& connected);
  void deliver(WatchUpdate update);
  // fleet_etcd_watch_lag_revisions: how far etcd's head (`header_revision`, as of the response
  // just read) was past what this watch has delivered.
  void record_lag(Revision header_revision);
  bool wait_or_stop(std::chrono::milliseconds pause);

  struct Stream;

  Client& client_;
  const WatchOptions options_;
  const Callback on_update_;
  metrics::EtcdMetrics* const metrics_;  // null: not counted
  metrics::Gauge* const lag_;            // of metrics_, for options_.key

  mutable std::mutex mu_;
  bool stopping_ = false;       // guarded by mu_
  bool ended_ = false;          // guarded by mu_: compacted, no more streams
  Stream* stream_ = nullptr;    // guarded by mu_: the live stream, for cancel and progress
  Revision next_revision_ = 0;  // first revision not yet delivered; guarded by mu_
  bool outage_ = false;         // watcher thread only: kDisconnected sent, kResumed not yet
  std::thread thread_;
};

}  // namespace fleet::etcd
