// fleetctl status: `systemctl status -l` of each unit on the machine running it (spec §1.5), run
// there by fleetd (decisions.md "Added") rather than over SSH.
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (args.empty()) {
    context.err() << "One or more units must be provided\n";
    return 1;
  }
  warn_ssh_unused(context);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string name = unit_name_of(args[i]);
    auto status = context.api().unit_status(name);
    if (!status) {
      context.err() << status.error().message << "\n";
      return 1;
    }
    // systemctl's own separator between units.
    if (i != 0) context.out() << "\n";
    context.out() << status->output << std::flush;
    if (status->exit_status != 0) return status->exit_status;
  }
  return 0;
}

void declare_flags(FlagSet& set, CommandOptions& options) { add_ssh_port_flag(set, options); }

}  // namespace

const Command kStatusCommand = {
    .name = "status",
    .summary = "Output the status of one or more units in the cluster",
    .usage = "[--ssh-port=N] UNIT...",
    .description =
        "Output the status of one or more units currently running in the cluster.\n"
        "Supports unit names with or without the .service suffix.\n"
        "fleetd runs systemctl status on the machine running each unit.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
