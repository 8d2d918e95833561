// agent::UnitManager over systemd's D-Bus API (org.freedesktop.systemd1), spec §5.7.
//
// Example:
//   auto manager = SystemdUnitManager::connect({});   // the system bus, /run/fleet/units
//   if (!manager) return fail(manager.error());
//   (*manager)->load("web.service", file);
//   (*manager)->reload();
//   (*manager)->start("web.service");
//
// What each operation does on systemd:
//   load     write <units_directory>/<name> (0644, temporary file + rename), then
//            LinkUnitFiles([path], runtime, force) and, for a file with an [Install] section,
//            EnableUnitFiles([path], runtime, force). If either call fails the file is removed
//            again (and the link undone), so a failed load leaves nothing the agent would later
//            take for a loaded unit.
//   unload   StopUnit(name, "replace"); only once systemd accepted that (or does not know the
//            unit): DisableUnitFiles([name], runtime), ResetFailedUnit(name) (not-loaded ignored),
//            then remove the file. "Accepted" means the stop job is queued: systemd keeps the
//            unit in memory until the job ends, so removing the file cannot make it unstoppable
//            (issue #1216). On failure the file stays, and the next unload() tries again.
//   reload   Reload (daemon-reload); systemd answers once the reload finished.
//   start    StartUnit(name, "replace") / StopUnit(name, "replace"); returns once the job is
//   stop     queued, without waiting for it.
//   unit_files  the files in units_directory named like a unit of any systemd type (decisions
//            fix 6), with the hash of each parsed file; a file that cannot be read or parsed is
//            listed with the empty hash so the agent replaces or removes it.
//   statuses ListUnitsByNames (systemd >= 230); a name systemd does not know, or one that is no
//            valid unit name, reports load_state "not-found", active "inactive", sub "dead".
//   watch    Manager.Subscribe on a connection of its own, then signals; see
//            internal/signal_watcher.h for which and why (decisions fix 8: never polls).
//
// Units watch() reports on: those load() wrote and unit_files() found, until unload().
//
// Errors: a D-Bus error name maps to a code (internal/bus_error.h has the whole table):
// NoSuchUnit -> kNotFound, AccessDenied -> kPermissionDenied, a lost or unreachable bus ->
// kUnavailable, a timeout -> kDeadlineExceeded, a unit file systemd refuses (BadUnitSetting) ->
// kInvalidArgument, a unit masked or failing to load -> kFailedPrecondition, anything else ->
// kInternal. Messages name the call, the unit and the bus.
// A bad unit name is kInvalidArgument before anything is written or sent. A call that finds the
// connection broken (dbus restarted) connects again and repeats itself once: every call made here
// is idempotent.
//
// Threading: every method is thread-safe. Calls to systemd share one connection and run one at a
// time; watch() callbacks come from the manager's own watch thread, which the destructor stops.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/agent/unit_manager.h"
#include "fleet/base/error.h"
#include "fleet/systemd/systemd_options.h"

namespace fleet::systemd {
namespace internal {
class BusEndpoint;
class SignalWatcher;
class UnitDirectory;
struct ManagerConnection;
}  // namespace internal

class SystemdUnitManager : public agent::UnitManager {
 public:
  // Creates units_directory (0755) when missing and connects to systemd on the chosen bus,
  // checking that systemd answers there. kInvalidArgument for a relative units_directory;
  // kUnavailable naming the bus (or address) and what to check when systemd cannot be reached;
  // kPermissionDenied when the bus refuses us or the directory cannot be created.
  static Result<std::unique_ptr<SystemdUnitManager>> connect(SystemdOptions options);
  ~SystemdUnitManager() override;
  SystemdUnitManager(const SystemdUnitManager&) = delete;
  SystemdUnitManager& operator=(const SystemdUnitManager&) = delete;

  // UnitManager
  Status load(std::string_view name, const unit::UnitFile& file) override;
  Status unload(std::string_view name) override;
  Status reload() override;
  Status start(std::string_view name) override;
  Status stop(std::string_view name) override;
  Result<std::map<std::string, unit::UnitHash>> unit_files() override;
  Result<std::map<std::string, agent::UnitStatus>> statuses(
      const std::vector<std::string>& names) override;
  Status watch(OnChange on_change) override;

  // The units directory as systemd sees it.
  const std::filesystem::path& units_directory() const;

 private:
  SystemdUnitManager(SystemdOptions options, internal::ManagerConnection bus);

  // Runs `body`, which calls the D-Bus `method` of systemd's manager object, one call at a time;
  // a broken connection is replaced and `body` run once more. `method` and `subject` (what it
  // acts on, may be empty) name the call in errors; the call is timed under `method`.
  template <class Body>
  auto call(std::string_view method, std::string_view subject, Body&& body);
  Status queue_job(const char* method, std::string_view name);

  const SystemdOptions options_;
  const std::unique_ptr<internal::BusEndpoint> endpoint_;
  const std::unique_ptr<internal::UnitDirectory> directory_;

  std::mutex bus_mutex_;
  std::unique_ptr<internal::ManagerConnection> bus_;  // guarded by bus_mutex_; null once lost

  // Declared last: its thread stops first.
  const std::unique_ptr<internal::SignalWatcher> watcher_;
};

}  // namespace fleet::systemd
