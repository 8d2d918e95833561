#include "cmd/fleetctl/fleetctl.h"

#include <optional>

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/driver.h"
#include "cmd/fleetctl/help.h"

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

int usage_error(std::ostream& err, const std::string& message, std::string_view command) {
  err << "Error: " << message << "\n"
      << "Run 'fleetctl help" << (command.empty() ? "" : " ") << command << "' for usage.\n";
  return 1;
}

int unknown_command(std::ostream& err, const std::string& word,
                    const std::vector<std::string_view>& candidates) {
  err << "Error: unknown command \"" << word << "\" for \"fleetctl\"\n";
  if (!candidates.empty()) {
    err << "\nDid you mean one of these?\n";
    for (auto candidate : candidates) err << "\t" << candidate << "\n";
    err << "\n";
  }
  err << "Run 'fleetctl help' for usage.\n";
  return 1;
}

void print_version(std::ostream& out) { out << "fleetctl version " << version() << "\n"; }

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Environment& environment) {
  if (args.empty()) {
    out << root_help();
    return 0;
  }
  if (args.front() == "--version" || args.front() == "-v") {
    print_version(out);
    return 0;
  }

  GlobalOptions global;
  FlagSet global_flags;
  add_global_flags(global_flags, global);
  auto position = command_position(args, global_flags);
  if (!position) {
    // Only flags: cobra runs the root command, which shows the help.
    auto rest = parse_flags(args, {&global_flags});
    if (!rest) return usage_error(err, rest.error().message, "");
    if (global.version) {
      print_version(out);
    } else {
      out << root_help();
    }
    return 0;
  }

  std::vector<std::string_view> candidates;
  const Command* command = find_command(args[*position], &candidates);
  if (!command) return unknown_command(err, args[*position], candidates);

  CommandOptions options;
  FlagSet command_flags;
  if (command->declare_flags) command->declare_flags(command_flags, options);
  std::vector<std::string> rest = args;
  rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(*position));
  auto positional = parse_flags(rest, {&command_flags, &global_flags});
  if (!positional) return usage_error(err, positional.error().message, command->name);
  // JSON shows every field unless some were chosen.
  if (const Flag* fields = command_flags.find("fields")) {
    options.fields_given = fields->value->changed;
  }
  if (const Flag* ssh_port = command_flags.find("ssh-port")) {
    options.ssh_port_given = ssh_port->value->changed;
  }
  if (auto applied = apply_environment(global_flags, environment); !applied) {
    return usage_error(err, applied.error().message, "");
  }

  if (global.help) {
    out << command_help(*command);
    return 0;
  }
  if (global.version) {
    print_version(out);
    return 0;
  }
  if (options.sign) {
    err << "WARNING: The signed/verified units feature is DEPRECATED and cannot be used.\n";
    return 2;
  }
  Connection connection;
  if (command->uses_api) {
    auto opened = open_api(global, err);
    if (!opened) {
      err << "Unable to initialize client: " << opened.error().message << "\n";
      return 1;
    }
    connection = std::move(*opened);
  }
  Context context(out, err, global, options, std::move(connection.api),
                  std::move(connection.tunnel));
  return command->run(context, *positional);
}

}  // namespace fleet::fleetctl
