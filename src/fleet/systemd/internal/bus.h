// The D-Bus side of systemd that both the manager and its signal watcher use: names, which bus,
// opening a checked connection, and the rows systemd's ListUnits* methods return.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <sdbus-c++/sdbus-c++.h>

#include "fleet/agent/unit_manager.h"
#include "fleet/base/error.h"
#include "fleet/systemd/systemd_options.h"

namespace fleet::systemd::internal {

inline constexpr const char* kSystemdService = "org.freedesktop.systemd1";
inline constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
inline constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
inline constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
// Every unit object lives under this path, named by its escaped unit name.
inline constexpr const char* kUnitPathPrefix = "/org/freedesktop/systemd1/unit";

// Which bus reaches systemd, and how to name it in errors.
class BusEndpoint {
 public:
  enum class Kind { kSystem, kUser, kAddress };

  static BusEndpoint from(const SystemdOptions& options);

  Kind kind() const { return kind_; }
  const std::string& address() const { return address_; }
  // "the system bus", "the user bus", `D-Bus address "unix:path=..."`.
  std::string describe() const;
  // What to check when the bus cannot be reached.
  std::string advice() const;

 private:
  Kind kind_ = Kind::kSystem;
  std::string address_;
};

// A connection and a proxy for systemd's manager object on it. The proxy is declared last so it
// is destroyed before the connection it refers to.
struct ManagerConnection {
  std::unique_ptr<sdbus::IConnection> connection;
  std::unique_ptr<sdbus::IProxy> manager;
};

// Connects to `endpoint` and checks that systemd answers there (reads Manager.Version), so a
// wrong address fails here rather than at the first unit operation. kUnavailable naming the bus
// and what to check; kPermissionDenied when the bus refuses us.
Result<ManagerConnection> open_manager(const BusEndpoint& endpoint);

// A row of ListUnits, ListUnitsByNames and ListUnitsByPatterns: name, description, load state,
// active state, sub state, followed unit, unit object, job id, job type, job object.
using UnitRow =
    sdbus::Struct<std::string, std::string, std::string, std::string, std::string, std::string,
                  sdbus::ObjectPath, uint32_t, std::string, sdbus::ObjectPath>;

inline const std::string& unit_name_of(const UnitRow& row) { return row.get<0>(); }
agent::UnitStatus status_of(const UnitRow& row);

// The unit name a unit object path stands for ("/org/freedesktop/systemd1/unit/web_2eservice" ->
// "web.service"), or "" for any other path.
std::string unit_name_from_path(std::string_view path);

}  // namespace fleet::systemd::internal
