// What the agent needs from a machine's init system, declared here by its one consumer.
//
// The real implementation drives systemd over D-Bus (fleet/systemd/systemd_unit_manager.h); a
// simulated one exists only for benchmarks that play hundreds of machines in one process.
//
// Example:
//   manager.load("web.service", file);   // file written, linked (runtime), enabled if [Install]
//   manager.reload();                    // one daemon-reload per batch of loads and unloads
//   manager.start("web.service");
//   manager.watch([&](const std::string& name, const UnitStatus& status) { publish(...); });
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/unit/unit_file.h"
#include "fleet/unit/unit_hash.h"

namespace fleet::agent {

// A unit as the init system reports it (spec §3.7: LoadState/ActiveState/SubState verbatim).
struct UnitStatus {
  std::string load_state;    // "loaded", "not-found", "masked", ...
  std::string active_state;  // "active", "inactive", "failed", "activating", ...
  std::string sub_state;     // "running", "dead", "exited", ...

  bool operator==(const UnitStatus&) const = default;
};

class UnitManager {
 public:
  using OnChange = std::function<void(const std::string& name, const UnitStatus& status)>;

  virtual ~UnitManager() = default;

  // Writes `file`'s canonical text to the units directory as `name` (a name that is not a valid
  // unit name, or that would leave the directory, is kInvalidArgument), links it into the init
  // system for this boot only, and enables it (runtime) when it has an [Install] section; when
  // enabling fails the file is removed again. Takes effect after reload().
  virtual Status load(std::string_view name, const unit::UnitFile& file) = 0;
  // Stops the unit and, only once the init system accepted the stop, disables it, resets its
  // failed state and removes its file, so a unit is never left running without a way to stop it.
  virtual Status unload(std::string_view name) = 0;
  // One daemon-reload: loads and unloads since the last call take effect.
  virtual Status reload() = 0;
  // Queues a start / stop job ("replace" mode) and returns without waiting for it to finish.
  virtual Status start(std::string_view name) = 0;
  virtual Status stop(std::string_view name) = 0;

  // Unit files present in the units directory and the hash of each one's contents: what a
  // restarted agent re-adopts.
  virtual Result<std::map<std::string, unit::UnitHash>> unit_files() = 0;
  // The current status of each of `names` (a unit the init system does not know reports
  // load_state "not-found").
  virtual Result<std::map<std::string, UnitStatus>> statuses(
      const std::vector<std::string>& names) = 0;
  // Calls `on_change` (from the manager's own thread) whenever the status of a unit in the
  // units directory changes, driven by the init system's signals, never by polling. One
  // callback at a time; replaces an earlier one, which is never called once watch() returns
  // (so an owner can pass {} before it goes). Not to be called from a callback.
  virtual Status watch(OnChange on_change) = 0;
};

}  // namespace fleet::agent
