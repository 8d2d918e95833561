// Programs fleetctl runs for the user (ssh, systemctl, journalctl): they share fleetctl's
// terminal, stdin, stdout and stderr, so prompts, pagers and interactive shells work as if the
// user had typed the command.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "fleet/base/error.h"

namespace fleet::fleetctl {

// Starts `argv` (its program looked up in PATH). kNotFound / kInternal naming the program when
// it cannot be started.
Result<pid_t> spawn_attached(const std::vector<std::string>& argv);

// Waits for a spawned program: its exit status, or 128 + the signal that ended it.
int wait_exit(pid_t pid);

// Both: the program's exit status. While it runs, fleetctl ignores Ctrl-C and Ctrl-\ as
// system() does, so they end the program and fleetctl then reports how it ended.
Result<int> run_attached(const std::vector<std::string>& argv);

}  // namespace fleet::fleetctl
