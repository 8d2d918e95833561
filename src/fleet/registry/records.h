// fleet's records as C++ values, and their encoding in etcd (protobuf, proto/fleet/records.proto).
// Decoders check what they read: a record another writer corrupted is an error naming the key, not
// a crash or a silently wrong schedule.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/unit/desired_state.h"
#include "fleet/unit/unit_file.h"
#include "fleet/unit/unit_hash.h"

namespace fleet::registry {

using Metadata = std::map<std::string, std::string, std::less<>>;

// units/<name>
struct UnitRecord {
  unit::UnitHash hash;
  unit::DesiredState desired = unit::DesiredState::kInactive;
  bool global = false;

  bool operator==(const UnitRecord&) const = default;
};

// schedule/<machine>/<unit> and global/<unit>: what an agent needs to run the unit.
struct Assignment {
  unit::UnitHash hash;
  unit::DesiredState desired = unit::DesiredState::kInactive;

  bool operator==(const Assignment&) const = default;
};

// machines/<id>
struct MachineRecord {
  std::string id;
  std::string public_ip;
  Metadata metadata;  // from the fleetd's configuration; see effective_metadata()
  std::string version;
  std::map<std::string, bool, std::less<>> capabilities;
  // Where other fleetds reach this one's API to relay status/journal requests ("10.0.0.1:49153");
  // empty: this machine cannot be relayed to.
  std::string api_address{};

  bool operator==(const MachineRecord&) const = default;
};

// states/<unit>/<machine>
struct UnitStateRecord {
  unit::UnitHash hash;
  std::string load_state;
  std::string active_state;
  std::string sub_state;
  bool launched = false;

  bool operator==(const UnitStateRecord&) const = default;
};

// engine/leader
struct LeaderRecord {
  std::string machine_id;
  uint32_t version = 0;

  bool operator==(const LeaderRecord&) const = default;
};

std::string encode(const UnitRecord& record);
std::string encode(const Assignment& record);
std::string encode(const MachineRecord& record);
std::string encode(const UnitStateRecord& record);
std::string encode(const LeaderRecord& record);
// A body is its options in order: they define the unit text and its hash.
std::string encode_body(const unit::UnitFile& body);

// Each returns kDataLoss naming `key` when `value` is not such a record.
Result<UnitRecord> decode_unit(std::string_view key, std::string_view value);
Result<Assignment> decode_assignment(std::string_view key, std::string_view value);
Result<MachineRecord> decode_machine(std::string_view key, std::string_view value);
Result<UnitStateRecord> decode_unit_state(std::string_view key, std::string_view value);
Result<LeaderRecord> decode_leader(std::string_view key, std::string_view value);
Result<unit::UnitFile> decode_body(std::string_view key, std::string_view value);
// metadata/<machine>/<key> holds the value as it is; never fails.
Result<std::string> decode_metadata_value(std::string_view key, std::string_view value);

// A machine's metadata as the scheduler and API see it: configured metadata overlaid with the
// dynamic entries (an empty dynamic value removes the key), spec §5.2.
Metadata effective_metadata(const Metadata& configured, const Metadata& dynamic);

}  // namespace fleet::registry
