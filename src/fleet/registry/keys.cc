#include "fleet/registry/keys.h"

namespace fleet::registry {
namespace {

constexpr std::string_view kUnits = "units/";
constexpr std::string_view kBodies = "bodies/";
constexpr std::string_view kBodyUsers = "body-users/";
constexpr std::string_view kGlobal = "global/";
constexpr std::string_view kSchedule = "schedule/";
constexpr std::string_view kMachines = "machines/";
constexpr std::string_view kMetadata = "metadata/";
constexpr std::string_view kStates = "states/";

std::string join(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + 1);
  out.append(a).append(b);
  if (!c.empty()) out.append("/").append(c);
  return out;
}

// Splits "a/b" at its only '/'; nullopt unless both parts are non-empty.
std::optional<std::pair<std::string_view, std::string_view>> split_pair(std::string_view rest) {
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
      rest.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair{rest.substr(0, slash), rest.substr(slash + 1)};
}

}  // namespace

Keys::Keys(std::string prefix) : prefix_(std::move(prefix)) {
  if (prefix_.empty() || prefix_.back() != '/') prefix_ += '/';
}

std::string Keys::under(std::string_view dir) const { return join(prefix_, dir); }

std::optional<std::string_view> Keys::rest_of(std::string_view key, std::string_view dir) const {
  if (!key.starts_with(prefix_)) return std::nullopt;
  key.remove_prefix(prefix_.size());
  if (!key.starts_with(dir) || key.size() == dir.size()) return std::nullopt;
  return key.substr(dir.size());
}

std::string Keys::schema() const { return prefix_ + "schema"; }

std::string Keys::units() const { return under(kUnits); }
std::string Keys::unit(std::string_view name) const { return join(under(kUnits), name); }
std::optional<std::string_view> Keys::unit_of(std::string_view key) const {
  return rest_of(key, kUnits);
}

std::string Keys::bodies() const { return under(kBodies); }
std::string Keys::body(const unit::UnitHash& hash) const {
  return join(under(kBodies), hash.hex());
}
std::string Keys::body_users(const unit::UnitHash& hash) const {
  return join(under(kBodyUsers), hash.hex()) + "/";
}
std::string Keys::body_user(const unit::UnitHash& hash, std::string_view unit) const {
  return body_users(hash).append(unit);
}

std::string Keys::global_units() const { return under(kGlobal); }
std::string Keys::global_unit(std::string_view name) const { return join(under(kGlobal), name); }
std::optional<std::string_view> Keys::global_unit_of(std::string_view key) const {
  return rest_of(key, kGlobal);
}

std::string Keys::schedule() const { return under(kSchedule); }
std::string Keys::schedule_of(std::string_view machine) const {
  return join(under(kSchedule), machine) + "/";
}
std::string Keys::scheduled(std::string_view machine, std::string_view unit) const {
  return join(under(kSchedule), machine, unit);
}
std::optional<std::pair<std::string_view, std::string_view>> Keys::scheduled_of(
    std::string_view key) const {
  auto rest = rest_of(key, kSchedule);
  return rest ? split_pair(*rest) : std::nullopt;
}

std::string Keys::machines() const { return under(kMachines); }
std::string Keys::machine(std::string_view id) const { return join(under(kMachines), id); }
std::optional<std::string_view> Keys::machine_of(std::string_view key) const {
  return rest_of(key, kMachines);
}

std::string Keys::metadata() const { return under(kMetadata); }
std::string Keys::metadata_of(std::string_view machine) const {
  return join(under(kMetadata), machine) + "/";
}
std::string Keys::metadata_entry(std::string_view machine, std::string_view key) const {
  return join(under(kMetadata), machine, key);
}
std::optional<std::pair<std::string_view, std::string_view>> Keys::metadata_entry_of(
    std::string_view key) const {
  auto rest = rest_of(key, kMetadata);
  return rest ? split_pair(*rest) : std::nullopt;
}

std::string Keys::states() const { return under(kStates); }
std::string Keys::states_of(std::string_view unit) const {
  return join(under(kStates), unit) + "/";
}
std::string Keys::state(std::string_view unit, std::string_view machine) const {
  return join(under(kStates), unit, machine);
}
std::optional<std::pair<std::string_view, std::string_view>> Keys::state_of(
    std::string_view key) const {
  auto rest = rest_of(key, kStates);
  return rest ? split_pair(*rest) : std::nullopt;
}

std::string Keys::engine_leader() const { return prefix_ + "engine/leader"; }

}  // namespace fleet::registry
