#include "fleet/engine/internal/reason.h"

namespace fleet::engine::internal {

std::string format(const Reason& reason, std::string_view machine) {
  std::string subject = "Unit(" + std::string(reason.subject) + ")";
  auto unable = [machine](const std::string& check) {
    return "target Machine(" + std::string(machine) + ") unable to run unit: " + check;
  };
  std::string no_agents = "no agents able to run job";
  switch (reason.why) {
    case Why::kNone:
      return "";
    case Why::kTargetInactive:
      return "target state inactive";
    case Why::kGlobal:
      return "unit is global";
    case Why::kMachineGone:
      return "target Machine(" + std::string(machine) + ") went away";
    case Why::kMachineId:
      return unable("agent ID \"" + std::string(machine) + "\" does not match required \"" +
                    std::string(reason.subject) + "\"");
    case Why::kMetadata:
      return unable("local Machine metadata insufficient");
    case Why::kPeer:
      return unable("required peer " + subject + " is not scheduled locally");
    case Why::kConflict:
      return unable("found conflict with locally-scheduled " + subject);
    case Why::kReplaced:
      return "replaced by " + subject;
    case Why::kZeroAgents:
      return "zero agents available";
    case Why::kNoAgents:
      return no_agents;
    case Why::kPeerUnscheduled:
      return no_agents + ": peer " + subject + " is not scheduled";
    case Why::kPeerCycle:
      return no_agents + ": MachineOf cycle through " + subject;
  }
  return "";
}

}  // namespace fleet::engine::internal
