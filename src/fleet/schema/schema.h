// The fleet API v1 entities (spec §2.4), as the HTTP API, the API server and fleetctl exchange
// them.
//
// Every field is a plain string (or list, or map) exactly as on the wire: an empty value is an
// absent field. What a value may hold is checked where it is used (the API server validates
// names, options and desired states), not here. The `{}` initializers let callers name only the
// fields they set. Value types; not synchronised.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fleet/unit/unit_file.h"

namespace fleet::schema {

// {section, name, value}: one line of a unit. The order of a unit's options defines its text and
// hash, so lists of them are never reordered.
using UnitOption = unit::UnitOption;

struct Unit {
  std::string name{};
  std::vector<UnitOption> options{};
  std::string desired_state{};  // "inactive", "loaded" or "launched"; "" when not given
  std::string current_state{};  // read-only: derived from where the unit runs (spec §3.7)
  std::string machine_id{};     // read-only: the machine the engine scheduled the unit to

  friend bool operator==(const Unit&, const Unit&) = default;
};

// How one machine's systemd reports a unit.
struct UnitState {
  std::string name{};
  std::string hash{};  // 40 hex digits: SHA1 of the unit as that machine loaded it
  std::string machine_id{};
  std::string systemd_load_state{};
  std::string systemd_active_state{};
  std::string systemd_sub_state{};

  friend bool operator==(const UnitState&, const UnitState&) = default;
};

struct Machine {
  std::string id{};
  std::string primary_ip{};
  std::map<std::string, std::string> metadata{};

  friend bool operator==(const Machine&, const Machine&) = default;
};

// One page of a listing; next_page_token is empty on the last page.
struct UnitPage {
  std::vector<Unit> units{};
  std::string next_page_token{};

  friend bool operator==(const UnitPage&, const UnitPage&) = default;
};

struct UnitStatePage {
  std::vector<UnitState> states{};
  std::string next_page_token{};

  friend bool operator==(const UnitStatePage&, const UnitStatePage&) = default;
};

struct MachinePage {
  std::vector<Machine> machines{};
  std::string next_page_token{};

  friend bool operator==(const MachinePage&, const MachinePage&) = default;
};

// One operation of PATCH /machines (spec §2.5). On the wire `value` is nested:
//   {"op":"add","path":"/<machineID>/metadata/<key>","value":{"value":"<string>"}}
// (fleet changed it to an object in Nov 2016, after its docs showed a bare string).
struct MachineMetadataOp {
  std::string op{};    // "add", "replace" (both set the key) or "remove"
  std::string path{};  // "/<machineID>/metadata/<key>"
  std::string value{};

  friend bool operator==(const MachineMetadataOp&, const MachineMetadataOp&) = default;
};

// The body of every API error: {"error":{"code":<HTTP status>,"message":"..."}}.
struct ErrorBody {
  int code = 0;
  std::string message{};

  friend bool operator==(const ErrorBody&, const ErrorBody&) = default;
};

// The unit text the options describe (sections in order of first appearance).
unit::UnitFile unit_file(const Unit& unit);

// Whether the unit's [X-Fleet] section makes it global (Global=true): such a unit runs on every
// machine that matches it and has no single machine or current state.
bool is_global(const Unit& unit);

}  // namespace fleet::schema
