// What fleetctl (and any other client) asks of fleet: the API v1 operations (spec §2.5) as calls.
//
// Two implementations: api::RegistryService works directly on etcd (what the HTTP API server
// calls, and `fleetctl --driver=etcd`), and client::HttpFleetApi (http_fleet_api.h, `--driver=API`)
// sends the same calls to a fleetd. Both answer with the same error codes and messages, which are
// the API's:
//   kInvalidArgument  400  a bad name, options or state, with the spec's exact message
//   kNotFound         404  `unit does not exist`
//   kAlreadyExists    409  the PUT conflicts (`unit does not exist and options field empty`,
//                          `must provide DesiredState to update existing unit`)
//   kUnavailable, ...  500 etcd (or the fleetd) could not be reached; the message says which
//
// Example:
//   auto units = api.units();
//   if (!units) return fail(units.error());
//   for (const auto& unit : *units) std::cout << unit.name << " " << unit.current_state << "\n";
//
// Implementations need not be thread-safe: use one from one thread at a time.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/client/event_stream.h"
#include "fleet/schema/schema.h"
#include "fleet/unit/desired_state.h"

namespace fleet::client {

// GET /state's query filters: only states matching every non-empty field.
struct UnitStateFilter {
  std::string unit_name{};
  std::string machine_id{};
};

// What `systemctl status -l` printed on the machine running a unit, and how it exited.
struct UnitStatusOutput {
  std::string output{};
  int exit_status = 0;
};

// `journalctl --unit <u> -n <lines> --output <output> [-f]` on the unit's machine.
struct JournalRequest {
  int lines = 10;
  bool follow = false;
  std::string output = "short";
};

// GET /fleet/x1/events (fleet/api/event_feed.h).
struct EventsRequest {
  std::string types{};                // "unit,state": only these; "" for every type
  std::optional<int64_t> since = {};  // replay the changes after this etcd revision first
};

class FleetApi {
 public:
  virtual ~FleetApi() = default;

  // The machines present now, sorted by ID, each with its effective metadata.
  virtual Result<std::vector<schema::Machine>> machines() = 0;

  // Every unit, sorted by name, with its options, desired state, current state and target
  // machine. A global unit reads current state "inactive" and no machine.
  virtual Result<std::vector<schema::Unit>> units() = 0;

  // One unit, or nullopt when it does not exist. A global unit has no current state or machine.
  virtual Result<std::optional<schema::Unit>> unit(std::string_view name) = 0;

  // How machines report their units, sorted by unit name, then machine ID.
  virtual Result<std::vector<schema::UnitState>> unit_states(
      const UnitStateFilter& filter = {}) = 0;

  // PUT of a unit with options: creates it (desired state `unit.desired_state`, default
  // inactive), or, when a unit of that name exists with other options, replaces it by the new
  // contents (how `--replace` works; the desired state restarts from `unit.desired_state` or
  // inactive). kInvalidArgument for a bad name, bad options or bad desired state.
  virtual Status create_unit(const schema::Unit& unit) = 0;

  // PUT of a desired state alone. kAlreadyExists when the unit does not exist (the API's 409),
  // kInvalidArgument `cannot activate template "x@.service"` for loading or launching a template.
  virtual Status set_desired_state(std::string_view name, unit::DesiredState state) = 0;

  // DELETE. kNotFound `unit does not exist`.
  virtual Status destroy_unit(std::string_view name) = 0;

  // fleetd's extension x1 (fleet/api/unit_inspection.h), run by the fleetd of the unit's machine;
  // only the HTTP API has it, others answer kUnimplemented. Errors carry the spec §1.5 messages:
  // kNotFound `Unit X does not exist.`, kAlreadyExists `Unit X does not appear to be loaded.`,
  // kInvalidArgument for a global unit's journal.
  virtual Result<UnitStatusOutput> unit_status(std::string_view name);
  // Passes the journal to `on_piece` as it arrives, until it ends or `on_piece` returns false
  // (it is also called with an empty piece after each second of silence, to let a caller stop).
  virtual Status unit_journal(std::string_view name, const JournalRequest& request,
                              const std::function<bool(std::string_view)>& on_piece);
  // Passes each event of fleetd's event stream to `on_event` as it arrives, until the stream
  // ends or `on_event` returns false; `on_event` also gets nullptr after each second of silence,
  // to let a caller stop. An error before the stream opened has the API's error message.
  virtual Status watch_events(const EventsRequest& request,
                              const std::function<bool(const ServerEvent*)>& on_event);
};

}  // namespace fleet::client
