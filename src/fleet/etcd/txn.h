// etcd transactions: compares (guards), operations, and packing many guarded changes into as few
// transactions as etcd's per-transaction operation limit allows.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fleet/etcd/types.h"

namespace fleet::etcd {

// etcd's default --max-txn-ops: the most compares, and the most operations per branch, that one
// transaction may hold.
inline constexpr size_t kMaxTxnOps = 128;

// One guard of a transaction: `key`'s target compared with a number or a value.
struct Compare {
  enum class Target { kVersion, kCreateRevision, kModRevision, kValue, kLease };
  enum class Relation { kEqual, kGreater, kLess, kNotEqual };

  std::string key;
  Target target = Target::kVersion;
  Relation relation = Relation::kEqual;
  int64_t number = 0;  // for every target but kValue
  std::string value;   // for kValue
  // Non-empty: the compare holds only if it holds for every key in [key, range_end); over an
  // empty range it compares as a key that does not exist (version, revisions and lease 0).
  std::string range_end{};

  // The key does not exist (its version is 0).
  static Compare absent(std::string key);
  // The key exists.
  static Compare exists(std::string key);
  // The key was last written at `revision` (0: does not exist): the usual optimistic guard.
  static Compare mod_revision_is(std::string key, Revision revision);
  static Compare value_is(std::string key, std::string value);
  // No key starts with `prefix`.
  static Compare none_under(std::string prefix);
  static Compare make(std::string key, Target target, Relation relation, int64_t number);
};

// One operation inside a transaction.
struct Op {
  enum class Kind { kRange, kPut, kDelete };

  Kind kind = Kind::kRange;
  std::string key;
  std::string value;      // kPut
  LeaseId lease = 0;      // kPut
  std::string range_end;  // kRange, kDelete: empty for one key
  RangeOptions range;     // kRange: limit, revision, keys_only, ...

  static Op get(std::string key);
  static Op get_prefix(std::string prefix);
  static Op put(std::string key, std::string value, LeaseId lease = 0);
  static Op erase(std::string key);
  static Op erase_prefix(std::string prefix);
};

// What one operation of the branch that ran returned.
struct OpResult {
  Op::Kind kind = Op::Kind::kRange;
  RangeResult range;    // kRange
  int64_t deleted = 0;  // kDelete
};

struct Txn {
  std::vector<Compare> compare;
  std::vector<Op> success;  // run when every compare holds
  std::vector<Op> failure;  // run otherwise (e.g. to read what changed)
};

struct TxnResult {
  bool succeeded = false;
  Revision revision = 0;  // store revision after the transaction
  std::vector<OpResult> responses;
};

// A change that must commit atomically: its ops apply only if all of its guards hold.
struct GuardedChange {
  std::vector<Compare> guards;
  std::vector<Op> ops;
};

// Packs changes, in order, into transactions of at most `max_ops` compares and `max_ops` success
// operations each, never splitting one change. A change larger than `max_ops` on its own gets a
// transaction of its own (etcd will refuse it). Pure; the client commits the result.
// Returns, for each transaction, the indexes of the changes it holds.
std::vector<std::vector<size_t>> pack_changes(const std::vector<GuardedChange>& changes,
                                              size_t max_ops = kMaxTxnOps);

}  // namespace fleet::etcd
