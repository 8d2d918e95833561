// What the agent must do to make this machine hold what it should (spec §5.4): a pure function
// from the desired and the current units to an ordered list of tasks.
//
// Example:
//   for (const Task& task : plan_tasks(desired, current)) run(task);
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/registry/records.h"
#include "fleet/unit/unit_hash.h"

namespace fleet::agent {

// A unit the machine holds now: its file is in the units directory.
struct HeldUnit {
  unit::UnitHash hash;
  bool launched = false;  // started by the agent (or found running when it re-adopted it)

  bool operator==(const HeldUnit&) const = default;
};

enum class TaskType { kUnload, kLoad, kReload, kStop, kStart };

std::string_view to_string(TaskType type);

struct Task {
  TaskType type;
  std::string unit;    // empty for kReload
  std::string reason;  // the original's wording, for the log

  bool operator==(const Task&) const = default;
};

// Tasks in the order they must run: every unload, every load, one daemon-reload when anything
// is loaded or unloaded or `reload_pending` (files changed by earlier tasks whose reload has not
// succeeded yet), every stop, every start; each kind in unit-name order. A unit whose contents
// changed is unloaded and loaded again (and started again when it should run).
std::vector<Task> plan_tasks(const std::map<std::string, registry::Assignment>& desired,
                             const std::map<std::string, HeldUnit>& held,
                             bool reload_pending = false);

}  // namespace fleet::agent
