#include "cmd/fleetctl/help.h"

#include "cmd/fleetctl/tab_writer.h"

namespace fleet::fleetctl {
namespace {

constexpr std::string_view kDescription =
    "fleetctl is a command-line interface to fleet, the cluster-wide CoreOS init system.";

std::string flag_lines(const FlagSet& set) {
  std::string text;
  for (const auto& flag : set.flags()) {
    text += "\t";
    if (flag.shorthand) text += std::string("-") + flag.shorthand + ", ";
    text += "--" + flag.name + "=" + flag.default_text + "\t" + flag.usage + "\n";
  }
  return text;
}

std::string global_flag_lines() {
  GlobalOptions defaults;
  FlagSet set;
  add_global_flags(set, defaults);
  return flag_lines(set);
}

}  // namespace

std::string root_help() {
  std::string text = "NAME:\n\tfleetctl - " + std::string(kDescription) + "\n\n";
  text += "USAGE:\n\tfleetctl [global options] <command> [command options] [arguments...]\n\n";
  text += "VERSION:\n\t" + std::string(version()) + "\n\n";
  text += "COMMANDS:\n";
  for (const Command* command : commands()) {
    text += "\t" + std::string(command->name) + "\t" + std::string(command->summary) + "\n";
  }
  text += "\nGLOBAL OPTIONS:\n" + global_flag_lines() + "\n";
  text +=
      "Global options can also be configured via upper-case environment variables prefixed with "
      "\"FLEETCTL_\"\n"
      "For example, \"some-flag\" => \"FLEETCTL_SOME_FLAG\"\n\n"
      "Run \"fleetctl help <command>\" for more details on a specific command.\n";
  return align_columns(text);
}

std::string command_help(const Command& command) {
  const std::string name(command.name);
  std::string text = "NAME:\n\tfleetctl " + name + " - " + std::string(command.summary) + "\n\n";
  text += "USAGE:\n\tfleetctl " + name;
  if (!command.usage.empty()) text += " " + std::string(command.usage);
  text += "\n\nDESCRIPTION:\n";
  for (std::string_view rest = command.description;;) {
    auto end = rest.find('\n');
    text += "\t" + std::string(rest.substr(0, end)) + "\n";
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  if (command.declare_flags) {
    CommandOptions defaults;
    FlagSet set;
    command.declare_flags(set, defaults);
    text += "\nOPTIONS:\n" + flag_lines(set);
  }
  text += "\nGLOBAL OPTIONS:\n" + global_flag_lines();
  return align_columns(text);
}

}  // namespace fleet::fleetctl
