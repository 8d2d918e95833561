// fleetctl load: schedule units onto machines without starting them (spec §1.5, §1.7).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/unit_commands.h"

namespace fleet::fleetctl {
namespace {

using unit::DesiredState;

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_blocking_flags(set, options, "loaded", "been loaded");
  add_replace_flags(set, options);
}

int run(Context& context, const std::vector<std::string>& args) {
  return run_lazy_state_change(context, args, DesiredState::kLoaded, "load",
                               {DesiredState::kInactive, DesiredState::kLoaded},
                               /*wait_active=*/false);
}

}  // namespace

const Command kLoadCommand = {
    .name = "load",
    .summary = "Schedule one or more units in the cluster, first submitting them if necessary.",
    .usage = "[--no-block|--block-attempts=N] [--replace] UNIT...",
    .description =
        "Load one or many units in the cluster into systemd, but do not start.\n"
        "\n"
        "Select units to load by glob matching for units in the current working directory\n"
        "or matching the names of previously submitted units.\n"
        "\n"
        "For units which are not global, load operations are performed synchronously,\n"
        "which means fleetctl will block until it detects that the unit(s) have\n"
        "transitioned to a loaded state. This behaviour can be configured with the\n"
        "respective --block-attempts and --no-block options. Load operations on global\n"
        "units are always non-blocking.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnitFiles,
};

}  // namespace fleet::fleetctl
