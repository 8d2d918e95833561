#include "fleet/unit/unit_name.h"

#include <algorithm>
#include <array>

#include "fleet/unit/internal/quote.h"
#include "fleet/unit/internal/utf8.h"

namespace fleet::unit {
namespace {

// The unit types systemd knew when the original was written.
constexpr std::array<std::string_view, 13> kUnitTypes = {
    "automount", "busname",  "device", "mount", "path",   "scope", "service",
    "slice",     "snapshot", "socket", "swap",  "target", "timer"};

// Types systemd allows templates (and so instances) of.
constexpr std::array<std::string_view, 5> kTemplateTypes = {"path", "service", "socket", "target",
                                                            "timer"};

// Suffixes fleetctl accepts as given; any other argument gets ".service".
constexpr std::array<std::string_view, 7> kRecognizedSuffixes = {
    ".service", ".socket", ".timer", ".path", ".device", ".mount", ".automount"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view item) {
  return std::find(set.begin(), set.end(), item) != set.end();
}

// Backslash is allowed for systemd's \x2d escapes.
bool is_name_char(char32_t rune) {
  return (rune >= U'a' && rune <= U'z') || (rune >= U'A' && rune <= U'Z') ||
         (rune >= U'0' && rune <= U'9') || rune == U':' || rune == U'-' || rune == U'_' ||
         rune == U'.' || rune == U'\\' || rune == U'@';
}

Status invalid(std::string message) {
  return fail(ErrorCode::kInvalidArgument, std::move(message));
}

// Go's path.Base.
std::string_view base_name(std::string_view path) {
  if (path.empty()) return ".";
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return "/";
  if (auto slash = path.rfind('/'); slash != std::string_view::npos) path.remove_prefix(slash + 1);
  return path;
}

}  // namespace

Status validate_unit_name(std::string_view name) {
  if (name.empty()) return invalid("unit name cannot be empty");
  if (name.size() > kMaxUnitNameLength) {
    return invalid("unit name exceeds maximum length (" + std::to_string(kMaxUnitNameLength) + ")");
  }
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return invalid("unit name must contain \".\"");
  if (dot == name.size() - 1) return invalid("unit name cannot end in \".\"");
  auto type = name.substr(dot + 1);
  if (!contains(kUnitTypes, type)) return invalid("invalid unit type: " + internal::quote(type));
  if (name.find('@') != std::string_view::npos && !contains(kTemplateTypes, type)) {
    return invalid("invalid unit type for template: " + internal::quote(type));
  }
  for (auto rest = name.substr(0, dot); !rest.empty();) {
    auto decoded = internal::decode_rune(rest);
    if (!is_name_char(decoded.rune)) {
      return invalid("invalid character " + internal::quote_rune(decoded.rune) + " in unit name");
    }
    rest.remove_prefix(decoded.size);
  }
  if (name.front() == '@') return invalid("unit name cannot start in \"@\"");
  return {};
}

std::optional<UnitNameInfo> parse_unit_name(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  UnitNameInfo info;
  info.full_name = std::string(name);
  auto stem = name.substr(0, dot);
  info.name = std::string(stem);
  auto at = stem.find('@');
  if (at == std::string_view::npos) {
    info.prefix = info.name;
    return info;
  }
  info.prefix = std::string(stem.substr(0, at));
  info.instance = std::string(stem.substr(at + 1));
  info.template_name = info.prefix + "@" + std::string(name.substr(dot));
  return info;
}

std::string mangle_unit_name(std::string_view argument) {
  std::string name(base_name(argument));
  bool recognized = std::any_of(kRecognizedSuffixes.begin(), kRecognizedSuffixes.end(),
                                [&](std::string_view suffix) { return name.ends_with(suffix); });
  if (!recognized) name += ".service";
  return name;
}

}  // namespace fleet::unit
