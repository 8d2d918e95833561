// fleetctl completion bash: the shell completion script (an addition, decisions.md "Added").
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/completion.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (args.size() != 1 || args.front() != "bash") {
    context.err() << "Provide the shell to complete for: fleetctl completion bash\n";
    return 1;
  }
  context.out() << bash_completion_script();
  return 0;
}

}  // namespace

const Command kCompletionCommand = {
    .name = "completion",
    .summary = "Print a shell completion script for fleetctl",
    .usage = "bash",
    .description =
        "Prints a bash completion script: commands, flags, flag values, local unit files,\n"
        "and the names of units in the registry for the commands that act on them.\n"
        "\n"
        "Use it in the current shell:\n"
        "\tsource <(fleetctl completion bash)\n"
        "\n"
        "Or install it for everyone:\n"
        "\tfleetctl completion bash > /usr/share/bash-completion/completions/fleetctl",
    .run = run,
    .uses_api = false,
    .operands = Operands::kShell,
};

}  // namespace fleet::fleetctl
