// fleetctl status: `systemctl status -l` of each unit on the machine running it (spec §1.5), over
// SSH like the original or, without SSH, run there by fleetd (decisions.md "Added"); a global
// unit's on every machine that runs it (decisions.md fix 2).
#include <algorithm>

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"
#include "cmd/fleetctl/machine_command.h"

namespace fleet::fleetctl {
namespace {

// The machines a unit's status is read on; nullopt after reporting why there are none.
std::optional<std::vector<std::string>> machines_of(Context& context, const std::string& name) {
  auto unit = existing_unit(context, name);
  if (!unit) return std::nullopt;
  std::vector<std::string> machines;
  if (schema::is_global(*unit)) {
    auto states = context.api().unit_states({.unit_name = name});
    if (!states) {
      context.err() << "Error retrieving the machines of global unit " << name << ": "
                    << states.error().message << "\n";
      return std::nullopt;
    }
    for (const auto& state : *states) machines.push_back(state.machine_id);
  } else if (unit->current_state != "inactive" && !unit->machine_id.empty()) {
    machines.push_back(unit->machine_id);
  }
  if (machines.empty()) {
    context.err() << "Unit " << name << " does not appear to be loaded.\n";
    return std::nullopt;
  }
  return machines;
}

int status_over_ssh(Context& context, const std::string& name, bool& first) {
  auto machines = machines_of(context, name);
  if (!machines) return 1;
  int worst = 0;
  for (const auto& machine : *machines) {
    // systemctl's own separator between units.
    if (!first) context.out() << "\n";
    first = false;
    worst = std::max(worst,
                     run_on_machine(context, machine, {"systemctl", "status", "-l", "--", name}));
  }
  return worst;
}

int status_from_fleetd(Context& context, const std::string& name, bool& first) {
  auto status = context.api().unit_status(name);
  if (!status) {
    context.err() << status.error().message << "\n";
    return 1;
  }
  if (!first) context.out() << "\n";
  first = false;
  context.out() << status->output << std::flush;
  return status->exit_status;
}

int run(Context& context, const std::vector<std::string>& args) {
  if (args.empty()) {
    context.err() << "One or more units must be provided\n";
    return 1;
  }
  auto over_ssh = inspect_over_ssh(context.global());
  if (!over_ssh) {
    context.err() << over_ssh.error().message << "\n";
    return 1;
  }
  if (!*over_ssh) warn_ssh_unused(context);
  bool first = true;
  for (const auto& arg : args) {
    const std::string name = unit_name_of(arg);
    const int status = *over_ssh ? status_over_ssh(context, name, first)
                                 : status_from_fleetd(context, name, first);
    if (status != 0) return status;
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
        "Runs systemctl status on the unit's machine: over SSH when SSH is set up (an\n"
        "ssh-agent, or --tunnel), otherwise fleetd runs it (see --inspect-via).",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
