// fleetctl list-machines: the machines present now (spec §1.5, columns §1.6).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/list_command.h"

namespace fleet::fleetctl {
namespace {

using schema::Machine;

std::string metadata_text(const Machine& machine, const ShowOptions&) {
  if (machine.metadata.empty()) return "-";
  std::string text;
  for (const auto& [key, value] : machine.metadata) {  // a std::map: sorted by key
    if (!text.empty()) text.push_back(',');
    text.append(key).append("=").append(value);
  }
  return text;
}

constexpr Field<Machine> kFields[] = {
    {"machine",
     [](const Machine& m, const ShowOptions& o) { return machine_id_legend(m.id, o.full); }},
    {"ip",
     [](const Machine& m, const ShowOptions&) { return m.primary_ip.empty() ? "-" : m.primary_ip; },
     [](const Machine& m) { return text_or_null(m.primary_ip); }},
    {"metadata", metadata_text, [](const Machine& m) { return JsonCell(m.metadata); }},
};

void declare_flags(FlagSet& set, CommandOptions& options) {
  add_list_flags(set, options, "machine,ip,metadata", "Machine", field_names<Machine>(kFields),
                 /*short_full=*/true);
}

int run(Context& context, const std::vector<std::string>&) {
  return run_list<Machine>(
      context, kFields, [](client::FleetApi& api) { return api.machines(); },
      "Error retrieving list of active machines");
}

}  // namespace

const Command kListMachinesCommand = {
    .name = "list-machines",
    .summary = "Enumerate the current hosts in the cluster",
    .usage = "[-l|--full] [--no-legend] [--fields=FIELDS] [--output=table|json]",
    .description =
        "Lists all active machines within the cluster. Previously active machines will "
        "not appear in this list.\n"
        "\n"
        "For easily parsable output, you can remove the column headers:\n"
        "fleetctl list-machines --no-legend\n"
        "\n"
        "Output the list without truncation:\n"
        "fleetctl list-machines --full\n"
        "\n"
        "For scripts, output every field of every machine as one JSON document (metadata as an "
        "object):\n"
        "fleetctl list-machines --output=json",
    .declare_flags = declare_flags,
    .run = run,
};

}  // namespace fleet::fleetctl
