#include "fleet/config/config.h"

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "fleet/config/internal/options.h"
#include "fleet/config/internal/text.h"

namespace fleet::config {
namespace {

// Quoted when a reader could not otherwise tell where the value ends (or that it is empty).
std::string log_value(const std::string& value) {
  bool plain = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= ' ' || byte == 0x7F || c == '"' || c == '\\';
  });
  return plain ? value : internal::quote(value);
}

}  // namespace

std::string ListenAddress::to_string() const {
  auto port_text = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port_text;
  return host + ":" + port_text;
}

bool ListenAddress::is_loopback() const {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string describe(const Config& config) {
  std::string out = "config_file=" + log_value(config.source_file);
  for (const auto& option : internal::all_options()) {
    out += ' ';
    out += option.key;
    out += '=';
    out += log_value(option.render(config));
  }
  return out;
}

}  // namespace fleet::config
