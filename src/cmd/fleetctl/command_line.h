// fleetctl's arguments read into what to do, without doing any of it: nothing is printed, no
// connection opened, no command run. fleetctl::run (fleetctl.h) acts on the result; the fuzz
// target fuzz/fleetctl_args_fuzz.cc checks it.
//
// Example:
//   CommandLine line = parse_command_line({"list-units", "--full"}, environment);
//   // line.action == CommandLine::Action::kRun, line.command == &kListUnitsCommand,
//   // line.options.full == true, line.args empty
#pragma once

#include <string>
#include <vector>

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {

struct CommandLine {
  enum class Action {
    kRootHelp,        // print every command and global flag; exit 0
    kVersion,         // print the version; exit 0
    kCommandHelp,     // print `command`'s help; exit 0
    kRefuse,          // print `refusal` on stderr; exit 1
    kSignDeprecated,  // --sign: warn that signing cannot be used; exit 2
    kRun,             // run `command` with `args`
  };

  Action action = Action::kRootHelp;
  // The command named (never null for kCommandHelp, kSignDeprecated and kRun).
  const Command* command = nullptr;
  // The positional arguments after the command word, for kRun.
  std::vector<std::string> args{};
  GlobalOptions global{};
  CommandOptions options{};
  // For kRefuse: what is wrong and where to read about it, whole lines as fleetctl prints them
  // (`Error: unknown flag: --x` then `Run 'fleetctl help list-units' for usage.`).
  std::string refusal{};
};

// Reads `args` (without the program name) as cobra and pflag read fleetctl's, with FLEETCTL_*
// variables from `environment` filling the global flags the command line leaves alone.
CommandLine parse_command_line(const std::vector<std::string>& args,
                               const Environment& environment);

}  // namespace fleet::fleetctl
