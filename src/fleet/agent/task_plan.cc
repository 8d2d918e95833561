#include "fleet/agent/task_plan.h"

#include <algorithm>
#include <tuple>

namespace fleet::agent {

std::string_view to_string(TaskType type) {
  switch (type) {
    case TaskType::kUnload:
      return "UnloadUnit";
    case TaskType::kLoad:
      return "LoadUnit";
    case TaskType::kReload:
      return "ReloadUnitFiles";
    case TaskType::kStop:
      return "StopUnit";
    case TaskType::kStart:
      return "StartUnit";
  }
  return "?";
}

std::vector<Task> plan_tasks(const std::map<std::string, registry::Assignment>& desired,
                             const std::map<std::string, HeldUnit>& held, bool reload_pending) {
  std::vector<Task> tasks;
  auto add = [&tasks](TaskType type, const std::string& unit, const char* reason) {
    tasks.push_back({type, unit, reason});
  };
  auto unload_unscheduled = [&](const std::string& name) {
    add(TaskType::kUnload, name, "unit loaded but not scheduled here");
  };
  // Both are in name order: one walk pairs each desired unit with the held one of its name.
  auto unpaired = held.begin();
  for (const auto& [name, wanted] : desired) {
    for (; unpaired != held.end() && unpaired->first < name; ++unpaired) {
      unload_unscheduled(unpaired->first);
    }
    const HeldUnit* current =
        unpaired != held.end() && unpaired->first == name ? &(unpaired++)->second : nullptr;
    bool launch = wanted.desired == unit::DesiredState::kLaunched;
    if (!current) {
      add(TaskType::kLoad, name, "unit scheduled here but not loaded");
      if (launch)
        add(TaskType::kStart, name, "unit currently loaded but desired state is launched");
    } else if (current->hash != wanted.hash) {
      add(TaskType::kUnload, name, "unit loaded but hash differs to expected");
      add(TaskType::kLoad, name, "unit loaded but hash differs to expected");
      if (launch)
        add(TaskType::kStart, name, "unit currently loaded but desired state is launched");
    } else if (launch && !current->launched) {
      add(TaskType::kStart, name, "unit currently loaded but desired state is launched");
    } else if (!launch && current->launched) {
      add(TaskType::kStop, name, "unit currently launched but desired state is loaded");
    }
  }
  for (; unpaired != held.end(); ++unpaired) unload_unscheduled(unpaired->first);
  bool files_changed = std::any_of(tasks.begin(), tasks.end(), [](const Task& task) {
    return task.type == TaskType::kUnload || task.type == TaskType::kLoad;
  });
  if (files_changed || reload_pending) {
    tasks.push_back({TaskType::kReload, "", "unit files changed"});
  }
  std::sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) {
    return std::tie(a.type, a.unit) < std::tie(b.type, b.unit);
  });
  return tasks;
}

}  // namespace fleet::agent
