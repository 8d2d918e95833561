#include "fleet/config/load_config.h"

#include <cerrno>
#include <utility>

#include <sys/stat.h>

#include "fleet/config/internal/options.h"
#include "fleet/config/internal/text.h"

extern char** environ;

namespace fleet::config {
namespace {

constexpr std::string_view kEnvironmentPrefix = "FLEET_";
// A PEM chain of a few certificates is kilobytes; a CA bundle can be a few hundred.
constexpr std::size_t kMaxTlsFileSize = std::size_t{4} << 20;

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

// The API's TLS files are loaded when its listeners open; an unusable one must stop fleetd at
// load instead, with the key that names it. Each file is read once here and dropped.
Status check_api_tls(const Config& config) {
  if (config.api_tls_certfile.empty() != config.api_tls_keyfile.empty()) {
    const bool has_cert = !config.api_tls_certfile.empty();
    return fail(ErrorCode::kInvalidArgument,
                std::string(has_cert ? "api_tls_certfile is set without api_tls_keyfile"
                                     : "api_tls_keyfile is set without api_tls_certfile") +
                    ": the API's certificate and its key go together");
  }
  if (!config.api_tls_cafile.empty() && config.api_tls_certfile.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "api_tls_cafile is set without api_tls_certfile and api_tls_keyfile: client "
                "certificates are only asked for over TLS");
  }
  const std::pair<std::string_view, const std::string*> files[] = {
      {"api_tls_certfile", &config.api_tls_certfile},
      {"api_tls_keyfile", &config.api_tls_keyfile},
      {"api_tls_cafile", &config.api_tls_cafile}};
  for (const auto& [key, path] : files) {
    if (path->empty()) continue;
    auto read =
        internal::read_small_file(*path, std::string(key) + ": cannot use", kMaxTlsFileSize);
    if (!read) return fail(ErrorCode::kInvalidArgument, read.error().message);
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
  if (auto checked = check_api_tls(config); !checked) return fail(checked.error());
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
