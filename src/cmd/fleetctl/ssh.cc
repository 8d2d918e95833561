#include "cmd/fleetctl/ssh.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <pwd.h>
#include <unistd.h>

namespace fleet::fleetctl {
namespace {

std::string home_directory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr) return entry->pw_dir;
  return "/";
}

std::string expand_home(const std::string& path) {
  if (path == "~") return home_directory();
  if (path.starts_with("~/")) return home_directory() + path.substr(1);
  return path;
}

// ssh expands %-tokens in file names and commands it is given; fleetctl's are meant literally.
std::string escape_tokens(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '%') escaped += '%';
    escaped += c;
  }
  return escaped;
}

void append(std::vector<std::string>& argv, std::initializer_list<std::string> words) {
  argv.insert(argv.end(), words);
}

// What every hop shares: time limit, host key policy, user and port.
std::vector<std::string> hop_options(const SshSettings& settings, const HostPort& target) {
  // At least 1 s; at most 10^9 s (31 years), which lround can still represent.
  const auto timeout = std::lround(std::ceil(std::clamp(settings.timeout_seconds, 1.0, 1e9)));
  std::vector<std::string> argv = {"-o", "ConnectTimeout=" + std::to_string(timeout)};
  if (settings.strict_host_key_checking) {
    // "ask": an unknown host is asked about on the terminal and added to the file when the user
    // answers yes; a changed key is refused. The original fleetctl behaves the same way.
    // Names in the clear, as the original fleetctl reads and writes the file (it skips hashed
    // entries), whatever the user's ssh_config says.
    append(argv, {"-o", "StrictHostKeyChecking=ask", "-o",
                  "UserKnownHostsFile=\"" + escape_tokens(settings.known_hosts_file) + "\"", "-o",
                  "HashKnownHosts=no"});
  } else {
    append(argv, {"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o",
                  "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"});
  }
  append(argv, {"-l", settings.user, "-p", std::to_string(target.port)});
  return argv;
}

// The options that reach `target`: through the tunnel host (ssh -W on it) when there is one.
Result<std::vector<std::string>> route_options(const SshSettings& settings,
                                               const HostPort& target) {
  auto argv = hop_options(settings, target);
  if (settings.tunnel.empty()) return argv;
  auto bastion = split_address(settings.tunnel, 22);
  if (!bastion) return fail(bastion.error());
  std::string proxy = "ssh";
  // ssh expands %-tokens in the command, and then the hop's ssh in its own options again.
  for (const auto& word : hop_options(settings, *bastion)) {
    proxy += " " + shell_quote(escape_tokens(word));
  }
  proxy += " -W %h:%p -- " + shell_quote(escape_tokens(bastion->host));
  append(argv, {"-o", "ProxyCommand=" + proxy});
  return argv;
}

}  // namespace

SshSettings ssh_settings(const GlobalOptions& global, int port, bool forward_agent) {
  return SshSettings{.user = global.ssh_username,
                     .known_hosts_file = expand_home(global.known_hosts_file),
                     .strict_host_key_checking = global.strict_host_key_checking,
                     .timeout_seconds = global.ssh_timeout,
                     .tunnel = global.tunnel,
                     .port = port,
                     .forward_agent = forward_agent};
}

Result<HostPort> split_address(std::string_view address, int default_port) {
  std::string_view host = address;
  std::string_view port;
  if (address.starts_with('[')) {
    const auto close = address.find(']');
    if (close == std::string_view::npos) {
      return fail(ErrorCode::kInvalidArgument,
                  "missing ']' in address \"" + std::string(address) + "\"");
    }
    host = address.substr(1, close - 1);
    const auto rest = address.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        return fail(ErrorCode::kInvalidArgument,
                    "unexpected text after ']' in address \"" + std::string(address) + "\"");
      }
      port = rest.substr(1);
    }
  } else if (const auto colon = address.find(':');
             colon != std::string_view::npos && address.find(':', colon + 1) == address.npos) {
    // One colon: host:port. Several: an IPv6 address without a port.
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  if (host.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no host in address \"" + std::string(address) + "\"");
  }
  HostPort result{.host = std::string(host), .port = default_port};
  if (!port.empty()) {
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), result.port);
    if (error != std::errc() || end != port.data() + port.size() || result.port < 1 ||
        result.port > 65535) {
      return fail(
          ErrorCode::kInvalidArgument,
          "bad port \"" + std::string(port) + "\" in address \"" + std::string(address) + "\"");
    }
  }
  return result;
}

Result<std::vector<std::string>> ssh_argv(const SshSettings& settings, std::string_view address,
                                          std::string_view remote_command) {
  auto target = split_address(address, settings.port);
  if (!target) return fail(target.error());
  auto options = route_options(settings, *target);
  if (!options) return fail(options.error());
  std::vector<std::string> argv = {"ssh"};
  argv.insert(argv.end(), options->begin(), options->end());
  if (settings.forward_agent) argv.push_back("-A");
  append(argv, {"--", target->host});
  if (!remote_command.empty()) argv.emplace_back(remote_command);
  return argv;
}

Result<std::vector<std::string>> ssh_forward_argv(const SshSettings& settings,
                                                  std::string_view address,
                                                  const std::vector<std::string>& forwards) {
  auto target = split_address(address, settings.port);
  if (!target) return fail(target.error());
  auto options = route_options(settings, *target);
  if (!options) return fail(options.error());
  // No shell, no terminal, no sharing of a user's ControlMaster: the process is the tunnel, and
  // it ends when a forward cannot be set up rather than lingering without it.
  std::vector<std::string> argv = {"ssh",
                                   "-N",
                                   "-T",
                                   "-o",
                                   "ExitOnForwardFailure=yes",
                                   "-o",
                                   "ControlMaster=no",
                                   "-o",
                                   "ControlPath=none"};
  argv.insert(argv.end(), options->begin(), options->end());
  for (const auto& forward : forwards) append(argv, {"-L", forward});
  append(argv, {"--", target->host});
  return argv;
}

Status prepare_known_hosts(const SshSettings& settings) {
  if (!settings.strict_host_key_checking) return {};
  const auto directory = std::filesystem::path(settings.known_hosts_file).parent_path();
  if (directory.empty()) return {};
  std::error_code error;
  if (std::filesystem::create_directories(directory, error)) {
    std::filesystem::permissions(directory, std::filesystem::perms::owner_all, error);
  }
  if (error) {
    return fail(ErrorCode::kInternal, "cannot create " + directory.string() +
                                          " for the known hosts file: " + error.message());
  }
  return {};
}

std::string shell_quote(std::string_view word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace fleet::fleetctl
