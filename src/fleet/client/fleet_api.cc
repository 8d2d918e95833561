#include "fleet/client/fleet_api.h"

namespace fleet::client {
namespace {

tl::unexpected<Error> needs_api_driver() {
  return fail(ErrorCode::kUnimplemented,
              "status and journal are run by fleetd: use the API driver (--driver=API "
              "--endpoint=<fleetd's API>)");
}

}  // namespace

Status FleetApi::watch_events(const EventsRequest&,
                              const std::function<bool(const ServerEvent*)>&) {
  return fail(ErrorCode::kUnimplemented,
              "watch needs the API driver: fleetd serves the event stream (--driver=API "
              "--endpoint=<fleetd's API>)");
}

Result<UnitStatusOutput> FleetApi::unit_status(std::string_view) { return needs_api_driver(); }

Status FleetApi::unit_journal(std::string_view, const JournalRequest&,
                              const std::function<bool(std::string_view)>&) {
  return needs_api_driver();
}

}  // namespace fleet::client
