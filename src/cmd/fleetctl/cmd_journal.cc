// fleetctl journal: the unit's journal on the machine running it (spec §1.5), streamed by fleetd
// (decisions.md "Added") rather than read over SSH.
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    context.err() << "One unit file must be provided\n";
    return 1;
  }
  warn_ssh_unused(context);
  const std::string name = unit_name_of(args.front());
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

void declare_flags(FlagSet& set, CommandOptions& options) {
  set.add_int("lines", 0, &options.lines, "Number of recent log lines to return.");
  set.add_bool("follow", 'f', &options.follow,
               "Continuously print new entries as they are appended to the journal.");
  add_ssh_port_flag(set, options);
  set.add_bool("sudo", 0, &options.sudo,
               "Execute remote command with sudo. (unused: fleetd runs journalctl as root)");
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
        "Outputs the journal of a unit running in the cluster; fleetd reads it on the unit's\n"
        "machine. With --follow, new entries are printed as they arrive, until interrupted.",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
