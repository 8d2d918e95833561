#include "fleet/etcd/watcher.h"

#include <algorithm>

#include "fleet/etcd/client.h"
#include "fleet/etcd/internal/connection_pool.h"
#include "fleet/etcd/internal/convert.h"
#include "fleet/etcd/internal/grpc_error.h"
#include "fleet/etcd/internal/stream_context.h"
#include "fleet/metrics/fleet_metrics.h"

namespace fleet::etcd {

namespace pb = etcdserverpb;

namespace {
constexpr std::chrono::milliseconds kFirstRetry{50};
constexpr std::chrono::milliseconds kMaxRetry{2000};
}  // namespace

struct Watcher::Stream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReaderWriter<pb::WatchRequest, pb::WatchResponse>> rpc;
};

std::unique_ptr<Watcher> Watcher::start(Client& client, WatchOptions options, Callback on_update) {
  std::unique_ptr<Watcher> watcher(new Watcher(client, std::move(options), std::move(on_update)));
  watcher->thread_ = std::thread([w = watcher.get()] { w->run(); });
  return watcher;
}

Watcher::Watcher(Client& client, WatchOptions options, Callback on_update)
    : client_(client),
      options_(std::move(options)),
      on_update_(std::move(on_update)),
      metrics_(client.connections().metrics()),
      lag_(metrics_ ? &metrics_->watch_lag(options_.key) : nullptr),
      next_revision_(options_.start_revision) {}

Watcher::~Watcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (stream_) stream_->context->TryCancel();
  }
  thread_.join();
}

void Watcher::request_progress() {
  std::lock_guard lock(mu_);
  if (!stream_) return;
  pb::WatchRequest request;
  request.mutable_progress_request();
  stream_->rpc->Write(request);
}

Revision Watcher::revision() const {
  std::lock_guard lock(mu_);
  return next_revision_ > 0 ? next_revision_ - 1 : 0;
}

void Watcher::run() {
  auto& pool = client_.connections();
  auto retry = kFirstRetry;
  while (true) {
    size_t endpoint = pool.preferred();
    bool connected = false;
    auto error = stream_once(endpoint, connected);
    if (connected) retry = kFirstRetry;
    if (!error) return;  // stopped or compacted
    if (metrics_) metrics_->failed(metrics::EtcdMetrics::Method::kWatch, error->code);
    if (!outage_) {
      // One kDisconnected per outage, however many reconnect attempts it takes.
      outage_ = true;
      deliver(WatchUpdate{WatchUpdate::Kind::kDisconnected, revision(), {}, 0, std::move(error)});
    }
    pool.skip(endpoint);
    if (!wait_or_stop(retry)) return;
    retry = std::min(retry * 2, kMaxRetry);
  }
}

std::optional<Error> Watcher::stream_once(size_t endpoint, bool& connected) {
  auto& pool = client_.connections();
  auto context = internal::stream_context(pool, endpoint);
  if (!context) return context.error();

  Stream stream;
  stream.context = std::move(*context);
  pb::WatchRequest create;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return std::nullopt;
    stream.rpc = pool.at(endpoint).watch->Watch(stream.context.get());
    auto* request = create.mutable_create_request();
    request->set_key(options_.key);
    request->set_range_end(options_.range_end);
    request->set_start_revision(next_revision_);
    request->set_prev_kv(options_.prev_kv);
    request->set_progress_notify(options_.progress_notify);
    // Under mu_ like request_progress(): a gRPC stream takes one write at a time.
    stream.rpc->Write(create);
    stream_ = &stream;
  }

  std::optional<Error> cancelled;
  pb::WatchResponse response;
  while (stream.rpc->Read(&response)) {
    if (response.compact_revision() != 0) {
      {
        std::lock_guard lock(mu_);
        ended_ = true;
      }
      deliver(WatchUpdate{WatchUpdate::Kind::kCompacted,
                          revision(),
                          {},
                          response.compact_revision(),
                          std::nullopt});
      break;
    }
    if (response.created()) {
      Revision next = 0;
      {
        std::lock_guard lock(mu_);
        // A watch "from now" starts after the revision etcd had when it created the watch.
        if (next_revision_ == 0) next_revision_ = response.header().revision() + 1;
        next = next_revision_;
      }
      connected = true;
      if (outage_) {
        outage_ = false;
        deliver(WatchUpdate{WatchUpdate::Kind::kResumed, next - 1, {}, 0, std::nullopt});
      }
      continue;
    }
    if (response.canceled()) {
      // e.g. the member lost its leader: reconnect, elsewhere if need be.
      cancelled = Error{ErrorCode::kUnavailable, "etcd " + pool.endpoint(endpoint).url +
                                                     " watch: cancelled by etcd (" +
                                                     response.cancel_reason() + ")"};
      break;
    }

    WatchUpdate update;
    if (response.events_size() == 0) {
      update.kind = WatchUpdate::Kind::kProgress;
      std::lock_guard lock(mu_);
      next_revision_ = std::max(next_revision_, response.header().revision() + 1);
      update.revision = next_revision_ - 1;
    } else {
      update.kind = WatchUpdate::Kind::kEvents;
      std::lock_guard lock(mu_);
      for (const auto& event : response.events()) {
        // After a resume etcd replays from next_revision_; anything older was delivered already.
        if (event.kv().mod_revision() < next_revision_) continue;
        update.events.push_back(internal::from_proto(event));
      }
      if (update.events.empty()) continue;
      next_revision_ = update.events.back().kv.mod_revision + 1;
      update.revision = next_revision_ - 1;
    }
    record_lag(response.header().revision());
    deliver(std::move(update));
  }

  // Finish() waits for the server to close the stream; after leaving the loop early it must not.
  stream.context->TryCancel();
  auto status = stream.rpc->Finish();
  std::lock_guard lock(mu_);
  stream_ = nullptr;
  if (stopping_ || ended_) return std::nullopt;
  if (cancelled) return cancelled;
  if (status.ok()) {
    return Error{ErrorCode::kUnavailable,
                 "etcd " + pool.endpoint(endpoint).url + " watch: stream ended by the server"};
  }
  return internal::from_grpc(status, pool.endpoint(endpoint).url, "watch");
}

void Watcher::record_lag(Revision header_revision) {
  if (!lag_) return;
  // etcd stamps a response with its head revision when it sends it: a watch replaying history
  // (it fell behind, or resumed) trails the head; one in step gets each change as it happens.
  // Time the response then spent in buffers on its way here does not show.
  lag_->set(static_cast<double>(std::max<Revision>(0, header_revision - revision())));
}

void Watcher::deliver(WatchUpdate update) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
  }
  on_update_(std::move(update));
}

bool Watcher::wait_or_stop(std::chrono::milliseconds pause) {
  auto& pool = client_.connections();
  return pool.pause(pool.preferred(), pause, [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  });
}

}  // namespace fleet::etcd
