#include "cmd/fleetd/flags.h"

#include <optional>
#include <string_view>

namespace fleet::fleetd {
namespace {

// Go's flag package: one or two dashes, then the name, then optionally "=value".
std::optional<std::pair<std::string_view, std::optional<std::string_view>>> as_flag(
    std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return std::nullopt;
  arg.remove_prefix(arg[1] == '-' ? 2 : 1);
  auto eq = arg.find('=');
  if (eq == std::string_view::npos) return std::pair{arg, std::optional<std::string_view>{}};
  return std::pair{arg.substr(0, eq), std::optional<std::string_view>{arg.substr(eq + 1)}};
}

}  // namespace

Result<Flags> parse_flags(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    auto flag = as_flag(args[i]);
    if (!flag) {
      if (args[i] == "version") {
        flags.version = true;
        continue;
      }
      return fail(ErrorCode::kInvalidArgument,
                  "fleetd takes no arguments. Did you mean to invoke fleetctl instead?");
    }
    auto [name, value] = *flag;
    if (name == "version") {
      flags.version = !value || *value == "true" || *value == "1";
    } else if (name == "h" || name == "help") {
      flags.help = true;
    } else if (name == "config") {
      if (value) {
        flags.config_path = std::string(*value);
      } else if (i + 1 < args.size()) {
        flags.config_path = args[++i];
      } else {
        return fail(ErrorCode::kInvalidArgument, "flag needs an argument: -config");
      }
    } else {
      return fail(ErrorCode::kInvalidArgument,
                  "flag provided but not defined: -" + std::string(name));
    }
  }
  return flags;
}

std::string usage() {
  return "Usage: fleetd [-config PATH] [-version]\n"
         "  -config PATH  fleet.conf to read (default /etc/fleet/fleet.conf when it exists)\n"
         "  -version      print the version and exit\n"
         "Options are set in the config file or as FLEET_<KEY> environment variables.\n";
}

}  // namespace fleet::fleetd
