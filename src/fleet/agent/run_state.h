// What a fleetd keeps for its next run (in /run: it survives a restart of fleetd, not a reboot,
// which is also when systemd forgets the units): the lease its presence and states hang on, the
// machine ID they were published under, and the units it held, with whether it had started each.
//
// Example:
//   auto saved = load_run_state("/run/fleet/agent.json");   // empty when there is none
//   save_run_state("/run/fleet/agent.json", {.lease = id, .machine = machine_id, .held = held});
//
// Knowing what it had started lets a restarted agent tell a unit it launched from one systemd
// started for another reason (a dependency, WantedBy=): it must not stop the latter.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "fleet/agent/task_plan.h"
#include "fleet/base/error.h"
#include "fleet/etcd/types.h"

namespace fleet::agent {

struct RunState {
  etcd::LeaseId lease = 0;
  // "" when saved by a fleetd that did not record it.
  std::string machine{};
  std::map<std::string, HeldUnit> held{};

  bool operator==(const RunState&) const = default;
};

std::string encode_run_state(const RunState& state);
// kDataLoss when `text` is not a saved run state.
Result<RunState> decode_run_state(std::string_view text);

// What the last run saved at `path`; empty when nothing (readable) is there.
RunState load_run_state(const std::filesystem::path& path);
// Replaces `path` at once (a temporary file renamed over it), so a crash never leaves half a file.
Status save_run_state(const std::filesystem::path& path, const RunState& state);

}  // namespace fleet::agent
