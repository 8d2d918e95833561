// fleetctl cat: print a unit as the registry holds it, in canonical form (spec §1.5).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    context.err() << "One unit file must be provided\n";
    return 1;
  }
  const std::string name = unit_name_of(args.front());
  auto unit = context.api().unit(name);
  if (!unit) {
    context.err() << "Error retrieving Unit " << name << ": " << unit.error().message << "\n";
    return 1;
  }
  if (!*unit) {
    context.err() << "Unit " << name << " not found\n";
    return 1;
  }
  context.out() << schema::unit_file(**unit).serialize();
  return 0;
}

}  // namespace

const Command kCatCommand = {
    .name = "cat",
    .summary = "Output the contents of a submitted unit",
    .usage = "UNIT",
    .description =
        "Outputs the unit file that is currently loaded in the cluster. Useful to "
        "verify\n"
        "the correct version of a unit is running.",
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
