// fleetctl journal: the unit's journal on the machine running it (spec §1.5), read over SSH like
// the original or, without SSH, streamed by fleetd (decisions.md "Added").
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"
#include "cmd/fleetctl/machine_command.h"

namespace fleet::fleetctl {
namespace {

int journal_over_ssh(Context& context, const std::string& name) {
  auto unit = existing_unit(context, name);
  if (!unit) return 1;
  if (schema::is_global(*unit)) {
    context.err() << "Unable to retrieve journal of global unit " << name << ".\n";
    return 1;
  }
  if (unit->current_state == "inactive" || unit->machine_id.empty()) {
    context.err() << "Unit " << name << " does not appear to be running.\n";
    return 1;
  }
  const auto& options = context.options();
  std::vector<std::string> argv = {"journalctl", "--unit",      name,
                                   "--no-pager", "-n",          std::to_string(options.lines),
                                   "--output",   options.output};
  if (options.follow) argv.push_back("-f");
  if (options.sudo) argv.insert(argv.begin(), "sudo");
  return run_on_machine(context, unit->machine_id, argv);
}

int journal_from_fleetd(Context& context, const std::string& name) {
  const auto& options = context.options();
  const client::JournalRequest request{
      .lines = options.lines, .follow = options.follow, .output = options.output};
  auto journal = context.api().unit_journal(name, request, [&](std::string_view piece) {
    if (!piece.empty()) context.out() << piece << std::flush;
    return static_cast<bool>(context.out());
  });
  if (!journal) {
    context.err() << journal.error().message << "\n";
    return 1;
  }
  return 0;
}

int run(Context& context, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    context.err() << "One unit file must be provided\n";
    return 1;
  }
  auto over_ssh = inspect_over_ssh(context.global());
  if (!over_ssh) {
    context.err() << over_ssh.error().message << "\n";
    return 1;
  }
  const std::string name = unit_name_of(args.front());
  if (*over_ssh) return journal_over_ssh(context, name);
  warn_ssh_unused(context);
  return journal_from_fleetd(context, name);
}

void declare_flags(FlagSet& set, CommandOptions& options) {
  set.add_int("lines", 0, &options.lines, "Number of recent log lines to return.");
  set.add_bool("follow", 'f', &options.follow,
               "Continuously print new entries as they are appended to the journal.");
  add_ssh_port_flag(set, options);
  set.add_bool("sudo", 0, &options.sudo,
               "Execute remote command with sudo. (over SSH only: fleetd runs journalctl as "
               "root)");
  options.output = "short";
  set.add_string("output", 0, &options.output,
                 "Output mode. This will be passed unaltered to journalctl on the remote host, "
                 "and hence supports the same modes.");
}

}  // namespace

const Command kJournalCommand = {
    .name = "journal",
    .summary = "Print the journal of a unit in the cluster to stdout",
    .usage = "[--lines=N] [-f|--follow] [--output=STRING] UNIT",
    .description =
        "Outputs the journal of a unit running in the cluster, read on the unit's machine: over\n"
        "SSH when SSH is set up (an ssh-agent, or --tunnel), otherwise by fleetd (see\n"
        "--inspect-via). With --follow, new entries are printed as they arrive, until\n"
        "interrupted.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
