// fleet's API v1 operations carried out directly on the registry in etcd: what the HTTP API server
// calls for every request, and what `fleetctl --driver=etcd` uses in place of the HTTP client.
//
// Example:
//   registry::Registry registry(*etcd, registry::Keys(prefix));
//   api::RegistryService service(registry);
//   auto written = service.put_unit(unit);  // the PUT /units/<name> algorithm, spec §2.5
//
// Reads are answered from etcd on every call (no cache), which suits a one-shot fleetctl; fleetd's
// API server reads through RegistryCache instead (registry_backend.h). Current state follows
// spec §3.7 from the schedule and the unit states machines publish. Thread-safe as the Registry
// is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/api/backend.h"
#include "fleet/base/error.h"
#include "fleet/client/fleet_api.h"
#include "fleet/registry/registry.h"
#include "fleet/schema/schema.h"

namespace fleet::api {

class RegistryService : public client::FleetApi {
 public:
  // `registry` must outlive the service.
  explicit RegistryService(registry::Registry& registry);

  // PUT /units/<unit.name> once the body is read and its name reconciled with the URL: validates
  // the name and the desired state, then creates, replaces or updates as spec §2.5 steps 3-7 say,
  // with decisions.md fix 5 (options are validated when replacing, a bad desired state is always
  // kInvalidArgument). A template cannot be loaded or launched on any path.
  Result<PutOutcome> put_unit(const schema::Unit& unit);
  // What put_unit would create if `unit` did not exist yet, validated as put_unit validates it:
  // for a caller that creates units its own way (RegistryBackend commits concurrent creates
  // together). A registry error is the same as put_unit's.
  Result<registry::NewUnit> new_unit(const schema::Unit& unit) const;

  // FleetApi
  Result<std::vector<schema::Machine>> machines() override;
  Result<std::vector<schema::Unit>> units() override;
  Result<std::optional<schema::Unit>> unit(std::string_view name) override;
  Result<std::vector<schema::UnitState>> unit_states(
      const client::UnitStateFilter& filter = {}) override;
  Status create_unit(const schema::Unit& unit) override;
  Status set_desired_state(std::string_view name, unit::DesiredState state) override;
  Status destroy_unit(std::string_view name) override;

 private:
  // The machine the engine scheduled `name` to, looked up among the machines present; "" when
  // none has it.
  Result<std::string> scheduled_machine(std::string_view name);

  registry::Registry& registry_;
};

}  // namespace fleet::api
