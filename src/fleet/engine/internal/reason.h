// Why a unit leaves its machine or waits. Kept as a code and the name it refers to, so that
// making a plan builds no strings; format() spells a reason out once the plan is made.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fleet::engine::internal {

enum class Why : uint8_t {
  kNone,
  // Leaving a machine: the reason of a decision. `machine` below is the machine left.
  kTargetInactive,  // target state inactive
  kGlobal,          // unit is global
  kMachineGone,     // target Machine(<machine>) went away
  // "target Machine(<machine>) unable to run unit: " and the original's words for the check:
  kMachineId,  // agent ID "<machine>" does not match required "<subject>"
  kMetadata,   // local Machine metadata insufficient
  kPeer,       // required peer Unit(<subject>) is not scheduled locally
  kConflict,   // found conflict with locally-scheduled Unit(<subject>)
  kReplaced,   // replaced by Unit(<subject>)
  // Not placed: the reason of a Waiting.
  kZeroAgents,       // zero agents available
  kNoAgents,         // no agents able to run job
  kPeerUnscheduled,  // no agents able to run job: peer Unit(<subject>) is not scheduled
  kPeerCycle,        // no agents able to run job: MachineOf cycle through Unit(<subject>)
};

struct Reason {
  Reason() = default;
  Reason(Why why, std::string_view subject = {}) : why(why), subject(subject) {}

  Why why = Why::kNone;
  std::string_view subject;  // the unit in the way, or the MachineID required

  explicit operator bool() const { return why != Why::kNone; }
};

std::string format(const Reason& reason, std::string_view machine);

}  // namespace fleet::engine::internal
