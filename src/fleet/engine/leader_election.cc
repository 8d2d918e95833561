#include "fleet/engine/leader_election.h"

namespace fleet::engine {

using etcd::Compare;
using etcd::Op;

Result<std::unique_ptr<LeaderElection>> LeaderElection::start(registry::Registry& registry,
                                                              LeaderElectionOptions options,
                                                              const Clock& clock) {
  std::unique_ptr<LeaderElection> election(new LeaderElection(registry, std::move(options), clock));
  std::lock_guard lock(election->mu_);
  if (auto session = election->renew_session_if_lost(); !session) return fail(session.error());
  return election;
}

LeaderElection::LeaderElection(registry::Registry& registry, LeaderElectionOptions options,
                               const Clock& clock)
    : registry_(registry), options_(std::move(options)), clock_(clock) {}

LeaderElection::~LeaderElection() = default;

Status LeaderElection::renew_session_if_lost() {
  if (session_ && !session_->lost()) return {};
  created_ = 0;
  auto session =
      etcd::LeaseSession::start(registry_.client(), {.ttl_seconds = options_.ttl_seconds}, clock_);
  if (!session) return fail(session.error());
  session_ = std::move(*session);
  return {};
}

Result<bool> LeaderElection::campaign() {
  std::lock_guard lock(mu_);
  if (auto renewed = renew_session_if_lost(); !renewed) return fail(renewed.error());
  auto current = try_create();
  if (!current && current.error().code == ErrorCode::kNotFound) {
    // etcd revoked our lease before the session noticed: campaign on a new one.
    session_.reset();
    if (auto renewed = renew_session_if_lost(); !renewed) return fail(renewed.error());
    current = try_create();
  }
  if (!current) return fail(current.error());
  if (!*current) return true;
  const etcd::KeyValue& holder = **current;
  if (holder.lease == session_->id()) {
    created_ = holder.create_revision;  // ours already (an earlier campaign)
    return true;
  }
  // A leader of an older engine version gives way (spec §5.3), and so does a record nobody can
  // read. Its key is deleted (guarded, so only one newer engine does it), then created afresh:
  // a new create revision, so the old leader's guard fails from that moment on.
  auto leader = registry::decode_leader(holder.key, holder.value);
  if (leader && leader->version >= kEngineVersion) return false;
  auto deposed = registry_.client().commit(
      {Compare::mod_revision_is(holder.key, holder.mod_revision)}, {Op::erase(holder.key)});
  if (!deposed && deposed.error().code != ErrorCode::kFailedPrecondition) {
    return fail(deposed.error());
  }
  auto again = try_create();
  if (!again) return fail(again.error());
  return !*again;
}

Result<std::optional<etcd::KeyValue>> LeaderElection::try_create() {
  const std::string key = registry_.keys().engine_leader();
  etcd::Txn txn;
  txn.compare = {Compare::absent(key)};
  txn.success = {
      Op::put(key, registry::encode(registry::LeaderRecord{options_.machine_id, kEngineVersion}),
              session_->id())};
  txn.failure = {Op::get(key)};
  auto result = registry_.client().txn(txn);
  if (!result) return fail(result.error());
  created_ = 0;
  if (result->succeeded) {
    created_ = result->revision;
    return std::optional<etcd::KeyValue>();
  }
  auto& found = result->responses.front().range.kvs;
  if (found.empty()) {  // the compare and the read run in one transaction: etcd misbehaved
    return fail(ErrorCode::kInternal, "etcd reported " + key + " both absent and present");
  }
  return std::optional<etcd::KeyValue>(std::move(found.front()));
}

bool LeaderElection::leading() const {
  std::lock_guard lock(mu_);
  return created_ != 0 && session_ && !session_->lost();
}

etcd::Compare LeaderElection::guard() const {
  std::lock_guard lock(mu_);
  return Compare::make(registry_.keys().engine_leader(), Compare::Target::kCreateRevision,
                       Compare::Relation::kEqual, created_);
}

Status LeaderElection::resign() {
  std::lock_guard lock(mu_);
  if (created_ == 0) return {};
  const std::string key = registry_.keys().engine_leader();
  auto erased = registry_.client().commit(
      {Compare::make(key, Compare::Target::kCreateRevision, Compare::Relation::kEqual, created_)},
      {Op::erase(key)});
  created_ = 0;
  if (!erased && erased.error().code != ErrorCode::kFailedPrecondition) return fail(erased.error());
  return {};
}

etcd::LeaseId LeaderElection::lease() const {
  std::lock_guard lock(mu_);
  return session_ ? session_->id() : 0;
}

}  // namespace fleet::engine
