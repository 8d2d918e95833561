#include "cmd/fleetctl/commands.h"

#include <array>

#include "cmd/fleetctl/printer.h"

namespace fleet::fleetctl {

namespace {

// Addresses of the commands are constants, so the table needs no run-time initialisation and is
// complete whenever it is read.
constexpr std::array<const Command*, 20> kTable = {
    &kCatCommand,       &kCompletionCommand, &kDestroyCommand,      &kFdForwardCommand,
    &kHelpCommand,      &kJournalCommand,    &kListMachinesCommand, &kListUnitFilesCommand,
    &kListUnitsCommand, &kLoadCommand,       &kRestartCommand,      &kSshCommand,
    &kStartCommand,     &kStatusCommand,     &kStopCommand,         &kSubmitCommand,
    &kUnloadCommand,    &kVerifyCommand,     &kVersionCommand,      &kWatchCommand};

}  // namespace

std::span<const Command* const> commands() { return kTable; }

const Command* find_command(std::string_view word, std::vector<std::string_view>* candidates) {
  const Command* only = nullptr;
  std::vector<std::string_view> matches;
  for (const Command* command : commands()) {
    if (command->name == word) return command;
    if (!word.empty() && command->name.starts_with(word)) {
      only = command;
      matches.push_back(command->name);
    }
  }
  if (matches.size() == 1) return only;
  if (candidates) *candidates = std::move(matches);
  return nullptr;
}

void add_list_flags(FlagSet& set, CommandOptions& options, std::string_view default_fields,
                    std::string_view what, const std::vector<std::string_view>& field_names,
                    bool short_full) {
  set.add_bool("full", short_full ? 'l' : 0, &options.full, "Do not ellipsize fields on output");
  set.add_bool("no-legend", 0, &options.no_legend, "Do not print a legend (column headers)");
  options.fields = std::string(default_fields);
  set.add_string("fields", 0, &options.fields, fields_usage(what, field_names));
  set.set_completion(
      "fields", {ValueCompletion::Kind::kChoiceList, {field_names.begin(), field_names.end()}});
  options.output = "table";
  set.add_string("output", 0, &options.output,
                 "Output format: \"table\" (aligned columns) or \"json\" (one JSON array with an "
                 "object per row, whose keys are the field names: every field but deprecated ones, "
                 "or those --fields chooses; IDs and hashes in full, null where the table shows "
                 "\"-\")");
  set.set_completion("output", {ValueCompletion::Kind::kChoices, {"table", "json"}});
}

void add_blocking_flags(FlagSet& set, CommandOptions& options, std::string_view reached,
                        std::string_view past) {
  set.add_int("block-attempts", 0, &options.block_attempts,
              "Wait until the units are " + std::string(reached) +
                  ", performing up to N attempts before giving up. A value of 0 indicates no "
                  "limit. Does not apply to global units.");
  set.add_bool("no-block", 0, &options.no_block,
               "Do not wait until the units have " + std::string(past) +
                   " before exiting. Always the case for global units.");
}

void add_replace_flags(FlagSet& set, CommandOptions& options) {
  set.add_bool("replace", 0, &options.replace,
               "Replace the old scheduled units in the cluster with new versions.");
  set.add_bool("sign", 0, &options.sign, "DEPRECATED - this option cannot be used");
}

void add_ssh_port_flag(FlagSet& set, CommandOptions& options) {
  set.add_int("ssh-port", 0, &options.ssh_port,
              "Connect to remote hosts over SSH using this TCP port.");
}

void warn_ssh_unused(Context& context) {
  if (context.options().ssh_port_given) {
    context.err() << "WARNING: --ssh-port is ignored: fleetd runs the command on the unit's "
                     "machine (SSH is used with --inspect-via=ssh, an ssh-agent or --tunnel).\n";
  }
}

std::string_view version() { return FLEET_VERSION; }

}  // namespace fleet::fleetctl
