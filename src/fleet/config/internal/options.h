// The table of fleetd's options: each key with how its value is read and shown. The file
// parser, the environment and describe() all walk this one table, so an option added here is
// accepted everywhere at once.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/config/config.h"

namespace fleet::config::internal {

// Sets the option from its text. A bad value is kInvalidArgument naming only the problem
// (`invalid duration "30x"`); remarks that do not stop fleetd go to `notes`, worded the same way.
using Setter = Status (*)(Config& config, std::string_view value, std::vector<std::string>& notes);

// The option's value as fleet.conf would spell it, unquoted.
using Renderer = std::string (*)(const Config& config);

struct Option {
  std::string_view key;
  Setter set;
  Renderer render;
};

// Every option, in the order of spec §4.2 and then our additions.
std::span<const Option> all_options();

// nullptr when `key` (lowercase) is not an option.
const Option* find_option(std::string_view key);

// The option whose key is nearest to `key` (lowercase), to suggest for a misspelt one: at most
// 3 single-letter edits away; "" when none is.
std::string_view closest_option(std::string_view key);

// Whether the option's value must never appear in a message or log line (its renderer hides it
// too); a message about it names the key only.
bool is_secret(std::string_view key);

// "FLEET_" and the key in upper case: FLEET_ETCD_SERVERS.
std::string environment_variable(std::string_view key);

}  // namespace fleet::config::internal
