// A local, always-current copy of every record under one etcd prefix, fed by a ListWatch.
//
// Example:
//   auto units = WatchCache<UnitRecord>::start(client, keys.units(), decode_unit,
//                                              [&] { reconciler.poke(); });
//   (*units)->read([](const auto& entries) { for (auto& [key, entry] : entries) ...; });
//
// Records that do not decode are left out and counted (skipped()); the last such error is kept
// for the log. Thread-safe: readers share a lock with the feed that applies changes.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/etcd/client.h"
#include "fleet/registry/list_watch.h"

namespace fleet::registry {

template <class Record>
class WatchCache {
 public:
  struct Entry {
    Record record;
    etcd::Revision mod_revision = 0;  // for guarded writes: the revision a compare expects
    etcd::LeaseId lease = 0;
  };
  using Entries = std::map<std::string, Entry, std::less<>>;
  using Decode = std::function<Result<Record>(std::string_view key, std::string_view value)>;

  // Lists the prefix (so the cache starts complete) and follows it. `on_change` runs on the feed's
  // thread after each batch that changed something; keep it short (poke a loop, don't work in it).
  // Lists count in `metrics` (ListWatch::start).
  static Result<std::unique_ptr<WatchCache>> start(
      etcd::Client& client, std::string prefix, Decode decode, std::function<void()> on_change = {},
      metrics::RegistryOpMetrics& metrics = metrics::process_metrics().registry) {
    std::unique_ptr<WatchCache> cache(new WatchCache(std::move(decode), std::move(on_change)));
    auto feed = ListWatch::start(
        client, std::move(prefix), [c = cache.get()](ListWatch::Batch batch) { c->apply(batch); },
        metrics);
    if (!feed) return fail(feed.error());
    cache->feed_ = std::move(*feed);
    return cache;
  }

  // Runs `reader(const Entries&)` under the cache's lock and returns what it returns.
  template <class Reader>
  auto read(Reader&& reader) const {
    std::lock_guard lock(mu_);
    return reader(entries_);
  }

  // The same, also passing the revision of the last change the entries hold: what a reader
  // derives from them stays true until that revision moves.
  template <class Reader>
  auto read_with_revision(Reader&& reader) const {
    std::lock_guard lock(mu_);
    return reader(entries_, changes_revision_);
  }

  std::optional<Entry> get(std::string_view key) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  bool contains(std::string_view key) const {
    std::lock_guard lock(mu_);
    return entries_.find(key) != entries_.end();
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

  // The revision the cache is current to.
  etcd::Revision revision() const {
    std::lock_guard lock(mu_);
    return revision_;
  }

  // Waits until the cache holds the change made at `revision`, a revision that changed something
  // under the prefix (typically the caller's own write): read-your-writes. False on timeout.
  bool wait_for_change(etcd::Revision revision, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return advanced_.wait_for(lock, timeout, [&] { return changes_revision_ >= revision; });
  }

  // Waits until etcd confirms, with a progress notification it is asked for, that the cache has
  // seen every change up to `revision`, also when nothing under the prefix changed. Caveat: before
  // etcd 3.4.24 such a notification can overtake events still in flight (etcd issue 15220), so on
  // Debian 12's etcd 3.4.23 this may return while the last events are still arriving; use
  // wait_for_change() for a revision that changed the prefix. False on timeout.
  bool wait_for(etcd::Revision revision, std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    while (revision_ < revision) {
      lock.unlock();
      feed_->request_progress();
      lock.lock();
      auto slice = std::min(deadline, std::chrono::steady_clock::now() + kProgressSlice);
      if (!advanced_.wait_until(lock, slice, [&] { return revision_ >= revision; }) &&
          std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
    }
    return true;
  }

  int relists() const { return feed_->relists(); }

  // What changed since the previous call, for the one consumer that keeps something derived from
  // the entries and updates only that: the keys set, deleted or left out since, sorted and
  // unique; or `everything` on the first call and after a relist, when keys say nothing. Keys
  // are recorded only from the first call on.
  struct Changes {
    bool everything = false;
    std::vector<std::string> keys;

    bool any() const { return everything || !keys.empty(); }
  };
  Changes take_changes() {
    Changes changes;
    {
      std::lock_guard lock(mu_);
      changes.everything = !tracking_ || everything_changed_;
      tracking_ = true;
      everything_changed_ = false;
      changes.keys.swap(changed_);
    }
    if (changes.everything) changes.keys.clear();
    std::sort(changes.keys.begin(), changes.keys.end());
    changes.keys.erase(std::unique(changes.keys.begin(), changes.keys.end()), changes.keys.end());
    return changes;
  }

  // Records left out because they did not decode, and the last such error.
  size_t skipped() const {
    std::lock_guard lock(mu_);
    return skipped_.size();
  }
  // The keys of those records.
  std::vector<std::string> skipped_keys() const {
    std::lock_guard lock(mu_);
    return {skipped_.begin(), skipped_.end()};
  }
  std::optional<Error> last_decode_error() const {
    std::lock_guard lock(mu_);
    return last_decode_error_;
  }

 private:
  static constexpr std::chrono::milliseconds kProgressSlice{200};

  WatchCache(Decode decode, std::function<void()> on_change)
      : decode_(std::move(decode)), on_change_(std::move(on_change)) {}

  void apply(const ListWatch::Batch& batch) {
    bool changed = batch.snapshot || !batch.events.empty();
    {
      std::lock_guard lock(mu_);
      if (batch.snapshot) {
        entries_.clear();
        skipped_.clear();
        everything_changed_ = tracking_;
        changed_.clear();
      }
      for (const auto& event : batch.events) apply_event(event);
      revision_ = std::max(revision_, batch.revision);
      // Events arrive in order with their own revision, so unlike progress they never run ahead.
      if (changed) changes_revision_ = std::max(changes_revision_, batch.revision);
    }
    advanced_.notify_all();
    if (changed && on_change_) on_change_();
  }

  void apply_event(const etcd::Event& event) {
    const auto& kv = event.kv;
    if (tracking_ && !everything_changed_) changed_.push_back(kv.key);
    if (event.type == etcd::Event::Type::kDelete) {
      if (auto it = entries_.find(kv.key); it != entries_.end()) entries_.erase(it);
      skipped_.erase(kv.key);
      return;
    }
    auto record = decode_(kv.key, kv.value);
    if (!record) {
      entries_.erase(kv.key);
      skipped_.insert(kv.key);
      last_decode_error_ = record.error();
      return;
    }
    skipped_.erase(kv.key);
    entries_.insert_or_assign(kv.key, Entry{std::move(*record), kv.mod_revision, kv.lease});
  }

  const Decode decode_;
  const std::function<void()> on_change_;
  mutable std::mutex mu_;
  mutable std::condition_variable advanced_;
  Entries entries_;                             // guarded by mu_
  std::set<std::string, std::less<>> skipped_;  // guarded by mu_
  std::optional<Error> last_decode_error_;      // guarded by mu_
  etcd::Revision revision_ = 0;                 // guarded by mu_: events and progress
  etcd::Revision changes_revision_ = 0;         // guarded by mu_: snapshots and events only
  bool tracking_ = false;                       // guarded by mu_: take_changes() was called
  bool everything_changed_ = false;             // guarded by mu_: a relist since the last take
  std::vector<std::string> changed_;            // guarded by mu_: keys since the last take
  std::unique_ptr<ListWatch> feed_;             // set once by start(), before any reader
};

}  // namespace fleet::registry
