#include "fleet/config/option_values.h"

#include <algorithm>
#include <charconv>

#include "fleet/config/internal/text.h"

namespace fleet::config {
namespace {

using internal::quote;
using internal::trim;

// Loopback, so that an address without a host never exposes the API beyond this machine.
constexpr std::string_view kLoopback = "127.0.0.1";

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Strips the trailing decorations of one etcd_servers item; a ']' stays when it closes a '['
// still in the item, which only an IPv6 literal has once the leading ones are gone.
std::string_view strip_item_end(std::string_view item) {
  auto unbalanced_bracket = [](std::string_view text) {
    return std::count(text.begin(), text.end(), ']') > std::count(text.begin(), text.end(), '[');
  };
  while (!item.empty()) {
    char last = item.back();
    bool decoration =
        last == ' ' || last == '\t' || last == '"' || (last == ']' && unbalanced_bracket(item));
    if (!decoration) break;
    item.remove_suffix(1);
  }
  return item;
}

Result<ListenAddress> parse_listen_address(std::string_view item) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::kInvalidArgument, quote(item) + ": " + std::string(why));
  };
  std::string_view host;
  std::string_view port;
  if (all_digits(item)) {
    port = item;
  } else if (item.front() == '[') {
    auto close = item.find(']');
    if (close == std::string_view::npos || close + 1 >= item.size() || item[close + 1] != ':') {
      return bad("expected [IPV6]:PORT");
    }
    host = item.substr(1, close - 1);
    port = item.substr(close + 2);
    if (host.empty()) return bad("empty IPv6 address in brackets");
  } else {
    auto colon = item.rfind(':');
    if (colon == std::string_view::npos) return bad("expected HOST:PORT, [IPV6]:PORT or PORT");
    host = item.substr(0, colon);
    port = item.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return bad("put an IPv6 address in brackets, e.g. [::1]:" + std::string(port));
    }
  }
  if (host.find_first_of(" \t") != std::string_view::npos) return bad("space in host");
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (!all_digits(port) || error != std::errc() || end != port.data() + port.size() ||
      value > 65535) {
    return bad("invalid port " + quote(port));
  }
  return ListenAddress{.host = std::string(host.empty() ? kLoopback : host),
                       .port = static_cast<std::uint16_t>(value)};
}

}  // namespace

Result<bool> parse_bool(std::string_view text) {
  for (std::string_view yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == yes) return true;
  }
  for (std::string_view no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == no) return false;
  }
  return fail(ErrorCode::kInvalidArgument,
              "invalid boolean " + quote(text) + " (use true or false)");
}

Result<int> parse_int(std::string_view text) {
  auto digits = text;
  // strconv.ParseInt takes a leading '+', std::from_chars does not.
  bool plus = !digits.empty() && digits.front() == '+';
  if (plus) digits.remove_prefix(1);
  int value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || (plus && digits.front() == '-') || error != std::errc() ||
      end != digits.data() + digits.size()) {
    return fail(ErrorCode::kInvalidArgument, "invalid number " + quote(text));
  }
  return value;
}

std::vector<std::string> split_etcd_servers(std::string_view text) {
  std::vector<std::string> servers;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    item.remove_prefix(std::min(item.find_first_not_of(" \t[\""), item.size()));
    item = strip_item_end(item);
    if (!item.empty()) servers.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return servers;
}

Metadata parse_metadata(std::string_view text, std::vector<std::string>* skipped) {
  constexpr std::string_view kBlank = " \t";
  Metadata metadata;
  while (true) {
    auto comma = text.find(',');
    auto pair = trim(text.substr(0, comma), kBlank);
    auto equals = pair.find('=');
    auto key = trim(pair.substr(0, equals), kBlank);
    if (equals != std::string_view::npos && !key.empty()) {
      metadata.insert_or_assign(std::string(key),
                                std::string(trim(pair.substr(equals + 1), kBlank)));
    } else if (!pair.empty() && skipped != nullptr) {
      skipped->emplace_back(pair);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return metadata;
}

Result<std::vector<ListenAddress>> parse_api_listen(std::string_view text) {
  std::vector<ListenAddress> addresses;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma), " \t");
    if (!item.empty()) {
      auto address = parse_listen_address(item);
      if (!address) return fail(address.error());
      if (std::find(addresses.begin(), addresses.end(), *address) != addresses.end()) {
        return fail(ErrorCode::kInvalidArgument, quote(item) + ": listed twice");
      }
      addresses.push_back(*std::move(address));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return addresses;
}

}  // namespace fleet::config
