// What `fleetctl fd-forward SOCKET` does (spec §1.5): relays a byte stream between a pair of file
// descriptors (stdin and stdout, when `fleetctl --tunnel` runs it over SSH on a remote host) and
// a unix socket (fleetd's API socket there).
#pragma once

#include <string>

#include "fleet/base/error.h"

namespace fleet::fleetctl {

// Connects to the unix socket at `path`, then copies `in` to the socket and the socket to `out`
// until the socket side ends. The end of `in` is passed on as a half-close (shutdown for
// writing), so an answer still on its way reaches `out`. Blocks; only the socket is made
// non-blocking. Errors, with the original's words:
//   kInvalidArgument  `Unable to use "x" as unix address: path too long`
//   kUnavailable      `Failed dialing remote address: <why>`
//   kInternal         `Encountered error during copy: <why>`
Status forward_unix_socket(const std::string& path, int in, int out);

}  // namespace fleet::fleetctl
