// Where the fleet HTTP API is, as `fleetctl --endpoint` names it (spec §1.2).
//
// Schemes: http://host[:port][/prefix], https://host[:port][/prefix], and unix:///path/to/socket
// (file:// is a synonym). The API lives under <endpoint>/fleet/v1/, so a prefix is kept in front
// of every request path; a socket's path only says what to dial.
//
// Example:
//   auto endpoint = client::parse_api_endpoint("unix:///var/run/fleet.sock");
//   if (!endpoint) return fail(endpoint.error());  // e.g. "URL scheme undefined"
#pragma once

#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::client {

struct ApiEndpoint {
  enum class Transport { kTcp, kTls, kUnix };

  Transport transport = Transport::kUnix;
  std::string url{};          // the entry used, as the user wrote it: for messages
  std::string host{};         // kTcp, kTls: name or address to dial (IPv6 without brackets)
  std::string port{};         // kTcp, kTls: "80" / "443" unless given
  std::string socket_path{};  // kUnix
  // kTcp, kTls: where connections go when not to host:port, the local end of an SSH tunnel
  // (fleetctl --tunnel). TLS still verifies `host`, and the Host header still names it.
  std::string dial_host{};
  std::string dial_port{};
  std::string base_path{};      // put before "/fleet/v1/...": "" or "/prefix" (no trailing '/')
  bool others_ignored = false;  // the list had more entries; only the first is used

  // What the Host header carries: "host[:port]" as written, or the original's "domain-sock"
  // for a socket.
  std::string host_header() const;

  friend bool operator==(const ApiEndpoint&, const ApiEndpoint&) = default;
};

// Parses the first entry of a comma-separated list, as the original fleetctl does (it warns
// about the others; so should the caller, when others_ignored). kInvalidArgument, with the
// original's words where it has some:
//   `URL scheme undefined`                                    no "scheme:" in front
//   `unable to connect to host "var" with scheme "unix"`      unix://var/run/fleet.sock
//   `unsupported URL scheme "ftp" in endpoint "ftp://x" ...`  anything but the four schemes
//   `no host in endpoint "http://"`, `no socket path in endpoint "unix://"`, a bad port.
Result<ApiEndpoint> parse_api_endpoint(std::string_view endpoints);

}  // namespace fleet::client
