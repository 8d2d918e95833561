#include "fleet/config/internal/options.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "fleet/config/duration.h"
#include "fleet/config/internal/text.h"
#include "fleet/config/option_values.h"

namespace fleet::config::internal {
namespace {

using Notes = std::vector<std::string>;
using std::chrono::milliseconds;

Status invalid(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

template <std::string Config::*kMember>
Status set_string(Config& config, std::string_view value, Notes&) {
  config.*kMember = std::string(value);
  return {};
}

template <std::string Config::*kMember>
std::string render_string(const Config& config) {
  return config.*kMember;
}

template <bool Config::*kMember>
Status set_bool(Config& config, std::string_view value, Notes&) {
  auto parsed = parse_bool(value);
  if (!parsed) return fail(parsed.error());
  config.*kMember = *parsed;
  return {};
}

template <bool Config::*kMember>
std::string render_bool(const Config& config) {
  return config.*kMember ? "true" : "false";
}

// Seconds as a decimal number; below a millisecond an engine would spin and every etcd request
// would time out before it is sent.
template <milliseconds Config::*kMember>
Status set_seconds(Config& config, std::string_view value, Notes&) {
  auto parsed = parse_seconds(value);
  if (!parsed) return fail(parsed.error());
  if (*parsed < milliseconds(1)) {
    return invalid("must be at least 0.001 seconds, got " + quote(value));
  }
  config.*kMember = *parsed;
  return {};
}

template <milliseconds Config::*kMember>
std::string render_seconds(const Config& config) {
  return format_seconds(config.*kMember);
}

template <class Items, class Format>
std::string join(const Items& items, Format format) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += format(item);
  }
  return out;
}

Status set_verbosity(Config& config, std::string_view value, Notes&) {
  auto parsed = parse_int(value);
  if (!parsed) return fail(parsed.error());
  config.verbosity = *parsed;
  return {};
}

Status set_token_limit(Config& config, std::string_view value, Notes&) {
  auto parsed = parse_int(value);
  if (!parsed) return fail(parsed.error());
  if (*parsed < 1) return invalid("must be at least 1, got " + quote(value));
  config.token_limit = *parsed;
  return {};
}

Status set_etcd_servers(Config& config, std::string_view value, Notes&) {
  auto servers = split_etcd_servers(value);
  if (servers.empty()) return invalid("no etcd endpoint in " + quote(value));
  config.etcd_servers = std::move(servers);
  return {};
}

// The original skipped a pair without "=" silently, so a machine lacked metadata its units
// asked for and they never ran there.
Status set_metadata(Config& config, std::string_view value, Notes&) {
  std::vector<std::string> skipped;
  auto metadata = parse_metadata(value, &skipped);
  if (!skipped.empty()) {
    return invalid(quote(skipped.front()) + " is not key=value (write key=value,key2=value2)");
  }
  config.metadata = std::move(metadata);
  return {};
}

// etcd leases count whole seconds, so a shorter TTL cannot be kept.
Status set_agent_ttl(Config& config, std::string_view value, Notes&) {
  auto parsed = parse_go_duration(value);
  if (!parsed) return fail(parsed.error());
  if (*parsed < std::chrono::seconds(1)) return invalid("must be at least 1s, got " + quote(value));
  config.agent_ttl = std::chrono::duration_cast<milliseconds>(*parsed);
  return {};
}

// Relative to what? fleetd's working directory is whatever started it.
Status set_units_directory(Config& config, std::string_view value, Notes&) {
  if (!value.starts_with('/')) return invalid("must be an absolute path, got " + quote(value));
  config.units_directory = std::string(value);
  return {};
}

Status set_api_listen(Config& config, std::string_view value, Notes&) {
  auto addresses = parse_api_listen(value);
  if (!addresses) return fail(addresses.error());
  config.api_listen = *std::move(addresses);
  return {};
}

std::string render_verbosity(const Config& config) { return std::to_string(config.verbosity); }

std::string render_token_limit(const Config& config) { return std::to_string(config.token_limit); }

std::string render_etcd_servers(const Config& config) {
  return join(config.etcd_servers, [](const std::string& server) { return server; });
}

// The password itself never reaches a log line.
std::string render_etcd_password(const Config& config) {
  return config.etcd_password.empty() ? "" : "<set>";
}

std::string render_metadata(const Config& config) {
  return join(config.metadata, [](const auto& pair) { return pair.first + "=" + pair.second; });
}

std::string render_agent_ttl(const Config& config) { return format_go_duration(config.agent_ttl); }

std::string render_api_listen(const Config& config) {
  return join(config.api_listen, [](const ListenAddress& address) { return address.to_string(); });
}

constexpr Option kOptions[] = {
    {"verbosity", set_verbosity, render_verbosity},
    {"etcd_servers", set_etcd_servers, render_etcd_servers},
    {"etcd_username", set_string<&Config::etcd_username>, render_string<&Config::etcd_username>},
    {"etcd_password", set_string<&Config::etcd_password>, render_etcd_password},
    {"etcd_keyfile", set_string<&Config::etcd_keyfile>, render_string<&Config::etcd_keyfile>},
    {"etcd_certfile", set_string<&Config::etcd_certfile>, render_string<&Config::etcd_certfile>},
    {"etcd_cafile", set_string<&Config::etcd_cafile>, render_string<&Config::etcd_cafile>},
    {"etcd_key_prefix", set_string<&Config::etcd_key_prefix>,
     render_string<&Config::etcd_key_prefix>},
    {"etcd_request_timeout", set_seconds<&Config::etcd_request_timeout>,
     render_seconds<&Config::etcd_request_timeout>},
    {"engine_reconcile_interval", set_seconds<&Config::engine_reconcile_interval>,
     render_seconds<&Config::engine_reconcile_interval>},
    {"public_ip", set_string<&Config::public_ip>, render_string<&Config::public_ip>},
    {"metadata", set_metadata, render_metadata},
    {"agent_ttl", set_agent_ttl, render_agent_ttl},
    {"units_directory", set_units_directory, render_string<&Config::units_directory>},
    {"systemd_user", set_bool<&Config::systemd_user>, render_bool<&Config::systemd_user>},
    {"token_limit", set_token_limit, render_token_limit},
    {"enable_grpc", set_bool<&Config::enable_grpc>, render_bool<&Config::enable_grpc>},
    {"disable_engine", set_bool<&Config::disable_engine>, render_bool<&Config::disable_engine>},
    {"disable_watches", set_bool<&Config::disable_watches>, render_bool<&Config::disable_watches>},
    {"verify_units", set_bool<&Config::verify_units>, render_bool<&Config::verify_units>},
    {"authorized_keys_file", set_string<&Config::authorized_keys_file>,
     render_string<&Config::authorized_keys_file>},
    {"api_listen", set_api_listen, render_api_listen},
    {"purge_on_shutdown", set_bool<&Config::purge_on_shutdown>,
     render_bool<&Config::purge_on_shutdown>},
    {"api_tls_certfile", set_string<&Config::api_tls_certfile>,
     render_string<&Config::api_tls_certfile>},
    {"api_tls_keyfile", set_string<&Config::api_tls_keyfile>,
     render_string<&Config::api_tls_keyfile>},
    {"api_tls_cafile", set_string<&Config::api_tls_cafile>, render_string<&Config::api_tls_cafile>},
};

}  // namespace

std::span<const Option> all_options() { return kOptions; }

const Option* find_option(std::string_view key) {
  auto found = std::find_if(std::begin(kOptions), std::end(kOptions),
                            [&](const Option& option) { return option.key == key; });
  return found == std::end(kOptions) ? nullptr : found;
}

std::string_view closest_option(std::string_view key) {
  // Levenshtein distance, one row at a time.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  constexpr size_t kFurthest = 3;
  std::string_view closest;
  size_t best = kFurthest + 1;
  for (const auto& option : kOptions) {
    if (auto d = distance(key, option.key); d < best) {
      best = d;
      closest = option.key;
    }
  }
  return closest;
}

bool is_secret(std::string_view key) { return key == "etcd_password"; }

std::string environment_variable(std::string_view key) {
  std::string name = "FLEET_";
  for (char c : key) name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return name;
}

}  // namespace fleet::config::internal
