// fleetctl list-unit-files: every unit in the registry with its desired and current state and
// target machine, by name (spec §1.5, columns §1.6).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/list_command.h"

namespace fleet::fleetctl {
namespace {

using schema::Unit;

std::string target(const Unit& u, const ShowOptions& o) {
  return schema::is_global(u) ? "global" : machine_legend(u.machine_id, o);
}

// In JSON the machine's ID alone: its IP is list-machines' business.
JsonCell target_json(const Unit& u) {
  return schema::is_global(u) ? JsonCell("global") : text_or_null(u.machine_id);
}

std::string description(const Unit& u) { return std::string(schema::unit_file(u).description()); }

constexpr Field<Unit> kFields[] = {
    {"unit", [](const Unit& u, const ShowOptions&) { return u.name; }},
    {"hash",
     [](const Unit& u, const ShowOptions& o) {
       auto hash = schema::unit_file(u).hash();
       return o.full ? hash.hex() : hash.short_hex();
     }},
    {"dstate",
     [](const Unit& u, const ShowOptions&) {
       return u.desired_state.empty() ? "-" : u.desired_state;
     },
     [](const Unit& u) { return text_or_null(u.desired_state); }},
    {"state",
     [](const Unit& u, const ShowOptions&) {
       return schema::is_global(u) || u.current_state.empty() ? "-" : u.current_state;
     },
     [](const Unit& u) {
       return schema::is_global(u) ? JsonCell() : text_or_null(u.current_state);
     }},
    {"target", target, target_json},
    {"tmachine", target, target_json, /*deprecated=*/true},
    {"global",
     [](const Unit& u, const ShowOptions&) {
       return std::string(schema::is_global(u) ? "true" : "false");
     },
     [](const Unit& u) { return JsonCell(schema::is_global(u)); }},
    {"desc",
     [](const Unit& u, const ShowOptions&) {
       auto text = description(u);
       return text.empty() ? std::string("-") : text;
     },
     [](const Unit& u) { return text_or_null(description(u)); }},
};

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_list_flags(set, options, "unit,hash,dstate,state,target", "Unit", field_names<Unit>(kFields),
                 /*short_full=*/false);
}

int run(Context& context, const std::vector<std::string>&) {
  const std::string fields = "," + context.options().fields + ",";
  if (fields.find(",tmachine,") != std::string::npos) {
    context.err() << "WARNING: The \"tmachine\" field is deprecated. Use \"target\" instead\n";
  }
  return run_list<Unit>(
      context, kFields, [](client::FleetApi& api) { return api.units(); },
      "Error retrieving list of units from repository");
}

}  // namespace

const Command kListUnitFilesCommand = {
    .name = "list-unit-files",
    .summary = "List the units that exist in the cluster.",
    .usage = "[--full] [--no-legend] [--fields=FIELDS] [--output=table|json]",
    .description =
        "Lists all unit files that exist in the cluster (whether or not they are "
        "loaded onto a machine).\n"
        "\n"
        "For scripts, output every field of every unit as one JSON document (full hashes, the "
        "target's machine ID, \"global\" as a boolean):\n"
        "fleetctl list-unit-files --output=json",
    .declare_flags = declare_flags,
    .run = run,
};

}  // namespace fleet::fleetctl
