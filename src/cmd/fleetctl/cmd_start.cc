// fleetctl start: launch units, creating and loading them as needed, and wait until systemd runs
// them (spec §1.5, §1.7, decisions.md fix 3).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/unit_commands.h"

namespace fleet::fleetctl {
namespace {

using unit::DesiredState;

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_blocking_flags(set, options, "launched", "launched");
  add_replace_flags(set, options);
}

int run(Context& context, const std::vector<std::string>& args) {
  return run_lazy_state_change(
      context, args, DesiredState::kLaunched, "start",
      {DesiredState::kInactive, DesiredState::kLoaded, DesiredState::kLaunched},
      /*wait_active=*/true);
}

}  // namespace

const Command kStartCommand = {
    .name = "start",
    .summary =
        "Instruct systemd to start one or more units in the cluster, first submitting and "
        "loading if necessary.",
    .usage = "[--no-block|--block-attempts=N] [--replace] UNIT...",
    .description =
        "Start one or many units on the cluster. Select units to start by glob matching\n"
        "for units in the current working directory or matching names of previously\n"
        "submitted units.\n"
        "\n"
        "For units which are not global, start operations are performed synchronously,\n"
        "which means fleetctl will block until it detects that the unit(s) have\n"
        "transitioned to a started state and systemd reports them active. This behaviour\n"
        "can be configured with the respective --block-attempts and --no-block options.\n"
        "Start operations on global units are always non-blocking.\n"
        "\n"
        "Start a single unit:\n"
        "\tfleetctl start foo.service\n"
        "\n"
        "Start an entire directory of units with glob matching:\n"
        "\tfleetctl start myservice/*\n"
        "\n"
        "You may filter suitable hosts based on metadata provided by the machine.\n"
        "Machine metadata is located in the fleet configuration file.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnitFiles,
};

}  // namespace fleet::fleetctl
