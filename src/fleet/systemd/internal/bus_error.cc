#include "fleet/systemd/internal/bus_error.h"

#include <array>
#include <utility>

namespace fleet::systemd::internal {
namespace {

using Mapping = std::pair<std::string_view, ErrorCode>;

// sd-bus names errno values it has no D-Bus name for "System.Error.<ERRNO>".
constexpr std::array kMappings = {
    Mapping{"org.freedesktop.systemd1.NoSuchUnit", ErrorCode::kNotFound},
    Mapping{"org.freedesktop.systemd1.NoSuchJob", ErrorCode::kNotFound},
    Mapping{"org.freedesktop.DBus.Error.FileNotFound", ErrorCode::kNotFound},

    Mapping{"org.freedesktop.DBus.Error.AccessDenied", ErrorCode::kPermissionDenied},
    Mapping{"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
            ErrorCode::kPermissionDenied},
    Mapping{"System.Error.EPERM", ErrorCode::kPermissionDenied},
    Mapping{"System.Error.EACCES", ErrorCode::kPermissionDenied},

    Mapping{"org.freedesktop.DBus.Error.Disconnected", ErrorCode::kUnavailable},
    Mapping{"org.freedesktop.DBus.Error.NoServer", ErrorCode::kUnavailable},
    Mapping{"org.freedesktop.DBus.Error.ServiceUnknown", ErrorCode::kUnavailable},
    Mapping{"org.freedesktop.DBus.Error.NameHasNoOwner", ErrorCode::kUnavailable},
    Mapping{"org.freedesktop.DBus.Error.NoNetwork", ErrorCode::kUnavailable},
    Mapping{"org.freedesktop.systemd1.ShuttingDown", ErrorCode::kUnavailable},
    Mapping{"System.Error.ECONNRESET", ErrorCode::kUnavailable},
    Mapping{"System.Error.ENOTCONN", ErrorCode::kUnavailable},
    Mapping{"System.Error.ECONNREFUSED", ErrorCode::kUnavailable},
    Mapping{"System.Error.EPIPE", ErrorCode::kUnavailable},
    Mapping{"System.Error.ESHUTDOWN", ErrorCode::kUnavailable},
    Mapping{"System.Error.ENOENT", ErrorCode::kUnavailable},

    Mapping{"org.freedesktop.DBus.Error.Timeout", ErrorCode::kDeadlineExceeded},
    Mapping{"org.freedesktop.DBus.Error.TimedOut", ErrorCode::kDeadlineExceeded},
    Mapping{"org.freedesktop.DBus.Error.NoReply", ErrorCode::kDeadlineExceeded},
    Mapping{"System.Error.ETIMEDOUT", ErrorCode::kDeadlineExceeded},

    // The unit's own state or configuration stands in the way, not the bus or the call.
    Mapping{"org.freedesktop.systemd1.UnitMasked", ErrorCode::kFailedPrecondition},
    Mapping{"org.freedesktop.systemd1.LoadFailed", ErrorCode::kFailedPrecondition},
    Mapping{"org.freedesktop.systemd1.JobTypeNotApplicable", ErrorCode::kFailedPrecondition},
    Mapping{"org.freedesktop.systemd1.OnlyByDependency", ErrorCode::kFailedPrecondition},
    Mapping{"org.freedesktop.systemd1.TransactionIsDestructive", ErrorCode::kFailedPrecondition},
    Mapping{"org.freedesktop.systemd1.TransactionJobsConflicting", ErrorCode::kFailedPrecondition},
    Mapping{"org.freedesktop.systemd1.TransactionOrderIsCyclic", ErrorCode::kFailedPrecondition},

    // The unit file itself is wrong, e.g. an [Install] WantedBy= that names no valid unit.
    Mapping{"org.freedesktop.systemd1.BadUnitSetting", ErrorCode::kInvalidArgument},
    Mapping{"org.freedesktop.DBus.Error.InvalidArgs", ErrorCode::kInvalidArgument},

    Mapping{"org.freedesktop.systemd1.UnitExists", ErrorCode::kAlreadyExists},
    Mapping{"org.freedesktop.DBus.Error.FileExists", ErrorCode::kAlreadyExists},
    Mapping{"System.Error.EEXIST", ErrorCode::kAlreadyExists},
};

}  // namespace

ErrorCode code_for_bus_error(std::string_view dbus_error_name) {
  for (const auto& [name, code] : kMappings) {
    if (name == dbus_error_name) return code;
  }
  return ErrorCode::kInternal;
}

Error from_bus_error(const sdbus::Error& error, std::string_view what, const BusEndpoint& bus) {
  auto code = code_for_bus_error(error.getName());
  std::string message = "systemd " + std::string(what) + " on " + bus.describe() + ": " +
                        error.getName() + ": " + error.getMessage();
  if (code == ErrorCode::kUnavailable) message += "; " + bus.advice();
  return Error{code, std::move(message)};
}

}  // namespace fleet::systemd::internal
