#include "cmd/fleetctl/fd_forward.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/fleetctl/unique_fd.h"

namespace fleet::fleetctl {
namespace {

constexpr size_t kChunk = size_t{64} * 1024;

tl::unexpected<Error> copy_error(int error) {
  return fail(ErrorCode::kInternal,
              std::string("Encountered error during copy: ") + std::strerror(error));
}

Status write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return copy_error(errno);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return {};
}

// The relay proper. What `in` gave and the socket has not taken yet waits in `pending`; `in` is
// not read meanwhile, so a slow server slows the sender instead of filling memory.
Status relay(int in, int out, int socket) {
  std::vector<char> buffer(kChunk);
  std::vector<char> pending;
  size_t sent = 0;
  bool in_open = true;
  bool write_side_open = true;
  for (;;) {
    if (!in_open && sent == pending.size() && write_side_open) {
      ::shutdown(socket, SHUT_WR);
      write_side_open = false;
    }
    const bool sending = sent < pending.size();
    pollfd fds[2] = {{socket, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0},
                     {in, POLLIN, 0}};
    const nfds_t count = in_open && !sending ? 2 : 1;
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      return copy_error(errno);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t got = ::read(socket, buffer.data(), buffer.size());
      if (got == 0) return {};
      if (got < 0 && errno != EAGAIN && errno != EINTR) return copy_error(errno);
      if (got > 0) {
        if (auto written = write_all(out, buffer.data(), static_cast<size_t>(got)); !written) {
          return written;
        }
      }
    }
    if (sending && (fds[0].revents & POLLOUT)) {
      const ssize_t put =
          ::send(socket, pending.data() + sent, pending.size() - sent, MSG_NOSIGNAL);
      if (put < 0 && errno != EAGAIN && errno != EINTR) return copy_error(errno);
      if (put > 0) sent += static_cast<size_t>(put);
    }
    if (count == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t got = ::read(in, buffer.data(), buffer.size());
      if (got < 0 && errno != EINTR) return copy_error(errno);
      if (got == 0) in_open = false;
      if (got > 0) {
        pending.assign(buffer.begin(), buffer.begin() + got);
        sent = 0;
      }
    }
  }
}

}  // namespace

Status forward_unix_socket(const std::string& path, int in, int out) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return fail(ErrorCode::kInvalidArgument, "Unable to use \"" + path + "\" as unix address: " +
                                                 (path.empty() ? "empty path" : "path too long"));
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) {
    return fail(ErrorCode::kUnavailable,
                std::string("Failed dialing remote address: ") + std::strerror(errno));
  }
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) < 0) {
    return fail(ErrorCode::kUnavailable,
                std::string("Failed dialing remote address: ") + std::strerror(errno));
  }
  ::fcntl(socket.get(), F_SETFL, ::fcntl(socket.get(), F_GETFL) | O_NONBLOCK);
  return relay(in, out, socket.get());
}

}  // namespace fleet::fleetctl
