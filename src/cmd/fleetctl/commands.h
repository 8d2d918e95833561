// fleetctl's verbs: one Command per cmd_<verb>.cc, gathered in one table (commands.cc).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/fleetctl/context.h"
#include "cmd/fleetctl/flags.h"
#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {

// What a command's arguments are, for shell completion.
enum class Operands {
  kNone,
  kUnitFiles,  // local unit files (submit, load, start)
  kUnits,      // units in the registry (stop, destroy, cat, ...)
  kCommand,    // a command name (help)
  kPath,       // a local path (fd-forward's socket)
  kShell,      // a shell completion knows (completion)
};

struct Command {
  std::string_view name;
  std::string_view summary;      // one line, for the COMMANDS list
  std::string_view usage;        // what follows `fleetctl <name> ` in USAGE
  std::string_view description;  // lines for DESCRIPTION
  // Declares the command's own flags on `set`, bound to `options`; may be null.
  void (*declare_flags)(FlagSet& set, CommandOptions& options) = nullptr;
  // Runs the command with its positional arguments; returns the exit status.
  int (*run)(Context& context, const std::vector<std::string>& args) = nullptr;
  // Whether it needs the fleet API (help and version do not).
  bool uses_api = true;
  Operands operands = Operands::kNone;
};

extern const Command kCatCommand;
extern const Command kCompletionCommand;
extern const Command kDestroyCommand;
extern const Command kFdForwardCommand;
extern const Command kHelpCommand;
extern const Command kJournalCommand;
extern const Command kListMachinesCommand;
extern const Command kListUnitFilesCommand;
extern const Command kListUnitsCommand;
extern const Command kLoadCommand;
extern const Command kRestartCommand;
extern const Command kSshCommand;
extern const Command kStartCommand;
extern const Command kStatusCommand;
extern const Command kStopCommand;
extern const Command kSubmitCommand;
extern const Command kUnloadCommand;
extern const Command kVerifyCommand;
extern const Command kVersionCommand;
extern const Command kWatchCommand;

// Every command, by name.
std::span<const Command* const> commands();

// The command `word` names exactly or, cobra's prefix matching, is the only one to start with
// (`list-m` -> list-machines). nullptr when none or several match; `candidates` then lists the
// several.
const Command* find_command(std::string_view word, std::vector<std::string_view>* candidates);

// Flags shared by several commands, with the original's help texts.
//   list commands: --full (and -l where `short_full`), --no-legend, --fields=`default_fields`
//   (any of `field_names`, rows being `what`: "Machine", "Unit"), --output=table|json
void add_list_flags(FlagSet& set, CommandOptions& options, std::string_view default_fields,
                    std::string_view what, const std::vector<std::string_view>& field_names,
                    bool short_full);
//   blocking commands: --block-attempts=N, --no-block; `reached` and `past` complete
//   "Wait until the units are <reached>" and "Do not wait until the units have <past>".
void add_blocking_flags(FlagSet& set, CommandOptions& options, std::string_view reached,
                        std::string_view past);
//   creating commands: --replace, --sign (deprecated)
void add_replace_flags(FlagSet& set, CommandOptions& options);
//   commands that use SSH (ssh, status, journal): --ssh-port=N
void add_ssh_port_flag(FlagSet& set, CommandOptions& options);
// For status and journal run by fleetd: a warning on `context.err()` when --ssh-port was given,
// which then has no use.
void warn_ssh_unused(Context& context);

// The version fleetctl reports.
std::string_view version();

}  // namespace fleet::fleetctl
