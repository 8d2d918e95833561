// fleetctl destroy: remove units from the registry, which stops and unloads them everywhere
// (spec §1.5; decisions.md fix 2: it waits until they are gone unless --no-block).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/unit_commands.h"
#include "cmd/fleetctl/waiter.h"

namespace fleet::fleetctl {
namespace {

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_blocking_flags(set, options, "destroyed", "been destroyed");
}

int run(Context& context, const std::vector<std::string>& args) {
  int exit = 0;
  auto units = existing_units(context, args, "destroy", exit);
  if (!units) return exit;
  int status = 0;
  std::vector<std::string> destroyed;
  for (const auto& unit : *units) {
    auto gone = context.api().destroy_unit(unit.name);
    // Someone else destroying it first is what was asked for.
    if (!gone && gone.error().code != ErrorCode::kNotFound) {
      context.err() << "Error destroying units: " << gone.error().message << "\n";
      status = 1;
      continue;
    }
    destroyed.push_back(unit.name);
  }
  std::vector<std::string> late;
  if (!context.options().no_block) late = Waiter(context).wait_for_removal(destroyed);
  for (const auto& why : late) context.err() << "Error waiting for units: " << why << "\n";
  for (const auto& name : destroyed) context.out() << "Destroyed " << name << "\n";
  return late.empty() ? status : 1;
}

}  // namespace

const Command kDestroyCommand = {
    .name = "destroy",
    .summary = "Destroy one or more units in the cluster",
    .usage = "[--no-block|--block-attempts=N] UNIT...",
    .description =
        "Completely remove one or more running or submitted units from the cluster.\n"
        "\n"
        "Instructs systemd on the host machine to stop the unit, deferring to systemd\n"
        "completely for any custom stop directives (i.e. ExecStop option in the unit\n"
        "file).\n"
        "\n"
        "Destroyed units are impossible to start unless re-submitted.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
