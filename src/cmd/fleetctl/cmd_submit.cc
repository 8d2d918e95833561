// fleetctl submit: put units in the registry without scheduling them (spec §1.4, §1.5).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/lazy_create.h"
#include "cmd/fleetctl/unit_commands.h"

namespace fleet::fleetctl {
namespace {

int run(Context& context, const std::vector<std::string>& args) {
  if (no_units_given(context, args, "submit")) return 1;
  if (auto created = lazy_create_units(context, args, {unit::DesiredState::kInactive}); !created) {
    context.err() << "Error creating units: " << created.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

const Command kSubmitCommand = {
    .name = "submit",
    .summary = "Upload one or more units to the cluster without starting them",
    .usage = "[--replace] UNIT...",
    .description =
        "Upload one or more units to the cluster without starting them. Useful\n"
        "for validating units before they are started.\n"
        "\n"
        "This operation is idempotent; if a named unit already exists in the cluster, "
        "it will not be resubmitted.\n"
        "However, its contents may be replaced with --replace.\n"
        "\n"
        "Submit a single unit:\n"
        "\tfleetctl submit foo.service\n"
        "\n"
        "Submit a directory of units with glob matching:\n"
        "\tfleetctl submit myservice/*",
    .declare_flags = add_replace_flags,
    .run = run,
    .operands = Operands::kUnitFiles,
};

}  // namespace fleet::fleetctl
