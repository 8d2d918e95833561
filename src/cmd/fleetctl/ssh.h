// fleetctl's SSH (spec §1.2, §1.5): OpenSSH's `ssh` does the work, so ssh, status, journal and
// --tunnel authenticate and check host keys exactly as the user's own ssh does (ssh-agent and
// ~/.ssh keys, prompts on the terminal, "REMOTE HOST IDENTIFICATION HAS CHANGED"). This file
// turns fleetctl's flags into its arguments.
//
// Example:
//   auto settings = ssh_settings(context.global(), /*port=*/22, /*forward_agent=*/false);
//   auto argv = ssh_argv(settings, "10.0.0.5", "systemctl status -l 'hello.service'");
//   // {"ssh", "-o", "ConnectTimeout=10", ..., "-p", "22", "--", "10.0.0.5", "systemctl ..."}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"

#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {

struct SshSettings {
  std::string user = "core";
  // Host keys are checked against, and new ones added to, this file (already expanded);
  // --strict-host-key-checking=false checks nothing and writes nothing.
  std::string known_hosts_file{};
  bool strict_host_key_checking = true;
  double timeout_seconds = 10.0;  // connection set-up, each hop
  std::string tunnel{};           // "host[:port]" to hop through; empty: direct
  int port = 22;                  // for addresses that name none
  bool forward_agent = false;
};

// From the global flags (--ssh-username, --known-hosts-file with "~/" expanded,
// --strict-host-key-checking, --ssh-timeout, --tunnel) and a command's --ssh-port / -A.
SshSettings ssh_settings(const GlobalOptions& global, int port, bool forward_agent);

struct HostPort {
  std::string host;  // IPv6 without brackets
  int port = 22;
};

// "10.0.0.1", "10.0.0.1:2222", "[fd00::1]:2222" or a bare "fd00::1"; `default_port` when the
// address names none. kInvalidArgument for an empty host or a port that is not 1-65535.
Result<HostPort> split_address(std::string_view address, int default_port);

// `ssh` running `remote_command` (a shell command line; empty: an interactive shell, with a
// terminal) on `address`, through settings.tunnel when set.
Result<std::vector<std::string>> ssh_argv(const SshSettings& settings, std::string_view address,
                                          std::string_view remote_command);

// `ssh -N` to `address` holding the local forwards `forwards` ("LOCAL:REMOTE" as -L takes them)
// open until it is killed; it exits at once if one cannot be set up.
Result<std::vector<std::string>> ssh_forward_argv(const SshSettings& settings,
                                                  std::string_view address,
                                                  const std::vector<std::string>& forwards);

// Creates the known_hosts file's directory (mode 0700) so ssh can add to it; kInternal naming
// the directory when that fails. Nothing to do without strict checking.
Status prepare_known_hosts(const SshSettings& settings);

// `word` quoted for a POSIX shell: 'it'\''s'.
std::string shell_quote(std::string_view word);

}  // namespace fleet::fleetctl
