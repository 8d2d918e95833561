#include "fleet/etcd/lease_session.h"

#include <algorithm>
#include <optional>

#include "fleet/etcd/client.h"
#include "fleet/etcd/internal/connection_pool.h"
#include "fleet/etcd/internal/stream_context.h"
#include "fleet/metrics/fleet_metrics.h"

namespace fleet::etcd {

namespace pb = etcdserverpb;

namespace {
constexpr std::chrono::milliseconds kMinInterval{300};
constexpr std::chrono::milliseconds kReconnectPause{100};
}  // namespace

struct LeaseSession::Stream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReaderWriter<pb::LeaseKeepAliveRequest, pb::LeaseKeepAliveResponse>>
      rpc;
  bool broken = false;  // guarded by LeaseSession::mu_
  // When the oldest unanswered keep-alive was sent; an answer extends the lease from there.
  std::optional<Clock::TimePoint> oldest_unanswered;  // guarded by LeaseSession::mu_
};

Result<std::unique_ptr<LeaseSession>> LeaseSession::start(Client& client,
                                                          LeaseSessionOptions options,
                                                          const Clock& clock) {
  auto started = clock.now();
  if (options.reuse != 0) {
    auto info = client.lease_time_to_live(options.reuse);
    if (!info) return fail(info.error());
    if (info->ttl_seconds > 0 && info->granted_ttl_seconds == options.ttl_seconds) {
      std::unique_ptr<LeaseSession> session(
          new LeaseSession(client, options.reuse, info->granted_ttl_seconds, /*reused=*/true, clock,
                           std::move(options.on_lost)));
      session->expiry_ = started + std::chrono::seconds(info->ttl_seconds);
      session->thread_ = std::thread([s = session.get()] { s->run(); });
      return session;
    }
  }
  auto grant = client.lease_grant(options.ttl_seconds);
  if (!grant) return fail(grant.error());
  std::unique_ptr<LeaseSession> session(new LeaseSession(
      client, grant->id, grant->ttl_seconds, /*reused=*/false, clock, std::move(options.on_lost)));
  session->expiry_ = started + std::chrono::seconds(grant->ttl_seconds);
  session->thread_ = std::thread([s = session.get()] { s->run(); });
  return session;
}

LeaseSession::LeaseSession(Client& client, LeaseId id, int64_t ttl_seconds, bool reused,
                           const Clock& clock, std::function<void()> on_lost)
    : client_(client),
      id_(id),
      ttl_seconds_(ttl_seconds),
      reused_(reused),
      clock_(clock),
      on_lost_(std::move(on_lost)) {}

LeaseSession::~LeaseSession() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (stream_) stream_->context->TryCancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaseSession::lost() const {
  std::lock_guard lock(mu_);
  return !lost_reason_.empty();
}

bool LeaseSession::wait_lost(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return !lost_reason_.empty(); });
}

std::string LeaseSession::lost_reason() const {
  std::lock_guard lock(mu_);
  return lost_reason_;
}

Status LeaseSession::revoke() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (stream_) stream_->context->TryCancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  auto revoked = client_.lease_revoke(id_);
  mark_lost("revoked by its owner");
  return revoked;
}

void LeaseSession::mark_lost(std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (lost_reason_.empty()) lost_reason_ = std::move(reason);
    if (stream_) stream_->context->TryCancel();
  }
  cv_.notify_all();
}

bool LeaseSession::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_ || !lost_reason_.empty();
}

void LeaseSession::run() {
  keep_alive();
  if (on_lost_ && lost()) on_lost_();
}

void LeaseSession::keep_alive() {
  auto& pool = client_.connections();
  while (!stopping()) {
    size_t endpoint = pool.preferred();
    keep_alive_over(endpoint);
    if (stopping()) return;
    pool.skip(endpoint);
    bool expired = false;
    {
      std::lock_guard lock(mu_);
      expired = clock_.now() >= expiry_;
    }
    if (expired) {
      mark_lost("no keep-alive answered within the lease's TTL (etcd unreachable)");
      return;
    }
    pool.pause(pool.preferred(), kReconnectPause, [this] { return stopping(); });
  }
}

void LeaseSession::keep_alive_over(size_t endpoint) {
  auto& pool = client_.connections();
  auto context = internal::stream_context(pool, endpoint);
  if (!context) return;

  Stream stream;
  stream.context = std::move(*context);
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !lost_reason_.empty()) return;
    stream.rpc = pool.at(endpoint).lease->LeaseKeepAlive(stream.context.get());
    stream_ = &stream;
  }

  std::thread reader([&] {
    pb::LeaseKeepAliveResponse response;
    while (stream.rpc->Read(&response)) {
      if (response.ttl() <= 0) {
        mark_lost("etcd says the lease has expired or was revoked");
        return;
      }
      std::lock_guard lock(mu_);
      const auto now = clock_.now();
      auto sent = stream.oldest_unanswered.value_or(now);
      expiry_ = sent + std::chrono::seconds(response.ttl());
      stream.oldest_unanswered.reset();
      // The round trip of the keep-alive: what decides whether the lease outlives a slow etcd.
      if (auto* metrics = pool.metrics()) {
        metrics->observe(metrics::EtcdMetrics::Method::kLeaseKeepAlive, now - sent, ErrorCode::kOk);
      }
    }
    std::lock_guard lock(mu_);
    stream.broken = true;
    cv_.notify_all();
  });

  const auto interval =
      std::max<std::chrono::milliseconds>(std::chrono::seconds(ttl_seconds_) / 3, kMinInterval);
  pb::LeaseKeepAliveRequest request;
  request.set_id(id_);
  std::unique_lock lock(mu_);
  while (!stopping_ && lost_reason_.empty() && !stream.broken) {
    auto now = clock_.now();
    if (now >= expiry_) {
      lost_reason_ = "no keep-alive answered within the lease's TTL (etcd unreachable)";
      cv_.notify_all();
      break;
    }
    // An answer overdue by a whole interval means this member is stuck: try another one.
    if (stream.oldest_unanswered && now - *stream.oldest_unanswered > interval) break;
    if (!stream.oldest_unanswered) stream.oldest_unanswered = now;
    lock.unlock();
    bool written = stream.rpc->Write(request);
    lock.lock();
    if (!written) break;
    cv_.wait_for(lock, interval,
                 [&] { return stopping_ || !lost_reason_.empty() || stream.broken; });
  }
  stream.context->TryCancel();
  lock.unlock();
  reader.join();
  stream.rpc->Finish();
  lock.lock();
  stream_ = nullptr;
}

}  // namespace fleet::etcd
