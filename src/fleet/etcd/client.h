// A client for etcd's v3 API over gRPC: keys, transactions, leases, cluster status.
//
// Example:
//   auto client = etcd::Client::connect({.endpoints = {"http://127.0.0.1:2379"}});
//   if (!client) return fail(client.error());
//   auto revision = (*client)->put("/fleet/x", "1");
//
// Every request has a deadline (ClientOptions::request_timeout) and fails over to the next
// endpoint when one is unavailable. Errors name the endpoint and what to check. Watches and lease
// keep-alives live in watcher.h and lease_session.h. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/etcd/client_options.h"
#include "fleet/etcd/txn.h"
#include "fleet/etcd/types.h"

namespace fleet::etcd {
namespace internal {
class ConnectionPool;
}

class Client {
 public:
  // Checks the endpoints and reads the TLS files; connects lazily, so etcd need not be up yet.
  // Returns kInvalidArgument for a malformed endpoint or an unreadable TLS file.
  static Result<std::unique_ptr<Client>> connect(const ClientOptions& options);
  ~Client();

  // Reads [key, options.range_end). kOutOfRange when options.revision is compacted.
  Result<RangeResult> range(std::string_view key, const RangeOptions& options = {});
  // One key, or nullopt when it does not exist.
  Result<std::optional<KeyValue>> get(std::string_view key);
  // Every key under `prefix` at one revision, read in pages of `page_size` so that no single
  // response grows past what gRPC and etcd allow.
  Result<RangeResult> list_prefix(std::string_view prefix, int64_t page_size = 10000);

  // Writes key=value (attached to `lease` unless 0); returns the new store revision.
  Result<Revision> put(std::string_view key, std::string_view value, LeaseId lease = 0);
  // Deletes [key, range_end) (only `key` when range_end is empty); returns how many were deleted.
  Result<int64_t> erase(std::string_view key, std::string_view range_end = {});

  // Runs a transaction; `succeeded` says which branch ran.
  Result<TxnResult> txn(const Txn& txn);
  // Runs `guards` -> `ops`; returns the new revision, or kFailedPrecondition when a guard did not
  // hold (nothing was written: re-read and decide again).
  Result<Revision> commit(std::vector<Compare> guards, std::vector<Op> ops);
  // Commits many guarded changes in as few transactions as etcd allows (pack_changes). Changes
  // sharing a transaction commit or fail together. Returns, per change, the revision it committed
  // at, 0 when it did not; fails only when etcd could not be asked.
  Result<std::vector<Revision>> commit_batched(const std::vector<GuardedChange>& changes,
                                               size_t max_ops = kMaxTxnOps);

  // Discards history before `revision`; watches and reads older than it then see kOutOfRange.
  Status compact(Revision revision);

  // Grants a lease of `ttl_seconds` (with `id` when non-zero). Keys attached to it vanish when
  // it expires. kAlreadyExists if `id` is taken.
  Result<LeaseGrant> lease_grant(int64_t ttl_seconds, LeaseId id = 0);
  // Revokes a lease, deleting its keys. kNotFound if it does not exist.
  Status lease_revoke(LeaseId id);
  // Remaining TTL (-1 once expired or unknown).
  Result<LeaseInfo> lease_time_to_live(LeaseId id);

  // Status of the member behind endpoint `index` (default: the preferred one). No failover.
  Result<MemberStatus> status(std::optional<size_t> index = std::nullopt);
  Result<std::vector<Member>> member_list();

  // The URL requests currently go to.
  std::string preferred_endpoint() const;

  // For Watcher and LeaseSession.
  internal::ConnectionPool& connections() { return *pool_; }

 private:
  explicit Client(std::unique_ptr<internal::ConnectionPool> pool);

  std::unique_ptr<internal::ConnectionPool> pool_;
};

}  // namespace fleet::etcd
