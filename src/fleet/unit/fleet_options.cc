#include "fleet/unit/fleet_options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <span>

#include "fleet/unit/glob.h"
#include "fleet/unit/internal/quote.h"
#include "fleet/unit/internal/utf8.h"

namespace fleet::unit {
namespace {

constexpr std::string_view kMachineId = "MachineID";
constexpr std::string_view kLegacyMachineId = "X-ConditionMachineID";
constexpr std::string_view kLegacyMachineBootId = "X-ConditionMachineBootID";
constexpr std::string_view kMachineOf = "MachineOf";
constexpr std::string_view kLegacyMachineOf = "X-ConditionMachineOf";
constexpr std::string_view kMachineMetadata = "MachineMetadata";
constexpr std::string_view kLegacyMachineMetadata = "X-ConditionMachineMetadata";
constexpr std::string_view kConflicts = "Conflicts";
constexpr std::string_view kLegacyConflicts = "X-Conflicts";
constexpr std::string_view kReplaces = "Replaces";
constexpr std::string_view kGlobal = "Global";

constexpr std::array<std::string_view, 11> kKnownKeys = {kMachineId,
                                                         kLegacyMachineId,
                                                         kLegacyMachineBootId,
                                                         kMachineOf,
                                                         kLegacyMachineOf,
                                                         kMachineMetadata,
                                                         kLegacyMachineMetadata,
                                                         kConflicts,
                                                         kLegacyConflicts,
                                                         kReplaces,
                                                         kGlobal};

// Every [X-Fleet] value by key, split and expanded, in file order.
using Requirements = std::map<std::string, std::vector<std::string>, std::less<>>;

std::span<const std::string> values_of(const Requirements& requirements, std::string_view key) {
  auto it = requirements.find(key);
  if (it == requirements.end()) return {};
  return it->second;
}

// A deprecated key's values followed by its modern key's.
std::vector<std::string> merged(const Requirements& requirements, std::string_view deprecated,
                                std::string_view modern) {
  auto first = values_of(requirements, deprecated);
  auto second = values_of(requirements, modern);
  std::vector<std::string> out(first.begin(), first.end());
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

std::optional<std::string> first_of(const Requirements& requirements,
                                    std::initializer_list<std::string_view> keys) {
  for (auto key : keys) {
    if (auto found = values_of(requirements, key); !found.empty()) return found.front();
  }
  return std::nullopt;
}

bool is_truthy(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "true" || lower == "yes" || lower == "1" || lower == "on" || lower == "t";
}

// The peers/globs pair checked for `what` ("conflict", "replace"); a malformed glob matches
// nothing, as in the original.
Status check_peers_against(const std::vector<std::string>& peers,
                           const std::vector<std::string>& globs, std::string_view what) {
  for (const auto& peer : peers) {
    for (const auto& glob : globs) {
      if (glob_match(glob, peer).value_or(false)) {
        return fail(ErrorCode::kInvalidArgument,
                    "unresolvable requirements: peer " + internal::quote(peer) + " matches " +
                        std::string(what) + " " + internal::quote(glob));
      }
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> split_multi_value(std::string_view value) {
  if (!value.starts_with('"') || !value.ends_with('"')) return {std::string(value)};
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (char c : value) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ' ' && !quoted) {
      out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(std::move(current));
  return out;
}

std::string expand_specifiers(std::string_view value, const UnitNameInfo& name) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string* replacement = nullptr;
    if (value[i] == '%' && i + 1 < value.size()) {
      switch (value[i + 1]) {
        case 'n':
          replacement = &name.full_name;
          break;
        case 'N':
          replacement = &name.name;
          break;
        case 'p':
          replacement = &name.prefix;
          break;
        case 'i':
          replacement = &name.instance;
          break;
        default:
          break;
      }
    }
    if (replacement) {
      out += *replacement;
      ++i;
    } else {
      out += value[i];
    }
  }
  return out;
}

FleetOptions parse_fleet_options(const UnitFile& file, std::string_view unit_name) {
  FleetOptions options;
  Requirements requirements;
  auto name = parse_unit_name(unit_name);
  if (const auto* section = file.find_section(kFleetSection)) {
    for (const auto& entry : section->entries) {
      bool known = std::find(kKnownKeys.begin(), kKnownKeys.end(), entry.name) != kKnownKeys.end();
      auto [it, added] = requirements.try_emplace(entry.name);
      if (added && !known) options.unknown_keys.push_back(entry.name);
      for (auto& value : split_multi_value(entry.value)) {
        it->second.push_back(name ? expand_specifiers(value, *name) : std::move(value));
      }
    }
  }
  options.machine_id = first_of(requirements, {kMachineId, kLegacyMachineId, kLegacyMachineBootId});
  options.machine_of = merged(requirements, kLegacyMachineOf, kMachineOf);
  for (const auto& pair : merged(requirements, kLegacyMachineMetadata, kMachineMetadata)) {
    auto equals = pair.find('=');
    if (equals == std::string::npos || pair.find('=', equals + 1) != std::string::npos) continue;
    auto key = pair.substr(0, equals);
    auto value = pair.substr(equals + 1);
    if (!key.empty() && !value.empty()) options.machine_metadata[key].insert(value);
  }
  for (const auto& value : merged(requirements, kLegacyConflicts, kConflicts)) {
    for (auto glob : internal::fields(value)) options.conflicts.emplace_back(glob);
  }
  auto replaces = values_of(requirements, kReplaces);
  options.replaces.assign(replaces.begin(), replaces.end());
  auto global = values_of(requirements, kGlobal);
  options.global = !global.empty() && is_truthy(global.back());
  return options;
}

Status check_requirements(const FleetOptions& options) {
  if (auto ok = check_peers_against(options.machine_of, options.conflicts, "conflict"); !ok) {
    return ok;
  }
  if (auto ok = check_peers_against(options.machine_of, options.replaces, "replace"); !ok) {
    return ok;
  }
  bool has_target = options.machine_id.has_value();
  bool has_peers = !options.machine_of.empty();
  bool has_conflicts = !options.conflicts.empty();
  bool has_replaces = !options.replaces.empty();
  auto broken = [](std::string_view rule) {
    return fail(ErrorCode::kInvalidArgument, std::string(rule));
  };
  if (has_target && has_peers) return broken("MachineID cannot be used with Peers");
  if (has_target && has_conflicts) return broken("MachineID cannot be used with Conflicts");
  if (has_target && options.global) return broken("MachineID cannot be used with Global");
  if (has_target && has_replaces) return broken("MachineID cannot be used with Replaces");
  if (options.global && has_peers) return broken("Global cannot be used with Peers");
  if (options.global && has_replaces) return broken("Global cannot be used with Replaces");
  if (has_conflicts && has_replaces) return broken("Conflicts cannot be used with Replaces");
  return {};
}

Status validate_unit(const UnitFile& file, std::string_view unit_name) {
  if (auto storable = check_storable(file, unit_name); !storable) return storable;
  return check_requirements(parse_fleet_options(file, unit_name));
}

std::string unrecognized_requirement_warning(std::string_view unit_name, std::string_view key) {
  return "Unit " + std::string(unit_name) +
         ": unrecognized requirement in [X-Fleet] section: " + internal::quote(key);
}

bool metadata_matches(const FleetOptions& options, const MachineMetadata& metadata) {
  return std::all_of(options.machine_metadata.begin(), options.machine_metadata.end(),
                     [&metadata](const auto& requirement) {
                       auto it = metadata.find(requirement.first);
                       return it != metadata.end() && requirement.second.contains(it->second);
                     });
}

bool conflict(std::string_view a, const FleetOptions& a_options, std::string_view b,
              const FleetOptions& b_options) {
  auto any_matches = [](const std::vector<std::string>& globs, std::string_view name) {
    return std::any_of(globs.begin(), globs.end(), [name](const std::string& glob) {
      auto matched = glob_match(glob, name);
      return matched && *matched;
    });
  };
  return any_matches(a_options.conflicts, b) || any_matches(b_options.conflicts, a);
}

}  // namespace fleet::unit
