// The JSON form of the API v1 entities (spec §2.4): field names exactly as fleet's API spells them
// (`desiredState`, `machineID`, `systemdActiveState`, `nextPageToken`, ...), empty values left
// out, an empty page written as `{}`.
//
// Example:
//   std::string body = schema::encode(unit);           // {"desiredState":"launched","name":...}
//   auto page = schema::decode_unit_page(response);    // Result<UnitPage>
//   if (!page) return fail(page.error());
//
// Decoders accept what fleet's Go server and clients produce: unknown fields are ignored and
// `null` reads as an absent value. Anything else that does not fit is kInvalidArgument naming the
// field, e.g. `"options"[1]: "value" must be a string`; nothing throws. A key given twice takes
// its last value, as in Go. Documents nested deeper than 64 arrays and objects are refused
// unparsed (`invalid JSON: nested deeper than 64 levels`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/schema/schema.h"

namespace fleet::schema {

std::string encode(const Unit& unit);
std::string encode(const UnitState& state);
std::string encode(const Machine& machine);
std::string encode(const UnitPage& page);
std::string encode(const UnitStatePage& page);
std::string encode(const MachinePage& page);
std::string encode(const ErrorBody& error);
// The body of PATCH /machines: a JSON array of operations.
std::string encode(const std::vector<MachineMetadataOp>& ops);

Result<Unit> decode_unit(std::string_view json);
Result<UnitState> decode_unit_state(std::string_view json);
Result<Machine> decode_machine(std::string_view json);
Result<UnitPage> decode_unit_page(std::string_view json);
Result<UnitStatePage> decode_unit_state_page(std::string_view json);
Result<MachinePage> decode_machine_page(std::string_view json);
Result<ErrorBody> decode_error_body(std::string_view json);
// `null` reads as no operations.
Result<std::vector<MachineMetadataOp>> decode_machine_metadata_ops(std::string_view json);

}  // namespace fleet::schema
