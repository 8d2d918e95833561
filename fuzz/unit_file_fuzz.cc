// libFuzzer target for everything fleet reads out of a unit file a user hands it: the parser,
// the canonical form and hash, unit names, [X-Fleet] options and their globs.
//
// Invariant checked beyond "no crash": whatever parses, serialises to text that parses back to
// the same unit and the same text (the registry stores and re-reads units in that form).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fleet/unit/fleet_options.h"
#include "fleet/unit/unit_file.h"
#include "fleet/unit/unit_name.h"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "unit_file_fuzz: %s\n", what);
  std::abort();
}

// A unit name drawn from the input, so names and specifiers get exercised too.
std::string_view name_from(std::string_view text) {
  auto name = text.substr(0, text.find('\n'));
  return name.substr(0, fleet::unit::kMaxUnitNameLength + 8);
}

}  // namespace

// libFuzzer's entry point; libFuzzer fixes its name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto name = name_from(text);
  (void)fleet::unit::validate_unit_name(name);
  (void)fleet::unit::mangle_unit_name(name);

  auto file = fleet::unit::UnitFile::parse(text, name);
  if (!file) return 0;
  auto canonical = file->serialize();
  auto again = fleet::unit::UnitFile::parse(canonical, name);
  if (!again) broken("canonical text does not parse");
  if (*again != *file) broken("canonical text parses to a different unit");
  if (again->serialize() != canonical) broken("canonical text is not stable");
  if (file->hash() != again->hash()) broken("hash changed across a round trip");

  auto options = fleet::unit::parse_fleet_options(*file, name);
  (void)fleet::unit::check_requirements(options);
  (void)fleet::unit::validate_unit(*file, name);
  return 0;
}
