// fleetctl's blocking (spec §1.7, with decisions.md fixes 2 and 3): a command polls the API every
// 250 ms until its units get where it sent them. `--block-attempts=N` bounds the whole wait to N
// attempts of 2 s (so a `start` must also see systemd report the units active within it); 0
// waits without limit.
//
// Example:
//   Waiter waiter(context);  // the budget starts now
//   auto late = waiter.wait_for_state(names, unit::DesiredState::kLaunched);
//   for (const auto& why : late) err << "Error waiting for units: " << why << "\n";
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleet/unit/desired_state.h"

#include "cmd/fleetctl/context.h"

namespace fleet::fleetctl {

class Waiter {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{250};
  static constexpr std::chrono::seconds kAttempt{2};

  // Takes its budget from context.options().block_attempts.
  explicit Waiter(Context& context);

  // Until each unit's current state (a global unit's desired state: it has no single current
  // one) reads `state`, printing `Unit <name> <state>[ on <machine legend>]` on stdout as each
  // gets there. Returns, per unit that did not, `timed out waiting for unit X to report state S`.
  std::vector<std::string> wait_for_state(const std::vector<std::string>& names,
                                          unit::DesiredState state);

  // Until the machine each unit is scheduled to reports it loaded and active in systemd. Returns,
  // per unit that did not, why, with the systemd state last seen.
  std::vector<std::string> wait_for_active(const std::vector<std::string>& names);

  // Until each unit is gone from the registry. Returns, per unit that is not, why.
  std::vector<std::string> wait_for_removal(const std::vector<std::string>& names);

  // What a global unit should do on each machine that runs it.
  enum class OnMachines {
    kStopped,  // systemd reports it inactive or failed, or the machine no longer reports it
    kActive,   // systemd reports it loaded and active
  };

  // Until each of `machine_ids` reports global unit `name` as `goal` says, printing `Unit <name>
  // loaded on <legend>` (stopped) or `Unit <name> launched on <legend>` (active) as each gets
  // there. Returns, per machine that did not, why, with the systemd state last seen.
  std::vector<std::string> wait_on_machines(const std::string& name,
                                            const std::vector<std::string>& machine_ids,
                                            OnMachines goal);

 private:
  // Asks `reached(item)` about every pending item once per poll, after `refresh()` when given,
  // until none is pending or the budget is spent; returns the items still pending.
  std::vector<std::string> poll(const std::vector<std::string>& items,
                                const std::function<bool(const std::string&)>& reached,
                                const std::function<void()>& refresh = {});

  Context& context_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // none: no limit
};

}  // namespace fleet::fleetctl
