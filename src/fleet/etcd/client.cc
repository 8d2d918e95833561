#include "fleet/etcd/client.h"

#include "fleet/etcd/internal/connection_pool.h"
#include "fleet/etcd/internal/convert.h"
#include "fleet/etcd/internal/unary_call.h"

namespace fleet::etcd {

using internal::Connection;
using internal::Method;
using internal::unary_call;
namespace pb = etcdserverpb;

Result<std::unique_ptr<Client>> Client::connect(const ClientOptions& options) {
  auto pool = internal::ConnectionPool::create(options);
  if (!pool) return fail(pool.error());
  return std::unique_ptr<Client>(new Client(std::move(*pool)));
}

Client::Client(std::unique_ptr<internal::ConnectionPool> pool) : pool_(std::move(pool)) {}

Client::~Client() = default;

Result<RangeResult> Client::range(std::string_view key, const RangeOptions& options) {
  return unary_call(*pool_, &Connection::kv, &pb::KV::Stub::Range,
                    internal::to_range_request(key, options), Method::kRange, "range")
      .map([](const pb::RangeResponse& response) { return internal::from_proto(response); });
}

Result<std::optional<KeyValue>> Client::get(std::string_view key) {
  return range(key).map([](RangeResult result) -> std::optional<KeyValue> {
    if (result.kvs.empty()) return std::nullopt;
    return std::move(result.kvs.front());
  });
}

Result<RangeResult> Client::list_prefix(std::string_view prefix, int64_t page_size) {
  RangeOptions options;
  options.range_end = prefix_end(prefix);
  options.limit = page_size;
  RangeResult all;
  std::string from(prefix);
  while (true) {
    auto page = range(from, options);
    if (!page) return fail(page.error());
    if (all.revision == 0) {
      // Later pages read at the first page's revision, so the whole list is one snapshot.
      all.revision = page->revision;
      all.count = page->count;
      options.revision = page->revision;
    }
    bool more = page->more;
    for (auto& kv : page->kvs) all.kvs.push_back(std::move(kv));
    if (!more || all.kvs.empty()) break;
    from = all.kvs.back().key + '\0';
  }
  return all;
}

Result<Revision> Client::put(std::string_view key, std::string_view value, LeaseId lease) {
  pb::PutRequest request;
  request.set_key(std::string(key));
  request.set_value(std::string(value));
  request.set_lease(lease);
  return unary_call(*pool_, &Connection::kv, &pb::KV::Stub::Put, request, Method::kPut, "put")
      .map([](const pb::PutResponse& response) { return response.header().revision(); });
}

Result<int64_t> Client::erase(std::string_view key, std::string_view range_end) {
  pb::DeleteRangeRequest request;
  request.set_key(std::string(key));
  request.set_range_end(std::string(range_end));
  return unary_call(*pool_, &Connection::kv, &pb::KV::Stub::DeleteRange, request, Method::kDelete,
                    "delete")
      .map([](const pb::DeleteRangeResponse& response) { return response.deleted(); });
}

Result<TxnResult> Client::txn(const Txn& txn) {
  return unary_call(*pool_, &Connection::kv, &pb::KV::Stub::Txn, internal::to_proto(txn),
                    Method::kTxn, "txn")
      .map([](const pb::TxnResponse& response) { return internal::from_proto(response); });
}

Result<Revision> Client::commit(std::vector<Compare> guards, std::vector<Op> ops) {
  Txn request{std::move(guards), std::move(ops), {}};
  auto result = txn(request);
  if (!result) return fail(result.error());
  if (!result->succeeded) {
    return fail(ErrorCode::kFailedPrecondition,
                "etcd txn: a guard no longer holds (another writer changed a key first)");
  }
  return result->revision;
}

Result<std::vector<Revision>> Client::commit_batched(const std::vector<GuardedChange>& changes,
                                                     size_t max_ops) {
  std::vector<Revision> committed(changes.size(), 0);
  for (const auto& members : pack_changes(changes, max_ops)) {
    Txn request;
    for (size_t index : members) {
      const auto& change = changes[index];
      request.compare.insert(request.compare.end(), change.guards.begin(), change.guards.end());
      request.success.insert(request.success.end(), change.ops.begin(), change.ops.end());
    }
    auto result = txn(request);
    if (!result) return fail(result.error());
    if (!result->succeeded) continue;
    for (size_t index : members) committed[index] = result->revision;
  }
  return committed;
}

Status Client::compact(Revision revision) {
  pb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(true);
  return unary_call(*pool_, &Connection::kv, &pb::KV::Stub::Compact, request, Method::kCompact,
                    "compact")
      .map([](const pb::CompactionResponse&) {});
}

Result<LeaseGrant> Client::lease_grant(int64_t ttl_seconds, LeaseId id) {
  pb::LeaseGrantRequest request;
  request.set_ttl(ttl_seconds);
  request.set_id(id);
  auto response = unary_call(*pool_, &Connection::lease, &pb::Lease::Stub::LeaseGrant, request,
                             Method::kLeaseGrant, "lease grant");
  if (!response) return fail(response.error());
  if (!response->error().empty()) {
    return fail(ErrorCode::kFailedPrecondition, "etcd lease grant: " + response->error());
  }
  return LeaseGrant{response->id(), response->ttl()};
}

Status Client::lease_revoke(LeaseId id) {
  pb::LeaseRevokeRequest request;
  request.set_id(id);
  return unary_call(*pool_, &Connection::lease, &pb::Lease::Stub::LeaseRevoke, request,
                    Method::kLeaseRevoke, "lease revoke")
      .map([](const pb::LeaseRevokeResponse&) {});
}

Result<LeaseInfo> Client::lease_time_to_live(LeaseId id) {
  pb::LeaseTimeToLiveRequest request;
  request.set_id(id);
  return unary_call(*pool_, &Connection::lease, &pb::Lease::Stub::LeaseTimeToLive, request,
                    Method::kLeaseTimeToLive, "lease time-to-live")
      .map([](const pb::LeaseTimeToLiveResponse& response) {
        return LeaseInfo{response.id(), response.ttl(), response.grantedttl()};
      });
}

Result<MemberStatus> Client::status(std::optional<size_t> index) {
  size_t target = index.value_or(pool_->preferred());
  if (target >= pool_->size()) {
    return fail(ErrorCode::kInvalidArgument, "no etcd endpoint #" + std::to_string(target));
  }
  const auto& url = pool_->endpoint(target).url;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + pool_->request_timeout());
  if (auto authorized = pool_->authorize(context, target, context.deadline()); !authorized) {
    return fail(authorized.error());
  }
  pb::StatusResponse response;
  auto status = pool_->at(target).maintenance->Status(&context, pb::StatusRequest(), &response);
  if (!status.ok()) return fail(internal::from_grpc(status, url, "status"));
  MemberStatus out;
  out.endpoint = url;
  out.version = response.version();
  out.member_id = response.header().member_id();
  out.leader_id = response.leader();
  out.revision = response.header().revision();
  out.db_size = response.dbsize();
  out.raft_term = response.raftterm();
  out.raft_index = response.raftindex();
  return out;
}

Result<std::vector<Member>> Client::member_list() {
  return unary_call(*pool_, &Connection::cluster, &pb::Cluster::Stub::MemberList,
                    pb::MemberListRequest(), Method::kMemberList, "member list")
      .map([](const pb::MemberListResponse& response) {
        std::vector<Member> members;
        for (const auto& m : response.members()) {
          members.push_back(Member{m.id(),
                                   m.name(),
                                   {m.peerurls().begin(), m.peerurls().end()},
                                   {m.clienturls().begin(), m.clienturls().end()},
                                   m.islearner()});
        }
        return members;
      });
}

std::string Client::preferred_endpoint() const { return pool_->endpoint(pool_->preferred()).url; }

}  // namespace fleet::etcd
