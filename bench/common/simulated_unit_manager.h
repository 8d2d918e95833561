// SimulatedUnitManager: an in-memory UnitManager for benchmarks ONLY, so one process can play
// hundreds of machines without systemd. It keeps unit files and their states in memory; nothing
// runs. Never link it into fleetd.
//
// It follows systemd's shape closely enough that the real agent cannot tell: load() writes a file
// that takes effect at the next reload(); start() answers at once (the job is queued) and the unit
// turns "activating/start" then, `start_delay` later, "active/running", each reported through the
// watch callback the way systemd's PropertiesChanged signals would be; stop() reports
// "inactive/dead"; a unit that is not loaded reports load_state "not-found".
//
// All instances share one timer thread (SimulatedInitTimer in the .cc): a thread per simulated
// machine would cost 1,000 threads at M=1,000 for work that is a few map updates per unit.
//
// Example:
//   bench::SimulatedUnitManager manager({.start_delay = std::chrono::milliseconds(100)});
//   auto agent = agent::Agent::start(registry, manager, {.machine = record});
//
// Thread-safe. Callbacks run on the shared timer thread, one at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/agent/unit_manager.h"

namespace fleet::bench {

struct SimulatedUnitManagerOptions {
  // How long a started unit stays "activating" before it is "active/running".
  std::chrono::milliseconds start_delay{0};
};

class SimulatedUnitManager final : public agent::UnitManager {
 public:
  explicit SimulatedUnitManager(SimulatedUnitManagerOptions options = {});
  // Pending timer events for this manager are dropped, not delivered.
  ~SimulatedUnitManager() override;
  SimulatedUnitManager(const SimulatedUnitManager&) = delete;
  SimulatedUnitManager& operator=(const SimulatedUnitManager&) = delete;

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

  // Units whose status is active/running now (for the benchmark's own checks).
  size_t active_units() const;

  // The state shared with timer events, which may outlive the manager (they then do nothing).
  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace fleet::bench
