#include "cmd/fleetctl/options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace fleet::fleetctl {
namespace {

constexpr std::string_view kDeprecated = "DEPRECATED: do not use this flag.";

}  // namespace

void add_global_flags(FlagSet& set, GlobalOptions& options) {
  set.add_bool("help", 'h', &options.help, "Print usage information and exit");
  set.add_alias("h", "help", "Print usage information and exit");
  set.add_bool("debug", 0, &options.debug, "Print out more debug information to stderr");
  set.add_bool("version", 0, &options.version, "Print the version and exit");
  set.add_string(
      "driver", 0, &options.driver,
      "Adapter used to execute fleetctl commands. Options include \"API\" and \"etcd\".");
  set.add_string("endpoint", 0, &options.endpoint,
                 "Location of the fleet API if --driver=API. Alternatively, if --driver=etcd, "
                 "location of the etcd API.");
  set.add_string("etcd-key-prefix", 0, &options.etcd_key_prefix,
                 "Keyspace for fleet data in etcd (development use only!)");
  set.add_string(
      "key-file", 0, &options.key_file,
      "Location of TLS key file used to secure communication with the fleet API or etcd");
  set.add_string("cert-file", 0, &options.cert_file,
                 "Location of TLS cert file used to secure communication with the fleet API or "
                 "etcd");
  set.add_string("ca-file", 0, &options.ca_file,
                 "Location of TLS CA file used to secure communication with the fleet API or etcd");
  set.add_string("known-hosts-file", 0, &options.known_hosts_file,
                 "File used to store remote machine fingerprints. Ignored if strict host key "
                 "checking is disabled.");
  set.add_bool("strict-host-key-checking", 0, &options.strict_host_key_checking,
               "Verify host keys presented by remote machines before initiating SSH connections.");
  set.add_float("ssh-timeout", 0, &options.ssh_timeout,
                "Amount of time in seconds to allow for SSH connection initialization before "
                "failing.");
  set.add_string("tunnel", 0, &options.tunnel,
                 "Establish an SSH tunnel through the provided address for communication with "
                 "fleet and etcd.");
  set.add_float("request-timeout", 0, &options.request_timeout,
                "Amount of time in seconds to allow a single request before considering it "
                "failed.");
  set.add_bool("insecure-skip-verify", 0, &options.insecure_skip_verify,
               "Do not verify the TLS certificate of an https fleet API endpoint. Insecure: "
               "anyone on the path can read and change what fleetctl sends; for tests only.");
  set.add_string("ssh-username", 0, &options.ssh_username,
                 "Username to use when connecting to CoreOS instance.");
  set.add_string("inspect-via", 0, &options.inspect_via,
                 "How status and journal reach the unit's machine: \"ssh\" (as the original "
                 "fleetctl), \"fleetd\" (fleetd runs them there, no SSH needed) or \"auto\": SSH "
                 "when an ssh-agent is running (SSH_AUTH_SOCK) or --tunnel is given.");
  set.add_bool("experimental-api", 0, &options.experimental_api, std::string(kDeprecated));
  // Set before the aliases, which take their flag's completion.
  set.set_completion("driver", {ValueCompletion::Kind::kChoices,
                                {std::string(kDriverApi), std::string(kDriverEtcd)}});
  set.set_completion("inspect-via", {ValueCompletion::Kind::kChoices,
                                     {std::string(kInspectViaAuto), std::string(kInspectViaSsh),
                                      std::string(kInspectViaFleetd)}});
  for (std::string_view file : {"key-file", "cert-file", "ca-file", "known-hosts-file"}) {
    set.set_completion(file, {ValueCompletion::Kind::kPath, {}});
  }
  set.add_alias("etcd-keyfile", "key-file", std::string(kDeprecated));
  set.add_alias("etcd-certfile", "cert-file", std::string(kDeprecated));
  set.add_alias("etcd-cafile", "ca-file", std::string(kDeprecated));
}

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Status apply_environment(const FlagSet& set, const Environment& environment) {
  for (const auto& flag : set.flags()) {
    // FLEETCTL_HELP or FLEETCTL_VERSION would turn every command into help or version.
    if (flag.name == "help" || flag.name == "h" || flag.name == "version") continue;
    // An alias shares its flag's value: once either is set, the other's variable must not undo
    // it.
    if (flag.value->changed) continue;
    std::string variable = "FLEETCTL_" + flag.name;
    std::transform(variable.begin(), variable.end(), variable.begin(), [](unsigned char c) {
      return c == '-' ? '_' : static_cast<char>(std::toupper(c));
    });
    auto value = environment(variable);
    if (!value || value->empty()) continue;
    if (auto set_value = flag.value->set(*value); !set_value) {
      return fail(ErrorCode::kInvalidArgument, "invalid value \"" + *value + "\" for " + variable +
                                                   ": " + set_value.error().message);
    }
    flag.value->changed = true;
  }
  return {};
}

}  // namespace fleet::fleetctl
