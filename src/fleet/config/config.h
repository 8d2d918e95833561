// fleetd's configuration (spec §4.2 plus decisions.md's additions): every option with its
// default, typed, and describe() for the one log line that shows what a fleetd runs with.
//
// Values come from fleet.conf and FLEET_* environment variables (load_config.h); a Config
// built by hand (tests, benchmarks) starts from the same defaults.
//
// Example:
//   auto config = load_config({.config_path = flags.config, .environment = fleet_environment()});
//   if (!config) { log_fatal(config.error().message); }
//   for (const auto& warning : config->warnings) log_warning(warning);
//   log_info("config " + describe(*config));
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fleet::config {

inline constexpr std::string_view kDefaultConfigPath = "/etc/fleet/fleet.conf";

// Same spelling as registry::kDefaultKeyPrefix; config does not depend on registry.
inline constexpr std::string_view kDefaultEtcdKeyPrefix = "/_coreos.com/fleet/";

using Metadata = std::map<std::string, std::string, std::less<>>;

// One TCP address the API listens on (api_listen).
struct ListenAddress {
  std::string host{};  // IP literal or host name; an IPv6 literal without its brackets
  std::uint16_t port = 0;

  bool operator==(const ListenAddress&) const = default;

  // "127.0.0.1:49153", "[::1]:49153": the form api_listen reads back.
  std::string to_string() const;

  // 127.0.0.0/8, ::1 or "localhost": only this host can connect. Any other name counts as
  // reachable from elsewhere, since what it resolves to is not ours to know.
  bool is_loopback() const;
};

// The `{}` initializers let callers name only the fields they set (`{.agent_ttl = ...}`) under
// -Wextra's missing-field-initializers.
struct Config {
  // >0 enables debug logging (one level only, as in the original).
  int verbosity = 0;

  // etcd client URLs, split and undecorated (`["a","b"]` and `a,b` both work). Not validated
  // here: etcd::parse_endpoints checks each one when the client is built.
  std::vector<std::string> etcd_servers{"http://127.0.0.1:2379", "http://127.0.0.1:4001"};
  std::string etcd_username{};
  std::string etcd_password{};  // never printed: describe() shows "<set>"
  std::string etcd_keyfile{};   // paths only; the files are read by the etcd client
  std::string etcd_certfile{};
  std::string etcd_cafile{};
  std::string etcd_key_prefix{kDefaultEtcdKeyPrefix};    // root of every fleet key in etcd
  std::chrono::milliseconds etcd_request_timeout{1000};  // fleet.conf: seconds, "1.0"
  // The engine's period; its leader lease lives 5x this. fleet.conf: seconds, "2.0".
  std::chrono::milliseconds engine_reconcile_interval{2000};

  // Published address of this machine; empty: detect_public_ip() decides.
  std::string public_ip{};
  Metadata metadata{};  // from "k=v,k2=v2"
  // TTL of machine presence and unit states; every heartbeat period derives from it (§5.8).
  // fleet.conf: a Go duration, "30s". At least 1s, as etcd leases count whole seconds.
  std::chrono::milliseconds agent_ttl{30'000};

  std::string units_directory{"/run/fleet/units/"};  // absolute path
  bool systemd_user = false;                         // the user's systemd instead of the system's
  int token_limit = 100;                             // API page size, at least 1

  bool enable_grpc = false;      // accepted; fleetd needs no gRPC registry for scale
  bool disable_engine = false;   // never lead; advertised as capability DISABLE_ENGINE
  bool disable_watches = false;  // accepted; fleetd needs no watch opt-out for scale

  // Deprecated in the original and ignored; load_config() warns when they are set.
  bool verify_units = false;
  std::string authorized_keys_file{};

  // Additions (decisions.md).
  // TCP addresses for the API besides the unix socket; none by default. A bare port ("49153"
  // or ":49153") means loopback, so reaching the API from other hosts takes an explicit
  // 0.0.0.0:PORT, [::]:PORT or an interface's address.
  std::vector<ListenAddress> api_listen{};
  // TLS on the api_listen sockets (never on the unix socket, which its mode guards): the server's
  // PEM certificate chain and key, which go together. With api_tls_cafile as well, a client must
  // present a certificate that chains to it or the handshake fails. load_config() checks that
  // each named file can be read; paths only, the contents are never kept here.
  std::string api_tls_certfile{};
  std::string api_tls_keyfile{};
  std::string api_tls_cafile{};
  // true restores the original's SIGTERM behaviour: stop and remove every fleet unit on this
  // host before exiting. false (ours): units keep running and are re-adopted on restart.
  bool purge_on_shutdown = false;

  // Where the values came from, not options themselves.
  std::string source_file{};  // the file read; empty when none was
  // Non-fatal problems for the daemon to log, in order: repeated keys, ignored
  // metadata pairs, unknown FLEET_* variables, deprecated options in use.
  std::vector<std::string> warnings{};

  bool operator==(const Config&) const = default;
};

// The effective options on one line for the logs, in fleet.conf's syntax and key order:
//   config_file=/etc/fleet/fleet.conf verbosity=0 etcd_servers=http://127.0.0.1:2379,...
//   etcd_password=<set> ... agent_ttl=30s ...
// Values that are empty or hold spaces, quotes or control characters are double-quoted. The
// etcd password is never shown ("<set>" or ""); TLS files appear by path only.
std::string describe(const Config& config);

}  // namespace fleet::config
