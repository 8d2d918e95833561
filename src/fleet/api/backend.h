// What the API v1 routes ask of fleet (spec §2.5), one call per operation, with lists cut to the
// page a request wants. The router (router.h) turns HTTP into these calls and their answers back
// into HTTP; RegistryBackend (registry_backend.h) answers them from etcd.
//
// Errors carry the API's codes and messages (client/fleet_api.h): kInvalidArgument 400,
// kNotFound 404, kAlreadyExists 409; any other code is a 500.
//
// Implementations are called from several server threads at once and must be thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/client/fleet_api.h"
#include "fleet/schema/schema.h"

namespace fleet::api {

// Items [offset, offset + limit) of a sorted list.
struct Slice {
  size_t offset = 0;
  size_t limit = 0;
};

// One slice of a list, and how long the whole list is (which decides whether a next page exists).
template <class T>
struct Listing {
  std::vector<T> items{};
  size_t total = 0;
};

// What a successful PUT did, so the server can answer 201 or 204.
enum class PutOutcome {
  kCreated,   // 201: a new unit
  kReplaced,  // 201: an existing unit got the new options
  kUpdated,   // 204: only the desired state was set (or already was)
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Units sorted by name, as FleetApi::units() describes them.
  virtual Result<Listing<schema::Unit>> units(Slice slice) = 0;
  virtual Result<std::optional<schema::Unit>> unit(std::string_view name) = 0;
  // PUT /units/<unit.name> once the router has reconciled the body's name with the URL: the rest
  // of spec §2.5's algorithm, with decisions.md fix 5.
  virtual Result<PutOutcome> put_unit(const schema::Unit& unit) = 0;
  // kNotFound `unit does not exist`.
  virtual Status destroy_unit(std::string_view name) = 0;

  // States sorted by unit name, then machine ID, filtered before slicing.
  virtual Result<Listing<schema::UnitState>> unit_states(const client::UnitStateFilter& filter,
                                                         Slice slice) = 0;
  // The state of `name` reported by the machine with the lowest ID, or nullopt.
  virtual Result<std::optional<schema::UnitState>> unit_state(std::string_view name) = 0;

  // Present machines sorted by ID, with their effective metadata.
  virtual Result<Listing<schema::Machine>> machines(Slice slice) = 0;
  // Sets one dynamic metadata entry of `machine` (which need not be present); "" removes it.
  virtual Status set_machine_metadata(std::string_view machine, std::string_view key,
                                      std::string_view value) = 0;
};

}  // namespace fleet::api
