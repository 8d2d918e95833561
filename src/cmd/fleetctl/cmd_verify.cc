// fleetctl verify: kept so scripts that call it get the original's answer (spec §1.5).
#include "cmd/fleetctl/commands.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>&) {
  context.err() << "WARNING: The signed/verified units feature is DEPRECATED and cannot be used.\n";
  return 2;
}

}  // namespace

const Command kVerifyCommand = {
    .name = "verify",
    .summary = "DEPRECATED - No longer works",
    .usage = "UNIT",
    .description = "DEPRECATED - No longer works",
    .run = run,
    .uses_api = false,
    .operands = Operands::kUnitFiles,
};

}  // namespace fleet::fleetctl
