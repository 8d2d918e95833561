// The one path every unary etcd request takes: deadline, auth token, failover, error mapping,
// metrics.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>

#include "fleet/etcd/internal/connection_pool.h"
#include "fleet/etcd/internal/grpc_error.h"
#include "fleet/metrics/fleet_metrics.h"

namespace fleet::etcd::internal {

using Method = metrics::EtcdMetrics::Method;

// Calls `method` of the service `stub` on the preferred endpoint. When an endpoint is unavailable
// the next one is tried, round after round, until the request timeout; an expired auth token is
// renewed once. A write that failed as unavailable may still have been applied: guarded writes
// then see their compare fail and re-read, which is the behaviour callers must handle anyway.
//
// An attempt that gets no answer within a third of the timeout moves on as well: a follower whose
// leader just died accepts the request but raft drops the proposal, and etcd would hold it for
// seconds. Every request fleet makes is small (pages of at most 10,000 keys, transactions of at
// most 128 operations), so such silence means a stuck member, not a slow answer.
//
// Requests ask for a member with a leader ("hasleader"): a member cut off from its cluster refuses
// at once, and the request moves on, instead of holding it until etcd's own timeout while raft
// drops its proposals.
template <class Stub, class Request, class Response>
Result<Response> call_with_failover(ConnectionPool& pool, std::unique_ptr<Stub> Connection::*stub,
                                    grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                 const Request&, Response*),
                                    const Request& request, std::string_view what) {
  using Clock = std::chrono::system_clock;
  const auto deadline = Clock::now() + pool.request_timeout();
  const auto attempt_timeout =
      std::max<Clock::duration>(pool.request_timeout() / 3, std::chrono::seconds(1));
  bool renewed_token = false;
  // Why the last endpoint refused: a more useful report than the deadline that ends the retries.
  std::optional<Error> last_refusal;
  for (size_t attempt = 1;; ++attempt) {
    size_t index = pool.preferred();
    grpc::ClientContext context;
    context.set_deadline(std::min(deadline, Clock::now() + attempt_timeout));
    context.AddMetadata("hasleader", "true");
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
    bool tried_all = attempt >= pool.size();
    auto error = from_grpc(result, tried_all ? pool.all_urls() : pool.endpoint(index).url, what);
    bool silent = result.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!silent && !worth_another_endpoint(result)) return fail(std::move(error));
    if (!silent) last_refusal = error;
    if (Clock::now() >= deadline) {
      return fail(silent && last_refusal ? std::move(*last_refusal) : std::move(error));
    }
    pool.skip(index);
    // After a full round of refusals give etcd a moment (a leader election, a restart).
    if (attempt % pool.size() == 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pool.pause(pool.preferred(), std::min(left, std::chrono::milliseconds(100)));
    }
  }
}

// call_with_failover(), timed as one request of `label` from the caller's side: an answer that
// took two endpoints and a token renewal is one slow request, which is what the caller waited.
template <class Stub, class Request, class Response>
Result<Response> unary_call(ConnectionPool& pool, std::unique_ptr<Stub> Connection::*stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                         Response*),
                            const Request& request, Method label, std::string_view what) {
  auto* metrics = pool.metrics();
  if (!metrics) return call_with_failover(pool, stub, method, request, what);
  const auto started = std::chrono::steady_clock::now();
  auto result = call_with_failover(pool, stub, method, request, what);
  metrics->observe(label, std::chrono::steady_clock::now() - started,
                   result ? ErrorCode::kOk : result.error().code);
  return result;
}

}  // namespace fleet::etcd::internal
