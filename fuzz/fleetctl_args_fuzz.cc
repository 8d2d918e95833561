// libFuzzer target for fleetctl's command line: the command word and its prefixes, pflag's forms
// of flags (long, shorthand groups, `--`), each command's flags, the typed values and FLEETCTL_*
// variables, read by parse_command_line (cmd/fleetctl/command_line.h), which runs nothing.
//
// The input is argv with NUL between arguments. When it holds a 0x01 byte, what comes before it
// is the environment instead, NAME=value entries separated by NUL, and argv follows it.
//
// Invariants checked beyond "no crash":
//   - reading the same arguments twice gives the same result;
//   - a refusal, and only a refusal, carries a message: `Error: ...` and where to read the usage;
//   - a command to run (or to show help for) is in the table, and named by an argument in full
//     or by a prefix no other command shares;
//   - its positional arguments are arguments given, in order, none of them a flag unless it
//     came after `--`;
//   - a flag not given keeps its default (--fields, --ssh-port), and timeouts are finite numbers;
//   - FLEETCTL_HELP and FLEETCTL_VERSION change nothing.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/fleetctl/command_line.h"
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/flags.h"
#include "cmd/fleetctl/options.h"

namespace {

using fleet::fleetctl::CommandLine;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fleetctl_args_fuzz: %s\n", what);
  std::abort();
}

std::vector<std::string> split_on_nul(std::string_view text) {
  std::vector<std::string> parts;
  while (true) {
    const size_t nul = text.find('\0');
    parts.emplace_back(text.substr(0, nul));
    if (nul == std::string_view::npos) break;
    text.remove_prefix(nul + 1);
  }
  return parts;
}

using Variables = std::map<std::string, std::string, std::less<>>;

fleet::fleetctl::Environment environment_of(const Variables& variables) {
  return [&variables](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

bool same(const CommandLine& a, const CommandLine& b) {
  return a.action == b.action && a.command == b.command && a.args == b.args &&
         a.global == b.global && a.options == b.options && a.refusal == b.refusal;
}

void check_refusal(const CommandLine& line) {
  const bool refused = line.action == CommandLine::Action::kRefuse;
  if (refused != !line.refusal.empty()) broken("a refusal without a message, or a stray one");
  if (!refused) return;
  if (!line.refusal.starts_with("Error: ")) broken("a refusal that does not start with Error:");
  if (!line.refusal.ends_with("' for usage.\n")) broken("a refusal without where to read usage");
}

void check_command(const CommandLine& line, const std::vector<std::string>& args) {
  const bool needs_command = line.action == CommandLine::Action::kRun ||
                             line.action == CommandLine::Action::kCommandHelp ||
                             line.action == CommandLine::Action::kSignDeprecated;
  if (!needs_command) return;
  if (line.command == nullptr) broken("a command action without a command");
  bool in_table = false;
  for (const auto* command : fleet::fleetctl::commands()) in_table |= command == line.command;
  if (!in_table) broken("a command that is not in the table");
  bool named = false;
  for (const auto& arg : args) {
    if (arg.empty() || !line.command->name.starts_with(arg)) continue;
    named |= fleet::fleetctl::find_command(arg, nullptr) == line.command;
  }
  if (!named) broken("a command no argument names");
  if (line.action == CommandLine::Action::kSignDeprecated && !line.options.sign) {
    broken("a signing refusal without --sign");
  }
}

// The positional arguments: a subsequence of `args`, flags only after a `--`.
void check_positional(const CommandLine& line, const std::vector<std::string>& args) {
  if (line.action != CommandLine::Action::kRun) {
    if (!line.args.empty()) broken("positional arguments for nothing to run");
    return;
  }
  auto next = args.begin();
  for (const auto& positional : line.args) {
    next = std::find(next, args.end(), positional);
    if (next == args.end()) broken("a positional argument not given, or out of order");
    ++next;
  }
  const auto dashes = std::find(args.begin(), args.end(), "--");
  for (const auto& positional : line.args) {
    const bool flag_like = positional.size() >= 2 && positional[0] == '-';
    if (flag_like &&
        (dashes == args.end() || std::find(dashes + 1, args.end(), positional) == args.end())) {
      broken("a flag taken as a positional argument");
    }
  }
}

void check_values(const CommandLine& line) {
  if (!std::isfinite(line.global.ssh_timeout) || !std::isfinite(line.global.request_timeout)) {
    broken("a timeout that is not a finite number");
  }
  if (line.command == nullptr || line.action == CommandLine::Action::kRefuse) return;
  fleet::fleetctl::CommandOptions defaults;
  fleet::fleetctl::FlagSet set;
  if (line.command->declare_flags) line.command->declare_flags(set, defaults);
  if (!line.options.fields_given && line.options.fields != defaults.fields) {
    broken("--fields changed without being given");
  }
  if (!line.options.ssh_port_given && line.options.ssh_port != defaults.ssh_port) {
    broken("--ssh-port changed without being given");
  }
}

}  // namespace

// libFuzzer's entry point; libFuzzer fixes its name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Variables variables;
  if (const size_t split = input.find('\x01'); split != std::string_view::npos) {
    for (const auto& entry : split_on_nul(input.substr(0, split))) {
      const size_t equals = entry.find('=');
      if (equals != std::string::npos)
        variables[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
    input.remove_prefix(split + 1);
  }
  std::vector<std::string> args;
  if (!input.empty()) args = split_on_nul(input);

  const CommandLine line = fleet::fleetctl::parse_command_line(args, environment_of(variables));
  check_refusal(line);
  check_command(line, args);
  check_positional(line, args);
  check_values(line);

  if (!same(line, fleet::fleetctl::parse_command_line(args, environment_of(variables)))) {
    broken("the same arguments read differently twice");
  }
  Variables with_help = variables;
  with_help.emplace("FLEETCTL_HELP", "true");
  with_help.emplace("FLEETCTL_VERSION", "true");
  if (!same(line, fleet::fleetctl::parse_command_line(args, environment_of(with_help)))) {
    broken("FLEETCTL_HELP or FLEETCTL_VERSION changed what the arguments do");
  }
  return 0;
}
