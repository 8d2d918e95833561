// The local end of `fleetctl --tunnel` (spec §1.2): one `ssh -N` to the bastion for the whole
// invocation, forwarding local listeners to what the bastion can reach, so the API and etcd
// clients dial local addresses. Unlike the original, nothing needs to be installed on the
// bastion (it ran `fleetctl fd-forward` there for a socket endpoint); OpenSSH forwards unix
// sockets itself.
//
// Example:
//   auto tunnel = SshTunnel::open(settings, {"/var/run/fleet.sock"});
//   if (!tunnel) return fail(tunnel.error());
//   std::string socket = (*tunnel)->local(0);  // "/tmp/fleetctl-tunnel-XXXXXX/0.sock"
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "fleet/base/error.h"

#include "cmd/fleetctl/ssh.h"

namespace fleet::fleetctl {

class SshTunnel {
 public:
  // `remotes`: each "host:port" (a TCP address; its local end is 127.0.0.1:<free port>) or an
  // absolute socket path (its local end a socket in a private directory). Returns once every
  // local end accepts connections; kUnavailable naming the bastion when ssh gives up first (its
  // own messages are on stderr).
  static Result<std::unique_ptr<SshTunnel>> open(const SshSettings& settings,
                                                 const std::vector<std::string>& remotes);
  ~SshTunnel();
  SshTunnel(const SshTunnel&) = delete;
  SshTunnel& operator=(const SshTunnel&) = delete;

  // Where remotes[i] is reached: "127.0.0.1:PORT" or a socket path.
  const std::string& local(size_t i) const { return locals_.at(i); }

 private:
  SshTunnel() = default;

  pid_t pid_ = -1;
  std::string directory_{};
  std::vector<std::string> locals_{};
};

}  // namespace fleet::fleetctl
