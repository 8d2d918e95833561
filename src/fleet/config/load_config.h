// Where fleetd's configuration comes from (spec §4.1): defaults, then fleet.conf, then
// FLEET_<KEY> environment variables, which override the file.
//
// Example:
//   LoadOptions options{.config_path = flags.config, .environment = fleet_environment()};
//   auto config = load_config(options);   // again on SIGHUP, with the same options
//   if (!config) return fail(config.error());
#pragma once

#include <functional>
#include <map>
#include <string>

#include "fleet/base/error.h"
#include "fleet/config/config.h"
#include "fleet/config/config_file.h"

namespace fleet::config {

// Environment variables by name.
using Environment = std::map<std::string, std::string, std::less<>>;

struct LoadOptions {
  // fleetd's -config: when set the file must exist and be a regular file.
  std::string config_path{};
  // Read only when it exists and config_path is empty; tests point it elsewhere.
  std::string default_config_path{kDefaultConfigPath};
  // The variables that may override the file; only FLEET_* ones are looked at.
  Environment environment{};
};

// The process's FLEET_* environment variables (from `environ`).
Environment fleet_environment();

// Applies `file`'s entries to the defaults, then each non-empty FLEET_<KEY> variable of
// `environment` (an empty one leaves the file's value, as in the original), and adds warnings
// for unknown FLEET_* variables and deprecated options in use. A bad variable is
// kInvalidArgument `environment variable FLEET_AGENT_TTL: invalid duration "30x": ...`. The
// final api_tls_* values are checked: certfile and keyfile together, cafile only with them, and
// each named file readable, else kInvalidArgument naming the key and the file
// (`api_tls_keyfile: cannot use /etc/fleet/api.key: Permission denied`).
// Sets source_file to file.source.
Result<Config> make_config(const ConfigFile& file, const Environment& environment);

// read_config_file() of config_path, or of default_config_path when it exists, or no file; then
// make_config(). Errors are those two functions'.
Result<Config> load_config(const LoadOptions& options);

}  // namespace fleet::config
