#include "fleet/api/listeners.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

namespace fleet::api {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

// "unix:<path>", "tcp:<ip>:<port>" or "tcp:[<ip6>]:<port>" of a bound socket.
std::string describe(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return "fd:" + std::to_string(fd);
  }
  std::array<char, INET6_ADDRSTRLEN> ip{};
  switch (storage.ss_family) {
    case AF_UNIX: {
      const auto* un = reinterpret_cast<const sockaddr_un*>(&storage);
      return std::string("unix:") + un->sun_path;
    }
    case AF_INET: {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
      inet_ntop(AF_INET, &in->sin_addr, ip.data(), ip.size());
      return "tcp:" + std::string(ip.data()) + ":" + std::to_string(ntohs(in->sin_port));
    }
    case AF_INET6: {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
      inet_ntop(AF_INET6, &in6->sin6_addr, ip.data(), ip.size());
      return "tcp:[" + std::string(ip.data()) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    default:
      return "fd:" + std::to_string(fd);
  }
}

Status failure(ErrorCode code, const std::string& message) {
  return fail(code, "API listener " + message);
}

void take_activated(OpenedListeners& opened) {
  const int count = sd_listen_fds(/*unset_environment=*/1);
  if (count < 0) {
    opened.failures.push_back(
        failure(ErrorCode::kInternal, "from systemd: " + errno_text(-count)).error());
    return;
  }
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + count; ++fd) {
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, /*listening=*/1) <= 0) {
      opened.failures.push_back(
          failure(ErrorCode::kInvalidArgument,
                  "fd " + std::to_string(fd) + " from systemd is not a listening stream socket")
              .error());
      continue;
    }
    const auto kind = sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 1) > 0 ? Listener::Kind::kUnix
                                                                    : Listener::Kind::kTcp;
    opened.listeners.emplace_back(kind, fd, describe(fd));
  }
}

// Removes `path` when it is a socket nobody accepts on any more (a fleetd that died).
Status clear_stale_socket(const std::string& path) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return {};
    return failure(ErrorCode::kInternal, path + ": " + errno_text(errno));
  }
  if (!S_ISSOCK(info.st_mode)) {
    return failure(ErrorCode::kAlreadyExists,
                   path + " exists and is not a socket; not replacing it");
  }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return failure(ErrorCode::kInternal, path + ": " + errno_text(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  const bool live =
      connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  close(probe);
  if (live) {
    return failure(ErrorCode::kAlreadyExists,
                   path + " is served by another process (another fleetd, or fleet.socket)");
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return failure(ErrorCode::kInternal, "cannot remove stale " + path + ": " + errno_text(errno));
  }
  return {};
}

Result<Listener> open_unix(const std::string& path, unsigned mode) {
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) {
    return fail(
        failure(ErrorCode::kInvalidArgument, path + ": path too long for a unix socket").error());
  }
  if (auto cleared = clear_stale_socket(path); !cleared) return fail(cleared.error());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(failure(ErrorCode::kInternal, path + ": " + errno_text(errno)).error());
  Listener listener(Listener::Kind::kUnix, fd, "unix:" + path);  // closes fd on a failure
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return fail(
        failure(ErrorCode::kUnavailable, "bind " + path + ": " + errno_text(errno)).error());
  }
  if (chmod(path.c_str(), mode) != 0 || listen(fd, SOMAXCONN) != 0) {
    const int error = errno;
    unlink(path.c_str());
    return fail(failure(ErrorCode::kInternal, path + ": " + errno_text(error)).error());
  }
  return Listener(Listener::Kind::kUnix, listener.release(), "unix:" + path, path);
}

// Every address `where` resolves to; several when a name has IPv4 and IPv6 addresses.
Status open_tcp(const config::ListenAddress& where, std::vector<Listener>& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(where.port);
  if (int error = getaddrinfo(where.host.empty() ? nullptr : where.host.c_str(), port.c_str(),
                              &hints, &found);
      error != 0) {
    return failure(ErrorCode::kInvalidArgument, where.to_string() + ": " + gai_strerror(error));
  }
  const bool several = found && found->ai_next;
  Status status;
  for (addrinfo* at = found; at; at = at->ai_next) {
    int fd = socket(at->ai_family, at->ai_socktype | SOCK_CLOEXEC, at->ai_protocol);
    if (fd < 0) {
      status = failure(ErrorCode::kInternal, where.to_string() + ": " + errno_text(errno));
      continue;
    }
    Listener listener(Listener::Kind::kTcp, fd, "tcp:" + where.to_string());
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    // A name with both families binds each apart; a lone [::] keeps serving IPv4 too.
    if (at->ai_family == AF_INET6 && several) {
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    if (bind(fd, at->ai_addr, at->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      status =
          failure(ErrorCode::kUnavailable, "bind " + where.to_string() + ": " + errno_text(errno));
      continue;
    }
    out.emplace_back(Listener::Kind::kTcp, listener.release(), describe(fd));
  }
  freeaddrinfo(found);
  return status;
}

}  // namespace

Listener::Listener(Kind kind, int fd, std::string address, std::string socket_file)
    : kind_(kind), fd_(fd), address_(std::move(address)), socket_file_(std::move(socket_file)) {}

Listener::~Listener() {
  if (fd_ >= 0) close(fd_);
}

Listener::Listener(Listener&& other) noexcept
    : kind_(other.kind_),
      fd_(std::exchange(other.fd_, -1)),
      address_(std::move(other.address_)),
      socket_file_(std::move(other.socket_file_)) {}

Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    kind_ = other.kind_;
    fd_ = std::exchange(other.fd_, -1);
    address_ = std::move(other.address_);
    socket_file_ = std::move(other.socket_file_);
  }
  return *this;
}

int Listener::release() { return std::exchange(fd_, -1); }

OpenedListeners open_listeners(const ListenOptions& options) {
  OpenedListeners opened;
  if (options.socket_activation) take_activated(opened);
  if (opened.listeners.empty() && !options.unix_socket.empty()) {
    auto listener = open_unix(options.unix_socket, options.socket_mode);
    if (listener) {
      opened.listeners.push_back(std::move(*listener));
    } else {
      opened.failures.push_back(listener.error());
    }
  }
  for (const auto& where : options.tcp) {
    if (auto opened_tcp = open_tcp(where, opened.listeners); !opened_tcp) {
      opened.failures.push_back(opened_tcp.error());
    }
  }
  return opened;
}

}  // namespace fleet::api
