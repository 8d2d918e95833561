// /fleet/x1/units/<name>/{status,journal} (unit_inspection.h): which machine(s) run the unit, and
// the spec §1.5 refusals fleetctl used to make itself before it ran SSH.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fleet/api/internal/routes.h"
#include "fleet/api/unit_inspection.h"
#include "fleet/unit/unit_name.h"

namespace fleet::api::internal {
namespace {

// Machines reporting a state for `name`: where a global unit runs.
Result<std::vector<std::string>> reporting_machines(const RouteContext& context,
                                                    std::string_view name) {
  auto states = context.backend.unit_states({.unit_name = std::string(name)},
                                            {.offset = 0, .limit = SIZE_MAX});
  if (!states) return fail(states.error());
  std::vector<std::string> machines;
  for (auto& state : states->items) machines.push_back(std::move(state.machine_id));
  return machines;
}

// A global unit's status on each of its machines, one after the other like systemctl prints
// several units: a blank line between them, the worst exit status.
HttpResponse status_on_each(UnitInspector& inspector, UnitInspection inspection,
                            const std::vector<std::string>& machines) {
  HttpResponse combined;
  int worst = 0;
  for (const auto& machine : machines) {
    inspection.machine_id = machine;
    HttpResponse one = inspector.inspect(inspection);
    if (one.status != 200) return one;
    if (!combined.body.empty()) combined.body += "\n";
    combined.body += one.body;
    worst = std::max(worst, std::atoi(std::string(one.header(kExitStatusHeader)).c_str()));
  }
  combined.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {std::string(kExitStatusHeader), std::to_string(worst)}};
  return combined;
}

}  // namespace

HttpResponse serve_inspection(const RouteContext& context, std::string_view name,
                              UnitInspection::Kind kind) {
  if (context.request.method != "GET") return HttpResponse::error(405, "");
  if (auto valid = unit::validate_unit_name(name); !valid) {
    return HttpResponse::error(400, valid.error().message);
  }
  auto inspection = parse_unit_inspection(kind, std::string(name), context.target);
  if (!inspection) return HttpResponse::error(400, inspection.error().message);
  if (context.inspector == nullptr) {
    return HttpResponse::error(501, "this fleetd does not run commands for fleetctl");
  }
  if (!inspection->machine_id.empty()) return context.inspector->inspect(*inspection);

  auto unit = context.backend.unit(name);
  if (!unit) return backend_failure(context, unit.error());
  const std::string unit_name(name);
  if (!*unit) return HttpResponse::error(404, "Unit " + unit_name + " does not exist.");
  const bool journal = kind == UnitInspection::Kind::kJournal;
  if (schema::is_global(**unit)) {
    if (journal) {
      return HttpResponse::error(400,
                                 "Unable to retrieve journal of global unit " + unit_name + ".");
    }
    auto machines = reporting_machines(context, name);
    if (!machines) return backend_failure(context, machines.error());
    if (machines->empty()) {
      return HttpResponse::error(409, "Unit " + unit_name + " does not appear to be loaded.");
    }
    return status_on_each(*context.inspector, std::move(*inspection), *machines);
  }
  if ((*unit)->current_state == "inactive" || (*unit)->machine_id.empty()) {
    return HttpResponse::error(
        409, "Unit " + unit_name + " does not appear to be " + (journal ? "running." : "loaded."));
  }
  inspection->machine_id = (*unit)->machine_id;
  return context.inspector->inspect(*inspection);
}

}  // namespace fleet::api::internal
