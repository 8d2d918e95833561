// The event stream fleetd serves (event_feed.h), fed by an etcd watch on fleet's units, states
// and machines, and rendered as the API's reads render them (RegistryBackend's cache), so an event
// carries the same JSON as the GET it stands for.
//
// One watch per fleetd is shared by every stream: it keeps a window of the latest events, from
// which streams read and resume. A stream resuming from a revision older than the window (or one
// that fell behind it) gets a watch of its own from that revision, served by etcd's history, until
// it has caught up with the window; when etcd has compacted that revision the stream sends
// `event: reset` and carries on from now. The shared watch runs only while a stream is open: a
// fleetd nobody watches costs etcd nothing.
//
// Each open stream holds one of the HTTP server's threads (http_server.h), so at most
// max_streams are open (fleetd: min(API threads / 2, 64)), leaving the rest to the API; one more
// is refused with 503. A client that goes is noticed within a second, which frees its slot.
//
// Example (the daemon):
//   RegistryEventFeed events(registry, backend, {.max_streams = 8});
//   api.attach(Router(backend, {.events = &events}), ready);
//
// Thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "fleet/api/event_feed.h"
#include "fleet/api/registry_backend.h"
#include "fleet/etcd/types.h"
#include "fleet/registry/registry.h"

namespace fleet::api {

struct RegistryEventFeedOptions {
  size_t max_streams = 8;
  // A stream that has sent nothing for this long sends a `: keep-alive` comment, so proxies keep
  // it open and a client that vanished without closing is found out by the write.
  std::chrono::milliseconds keep_alive{15'000};
  // Events the shared watch keeps for streams that resume or fall behind.
  size_t window = 4096;
};

// The cap for an API server with `threads` threads: half of them, 64 at most, one at least.
inline size_t max_event_streams(size_t threads) { return std::clamp<size_t>(threads / 2, 1, 64); }

class RegistryEventFeed final : public EventFeed {
 public:
  // `registry` and `backend` must outlive the feed.
  RegistryEventFeed(registry::Registry& registry, RegistryBackend& backend,
                    RegistryEventFeedOptions options = {});
  // Asks the open streams to end and waits until they have (about a second).
  ~RegistryEventFeed() override;
  RegistryEventFeed(const RegistryEventFeed&) = delete;
  RegistryEventFeed& operator=(const RegistryEventFeed&) = delete;

  // EventFeed
  HttpResponse open(const EventQuery& query) override;

  size_t open_streams() const;

 private:
  struct Event;
  // For many streams, the latest events; for one stream catching up, a queue it drains.
  enum class LogMode { kWindow, kQueue };
  class Log;
  class Slot;

  // The shared watch, started when no stream holds one (or the one held was compacted away).
  Result<std::shared_ptr<Log>> shared_log();
  // A watch of the changes after `after`: the shared window, or one stream's catch-up queue.
  std::shared_ptr<Log> log_after(etcd::Revision after, LogMode mode);
  // Decodes and renders a watch's events; skips keys that are not units, states or machines and
  // records that do not decode.
  std::vector<Event> render(std::vector<etcd::Event> changes);
  // Writes the stream until the client goes or the feed stops.
  void serve(const EventQuery& query, Slot& slot, etcd::Revision cursor, const BodyWriter& write);
  bool stopping() const;
  void release_slot();

  registry::Registry& registry_;
  RegistryBackend& backend_;
  const RegistryEventFeedOptions options_;

  mutable std::mutex mu_;
  std::condition_variable released_;
  size_t streams_ = 0;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  // Apart from mu_: starting the shared watch asks etcd, which must not hold up slots.
  std::mutex log_mu_;
  std::weak_ptr<Log> shared_;  // guarded by log_mu_: the streams' slots own it
};

}  // namespace fleet::api
