// The channels to every etcd endpoint, which one is preferred, and the auth token.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "fleet/base/error.h"
#include "fleet/etcd/client_options.h"
#include "fleet/etcd/endpoints.h"

#include "etcd/etcd_rpc.grpc.pb.h"

namespace fleet::etcd::internal {

// One endpoint's channel and the stubs of every etcd service on it.
struct Connection {
  Endpoint endpoint;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<etcdserverpb::KV::Stub> kv;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  std::unique_ptr<etcdserverpb::Cluster::Stub> cluster;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
  std::unique_ptr<etcdserverpb::Auth::Stub> auth;
};

// Owns one gRPC channel per endpoint. Calls go to the preferred endpoint; a caller that finds it
// unavailable calls skip() and the next endpoint becomes preferred. Thread-safe.
class ConnectionPool {
 public:
  using Deadline = std::chrono::system_clock::time_point;

  // Reads the TLS files and creates the channels; connects lazily, so etcd need not be up.
  // Returns kInvalidArgument for a bad endpoint or an unreadable TLS file.
  static Result<std::unique_ptr<ConnectionPool>> create(const ClientOptions& options);

  size_t size() const { return connections_.size(); }
  size_t preferred() const;
  Connection& at(size_t index) { return *connections_[index]; }
  const Endpoint& endpoint(size_t index) const { return connections_[index]->endpoint; }

  // The endpoint at `failed` did not answer: prefer the next one (if it is still preferred).
  void skip(size_t failed);

  // Adds the auth token to `context`, authenticating against endpoint `index` first if needed.
  // Returns the authentication's error (kInvalidArgument for a wrong password, ...).
  Status authorize(grpc::ClientContext& context, size_t index, Deadline deadline);
  bool has_credentials() const { return !username_.empty(); }
  // etcd refused the token (expired): the next authorize() authenticates again.
  void forget_token();

  // Waits `pause` before a retry, or less once `stopped()` returns true (checked every 50 ms);
  // returns false when stopped. The wait is spent on endpoint `index`'s channel, asking it to
  // connect: gRPC advances a connection attempt only while some thread waits on the channel, and
  // fail-fast calls return at once, so a retry loop that slept instead would find the channel
  // still down long after etcd came back.
  bool pause(
      size_t index, std::chrono::milliseconds pause,
      const std::function<bool()>& stopped = [] { return false; });

  std::chrono::milliseconds request_timeout() const { return request_timeout_; }
  std::string all_urls() const;
  // ClientOptions::metrics: null when nothing is counted.
  metrics::EtcdMetrics* metrics() const { return metrics_; }

 private:
  ConnectionPool() = default;

  std::vector<std::unique_ptr<Connection>> connections_;  // constant after create()
  std::string username_;
  std::string password_;
  std::chrono::milliseconds request_timeout_{};
  metrics::EtcdMetrics* metrics_ = nullptr;

  mutable std::mutex mu_;
  size_t preferred_ = 0;  // guarded by mu_
  std::string token_;     // guarded by mu_
};

}  // namespace fleet::etcd::internal
