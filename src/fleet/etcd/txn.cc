#include "fleet/etcd/txn.h"

#include <utility>

namespace fleet::etcd {

Compare Compare::absent(std::string key) {
  return make(std::move(key), Target::kVersion, Relation::kEqual, 0);
}

Compare Compare::exists(std::string key) {
  return make(std::move(key), Target::kVersion, Relation::kGreater, 0);
}

Compare Compare::mod_revision_is(std::string key, Revision revision) {
  return make(std::move(key), Target::kModRevision, Relation::kEqual, revision);
}

Compare Compare::value_is(std::string key, std::string value) {
  Compare c;
  c.key = std::move(key);
  c.target = Target::kValue;
  c.value = std::move(value);
  return c;
}

Compare Compare::none_under(std::string prefix) {
  Compare c = absent(std::move(prefix));
  c.range_end = prefix_end(c.key);
  return c;
}

Compare Compare::make(std::string key, Target target, Relation relation, int64_t number) {
  Compare c;
  c.key = std::move(key);
  c.target = target;
  c.relation = relation;
  c.number = number;
  return c;
}

Op Op::get(std::string key) {
  Op op;
  op.kind = Kind::kRange;
  op.key = std::move(key);
  return op;
}

Op Op::get_prefix(std::string prefix) {
  Op op = get(std::move(prefix));
  op.range_end = prefix_end(op.key);
  return op;
}

Op Op::put(std::string key, std::string value, LeaseId lease) {
  Op op;
  op.kind = Kind::kPut;
  op.key = std::move(key);
  op.value = std::move(value);
  op.lease = lease;
  return op;
}

Op Op::erase(std::string key) {
  Op op;
  op.kind = Kind::kDelete;
  op.key = std::move(key);
  return op;
}

Op Op::erase_prefix(std::string prefix) {
  Op op = erase(std::move(prefix));
  op.range_end = prefix_end(op.key);
  return op;
}

std::vector<std::vector<size_t>> pack_changes(const std::vector<GuardedChange>& changes,
                                              size_t max_ops) {
  std::vector<std::vector<size_t>> txns;
  size_t guards = 0;
  size_t ops = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    const auto& change = changes[i];
    bool fits = !txns.empty() && guards + change.guards.size() <= max_ops &&
                ops + change.ops.size() <= max_ops;
    if (!fits) {
      txns.emplace_back();
      guards = 0;
      ops = 0;
    }
    txns.back().push_back(i);
    guards += change.guards.size();
    ops += change.ops.size();
  }
  return txns;
}

}  // namespace fleet::etcd
