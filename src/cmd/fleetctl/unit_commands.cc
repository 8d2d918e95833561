#include "cmd/fleetctl/unit_commands.h"

#include <map>

#include "cmd/fleetctl/lazy_create.h"
#include "cmd/fleetctl/waiter.h"

namespace fleet::fleetctl {

bool no_units_given(Context& context, const std::vector<std::string>& args,
                    std::string_view command) {
  if (!args.empty()) return false;
  context.err() << "No units given\nRun 'fleetctl help " << command << "' for usage.\n";
  return true;
}

std::optional<std::vector<schema::Unit>> existing_units(Context& context,
                                                        const std::vector<std::string>& args,
                                                        std::string_view command, int& exit) {
  exit = 1;
  if (no_units_given(context, args, command)) return std::nullopt;
  auto units = context.api().units();
  if (!units) {
    context.err() << units.error().message << "\n";
    return std::nullopt;
  }
  std::map<std::string, const schema::Unit*, std::less<>> by_name;
  for (const auto& unit : *units) by_name.emplace(unit.name, &unit);
  std::vector<schema::Unit> found;
  for (const auto& arg : args) {
    auto unit = by_name.find(unit_name_of(arg));
    if (unit != by_name.end()) found.push_back(*unit->second);
  }
  if (found.empty()) {
    context.err() << "Units not found in registry\n";
    exit = 0;
    return std::nullopt;
  }
  return found;
}

int trigger_or_wait(Context& context, const std::vector<schema::Unit>& units,
                    unit::DesiredState target, std::string_view verb, bool wait_active) {
  std::vector<std::string> waiting;
  for (const auto& unit : units) {
    if (schema::is_global(unit)) {
      context.out() << "Triggered global unit " << unit.name << " " << verb << "\n";
    } else {
      waiting.push_back(unit.name);
    }
  }
  if (context.options().no_block) {
    for (const auto& name : waiting) {
      context.out() << "Triggered unit " << name << " " << verb << "\n";
    }
    return 0;
  }
  // One budget for both waits: --block-attempts bounds the whole command.
  Waiter waiter(context);
  auto late = waiter.wait_for_state(waiting, target);
  if (late.empty() && wait_active) late = waiter.wait_for_active(waiting);
  for (const auto& why : late) context.err() << "Error waiting for units: " << why << "\n";
  return late.empty() ? 0 : 1;
}

int run_lazy_state_change(Context& context, const std::vector<std::string>& args,
                          unit::DesiredState target, std::string_view verb,
                          const std::vector<unit::DesiredState>& replaceable, bool wait_active) {
  if (no_units_given(context, args, verb)) return 1;
  if (auto created = lazy_create_units(context, args, replaceable); !created) {
    context.err() << "Error creating units: " << created.error().message << "\n";
    return 1;
  }
  auto changed = set_desired_states(context, args, target);
  if (!changed) {
    context.err() << "Error " << (target == unit::DesiredState::kLaunched ? "starting" : "loading")
                  << " units: " << changed.error().message << "\n";
    return 1;
  }
  const int status = trigger_or_wait(context, *changed, target, verb, wait_active);
  if (status != 0) {
    context.err() << "Error waiting for unit states, exit status: " << status << "\n";
  }
  return status;
}

std::string name_list(const std::vector<std::string>& names) {
  std::string text = "[";
  for (size_t i = 0; i < names.size(); ++i) text += (i ? " " : "") + names[i];
  return text + "]";
}

}  // namespace fleet::fleetctl
