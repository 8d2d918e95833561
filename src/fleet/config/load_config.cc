#include "fleet/config/load_config.h"

#include <cerrno>

#include <sys/stat.h>

#include "fleet/config/internal/options.h"
#include "fleet/config/internal/text.h"

extern char** environ;

namespace fleet::config {
namespace {

constexpr std::string_view kEnvironmentPrefix = "FLEET_";

// "Exists" as the original's os.Stat saw it; any other stat failure is left for the read to
// report, so an unreadable /etc/fleet is an error rather than a silently skipped config.
bool may_exist(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

Status apply_environment(Config& config, const Environment& environment) {
  for (const auto& option : internal::all_options()) {
    auto name = internal::environment_variable(option.key);
    auto found = environment.find(name);
    if (found == environment.end()) continue;
    auto value = internal::trim(found->second);
    if (value.empty()) continue;
    auto where = "environment variable " + name + ": ";
    std::vector<std::string> notes;
    if (auto set = option.set(config, value, notes); !set) {
      return fail(ErrorCode::kInvalidArgument, where + set.error().message);
    }
    for (auto& note : notes) config.warnings.push_back(where + note);
  }
  for (const auto& [name, value] : environment) {
    if (!name.starts_with(kEnvironmentPrefix)) continue;
    bool known = false;
    for (const auto& option : internal::all_options()) {
      known = known || internal::environment_variable(option.key) == name;
    }
    if (!known) {
      config.warnings.push_back("environment variable " + name +
                                " is not a fleetd option, ignoring");
    }
  }
  return {};
}

}  // namespace

Environment fleet_environment() {
  Environment environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto equals = text.find('=');
    if (equals == std::string_view::npos || !text.starts_with(kEnvironmentPrefix)) continue;
    environment.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return environment;
}

Result<Config> make_config(const ConfigFile& file, const Environment& environment) {
  Config config;
  config.source_file = file.source;
  config.warnings = file.warnings;
  for (const auto& entry : file.entries) {
    const auto* option = internal::find_option(entry.key);
    auto where = file.source + " line " + std::to_string(entry.line) + ": " + entry.key + ": ";
    if (option == nullptr) return fail(ErrorCode::kInvalidArgument, where + "unknown key");
    std::vector<std::string> notes;
    if (auto set = option->set(config, entry.value, notes); !set) {
      return fail(ErrorCode::kInvalidArgument, where + set.error().message);
    }
    for (auto& note : notes) config.warnings.push_back(where + note);
  }
  if (auto applied = apply_environment(config, environment); !applied) return fail(applied.error());
  // Checked on the final values, so the environment can switch a file's setting off again.
  if (config.verify_units) {
    config.warnings.push_back("config option verify_units is no longer supported, ignoring");
  }
  if (!config.authorized_keys_file.empty()) {
    config.warnings.push_back(
        "config option authorized_keys_file is no longer supported, ignoring");
  }
  return config;
}

Result<Config> load_config(const LoadOptions& options) {
  ConfigFile file;
  if (!options.config_path.empty()) {
    auto read = read_config_file(options.config_path);
    if (!read) return fail(read.error());
    file = *std::move(read);
  } else if (may_exist(options.default_config_path)) {
    auto read = read_config_file(options.default_config_path);
    if (!read) return fail(read.error());
    file = *std::move(read);
  }
  return make_config(file, options.environment);
}

}  // namespace fleet::config
