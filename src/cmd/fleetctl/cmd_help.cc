// fleetctl help [COMMAND].
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/help.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (args.empty()) {
    context.out() << root_help();
    return 0;
  }
  const Command* command = find_command(args.front(), nullptr);
  if (!command) {
    context.err() << "Unrecognized command: " << args.front() << "\n";
    return 1;
  }
  context.out() << command_help(*command);
  return 0;
}

}  // namespace

const Command kHelpCommand = {
    .name = "help",
    .summary = "Show a list of commands or help for one command",
    .usage = "[COMMAND]",
    .description = "Show a list of commands or detailed help for one command",
    .run = run,
    .uses_api = false,
    .operands = Operands::kCommand,
};

}  // namespace fleet::fleetctl
