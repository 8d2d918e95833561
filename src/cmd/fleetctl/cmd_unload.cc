// fleetctl unload: take units off their machines, keeping them in the registry (spec §1.5, §1.7).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/unit_commands.h"

namespace fleet::fleetctl {
namespace {

using unit::DesiredState;

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_blocking_flags(set, options, "inactive", "become inactive");
}

int run(Context& context, const std::vector<std::string>& args) {
  int exit = 0;
  auto units = existing_units(context, args, "unload", exit);
  if (!units) return exit;
  std::vector<schema::Unit> unloading;
  std::vector<std::string> names;
  for (const auto& unit : *units) {
    const bool global = schema::is_global(unit);
    if (!global && unit.current_state == unit::to_string(DesiredState::kInactive)) {
      context.debug("Target state of Unit(" + unit.name + ") already inactive, skipping.");
      continue;
    }
    if (auto set = context.api().set_desired_state(unit.name, DesiredState::kInactive); !set) {
      context.err() << "Error unloading unit " << unit.name << ": " << set.error().message << "\n";
      return 1;
    }
    unloading.push_back(unit);
    if (!global) names.push_back(unit.name);
  }
  const int status = trigger_or_wait(context, unloading, DesiredState::kInactive, "unload");
  if (status == 0) context.err() << "Successfully unloaded units " << name_list(names) << ".\n";
  return status;
}

}  // namespace

const Command kUnloadCommand = {
    .name = "unload",
    .summary = "Unschedule one or more units in the cluster.",
    .usage = "[--no-block|--block-attempts=N] UNIT...",
    .description =
        "Unload one or more units from the cluster: they are stopped and unloaded from "
        "systemd on their machines, but stay in the registry.\n"
        "\n"
        "For units which are not global, unload operations are performed "
        "synchronously,\n"
        "which means fleetctl will block until it detects that the unit(s) have\n"
        "transitioned to an inactive state. This behaviour can be configured with the\n"
        "respective --block-attempts and --no-block options.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
