#include "cmd/fleetctl/ssh_tunnel.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/fleetctl/subprocess.h"
#include "cmd/fleetctl/unique_fd.h"

namespace fleet::fleetctl {
namespace {

using namespace std::chrono_literals;

UniqueFd stream_socket(int domain) {
  return UniqueFd(::socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0));
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port nobody listens on now; ssh binds it a moment later (ExitOnForwardFailure makes a lost
// race an error rather than a silent tunnel without it).
Result<uint16_t> free_loopback_port() {
  UniqueFd probe = stream_socket(AF_INET);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof(address);
  if (probe.get() < 0 ||
      ::bind(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return fail(
        ErrorCode::kInternal,
        std::string("cannot find a free local port for the tunnel: ") + std::strerror(errno));
  }
  return ntohs(address.sin_port);
}

// Whether something accepts connections at `local` ("127.0.0.1:PORT" or a socket path).
bool accepts(const std::string& local) {
  if (local.starts_with('/')) {
    UniqueFd socket = stream_socket(AF_UNIX);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, local.c_str(), sizeof(address.sun_path) - 1);
    return ::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  UniqueFd socket = stream_socket(AF_INET);
  const auto port = static_cast<uint16_t>(std::stoi(local.substr(local.rfind(':') + 1)));
  sockaddr_in address = loopback(port);
  return ::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
}

// "-L" argument for one remote, and its local end.
Result<std::pair<std::string, std::string>> forward_for(const std::string& remote,
                                                        const std::string& directory,
                                                        size_t index) {
  if (remote.starts_with('/')) {
    std::string local = directory + "/" + std::to_string(index) + ".sock";
    return std::pair{local + ":" + remote, local};
  }
  auto target = split_address(remote, 0);
  if (!target) return fail(target.error());
  auto port = free_loopback_port();
  if (!port) return fail(port.error());
  const std::string host =
      target->host.find(':') == std::string::npos ? target->host : "[" + target->host + "]";
  std::string local = "127.0.0.1:" + std::to_string(*port);
  return std::pair{local + ":" + host + ":" + std::to_string(target->port), local};
}

}  // namespace

Result<std::unique_ptr<SshTunnel>> SshTunnel::open(const SshSettings& settings,
                                                   const std::vector<std::string>& remotes) {
  std::unique_ptr<SshTunnel> tunnel(new SshTunnel());
  std::string directory =
      (std::filesystem::temp_directory_path() / "fleetctl-tunnel-XXXXXX").string();
  if (::mkdtemp(directory.data()) == nullptr) {
    return fail(ErrorCode::kInternal, "cannot create a directory for the tunnel's sockets: " +
                                          std::string(std::strerror(errno)));
  }
  tunnel->directory_ = directory;
  std::vector<std::string> forwards;
  for (size_t i = 0; i < remotes.size(); ++i) {
    auto forward = forward_for(remotes[i], directory, i);
    if (!forward) return fail(forward.error());
    forwards.push_back(forward->first);
    tunnel->locals_.push_back(forward->second);
  }
  auto argv = ssh_forward_argv(settings, settings.tunnel, forwards);
  if (!argv) return fail(argv.error());
  if (auto prepared = prepare_known_hosts(settings); !prepared) return fail(prepared.error());
  auto pid = spawn_attached(*argv);
  if (!pid) return fail(pid.error());
  tunnel->pid_ = *pid;

  // ssh sets up the forwards once it is in; until then it may be asking the user about the
  // bastion's host key, so the bound is generous: ssh's own timeouts end a dead connection.
  const auto deadline = std::chrono::steady_clock::now() + 2min;
  while (true) {
    int status = 0;
    if (::waitpid(tunnel->pid_, &status, WNOHANG) == tunnel->pid_) {
      tunnel->pid_ = -1;
      return fail(ErrorCode::kUnavailable,
                  "the SSH tunnel through " + settings.tunnel + " failed (ssh exited with " +
                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 255) +
                      "): check --tunnel, --ssh-username and the bastion's host key");
    }
    bool ready = true;
    for (const auto& local : tunnel->locals_) ready = ready && accepts(local);
    if (ready) return tunnel;
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(ErrorCode::kUnavailable,
                  "the SSH tunnel through " + settings.tunnel + " did not open within 2 minutes");
    }
    std::this_thread::sleep_for(20ms);
  }
}

SshTunnel::~SshTunnel() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    wait_exit(pid_);
  }
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

}  // namespace fleet::fleetctl
