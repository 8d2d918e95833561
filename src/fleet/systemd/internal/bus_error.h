// Turning sdbus-c++'s exceptions into fleet errors that say what failed, where, and what to do.
//
// D-Bus error names map to codes as follows (the most specific code wins):
//   NoSuchUnit, NoSuchJob, FileNotFound                        -> kNotFound
//   AccessDenied, InteractiveAuthorizationRequired, EPERM/EACCES -> kPermissionDenied
//   Disconnected, NoServer, ServiceUnknown, NameHasNoOwner, ShuttingDown, ECONNRESET, ENOTCONN,
//   ECONNREFUSED, EPIPE, ENOENT (no socket)                     -> kUnavailable (retry later)
//   Timeout, TimedOut, NoReply, ETIMEDOUT                       -> kDeadlineExceeded
//   UnitMasked, LoadFailed, JobTypeNotApplicable, OnlyByDependency, Transaction*
//                                                               -> kFailedPrecondition
//   BadUnitSetting (e.g. a bad [Install] section), InvalidArgs  -> kInvalidArgument
//   UnitExists, FileExists, EEXIST                              -> kAlreadyExists
//   anything else                                               -> kInternal
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <sdbus-c++/Error.h>

#include "fleet/base/error.h"
#include "fleet/systemd/internal/bus.h"

namespace fleet::systemd::internal {

// The code for a D-Bus error name ("org.freedesktop.systemd1.NoSuchUnit", "System.Error.EPIPE").
ErrorCode code_for_bus_error(std::string_view dbus_error_name);

// `error` raised while doing `what` (`StartUnit "web.service"`) on `bus`:
//   systemd StartUnit "web.service" on the system bus: org.freedesktop.systemd1.NoSuchUnit: Unit
//   web.service not found.
// kUnavailable messages end with the bus's advice.
Error from_bus_error(const sdbus::Error& error, std::string_view what, const BusEndpoint& bus);

// Runs `body`, returning its value, or the error an exception from sdbus-c++ (or anything else it
// calls) stands for. The one place exceptions from the D-Bus library are caught.
template <class Body>
auto catch_bus_errors(std::string_view what, const BusEndpoint& bus, Body&& body)
    -> Result<std::invoke_result_t<Body>> {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<Body>>) {
      std::forward<Body>(body)();
      return {};
    } else {
      return std::forward<Body>(body)();
    }
  } catch (const sdbus::Error& error) {
    return fail(from_bus_error(error, what, bus));
  } catch (const std::exception& error) {
    return fail(ErrorCode::kInternal,
                "systemd " + std::string(what) + " on " + bus.describe() + ": " + error.what());
  }
}

}  // namespace fleet::systemd::internal
