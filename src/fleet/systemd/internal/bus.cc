#include "fleet/systemd/internal/bus.h"

#include <cstdlib>
#include <exception>
#include <string_view>

#include <systemd/sd-bus.h>

#include "fleet/systemd/internal/bus_error.h"

namespace fleet::systemd::internal {
namespace {

std::unique_ptr<sdbus::IConnection> create_connection(const BusEndpoint& endpoint) {
  switch (endpoint.kind()) {
    case BusEndpoint::Kind::kAddress:
      // Despite its name this opens any address as a bus client (Hello included).
      return sdbus::createSessionBusConnectionWithAddress(endpoint.address());
    case BusEndpoint::Kind::kUser:
      return sdbus::createSessionBusConnection();
    case BusEndpoint::Kind::kSystem:
      break;
  }
  return sdbus::createSystemBusConnection();
}

// Why systemd cannot be reached now. Only a refusal is not worth retrying.
Error unreachable(std::string_view dbus_error_name, std::string_view detail,
                  const BusEndpoint& endpoint) {
  auto code = code_for_bus_error(dbus_error_name) == ErrorCode::kPermissionDenied
                  ? ErrorCode::kPermissionDenied
                  : ErrorCode::kUnavailable;
  return Error{code, "cannot reach systemd on " + endpoint.describe() + ": " +
                         std::string(dbus_error_name) + ": " + std::string(detail) + "; " +
                         endpoint.advice()};
}

}  // namespace

BusEndpoint BusEndpoint::from(const SystemdOptions& options) {
  BusEndpoint endpoint;
  if (!options.bus_address.empty()) {
    endpoint.kind_ = Kind::kAddress;
    endpoint.address_ = options.bus_address;
  } else if (options.systemd_user) {
    endpoint.kind_ = Kind::kUser;
  }
  return endpoint;
}

std::string BusEndpoint::describe() const {
  switch (kind_) {
    case Kind::kAddress:
      return "D-Bus address \"" + address_ + "\"";
    case Kind::kUser:
      return "the user bus";
    case Kind::kSystem:
      break;
  }
  return "the system bus";
}

std::string BusEndpoint::advice() const {
  switch (kind_) {
    case Kind::kAddress:
      return "check the address and that the system behind it runs a D-Bus daemon and systemd";
    case Kind::kUser:
      return "check that this user's systemd and session bus run (XDG_RUNTIME_DIR, "
             "DBUS_SESSION_BUS_ADDRESS), or unset systemd_user";
    case Kind::kSystem:
      break;
  }
  return "check that dbus and systemd run (systemctl status dbus.socket) or that "
         "DBUS_SYSTEM_BUS_ADDRESS points at the system bus";
}

Result<ManagerConnection> open_manager(const BusEndpoint& endpoint) {
  ManagerConnection opened;
  try {
    opened.connection = create_connection(endpoint);
    opened.manager = sdbus::createProxy(*opened.connection, kSystemdService, kManagerPath);
    // A bus daemon answering is not enough: ask systemd itself.
    opened.manager->getProperty("Version").onInterface(kManagerInterface);
  } catch (const sdbus::Error& error) {
    return fail(unreachable(error.getName(), error.getMessage(), endpoint));
  } catch (const std::exception& error) {
    return fail(unreachable("", error.what(), endpoint));
  }
  return opened;
}

agent::UnitStatus status_of(const UnitRow& row) {
  return {.load_state = row.get<2>(), .active_state = row.get<3>(), .sub_state = row.get<4>()};
}

std::string unit_name_from_path(std::string_view path) {
  char* decoded = nullptr;
  std::string path_string(path);
  if (sd_bus_path_decode(path_string.c_str(), kUnitPathPrefix, &decoded) <= 0) return {};
  std::string name(decoded);
  std::free(decoded);
  return name;
}

}  // namespace fleet::systemd::internal
