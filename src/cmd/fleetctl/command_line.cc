#include "cmd/fleetctl/command_line.h"

#include <optional>
#include <utility>

namespace fleet::fleetctl {
namespace {

// Where the command word sits: the first argument that is neither a flag nor the value of a
// global flag before it (`fleetctl --endpoint URL list-units`), as cobra finds it.
std::optional<size_t> command_position(const std::vector<std::string>& args,
                                       const FlagSet& global_flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return std::nullopt;
    if (arg.size() < 2 || arg[0] != '-') return i;
    const Flag* flag = nullptr;
    if (arg.starts_with("--") && arg.find('=') == std::string::npos) {
      flag = global_flags.find(std::string_view(arg).substr(2));
    } else if (arg.size() == 2) {
      flag = global_flags.find_shorthand(arg[1]);
    }
    if (flag && !flag->value->is_bool()) ++i;
  }
  return std::nullopt;
}

std::string usage_error(const std::string& message, std::string_view command) {
  return "Error: " + message + "\nRun 'fleetctl help" + (command.empty() ? "" : " ") +
         std::string(command) + "' for usage.\n";
}

std::string unknown_command(const std::string& word,
                            const std::vector<std::string_view>& candidates) {
  std::string text = "Error: unknown command \"" + word + "\" for \"fleetctl\"\n";
  if (!candidates.empty()) {
    text += "\nDid you mean one of these?\n";
    for (auto candidate : candidates) text += "\t" + std::string(candidate) + "\n";
    text += "\n";
  }
  return text + "Run 'fleetctl help' for usage.\n";
}

CommandLine refuse(CommandLine line, std::string refusal) {
  line.action = CommandLine::Action::kRefuse;
  line.refusal = std::move(refusal);
  return line;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args,
                               const Environment& environment) {
  CommandLine line;
  if (args.empty()) return line;
  if (args.front() == "--version" || args.front() == "-v") {
    line.action = CommandLine::Action::kVersion;
    return line;
  }

  FlagSet global_flags;
  add_global_flags(global_flags, line.global);
  auto position = command_position(args, global_flags);
  if (!position) {
    // Only flags: cobra runs the root command, which shows the help.
    auto rest = parse_flags(args, {&global_flags});
    if (!rest) return refuse(std::move(line), usage_error(rest.error().message, ""));
    line.action =
        line.global.version ? CommandLine::Action::kVersion : CommandLine::Action::kRootHelp;
    return line;
  }

  std::vector<std::string_view> candidates;
  line.command = find_command(args[*position], &candidates);
  if (!line.command) {
    return refuse(std::move(line), unknown_command(args[*position], candidates));
  }

  FlagSet command_flags;
  if (line.command->declare_flags) line.command->declare_flags(command_flags, line.options);
  std::vector<std::string> rest = args;
  rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(*position));
  auto positional = parse_flags(rest, {&command_flags, &global_flags});
  if (!positional) {
    return refuse(std::move(line), usage_error(positional.error().message, line.command->name));
  }
  // JSON shows every field unless some were chosen.
  if (const Flag* fields = command_flags.find("fields")) {
    line.options.fields_given = fields->value->changed;
  }
  if (const Flag* ssh_port = command_flags.find("ssh-port")) {
    line.options.ssh_port_given = ssh_port->value->changed;
  }
  if (auto applied = apply_environment(global_flags, environment); !applied) {
    return refuse(std::move(line), usage_error(applied.error().message, ""));
  }

  if (line.global.help) {
    line.action = CommandLine::Action::kCommandHelp;
  } else if (line.global.version) {
    line.action = CommandLine::Action::kVersion;
  } else if (line.options.sign) {
    line.action = CommandLine::Action::kSignDeprecated;
  } else {
    line.action = CommandLine::Action::kRun;
    line.args = std::move(*positional);
  }
  return line;
}

}  // namespace fleet::fleetctl
