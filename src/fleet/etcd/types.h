// Plain values exchanged with etcd: keys, ranges, events, leases and members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleet::etcd {

// etcd's store revision: grows by one with every committed write transaction.
using Revision = int64_t;
// A lease's ID; 0 means "no lease".
using LeaseId = int64_t;

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;
  Revision mod_revision = 0;
  int64_t version = 0;  // number of writes since creation; 0 for a deleted key
  LeaseId lease = 0;

  bool operator==(const KeyValue&) const = default;
};

// The range end that selects every key starting with `prefix` (etcd's "prefix + 1").
std::string prefix_end(std::string_view prefix);

struct RangeOptions {
  std::string range_end{};  // empty: only the key itself; prefix_end(key): the whole prefix
  int64_t limit = 0;        // 0: no limit
  Revision revision = 0;    // 0: newest; older revisions fail with kOutOfRange once compacted
  bool keys_only = false;
  bool count_only = false;
  bool serializable = false;  // served by the member alone: faster, possibly stale
};

struct RangeResult {
  Revision revision = 0;  // store revision the read saw
  std::vector<KeyValue> kvs;
  bool more = false;  // limit cut the result short
  int64_t count = 0;  // keys in the whole range, whatever the limit
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;  // for a delete: the key and the deleting revision in mod_revision
  std::optional<KeyValue> prev_kv;

  bool operator==(const Event&) const = default;
};

struct LeaseGrant {
  LeaseId id = 0;
  int64_t ttl_seconds = 0;
};

struct LeaseInfo {
  LeaseId id = 0;
  int64_t ttl_seconds = -1;  // remaining; -1 when the lease has expired or never existed
  int64_t granted_ttl_seconds = 0;
};

struct Member {
  uint64_t id = 0;
  std::string name;
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
  bool is_learner = false;
};

struct MemberStatus {
  std::string endpoint;  // the URL that answered
  std::string version;   // etcd's version, e.g. "3.4.23"
  uint64_t member_id = 0;
  uint64_t leader_id = 0;
  Revision revision = 0;
  int64_t db_size = 0;
  uint64_t raft_term = 0;
  uint64_t raft_index = 0;
};

}  // namespace fleet::etcd
