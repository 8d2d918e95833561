// fleetctl list-units: how machines report their units, one row per unit per machine, by unit
// then machine (spec §1.5, columns §1.6).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/list_command.h"

namespace fleet::fleetctl {
namespace {

using schema::UnitState;

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

constexpr Field<UnitState> kFields[] = {
    {"unit", [](const UnitState& s, const ShowOptions&) { return or_dash(s.name); },
     [](const UnitState& s) { return text_or_null(s.name); }},
    {"load", [](const UnitState& s, const ShowOptions&) { return or_dash(s.systemd_load_state); },
     [](const UnitState& s) { return text_or_null(s.systemd_load_state); }},
    {"active",
     [](const UnitState& s, const ShowOptions&) { return or_dash(s.systemd_active_state); },
     [](const UnitState& s) { return text_or_null(s.systemd_active_state); }},
    {"sub", [](const UnitState& s, const ShowOptions&) { return or_dash(s.systemd_sub_state); },
     [](const UnitState& s) { return text_or_null(s.systemd_sub_state); }},
    // In JSON the machine's ID alone: its IP is list-machines' business.
    {"machine",
     [](const UnitState& s, const ShowOptions& o) { return machine_legend(s.machine_id, o); },
     [](const UnitState& s) { return text_or_null(s.machine_id); }},
    {"hash",
     [](const UnitState& s, const ShowOptions& o) {
       if (s.hash.empty()) return std::string("-");
       return o.full ? s.hash : s.hash.substr(0, unit::UnitHash::kShortLength);
     },
     [](const UnitState& s) { return text_or_null(s.hash); }},
};

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_list_flags(set, options, "unit,machine,active,sub", "Unit", field_names<UnitState>(kFields),
                 /*short_full=*/true);
}

int run(Context& context, const std::vector<std::string>&) {
  return run_list<UnitState>(
      context, kFields, [](client::FleetApi& api) { return api.unit_states(); },
      "Error retrieving list of units from repository");
}

}  // namespace

const Command kListUnitsCommand = {
    .name = "list-units",
    .summary = "List the current state of units in the cluster",
    .usage = "[--no-legend] [-l|--full] [--fields=FIELDS] [--output=table|json]",
    .description =
        "Lists the state of all units in the cluster loaded onto a machine.\n"
        "\n"
        "For easily parsable output, you can remove the column headers:\n"
        "fleetctl list-units --no-legend\n"
        "\n"
        "Output the list without ellipses:\n"
        "fleetctl list-units --full\n"
        "\n"
        "Or, choose the columns to display:\n"
        "fleetctl list-units --fields=unit,machine\n"
        "\n"
        "For scripts, output the states as one JSON document (machine IDs in full):\n"
        "fleetctl list-units --output=json --fields=unit,machine,active",
    .declare_flags = declare_flags,
    .run = run,
};

}  // namespace fleet::fleetctl
