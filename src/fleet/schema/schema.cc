#include "fleet/schema/schema.h"

#include "fleet/unit/fleet_options.h"

namespace fleet::schema {

unit::UnitFile unit_file(const Unit& unit) { return unit::UnitFile::from_options(unit.options); }

bool is_global(const Unit& unit) {
  return unit::parse_fleet_options(unit_file(unit), unit.name).global;
}

}  // namespace fleet::schema
