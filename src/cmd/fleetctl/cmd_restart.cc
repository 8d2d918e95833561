// fleetctl restart: stop and start units again, one unit after another (spec §1.5, with
// decisions.md fix 2: it waits for each unit to stop, then to run again, and a global unit is
// restarted on every machine that runs it).
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/unit_commands.h"
#include "cmd/fleetctl/waiter.h"

namespace fleet::fleetctl {
namespace {

using unit::DesiredState;

void declare_flags(FlagSet& set, CommandOptions& options) {
  set.add_int("block-attempts", 0, &options.block_attempts,
              "Wait until the units are stopped and then started, performing up to N attempts "
              "for each before giving up. A value of 0 indicates no limit.");
}

// How restarting one unit ended.
enum class Outcome { kRestarted, kSkipped, kFailed };

Status set_state(Context& context, const std::string& name, DesiredState state) {
  auto set = context.api().set_desired_state(name, state);
  if (!set) {
    context.err() << "Error setting target state for unit " << name << ": " << set.error().message
                  << "\n";
  }
  return set;
}

bool report_late(Context& context, const std::vector<std::string>& late) {
  for (const auto& why : late) context.err() << "Error waiting for units: " << why << "\n";
  if (!late.empty()) context.err() << "Error waiting for unit states, exit status: 1\n";
  return late.empty();
}

// Current state launched: through loaded (stopped) back to launched, waiting for each and then
// for systemd to run it. Loaded: only the second half.
Outcome restart_scheduled(Context& context, const schema::Unit& unit) {
  const std::string& current = unit.current_state;
  if (current != unit::to_string(DesiredState::kLaunched) &&
      current != unit::to_string(DesiredState::kLoaded)) {
    context.err() << "Unable to restart unit " << unit.name << " in state "
                  << (current.empty() ? "inactive" : current) << "\n";
    return Outcome::kSkipped;
  }
  const std::vector<std::string> names = {unit.name};
  if (current == unit::to_string(DesiredState::kLaunched)) {
    if (!set_state(context, unit.name, DesiredState::kLoaded)) return Outcome::kFailed;
    if (!report_late(context, Waiter(context).wait_for_state(names, DesiredState::kLoaded))) {
      return Outcome::kFailed;
    }
  }
  if (!set_state(context, unit.name, DesiredState::kLaunched)) return Outcome::kFailed;
  Waiter waiter(context);
  auto late = waiter.wait_for_state(names, DesiredState::kLaunched);
  if (late.empty()) late = waiter.wait_for_active(names);
  return report_late(context, late) ? Outcome::kRestarted : Outcome::kFailed;
}

// A global unit has no single current state: its desired state says whether it runs, and the
// machines that report it are where. Setting it loaded stops it on all of them at once; launched
// starts it again; each step waits for every one of those machines.
Outcome restart_global(Context& context, const schema::Unit& unit) {
  const std::string& desired = unit.desired_state;
  if (desired != unit::to_string(DesiredState::kLaunched) &&
      desired != unit::to_string(DesiredState::kLoaded)) {
    context.err() << "Unable to restart unit " << unit.name << " in state "
                  << (desired.empty() ? "inactive" : desired) << "\n";
    return Outcome::kSkipped;
  }
  auto states = context.api().unit_states({.unit_name = unit.name});
  if (!states) {
    context.err() << "Error retrieving the machines of global unit " << unit.name << ": "
                  << states.error().message << "\n";
    return Outcome::kFailed;
  }
  std::vector<std::string> machines;
  for (const auto& state : *states) machines.push_back(state.machine_id);
  if (machines.empty()) context.out() << "Global unit " << unit.name << " runs on no machine\n";

  if (desired == unit::to_string(DesiredState::kLaunched)) {
    if (!set_state(context, unit.name, DesiredState::kLoaded)) return Outcome::kFailed;
    auto late = Waiter(context).wait_on_machines(unit.name, machines, Waiter::OnMachines::kStopped);
    if (!report_late(context, late)) return Outcome::kFailed;
  }
  if (!set_state(context, unit.name, DesiredState::kLaunched)) return Outcome::kFailed;
  auto late = Waiter(context).wait_on_machines(unit.name, machines, Waiter::OnMachines::kActive);
  return report_late(context, late) ? Outcome::kRestarted : Outcome::kFailed;
}

int run(Context& context, const std::vector<std::string>& args) {
  int exit = 0;
  auto units = existing_units(context, args, "restart", exit);
  if (!units) return exit;
  int status = 0;
  for (const auto& unit : *units) {
    const Outcome outcome =
        schema::is_global(unit) ? restart_global(context, unit) : restart_scheduled(context, unit);
    // A rolling restart does not go on past a unit that did not come back.
    if (outcome == Outcome::kFailed) return 1;
    if (outcome == Outcome::kSkipped) status = 1;
    if (outcome == Outcome::kRestarted) context.debug("Unit(" + unit.name + ") was restarted.");
  }
  return status;
}

}  // namespace

const Command kRestartCommand = {
    .name = "restart",
    .summary = "Instruct systemd to rolling restart one or more units in the cluster.",
    .usage = "[--block-attempts=N] UNIT...",
    .description =
        "Restarts one or more units in the cluster, one unit after another. If they are "
        "stopped it starts them.\n"
        "\n"
        "Instructs systemd on the host machine to stop then start the unit, deferring to systemd\n"
        "completely for any custom restart directives (i.e. ExecStop options in the unit\n"
        "file).\n"
        "\n"
        "Restart operations are performed synchronously: fleetctl blocks until it detects that\n"
        "a unit has transitioned to a stopped state and then back to a started state (launched,\n"
        "and active in systemd) before it restarts the next one. Each wait is bounded by\n"
        "--block-attempts; the first unit that does not come back ends the command with exit\n"
        "status 1. A unit that is not loaded on a machine (inactive) is reported and left\n"
        "alone, and the command exits with status 1 once the others are restarted.\n"
        "\n"
        "A global unit is restarted on every machine that runs it, all at once: fleetctl sets\n"
        "its desired state to loaded, which stops it everywhere, waits until each of those\n"
        "machines reports it stopped, then sets it back to launched and waits until each\n"
        "reports it active again. Each machine is shown as it gets there.\n"
        "\n"
        "Restart a single unit:\n"
        "\tfleetctl restart foo.service\n"
        "\n"
        "Restart an entire directory of units with glob matching:\n"
        "\tfleetctl restart myservice/*",
    .declare_flags = declare_flags,
    .run = run,
    .operands = Operands::kUnits,
};

}  // namespace fleet::fleetctl
