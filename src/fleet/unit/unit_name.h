// Unit names: the API's validation (systemd's unit_name_is_valid, spec §2.5), the parts of a
// template or instance name (§3.6) and fleetctl's mangling of its arguments (§1.3).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::unit {

// systemd's UNIT_NAME_MAX counts the terminating NUL: a longer name is one systemd refuses to load.
// (The original allowed 256 bytes, so its longest names never ran.)
inline constexpr size_t kMaxUnitNameLength = 255;

// OK, or kInvalidArgument with the original's message for the first problem found:
// `unit name cannot be empty`, `unit name exceeds maximum length (255)`,
// `unit name must contain "."`, `unit name cannot end in "."`, `invalid unit type: "x"`,
// `invalid unit type for template: "x"`, `invalid character 'c' in unit name`,
// `unit name cannot start in "@"`.
Status validate_unit_name(std::string_view name);

// A name split as `prefix@instance.suffix`: the last "." starts the suffix, the first "@" before
// it ends the prefix.
struct UnitNameInfo {
  std::string full_name;      // foo@bar.service
  std::string name;           // without the suffix: foo@bar
  std::string prefix;         // foo (the whole name for a plain unit)
  std::string instance;       // bar; "" for a template or a plain unit
  std::string template_name;  // foo@.service for a template or an instance; "" otherwise

  bool is_instance() const { return !instance.empty(); }
  bool is_template() const { return !template_name.empty() && instance.empty(); }
};

// nullopt when `name` has no "." (no suffix to split off). Does not validate.
std::optional<UnitNameInfo> parse_unit_name(std::string_view name);

// What fleetctl makes of a command-line argument: its basename, with ".service" appended unless
// it already ends in .service, .socket, .timer, .path, .device, .mount or .automount.
// "dir/foo.service" -> "foo.service", "foo" -> "foo.service", "foo.target" -> "foo.target.service".
std::string mangle_unit_name(std::string_view argument);

}  // namespace fleet::unit
