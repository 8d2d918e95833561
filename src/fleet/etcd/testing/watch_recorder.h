// Collects a Watcher's updates so a test can wait for them with a deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "fleet/etcd/watcher.h"

#include "fixtures/eventually.h"

namespace fleet::etcd::testing {

class WatchRecorder {
 public:
  Watcher::Callback callback() {
    return [this](WatchUpdate update) {
      std::lock_guard lock(mu_);
      for (const auto& event : update.events) events_.push_back(event);
      updates_.push_back(std::move(update));
      cv_.notify_all();
    };
  }

  // Waits until `count` events arrived; returns every event seen so far either way.
  std::vector<Event> wait_for_events(size_t count, std::chrono::milliseconds deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, deadline, [&] { return events_.size() >= count; });
    return events_;
  }

  // Waits for an update of `kind`; true if one arrived.
  bool wait_for(WatchUpdate::Kind kind, std::chrono::milliseconds deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, deadline, [&] {
      for (const auto& update : updates_) {
        if (update.kind == kind) return true;
      }
      return false;
    });
  }

  // Asks `watcher` for progress until a progress update arrives: proof that etcd has created the
  // watch, so later writes are certain to be seen. False if none arrived within `deadline`.
  bool wait_until_watching(Watcher& watcher, std::chrono::milliseconds deadline) {
    return fleet::testing::eventually(
        [&] {
          watcher.request_progress();
          return wait_for(WatchUpdate::Kind::kProgress, std::chrono::milliseconds(100));
        },
        deadline);
  }

  std::vector<WatchUpdate> updates() {
    std::lock_guard lock(mu_);
    return updates_;
  }

  // "put a=1 (rev 5)" per event: easy to compare and to read in a failure.
  static std::vector<std::string> describe(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
      out.push_back((e.type == Event::Type::kPut ? "put " : "delete ") + e.kv.key +
                    (e.type == Event::Type::kPut ? "=" + e.kv.value : ""));
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchUpdate> updates_;
  std::vector<Event> events_;
};

}  // namespace fleet::etcd::testing
