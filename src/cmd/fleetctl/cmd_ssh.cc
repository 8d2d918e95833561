// fleetctl ssh: a shell, or one command, on a machine of the cluster or the machine running a
// unit (spec §1.5), through OpenSSH's ssh (ssh.h).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"
#include "cmd/fleetctl/machine_command.h"

namespace fleet::fleetctl {
namespace {

// Where `lookup` leads as one interpretation: an address, or nothing and why (`error`).
struct Found {
  std::string address{};
  std::string error{};
};

// The only machine whose ID starts with `prefix`.
Found machine_with_prefix(Context& context, const std::string& prefix) {
  auto machines = context.api().machines();
  if (!machines) return {.error = machines.error().message};
  const schema::Machine* match = nullptr;
  for (const auto& machine : *machines) {
    if (!machine.id.starts_with(prefix)) continue;
    if (match != nullptr) return {.error = "found more than one machine"};
    match = &machine;
  }
  if (match == nullptr) return {.error = "machine does not exist"};
  return {.address = match->primary_ip};
}

Found machine_of_unit(Context& context, const std::string& argument) {
  auto unit = context.api().unit(unit_name_of(argument));
  if (!unit) return {.error = unit.error().message};
  if (!*unit) return {.error = "unit does not exist"};
  if (schema::is_global(**unit)) return {.error = "global units unsupported"};
  const schema::Machine* machine = context.machine((*unit)->machine_id);
  if (machine == nullptr) return {.error = "unit is not running on any machine"};
  return {.address = machine->primary_ip};
}

// Without --machine or --unit the first argument may be either; it must be only one.
Found machine_or_unit(Context& context, const std::string& lookup) {
  const Found machine = machine_with_prefix(context, lookup);
  const Found unit = machine_of_unit(context, lookup);
  const bool is_machine = !machine.address.empty();
  const bool is_unit = !unit.address.empty();
  if (is_machine && is_unit) {
    // The original named flags -m and -u, which it never had.
    return {.error = "ambiguous argument, both machine and unit found for `" + lookup +
                     "`.\nPlease use flag `--machine` or `--unit` to refine the search"};
  }
  if (is_machine) return machine;
  if (is_unit) return unit;
  return {.error = "could not find matching unit or machine"};
}

int run(Context& context, const std::vector<std::string>& args) {
  const auto& options = context.options();
  if (!options.unit.empty() && !options.machine.empty()) {
    context.err() << "Both machine and unit flags provided, please specify only one.\n";
    return 1;
  }
  std::vector<std::string> command = args;
  Found target;
  if (!options.machine.empty()) {
    target = machine_with_prefix(context, options.machine);
  } else if (!options.unit.empty()) {
    target = machine_of_unit(context, options.unit);
  } else if (args.empty()) {
    target.error = "one machine or unit must be provided";
  } else {
    target = machine_or_unit(context, args.front());
    command.erase(command.begin());
  }
  if (!target.error.empty()) {
    context.err() << "Unable to proceed: " << target.error << "\n";
    return 1;
  }
  if (target.address.empty()) {
    context.err() << "Could not determine address of machine.\n";
    return 1;
  }
  // Like the original: the remaining words, joined, are the remote shell's command line.
  std::string line;
  for (const auto& word : command) line += (line.empty() ? "" : " ") + word;
  return run_over_ssh(context, target.address, line);
}

void declare_flags(FlagSet& set, CommandOptions& options) {
  set.add_string("machine", 0, &options.machine, "Open SSH connection to a specific machine.");
  set.add_string("unit", 0, &options.unit, "Open SSH connection to machine running provided unit.");
  set.add_bool("forward-agent", 'A', &options.forward_agent,
               "Forward local ssh-agent to target machine.");
  add_ssh_port_flag(set, options);
}

}  // namespace

const Command kSshCommand = {
    .name = "ssh",
    .summary = "Open interactive shell on a machine in the cluster",
    .usage =
        "[-A|--forward-agent] [--ssh-port=N] [--machine|--unit] {MACHINE|UNIT} [-- COMMAND...]",
    .description =
        "Open an interactive shell on a specific machine in the cluster or on the machine\n"
        "where the specified unit is located. Runs OpenSSH's ssh: keys come from ssh-agent or\n"
        "~/.ssh, host keys are checked against --known-hosts-file.\n"
        "\n"
        "fleetctl tries to detect whether your first argument is a machine or a unit.\n"
        "To skip this check use the --machine or --unit flags.\n"
        "\n"
        "Open a shell on a machine:\n"
        "\tfleetctl ssh 2444264c-eac2-4eff-a490-32d5e5e4af24\n"
        "\n"
        "Open a shell from your laptop, to the machine running a specific unit, using a\n"
        "cluster member as a bastion host:\n"
        "\tfleetctl --tunnel 10.10.10.10 ssh foo.service\n"
        "\n"
        "Open a shell on a machine and forward the authentication agent connection:\n"
        "\tfleetctl ssh --forward-agent 2444264c-eac2-4eff-a490-32d5e5e4af24\n"
        "\n"
        "Run a command on the machine running a unit:\n"
        "\tfleetctl ssh foo.service -- systemctl is-active foo.service\n"
        "\n"
        "This command does not work with global units.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
