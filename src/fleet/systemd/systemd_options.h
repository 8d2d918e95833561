// How SystemdUnitManager reaches a systemd and where it keeps unit files.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "fleet/base/error.h"

namespace fleet::metrics {
class DbusMetrics;
}  // namespace fleet::metrics

namespace fleet::systemd {

struct SystemdOptions {
  // Where unit files are written, as the systemd we talk to sees the path (fleet.conf
  // `unit_dir`; spec §5.7). Created 0755 when missing. Must be absolute.
  std::filesystem::path units_directory = "/run/fleet/units";

  // Which bus reaches systemd: an explicit D-Bus address when set (e.g.
  // "unix:path=/proc/1234/root/run/dbus/system_bus_socket", how a host process reaches a
  // machine's systemd), else the user bus when `systemd_user` (fleet.conf `systemd_user`), else
  // the system bus. The bus must be a message bus (dbus-daemon, dbus-broker): systemd's private
  // socket has no bus name to match its signals by.
  std::string bus_address{};
  bool systemd_user = false;

  // Prefix for the manager's own file operations only: units_directory as this process sees it
  // is systemd_root / units_directory. Tests on a host set it to /proc/<machine's PID 1>/root so
  // they write into a machine whose systemd finds the files under units_directory.
  std::filesystem::path systemd_root{};

  // Called from the watch thread when watching fails (the bus went away, a refresh failed) and on
  // every failed attempt to reconnect; watching resumes by itself once the bus is back. The
  // manager never logs: this is where its owner can.
  std::function<void(const Error&)> on_watch_error{};

  // Where the manager's calls to systemd are timed (fleetd: the process's); null times nothing.
  // Must outlive the manager.
  metrics::DbusMetrics* metrics = nullptr;
};

}  // namespace fleet::systemd
