// The sockets the API listens on (spec §2.1 with decisions.md): those systemd passes by socket
// activation (LISTEN_FDS), else fleetd's own unix socket, plus every TCP address of api_listen.
//
// Example:
//   auto opened = open_listeners({.tcp = config.api_listen});
//   for (const auto& failure : opened.failures) log(failure.message);
//   for (auto& listener : opened.listeners) log(listener.address());
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/config/config.h"

namespace fleet::api {

// fleet's documented socket (/var/run links to /run, where dist/systemd/fleet.socket puts it).
inline constexpr std::string_view kDefaultSocketPath = "/var/run/fleet.sock";

// A listening stream socket. Move-only; closes its descriptor unless released.
class Listener {
 public:
  enum class Kind { kUnix, kTcp };

  Listener(Kind kind, int fd, std::string address, std::string socket_file = {});
  ~Listener();
  Listener(Listener&& other) noexcept;
  Listener& operator=(Listener&& other) noexcept;

  Kind kind() const { return kind_; }
  int fd() const { return fd_; }
  // For logs: "unix:/var/run/fleet.sock", "tcp:127.0.0.1:49153", "tcp:[::1]:49153".
  const std::string& address() const { return address_; }
  // The socket file this fleetd created, to remove when it stops serving; "" when systemd owns
  // the socket or it is TCP.
  const std::string& socket_file() const { return socket_file_; }
  // Hands the descriptor over (to the server's acceptor); the listener no longer closes it.
  int release();

 private:
  Kind kind_;
  int fd_;
  std::string address_;
  std::string socket_file_;
};

struct ListenOptions {
  // Take the sockets systemd passes (LISTEN_FDS), and unset its variables for any child.
  bool socket_activation = true;
  // Created when systemd passed no socket; "" for none. A stale file (nobody accepting on it) is
  // replaced; a live socket or any other file is left alone, and reported.
  std::string unix_socket{kDefaultSocketPath};
  // Mode of the created socket: group members may use fleetctl, as with fleet.socket.
  unsigned socket_mode = 0660;
  // api_listen. Port 0 takes any free port (tests).
  std::vector<config::ListenAddress> tcp{};
};

struct OpenedListeners {
  std::vector<Listener> listeners;
  // One per socket that could not be opened, naming it and why; the others still serve.
  std::vector<Error> failures;
};

OpenedListeners open_listeners(const ListenOptions& options);

}  // namespace fleet::api
