#include "fleet/registry/list_watch.h"

#include "fleet/etcd/client.h"
#include "fleet/etcd/watcher.h"

namespace fleet::registry {
namespace {
constexpr std::chrono::seconds kRelistRetry{1};
}  // namespace

Result<std::unique_ptr<ListWatch>> ListWatch::start(etcd::Client& client, std::string prefix,
                                                    Callback on_batch,
                                                    metrics::RegistryOpMetrics& metrics) {
  std::unique_ptr<ListWatch> feed(
      new ListWatch(client, std::move(prefix), std::move(on_batch), metrics));
  auto revision = feed->list();
  if (!revision) return fail(revision.error());
  feed->watch_from(*revision + 1);
  feed->thread_ = std::thread([f = feed.get()] { f->run(); });
  return feed;
}

ListWatch::ListWatch(etcd::Client& client, std::string prefix, Callback on_batch,
                     metrics::RegistryOpMetrics& metrics)
    : client_(client),
      prefix_(std::move(prefix)),
      on_batch_(std::move(on_batch)),
      metrics_(metrics) {}

ListWatch::~ListWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  watcher_.reset();
}

void ListWatch::request_progress() {
  std::lock_guard lock(mu_);
  if (watcher_) watcher_->request_progress();
}

int ListWatch::relists() const {
  std::lock_guard lock(mu_);
  return relists_;
}

Result<etcd::Revision> ListWatch::list() {
  // The etcd read only: delivering the batch is the caller's work, not the registry's.
  const auto start = std::chrono::steady_clock::now();
  auto listed = client_.list_prefix(prefix_);
  metrics_.observe(metrics::RegistryOpMetrics::Op::kGetAll,
                   std::chrono::steady_clock::now() - start, !listed);
  if (!listed) return fail(listed.error());
  Batch batch{.snapshot = true, .events = {}, .revision = listed->revision};
  batch.events.reserve(listed->kvs.size());
  for (auto& kv : listed->kvs) {
    batch.events.push_back(etcd::Event{etcd::Event::Type::kPut, std::move(kv), std::nullopt});
  }
  on_batch_(std::move(batch));
  return listed->revision;
}

void ListWatch::watch_from(etcd::Revision revision) {
  etcd::WatchOptions options{
      .key = prefix_, .range_end = etcd::prefix_end(prefix_), .start_revision = revision};
  auto watcher =
      etcd::Watcher::start(client_, std::move(options), [this](etcd::WatchUpdate update) {
        switch (update.kind) {
          case etcd::WatchUpdate::Kind::kEvents:
          case etcd::WatchUpdate::Kind::kProgress:
            on_batch_(Batch{false, std::move(update.events), update.revision});
            return;
          case etcd::WatchUpdate::Kind::kCompacted: {
            std::lock_guard lock(mu_);
            compacted_ = true;
            cv_.notify_all();
            return;
          }
          case etcd::WatchUpdate::Kind::kDisconnected:
          case etcd::WatchUpdate::Kind::kResumed:
            return;  // the watcher reconnects by itself and loses nothing
        }
      });
  std::lock_guard lock(mu_);
  watcher_ = std::move(watcher);
}

void ListWatch::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || compacted_; });
    if (stopping_) return;
    // The compacted watcher has ended; it is destroyed here, off its own thread.
    auto ended = std::move(watcher_);
    lock.unlock();
    ended.reset();
    auto revision = list();
    lock.lock();
    if (!revision) {
      cv_.wait_for(lock, kRelistRetry, [&] { return stopping_; });
      continue;
    }
    compacted_ = false;
    ++relists_;
    lock.unlock();
    watch_from(*revision + 1);
    lock.lock();
  }
}

}  // namespace fleet::registry
