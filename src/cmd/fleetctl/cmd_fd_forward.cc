// fleetctl fd-forward SOCKET: the far end of the original fleetctl's `--tunnel` to a unix socket
// endpoint (spec §1.2, §1.5), kept so that older clients can tunnel to machines running ours.
#include <unistd.h>

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/fd_forward.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    context.err() << "Provide a single argument\n";
    return 1;
  }
  // Whatever fleetctl printed must reach stdout before the relayed bytes do.
  context.out().flush();
  if (auto forwarded = forward_unix_socket(args.front(), STDIN_FILENO, STDOUT_FILENO); !forwarded) {
    context.err() << forwarded.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

const Command kFdForwardCommand = {
    .name = "fd-forward",
    .summary = "Proxy stdin and stdout to a unix domain socket",
    .usage = "SOCKET",
    .description =
        "The original fleetctl utilized fd-forward on the bastion when --tunnel is used and "
        "--endpoint is a unix socket; this fleetctl forwards the socket with SSH itself, and "
        "keeps fd-forward for older clients. This command is not intended to be called by "
        "users directly.\n"
        "\n"
        "Copies stdin to the socket and the socket to stdout until the socket closes; the end "
        "of stdin is passed on to the socket as a half-close.",
    .run = run,
    .uses_api = false,
    .operands = Operands::kPath,
};

}  // namespace fleet::fleetctl
