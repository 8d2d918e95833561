// Who this machine is to the cluster: its ID from /etc/machine-id and, when public_ip is not
// configured, the address it publishes (spec §4.2). fleetd reads both at start and every minute.
//
// Example:
//   auto id = read_machine_id();  // "3d1219c7c4c5404aaa1f6d2a48adfda4"
//   std::string ip = config.public_ip;
//   if (ip.empty()) ip = detect_public_ip().value_or("");  // the original published "" too
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::config {

inline constexpr std::string_view kMachineIdPath = "/etc/machine-id";
inline constexpr std::string_view kProcNetRoutePath = "/proc/net/route";

// The file's content with white space trimmed. Errors start with `unable to determine local
// machine ID: ` and name the file: kNotFound when it is missing or empty, kFailedPrecondition
// when systemd has not initialised it yet ("uninitialized"), other read errors as their codes.
Result<std::string> read_machine_id(const std::string& path = std::string(kMachineIdPath));

// Pure: the interface of the IPv4 default route in /proc/net/route's text (destination and
// mask 0, flag RTF_UP), the lowest metric winning and then the first listed. kNotFound
// `no default route in <source>` when there is none.
Result<std::string> parse_default_route_interface(std::string_view proc_net_route,
                                                  std::string_view source = kProcNetRoutePath);

// Pure: Go's net.IP.IsGlobalUnicast for IPv4, the address in host byte order: not 0.0.0.0,
// loopback (127/8), link-local (169.254/16), multicast (224/4) or 255.255.255.255. Private
// ranges (10/8, 192.168/16, ...) count, as fleet machines usually sit on them.
bool is_global_unicast_ipv4(std::uint32_t address);

// The first global-unicast IPv4 address of the default-route interface, dotted ("10.0.0.5").
// kNotFound when there is no default route or the interface has no such address, the message
// ending in `; set public_ip in fleet.conf`; file errors as read from `route_path`.
Result<std::string> detect_public_ip(
    const std::string& route_path = std::string(kProcNetRoutePath));

}  // namespace fleet::config
