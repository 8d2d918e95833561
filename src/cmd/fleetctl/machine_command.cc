#include "cmd/fleetctl/machine_command.h"

#include <cstdlib>

#include "fleet/config/machine_identity.h"

#include "cmd/fleetctl/ssh.h"
#include "cmd/fleetctl/subprocess.h"

namespace fleet::fleetctl {
namespace {

int run_here(Context& context, const std::vector<std::string>& argv) {
  auto status = run_attached(argv);
  if (!status) {
    context.err() << "Error running local command: " << status.error().message << "\n";
    return 1;
  }
  return *status;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    line += shell_quote(word);
  }
  return line;
}

}  // namespace

Result<bool> inspect_over_ssh(const GlobalOptions& global) {
  if (global.inspect_via == kInspectViaSsh) return true;
  if (global.inspect_via == kInspectViaFleetd) return false;
  if (global.inspect_via != kInspectViaAuto) {
    return fail(ErrorCode::kInvalidArgument,
                "--inspect-via must be auto, ssh or fleetd, not \"" + global.inspect_via + "\"");
  }
  const char* agent = std::getenv("SSH_AUTH_SOCK");
  return (agent != nullptr && *agent != '\0') || !global.tunnel.empty();
}

std::optional<schema::Unit> existing_unit(Context& context, const std::string& name) {
  auto unit = context.api().unit(name);
  if (!unit) {
    context.err() << "Error retrieving Unit(" << name << "): " << unit.error().message << "\n";
    return std::nullopt;
  }
  if (!*unit) context.err() << "Unit " << name << " does not exist.\n";
  return std::move(*unit);
}

int run_on_machine(Context& context, std::string_view machine_id,
                   const std::vector<std::string>& argv) {
  // Whatever fleetctl printed must come before what the command prints.
  context.out().flush();
  if (auto local = config::read_machine_id(); local && *local == machine_id) {
    return run_here(context, argv);
  }
  const schema::Machine* machine = context.machine(machine_id);
  if (machine == nullptr || machine->primary_ip.empty()) {
    context.err() << "Error getting machine IP: machine " << machine_id
                  << " is not in the cluster or publishes no address\n";
    return 1;
  }
  return run_over_ssh(context, machine->primary_ip, command_line(argv));
}

int run_over_ssh(Context& context, std::string_view address, std::string_view command) {
  context.out().flush();
  const auto settings =
      ssh_settings(context.global(), context.options().ssh_port, context.options().forward_agent);
  auto argv = ssh_argv(settings, address, command);
  if (argv) {
    if (auto prepared = prepare_known_hosts(settings); !prepared) argv = fail(prepared.error());
  }
  if (!argv) {
    context.err() << "Failed building SSH client: " << argv.error().message << "\n";
    return 1;
  }
  context.debug("running: " + command_line(*argv));
  auto status = run_attached(*argv);
  if (!status) {
    context.err() << "Failed building SSH client: " << status.error().message
                  << " (fleetctl uses OpenSSH's ssh: install openssh-client)\n";
    return 1;
  }
  return *status;
}

}  // namespace fleet::fleetctl
