#include "fleet/registry/registry.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "fleet/unit/fleet_options.h"

namespace fleet::registry {
namespace {

using etcd::Compare;
using etcd::Op;
using OpKind = metrics::RegistryOpMetrics::Op;

// Rounds of "commit, learn who lost, try the rest again" before create_units gives up. Each
// round settles every unit that raced with a concurrent create or destroy; only a pathological
// writer keeps a unit from settling in two.
constexpr int kMaxRounds = 5;

// Schedule transactions write at most this many at once.
constexpr size_t kScheduleTxnsInFlight = 4;

// Fewer state writes than this are sent as single puts and deletes, more as one transaction.
constexpr size_t kStatesPerTxn = 8;

Error gave_up(std::string_view what, std::string_view name) {
  return Error{ErrorCode::kAborted, std::string(what) + " " + std::string(name) +
                                        ": etcd kept changing under concurrent writers; try again"};
}

// Whether an operation's outcome counts as failed (registry.h): not found and already exists are
// answers.
bool failed(const Error& error) {
  return error.code != ErrorCode::kNotFound && error.code != ErrorCode::kAlreadyExists;
}
template <class T>
bool failed(const Result<T>& result) {
  return !result && failed(result.error());
}
template <class T>
bool failed(const std::vector<Result<T>>& results) {
  return std::any_of(results.begin(), results.end(),
                     [](const Result<T>& result) { return failed(result); });
}

}  // namespace

Registry::Registry(etcd::Client& client, Keys keys, metrics::RegistryOpMetrics& metrics)
    : client_(client), keys_(std::move(keys)), metrics_(metrics) {}

template <class Operation>
auto Registry::observed(metrics::RegistryOpMetrics::Op op, Operation&& operation) {
  // Wall time of the call, for a histogram: nothing decides by it, so no Clock is needed.
  const auto start = std::chrono::steady_clock::now();
  auto result = operation();
  metrics_.observe(op, std::chrono::steady_clock::now() - start, failed(result));
  return result;
}

Status Registry::ensure_schema() {
  return observed(OpKind::kSet, [&]() -> Status {
    const std::string key = keys_.schema();
    etcd::Txn txn;
    txn.compare = {Compare::absent(key)};
    txn.success = {Op::put(key, std::string(kSchemaVersion))};
    txn.failure = {Op::get(key)};
    auto result = client_.txn(txn);
    if (!result) return fail(result.error());
    if (result->succeeded) return {};
    const auto& found = result->responses.front().range.kvs;
    if (found.empty() || found.front().value == kSchemaVersion) return {};
    return fail(ErrorCode::kFailedPrecondition,
                "etcd prefix " + keys_.prefix() + " holds fleet data of layout version " +
                    found.front().value + "; this fleet uses version " +
                    std::string(kSchemaVersion) + ": choose another etcd_key_prefix");
  });
}

Status Registry::create_unit(const NewUnit& unit) {
  auto created = create_units({unit}).front();
  if (!created) return fail(created.error());
  return {};
}

std::vector<Result<etcd::Revision>> Registry::create_units(const std::vector<NewUnit>& units) {
  return observed(OpKind::kSet, [&]() -> std::vector<Result<etcd::Revision>> {
    std::vector<Result<etcd::Revision>> results(units.size());
    std::vector<unit::UnitHash> hashes;
    std::vector<bool> global;
    hashes.reserve(units.size());
    for (const auto& unit : units) {
      hashes.push_back(unit.body.hash());
      global.push_back(unit::parse_fleet_options(unit.body, unit.name).global);
    }

    std::vector<size_t> pending(units.size());
    for (size_t i = 0; i < units.size(); ++i) pending[i] = i;
    for (int round = 0; round < kMaxRounds && !pending.empty(); ++round) {
      // Bodies seen by the caller go unasked in the first round only: a later round means some
      // guard failed, perhaps on a body destroyed since.
      std::vector<size_t> unseen;
      for (size_t i : pending) {
        if (round > 0 || !units[i].body_seen) unseen.push_back(i);
      }
      if (auto stored = store_missing_bodies(units, unseen); !stored) {
        for (size_t i : pending) results[i] = fail(stored.error());
        return results;
      }
      // The body guard makes a unit commit only while its body exists: a destroy of the body's
      // last other user may have deleted it since it was stored.
      std::vector<etcd::GuardedChange> changes;
      changes.reserve(pending.size());
      for (size_t i : pending) {
        const auto& unit = units[i];
        etcd::GuardedChange change;
        change.guards = {Compare::absent(keys_.unit(unit.name)),
                         Compare::exists(keys_.body(hashes[i]))};
        change.ops = {
            Op::put(keys_.unit(unit.name), encode(UnitRecord{hashes[i], unit.desired, global[i]})),
            Op::put(keys_.body_user(hashes[i], unit.name), "")};
        if (global[i]) {
          change.ops.push_back(
              Op::put(keys_.global_unit(unit.name), encode(Assignment{hashes[i], unit.desired})));
        }
        changes.push_back(std::move(change));
      }
      auto committed = client_.commit_batched(changes);
      if (!committed) {
        for (size_t i : pending) results[i] = fail(committed.error());
        return results;
      }
      // A change fails with its whole transaction: find the ones that lost for their own reason.
      std::vector<size_t> again;
      for (size_t n = 0; n < pending.size(); ++n) {
        size_t i = pending[n];
        if ((*committed)[n] != 0) {
          results[i] = (*committed)[n];
          continue;
        }
        auto existing = client_.range(keys_.unit(units[i].name), {.count_only = true});
        if (!existing) {
          results[i] = fail(existing.error());
        } else if (existing->count > 0) {
          results[i] = fail(ErrorCode::kAlreadyExists, "unit " + units[i].name + " already exists");
        } else {
          again.push_back(i);
        }
      }
      pending = std::move(again);
    }
    for (size_t i : pending) results[i] = fail(gave_up("creating unit", units[i].name));
    return results;
  });
}

Status Registry::store_missing_bodies(const std::vector<NewUnit>& units,
                                      const std::vector<size_t>& indexes) {
  std::map<unit::UnitHash, const unit::UnitFile*> wanted;
  for (size_t i : indexes) wanted.emplace(units[i].body.hash(), &units[i].body);
  std::vector<std::pair<unit::UnitHash, const unit::UnitFile*>> distinct(wanted.begin(),
                                                                         wanted.end());
  // Existence is asked 128 bodies per read-only transaction, and the missing ones written 128
  // per transaction: thousands of instances of one template cost one read, not thousands.
  for (size_t start = 0; start < distinct.size(); start += etcd::kMaxTxnOps) {
    size_t end = std::min(distinct.size(), start + etcd::kMaxTxnOps);
    etcd::Txn probe;
    for (size_t i = start; i < end; ++i) {
      Op get = Op::get(keys_.body(distinct[i].first));
      get.range.count_only = true;
      probe.success.push_back(std::move(get));
    }
    auto found = client_.txn(probe);
    if (!found) return fail(found.error());
    etcd::Txn store;
    for (size_t i = start; i < end; ++i) {
      if (found->responses[i - start].range.count > 0) continue;
      // Unguarded: a body is its content, so two writers storing it write the same bytes.
      store.success.push_back(
          Op::put(keys_.body(distinct[i].first), encode_body(*distinct[i].second)));
    }
    if (store.success.empty()) continue;
    if (auto stored = client_.txn(store); !stored) return fail(stored.error());
  }
  return {};
}

Status Registry::update_unit(
    std::string_view name,
    const std::function<std::optional<etcd::GuardedChange>(const UnitRecord&, etcd::Revision)>&
        change) {
  for (int round = 0; round < kMaxRounds; ++round) {
    auto kv = client_.get(keys_.unit(name));
    if (!kv) return fail(kv.error());
    if (!*kv) return fail(ErrorCode::kNotFound, "unit " + std::string(name) + " does not exist");
    auto record = decode_unit((*kv)->key, (*kv)->value);
    if (!record) return fail(record.error());
    auto write = change(*record, (*kv)->mod_revision);
    if (!write) return {};
    write->guards.push_back(Compare::mod_revision_is(keys_.unit(name), (*kv)->mod_revision));
    auto committed = client_.commit(std::move(write->guards), std::move(write->ops));
    if (committed) return {};
    if (committed.error().code != ErrorCode::kFailedPrecondition) return fail(committed.error());
  }
  return fail(gave_up("updating unit", name));
}

Status Registry::set_desired_state(std::string_view name, unit::DesiredState desired) {
  return observed(OpKind::kSet, [&]() -> Status {
    return update_unit(
        name, [&](const UnitRecord& record, etcd::Revision) -> std::optional<etcd::GuardedChange> {
          if (record.desired == desired) return std::nullopt;
          UnitRecord next = record;
          next.desired = desired;
          etcd::GuardedChange change;
          change.ops.push_back(Op::put(keys_.unit(name), encode(next)));
          if (record.global) {
            change.ops.push_back(
                Op::put(keys_.global_unit(name), encode(Assignment{next.hash, desired})));
          }
          return change;
        });
  });
}

Status Registry::replace_unit(const NewUnit& unit) {
  return observed(OpKind::kSet, [&]() -> Status {
    const unit::UnitHash hash = unit.body.hash();
    const bool global = unit::parse_fleet_options(unit.body, unit.name).global;
    if (auto stored = store_missing_bodies({unit}, {0}); !stored) return stored;
    unit::UnitHash old;
    auto replaced = update_unit(
        unit.name,
        [&](const UnitRecord& record, etcd::Revision) -> std::optional<etcd::GuardedChange> {
          old = record.hash;
          etcd::GuardedChange change;
          // As in create_units: commit only while the new body is still there.
          change.guards = {Compare::exists(keys_.body(hash))};
          change.ops = {
              Op::put(keys_.unit(unit.name), encode(UnitRecord{hash, unit.desired, global}))};
          if (old != hash) {
            change.ops.push_back(Op::erase(keys_.body_user(old, unit.name)));
            change.ops.push_back(Op::put(keys_.body_user(hash, unit.name), ""));
          }
          if (global) {
            change.ops.push_back(
                Op::put(keys_.global_unit(unit.name), encode(Assignment{hash, unit.desired})));
          } else if (record.global) {
            change.ops.push_back(Op::erase(keys_.global_unit(unit.name)));
          }
          return change;
        });
    if (!replaced) {
      // The body stored above would otherwise be left behind without a user.
      (void)erase_body_if_unused(hash);
      return replaced;
    }
    return old == hash ? Status{} : erase_body_if_unused(old);
  });
}

Status Registry::destroy_unit(std::string_view name) {
  return observed(OpKind::kSet, [&]() -> Status {
    unit::UnitHash hash;
    auto destroyed = update_unit(
        name, [&](const UnitRecord& record, etcd::Revision) -> std::optional<etcd::GuardedChange> {
          hash = record.hash;
          etcd::GuardedChange change;
          change.ops = {Op::erase(keys_.unit(name)), Op::erase(keys_.body_user(record.hash, name))};
          if (record.global) change.ops.push_back(Op::erase(keys_.global_unit(name)));
          return change;
        });
    if (!destroyed) return destroyed;
    return erase_body_if_unused(hash);
  });
}

Status Registry::erase_body_if_unused(const unit::UnitHash& hash) {
  // Deleted only while no unit uses it; a unit created meanwhile keeps it (or stores it again).
  auto unused =
      client_.commit({Compare::none_under(keys_.body_users(hash))}, {Op::erase(keys_.body(hash))});
  if (!unused && unused.error().code != ErrorCode::kFailedPrecondition) {
    return fail(unused.error());
  }
  return {};
}

template <class Record>
Result<std::optional<Record>> Registry::record_at(const std::string& key,
                                                  Result<Record> (*decode)(std::string_view,
                                                                           std::string_view)) {
  return observed(OpKind::kGet, [&]() -> Result<std::optional<Record>> {
    auto kv = client_.get(key);
    if (!kv) return fail(kv.error());
    if (!*kv) return std::optional<Record>();
    auto record = decode((*kv)->key, (*kv)->value);
    if (!record) return fail(record.error());
    return std::optional<Record>(std::move(*record));
  });
}

Result<std::optional<UnitRecord>> Registry::unit(std::string_view name) {
  return record_at(keys_.unit(name), &decode_unit);
}

Result<std::optional<MachineRecord>> Registry::machine(std::string_view id) {
  return record_at(keys_.machine(id), &decode_machine);
}

Result<std::optional<unit::UnitFile>> Registry::body(const unit::UnitHash& hash) {
  return record_at(keys_.body(hash), &decode_body);
}

std::vector<Result<std::optional<unit::UnitFile>>> Registry::bodies(
    const std::vector<unit::UnitHash>& hashes) {
  using Body = Result<std::optional<unit::UnitFile>>;
  return observed(OpKind::kGet, [&]() -> std::vector<Body> {
    std::vector<Body> found;
    found.reserve(hashes.size());
    for (size_t start = 0; start < hashes.size(); start += etcd::kMaxTxnOps) {
      const size_t end = std::min(hashes.size(), start + etcd::kMaxTxnOps);
      etcd::Txn read;
      for (size_t i = start; i < end; ++i) read.success.push_back(Op::get(keys_.body(hashes[i])));
      auto result = client_.txn(read);
      for (size_t i = start; i < end; ++i) {
        if (!result) {
          found.push_back(fail(result.error()));
          continue;
        }
        const auto& kvs = result->responses[i - start].range.kvs;
        if (kvs.empty()) {
          found.push_back(std::optional<unit::UnitFile>());
          continue;
        }
        auto body = decode_body(kvs.front().key, kvs.front().value);
        found.push_back(body ? Body(std::move(*body)) : Body(fail(body.error())));
      }
    }
    return found;
  });
}

Status Registry::register_machine(const MachineRecord& machine, etcd::LeaseId lease,
                                  etcd::LeaseId previous) {
  return observed(OpKind::kSet, [&]() -> Status {
    const std::string key = keys_.machine(machine.id);
    etcd::Txn txn;
    txn.compare = {Compare::absent(key)};
    txn.success = {Op::put(key, encode(machine), lease)};
    txn.failure = {Op::get(key)};
    auto created = client_.txn(txn);
    if (!created) return fail(created.error());
    if (created->succeeded) return {};
    const auto& found = created->responses.front().range.kvs;
    if (!found.empty() && found.front().lease != lease &&
        (previous == 0 || found.front().lease != previous)) {
      return fail(ErrorCode::kAlreadyExists,
                  "machine " + machine.id +
                      " is already registered by another fleetd (another machine with the same "
                      "/etc/machine-id, or this one's previous run, whose presence expires with "
                      "its lease)");
    }
    // Ours already (or just expired): update it, as long as it is still ours or gone.
    auto guard = found.empty() ? Compare::absent(key)
                               : Compare::mod_revision_is(key, found.front().mod_revision);
    auto updated = client_.commit({guard}, {Op::put(key, encode(machine), lease)});
    if (!updated) return fail(updated.error());
    return {};
  });
}

Status Registry::publish_state(std::string_view unit, std::string_view machine,
                               const UnitStateRecord& state, etcd::LeaseId lease) {
  return publish_states(machine, {{std::string(unit), state}}, lease);
}

Status Registry::remove_state(std::string_view unit, std::string_view machine) {
  return publish_states(machine, {{std::string(unit), std::nullopt}}, 0);
}

Status Registry::publish_states(std::string_view machine, const std::vector<StateWrite>& writes,
                                etcd::LeaseId lease) {
  return observed(OpKind::kSet, [&]() -> Status {
    etcd::Txn txn;
    for (const auto& write : writes) {
      auto key = keys_.state(write.unit, machine);
      txn.success.push_back(write.state ? Op::put(std::move(key), encode(*write.state), lease)
                                        : Op::erase(std::move(key)));
    }
    // etcd 3.4.23 spends about as much on one write txn as on eight puts (README's etcd table:
    // 797 txns/s against 6,282 puts/s), so a few writes go one request each.
    if (txn.success.size() < kStatesPerTxn) {
      for (const Op& op : txn.success) {
        if (op.kind == Op::Kind::kPut) {
          if (auto put = client_.put(op.key, op.value, op.lease); !put) return fail(put.error());
        } else if (auto erased = client_.erase(op.key); !erased) {
          return fail(erased.error());
        }
      }
      return {};
    }
    auto written = client_.txn(txn);
    if (!written) return fail(written.error());
    return {};
  });
}

Status Registry::set_metadata(std::string_view machine, std::string_view key,
                              std::string_view value) {
  return observed(OpKind::kSet, [&]() -> Status {
    auto put = client_.put(keys_.metadata_entry(machine, key), value);
    if (!put) return fail(put.error());
    return {};
  });
}

Result<etcd::Revision> Registry::write_schedule(const std::vector<ScheduleWrite>& writes,
                                                const etcd::Compare& guard) {
  return observed(OpKind::kSet, [&]() -> Result<etcd::Revision> {
    // A write's delete and put share a transaction: a moved unit is never on two machines, nor
    // on none, in between.
    std::vector<etcd::Txn> txns;
    for (const auto& write : writes) {
      size_t ops = (write.remove_from.empty() ? 0 : 1) + (write.put_on.empty() ? 0 : 1);
      if (txns.empty() || txns.back().success.size() + ops > etcd::kMaxTxnOps) {
        txns.emplace_back().compare = {guard};
      }
      auto& txn = txns.back();
      if (!write.remove_from.empty()) {
        txn.success.push_back(Op::erase(keys_.scheduled(write.remove_from, write.unit)));
      }
      if (!write.put_on.empty()) {
        txn.success.push_back(
            Op::put(keys_.scheduled(write.put_on, write.unit), encode(write.assignment)));
      }
    }
    // Transactions touch disjoint keys, so several go at once: etcd commits concurrent ones in
    // one raft batch, and a failover's thousands of moves are not paced by one round trip each.
    std::mutex mu;
    size_t next = 0;             // guarded by mu
    std::optional<Error> error;  // guarded by mu: the first failure stops the rest
    etcd::Revision last = 0;     // guarded by mu
    auto commit_some = [&] {
      while (true) {
        size_t i;
        {
          std::lock_guard lock(mu);
          if (error || next == txns.size()) return;
          i = next++;
        }
        auto result = client_.txn(txns[i]);
        std::lock_guard lock(mu);
        if (!result) {
          if (!error) error = result.error();
        } else if (!result->succeeded) {
          if (!error) {
            error = Error{ErrorCode::kFailedPrecondition,
                          "schedule write refused: the guard (engine leadership) no longer holds"};
          }
        } else {
          last = std::max(last, result->revision);
        }
      }
    };
    std::vector<std::thread> helpers;
    for (size_t n = 1; n < std::min(txns.size(), kScheduleTxnsInFlight); ++n) {
      helpers.emplace_back(commit_some);
    }
    commit_some();
    for (auto& helper : helpers) helper.join();
    if (error) return fail(*error);
    return last;
  });
}

}  // namespace fleet::registry
