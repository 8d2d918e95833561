// Every etcd key fleet uses, and nothing else: no other file spells a key.
//
// Layout under etcd_key_prefix (default /_coreos.com/fleet/), one record per key:
//   schema                        the layout version ("2"; the original's v2-API layout was "1")
//   units/<unit>                  Unit: body hash, desired state, global flag
//   bodies/<hash hex>             UnitBody: the options, once per content
//   body-users/<hash hex>/<unit>  empty: one per unit using the body, so the last user's delete
//                                 can check, in its transaction, that no other unit still needs it
//   global/<unit>                 Assignment for a global unit: the one prefix every agent watches
//                                 besides its own schedule
//   schedule/<machine>/<unit>     Assignment the engine made: each agent watches only its prefix
//   machines/<machine>            Machine presence, on that fleetd's lease
//   metadata/<machine>/<key>      dynamic metadata set through the API (no lease; "" = removed)
//   states/<unit>/<machine>       UnitState as the machine's systemd reports it, on its lease
//   engine/leader                 Leader, on the leading fleetd's lease
//
// Example:
//   Keys keys("/_coreos.com/fleet/");
//   client.put(keys.unit("web.service"), record);
//   auto name = keys.unit_of(key);  // "web.service", or nullopt for a key outside units/
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fleet/unit/unit_hash.h"

namespace fleet::registry {

inline constexpr std::string_view kDefaultKeyPrefix = "/_coreos.com/fleet/";
inline constexpr std::string_view kSchemaVersion = "2";

class Keys {
 public:
  // `prefix` gets a trailing '/' when it lacks one.
  explicit Keys(std::string prefix = std::string(kDefaultKeyPrefix));

  const std::string& prefix() const { return prefix_; }

  std::string schema() const;

  std::string units() const;
  std::string unit(std::string_view name) const;
  std::optional<std::string_view> unit_of(std::string_view key) const;

  std::string bodies() const;
  std::string body(const unit::UnitHash& hash) const;
  std::string body_users(const unit::UnitHash& hash) const;
  std::string body_user(const unit::UnitHash& hash, std::string_view unit) const;

  std::string global_units() const;
  std::string global_unit(std::string_view name) const;
  std::optional<std::string_view> global_unit_of(std::string_view key) const;

  std::string schedule() const;
  std::string schedule_of(std::string_view machine) const;
  std::string scheduled(std::string_view machine, std::string_view unit) const;
  // (machine, unit) of a key under schedule/.
  std::optional<std::pair<std::string_view, std::string_view>> scheduled_of(
      std::string_view key) const;

  std::string machines() const;
  std::string machine(std::string_view id) const;
  std::optional<std::string_view> machine_of(std::string_view key) const;

  std::string metadata() const;
  std::string metadata_of(std::string_view machine) const;
  std::string metadata_entry(std::string_view machine, std::string_view key) const;
  // (machine, metadata key) of a key under metadata/.
  std::optional<std::pair<std::string_view, std::string_view>> metadata_entry_of(
      std::string_view key) const;

  std::string states() const;
  std::string states_of(std::string_view unit) const;
  std::string state(std::string_view unit, std::string_view machine) const;
  // (unit, machine) of a key under states/.
  std::optional<std::pair<std::string_view, std::string_view>> state_of(std::string_view key) const;

  std::string engine_leader() const;

 private:
  std::string under(std::string_view dir) const;
  // The rest of `key` after prefix + dir, or nullopt when `key` is not under it or is empty there.
  std::optional<std::string_view> rest_of(std::string_view key, std::string_view dir) const;

  std::string prefix_;
};

}  // namespace fleet::registry
