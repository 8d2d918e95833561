#include "cmd/fleetctl/waiter.h"

#include <algorithm>
#include <map>
#include <thread>

#include "cmd/fleetctl/printer.h"

namespace fleet::fleetctl {

Waiter::Waiter(Context& context) : context_(context) {
  const int attempts = context.options().block_attempts;
  if (attempts > 0) deadline_ = std::chrono::steady_clock::now() + attempts * kAttempt;
}

std::vector<std::string> Waiter::poll(const std::vector<std::string>& items,
                                      const std::function<bool(const std::string&)>& reached,
                                      const std::function<void()>& refresh) {
  std::vector<std::string> pending = items;
  for (;;) {
    if (refresh) refresh();
    std::erase_if(pending, reached);
    if (pending.empty()) return pending;
    auto now = std::chrono::steady_clock::now();
    if (deadline_ && now >= *deadline_) return pending;
    // Polling is the API's only way to learn of a change; the last poll lands on the deadline.
    auto pause =
        deadline_ ? std::min<std::chrono::steady_clock::duration>(kPollInterval, *deadline_ - now)
                  : std::chrono::steady_clock::duration(kPollInterval);
    std::this_thread::sleep_for(pause);
  }
}

std::vector<std::string> Waiter::wait_for_state(const std::vector<std::string>& names,
                                                unit::DesiredState state) {
  const std::string_view wanted = unit::to_string(state);
  auto late = poll(names, [&](const std::string& name) {
    auto unit = context_.api().unit(name);
    if (!unit || !*unit) {
      context_.debug("unit " + name + ": " + (unit ? "not found" : unit.error().message));
      return false;
    }
    const bool global = schema::is_global(**unit);
    if ((global ? (*unit)->desired_state : (*unit)->current_state) != wanted) return false;
    std::string line = "Unit " + name + " " + std::string(wanted);
    if (!(*unit)->machine_id.empty()) {
      if (const schema::Machine* machine = context_.machine((*unit)->machine_id)) {
        line += " on " + machine_legend(*machine, /*full=*/false);
      }
    }
    context_.out() << line << "\n";
    return true;
  });
  for (auto& name : late) {
    name = "timed out waiting for unit " + name + " to report state " + std::string(wanted);
  }
  return late;
}

std::vector<std::string> Waiter::wait_for_active(const std::vector<std::string>& names) {
  std::map<std::string, std::string> last_seen;
  auto late = poll(names, [&](const std::string& name) {
    auto unit = context_.api().unit(name);
    if (!unit || !*unit || (*unit)->machine_id.empty()) return false;
    auto states =
        context_.api().unit_states({.unit_name = name, .machine_id = (*unit)->machine_id});
    if (!states || states->empty()) return false;
    const auto& state = states->front();
    last_seen[name] =
        state.systemd_load_state + "/" + state.systemd_active_state + "/" + state.systemd_sub_state;
    return state.systemd_load_state == "loaded" && state.systemd_active_state == "active";
  });
  for (auto& name : late) {
    auto seen = last_seen.find(name);
    name = "timed out waiting for unit " + name + " to become active in systemd (" +
           (seen == last_seen.end() ? "no state reported" : "last seen " + seen->second) + ")";
  }
  return late;
}

std::vector<std::string> Waiter::wait_for_removal(const std::vector<std::string>& names) {
  auto late = poll(names, [&](const std::string& name) {
    auto unit = context_.api().unit(name);
    return unit && !*unit;
  });
  for (auto& name : late) name = "timed out waiting for unit " + name + " to be destroyed";
  return late;
}

std::vector<std::string> Waiter::wait_on_machines(const std::string& name,
                                                  const std::vector<std::string>& machine_ids,
                                                  OnMachines goal) {
  const bool stopping = goal == OnMachines::kStopped;
  // One listing per poll for all machines, not one request per machine.
  std::map<std::string, schema::UnitState, std::less<>> reported;
  bool listed = false;
  std::map<std::string, std::string> last_seen;
  auto late = poll(
      machine_ids,
      [&](const std::string& id) {
        if (!listed) return false;
        auto state = reported.find(id);
        bool reached = false;
        if (state == reported.end()) {
          reached = stopping;
        } else {
          const auto& seen = state->second;
          last_seen[id] = seen.systemd_load_state + "/" + seen.systemd_active_state + "/" +
                          seen.systemd_sub_state;
          reached =
              stopping
                  ? seen.systemd_active_state == "inactive" || seen.systemd_active_state == "failed"
                  : seen.systemd_load_state == "loaded" && seen.systemd_active_state == "active";
        }
        if (reached) {
          const schema::Machine* machine = context_.machine(id);
          context_.out() << "Unit " << name << " " << (stopping ? "loaded" : "launched") << " on "
                         << (machine ? machine_legend(*machine, /*full=*/false)
                                     : machine_id_legend(id, /*full=*/false))
                         << "\n";
        }
        return reached;
      },
      [&] {
        auto states = context_.api().unit_states({.unit_name = name});
        listed = states.has_value();
        if (!states) {
          context_.debug("unit " + name + ": " + states.error().message);
          return;
        }
        reported.clear();
        for (auto& state : *states) reported.emplace(state.machine_id, std::move(state));
      });
  for (auto& id : late) {
    auto seen = last_seen.find(id);
    id = "timed out waiting for unit " + name + " to " +
         (stopping ? "stop" : "become active in systemd") + " on " +
         machine_id_legend(id, /*full=*/false) + " (" +
         (seen == last_seen.end() ? "no state reported" : "last seen " + seen->second) + ")";
  }
  return late;
}

}  // namespace fleet::fleetctl
