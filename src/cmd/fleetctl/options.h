// What fleetctl's flags set: the global flags of spec §1.1 (also read from FLEETCTL_* variables)
// and the per-command ones, each command declaring the few it takes.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "fleet/base/error.h"

#include "cmd/fleetctl/flags.h"

namespace fleet::fleetctl {

inline constexpr std::string_view kDefaultEndpoint = "unix:///var/run/fleet.sock";
inline constexpr std::string_view kDriverApi = "API";
inline constexpr std::string_view kDriverEtcd = "etcd";
inline constexpr std::string_view kInspectViaAuto = "auto";
inline constexpr std::string_view kInspectViaSsh = "ssh";
inline constexpr std::string_view kInspectViaFleetd = "fleetd";

struct GlobalOptions {
  std::string endpoint{kDefaultEndpoint};
  std::string driver{kDriverApi};
  std::string etcd_key_prefix = "/_coreos.com/fleet/";
  std::string key_file{};
  std::string cert_file{};
  std::string ca_file{};
  std::string tunnel{};
  std::string known_hosts_file = "~/.fleetctl/known_hosts";
  bool strict_host_key_checking = true;
  double ssh_timeout = 10.0;
  std::string ssh_username = "core";
  std::string inspect_via{
      kInspectViaAuto};  // added: how status and journal run (machine_command.h)
  double request_timeout = 3.0;
  bool insecure_skip_verify = false;  // added (decisions.md fix 4): https without verification
  bool experimental_api = true;       // deprecated
  bool debug = false;
  bool version = false;
  bool help = false;

  friend bool operator==(const GlobalOptions&, const GlobalOptions&) = default;
};

// The per-command flags; a command declares only those it takes (commands.h).
struct CommandOptions {
  bool full = false;
  bool no_legend = false;
  std::string fields{};
  bool no_block = false;
  int block_attempts = 0;
  bool replace = false;
  bool sign = false;
  std::string output{};       // list commands: "table" or "json"
  bool fields_given = false;  // --fields was on the command line (not its default)
  // ssh, status, journal
  int ssh_port = 22;
  bool ssh_port_given = false;
  bool forward_agent = false;  // ssh -A
  std::string machine{};       // ssh --machine
  std::string unit{};          // ssh --unit
  bool sudo = false;
  int lines = 10;
  bool follow = false;
  std::string types{};  // watch: "unit,state"; "" for every type

  friend bool operator==(const CommandOptions&, const CommandOptions&) = default;
};

// Declares every global flag on `set`, bound to `options`, with the original's names, defaults
// and help texts (deprecated spellings included).
void add_global_flags(FlagSet& set, GlobalOptions& options);

// Looks up one environment variable; nullopt when unset.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The process's environment.
Environment process_environment();

// Sets each global flag the command line left alone from FLEETCTL_<NAME> (upper case, '-' as
// '_'), when that variable is set and not empty: environment first, flags win.
// kInvalidArgument naming the variable when its value does not fit the flag.
Status apply_environment(const FlagSet& set, const Environment& environment);

}  // namespace fleet::fleetctl
