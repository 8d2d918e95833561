// Setting up the context of a long-lived etcd stream (watch, lease keep-alive).
#pragma once

#include <memory>

#include <grpcpp/grpcpp.h>

#include "fleet/etcd/internal/connection_pool.h"

namespace fleet::etcd::internal {

// A context for a stream to endpoint `index`: authorized, and asking etcd to end the stream when
// its member loses the raft leader, so that a stream on a cut-off member does not go silent but
// fails over to a member that still sees the cluster.
inline Result<std::unique_ptr<grpc::ClientContext>> stream_context(ConnectionPool& pool,
                                                                   size_t index) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("hasleader", "true");
  auto deadline = std::chrono::system_clock::now() + pool.request_timeout();
  if (auto authorized = pool.authorize(*context, index, deadline); !authorized) {
    return fail(authorized.error());
  }
  return context;
}

}  // namespace fleet::etcd::internal
