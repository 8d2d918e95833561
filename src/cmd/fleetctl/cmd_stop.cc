// fleetctl stop: take launched units back to loaded (spec §1.5, §1.7).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/unit_commands.h"

namespace fleet::fleetctl {
namespace {

using unit::DesiredState;

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_blocking_flags(set, options, "stopped", "stopped");
}

int run(Context& context, const std::vector<std::string>& args) {
  int exit = 0;
  auto units = existing_units(context, args, "stop", exit);
  if (!units) return exit;
  std::vector<schema::Unit> stopping;
  std::vector<std::string> names;
  for (const auto& unit : *units) {
    const bool global = schema::is_global(unit);
    if (!global && unit.current_state == unit::to_string(DesiredState::kInactive)) {
      context.err() << "Unable to stop unit " << unit.name << " in state inactive\n";
      return 1;
    }
    if (!global && unit.current_state == unit::to_string(DesiredState::kLoaded)) {
      context.debug("Unit(" + unit.name + ") already loaded, skipping.");
      continue;
    }
    if (auto set = context.api().set_desired_state(unit.name, DesiredState::kLoaded); !set) {
      context.err() << "Error stopping unit " << unit.name << ": " << set.error().message << "\n";
      return 1;
    }
    stopping.push_back(unit);
    if (!global) names.push_back(unit.name);
  }
  const int status = trigger_or_wait(context, stopping, DesiredState::kLoaded, "stop");
  if (status == 0) {
    context.err() << "Successfully stopped units " << name_list(names) << ".\n";
  } else {
    context.err() << "Failed to stop units " << name_list(names) << ". exit == " << status << ".\n";
  }
  return status;
}

}  // namespace

const Command kStopCommand = {
    .name = "stop",
    .summary = "Instruct systemd to stop one or more units in the cluster.",
    .usage = "[--no-block|--block-attempts=N] UNIT...",
    .description =
        "Stop one or more units from running in the cluster, but allow them to be started again "
        "in the future.\n"
        "\n"
        "Instructs systemd on the host machine to stop the unit, deferring to systemd\n"
        "completely for any custom stop directives (i.e. ExecStop option in the unit\n"
        "file).\n"
        "\n"
        "For units which are not global, stop operations are performed synchronously,\n"
        "which means fleetctl will block until it detects that the unit(s) have\n"
        "transitioned to a stopped state. This behaviour can be configured with the\n"
        "respective --block-attempts and --no-block options. Stop operations on global\n"
        "units are always non-blocking.\n"
        "\n"
        "Stop a single unit:\n"
        "\tfleetctl stop foo.service\n"
        "\n"
        "Stop an entire directory of units with glob matching, without waiting:\n"
        "\tfleetctl stop --no-block myservice/*",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
