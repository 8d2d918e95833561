// The one path every unary etcd request takes: deadline, auth token, failover, error mapping.
#pragma once

#include <algorithm>
#include <string_view>
#include <thread>

#include "fleet/etcd/internal/connection_pool.h"
#include "fleet/etcd/internal/grpc_error.h"

namespace fleet::etcd::internal {

// Calls `method` of the service `stub` on the preferred endpoint. When an endpoint is unavailable
// the next one is tried, round after round, until the request timeout; an expired auth token is
// renewed once. A write that failed as unavailable may still have been applied: guarded writes
// then see their compare fail and re-read, which is the behaviour callers must handle anyway.
template <class Stub, class Request, class Response>
Result<Response> unary_call(ConnectionPool& pool, std::unique_ptr<Stub> Connection::*stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                         Response*),
                            const Request& request, std::string_view what) {
  using Clock = std::chrono::system_clock;
  const auto deadline = Clock::now() + pool.request_timeout();
  bool renewed_token = false;
  for (size_t attempt = 1;; ++attempt) {
    size_t index = pool.preferred();
    grpc::ClientContext context;
    context.set_deadline(deadline);
    if (auto authorized = pool.authorize(context, index, deadline); !authorized) {
      return fail(authorized.error());
    }
    Response response;
    Stub* service = (pool.at(index).*stub).get();
    auto result = (service->*method)(&context, request, &response);
    if (result.ok()) return response;
    if (pool.has_credentials() && is_auth_token_error(result) && !renewed_token) {
      pool.forget_token();
      renewed_token = true;
      continue;
    }
    bool out_of_time = Clock::now() >= deadline;
    if (!worth_another_endpoint(result) || out_of_time) {
      bool tried_all = attempt >= pool.size();
      return fail(from_grpc(result, tried_all ? pool.all_urls() : pool.endpoint(index).url, what));
    }
    pool.skip(index);
    // After a full round of refusals give etcd a moment (a leader election, a restart).
    if (attempt % pool.size() == 0) {
      auto pause =
          std::min<Clock::duration>(std::chrono::milliseconds(100), deadline - Clock::now());
      std::this_thread::sleep_for(pause);
    }
  }
}

}  // namespace fleet::etcd::internal
