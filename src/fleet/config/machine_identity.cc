#include "fleet/config/machine_identity.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "fleet/config/internal/text.h"

namespace fleet::config {
namespace {

using internal::trim;

constexpr std::size_t kMaxMachineIdFileSize = 4096;
constexpr std::size_t kMaxRouteTableSize = 16 << 20;  // a router's full table, not a host's
constexpr unsigned kRouteUp = 0x1;                    // RTF_UP in <linux/route.h>
constexpr std::string_view kSetPublicIp = "; set public_ip in fleet.conf";

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    auto end = line.find_first_of(" \t");
    fields.push_back(line.substr(0, end));
    if (end == std::string_view::npos) break;
    line.remove_prefix(end);
  }
  return fields;
}

std::optional<std::uint32_t> parse_number(std::string_view text, int base) {
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::string> read_machine_id(const std::string& path) {
  constexpr std::string_view kPrefix = "unable to determine local machine ID: ";
  auto content = internal::read_small_file(path, "cannot read", kMaxMachineIdFileSize);
  if (!content) return fail(content.error().code, std::string(kPrefix) + content.error().message);
  auto id = trim(*content);
  if (id.empty()) return fail(ErrorCode::kNotFound, std::string(kPrefix) + path + " is empty");
  // systemd's placeholder until the first boot has committed an ID (machine-id(5)).
  if (id == "uninitialized") {
    return fail(ErrorCode::kFailedPrecondition,
                std::string(kPrefix) + path + " is not initialized yet");
  }
  return std::string(id);
}

Result<std::string> parse_default_route_interface(std::string_view proc_net_route,
                                                  std::string_view source) {
  std::optional<std::string_view> best;
  std::uint32_t best_metric = 0;
  bool header = true;
  while (!proc_net_route.empty()) {
    auto newline = proc_net_route.find('\n');
    auto line = proc_net_route.substr(0, newline);
    proc_net_route.remove_prefix(newline == std::string_view::npos ? proc_net_route.size()
                                                                   : newline + 1);
    if (std::exchange(header, false)) continue;
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
    auto fields = fields_of(line);
    if (fields.size() < 8) continue;
    auto destination = parse_number(fields[1], 16);
    auto flags = parse_number(fields[3], 16);
    auto metric = parse_number(fields[6], 10);
    auto mask = parse_number(fields[7], 16);
    if (!destination || !flags || !metric || !mask) continue;
    if (*destination != 0 || *mask != 0 || (*flags & kRouteUp) == 0) continue;
    if (!best || *metric < best_metric) {
      best = fields[0];
      best_metric = *metric;
    }
  }
  if (!best) return fail(ErrorCode::kNotFound, "no default route in " + std::string(source));
  return std::string(*best);
}

bool is_global_unicast_ipv4(std::uint32_t address) {
  if (address == 0 || address == 0xFFFFFFFF) return false;
  if ((address >> 24) == 127) return false;
  if ((address >> 16) == 0xA9FE) return false;  // 169.254/16
  if ((address >> 28) == 0xE) return false;     // 224/4
  return true;
}

Result<std::string> detect_public_ip(const std::string& route_path) {
  auto routes = internal::read_small_file(route_path, "cannot read", kMaxRouteTableSize);
  if (!routes) return fail(routes.error());
  auto interface = parse_default_route_interface(*routes, route_path);
  if (!interface) {
    return fail(interface.error().code, interface.error().message + std::string(kSetPublicIp));
  }
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return fail(ErrorCode::kInternal, std::string("getifaddrs: ") + std::strerror(errno));
  }
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, &::freeifaddrs);
  for (const auto* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    if (*interface != entry->ifa_name) continue;
    auto address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr;
    if (!is_global_unicast_ipv4(ntohl(address.s_addr))) continue;
    char text[INET_ADDRSTRLEN] = {};
    if (::inet_ntop(AF_INET, &address, text, sizeof text) == nullptr) continue;
    return std::string(text);
  }
  return fail(ErrorCode::kNotFound, "interface " + *interface +
                                        " (default route) has no global IPv4 address" +
                                        std::string(kSetPublicIp));
}

}  // namespace fleet::config
