// fleetctl version.
#include "cmd/fleetctl/commands.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>&) {
  context.out() << "fleetctl version " << version() << "\n";
  return 0;
}

}  // namespace

const Command kVersionCommand = {
    .name = "version",
    .summary = "Print the version and exit",
    .usage = "",
    .description = "Print the version and exit",
    .run = run,
    .uses_api = false,
};

}  // namespace fleet::fleetctl
