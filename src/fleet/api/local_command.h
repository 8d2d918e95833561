// A command of the x1 routes (unit_inspection.h) run on this machine: an argument vector started
// without a shell, its stdout and stderr read together as the user would see them in a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <sys/types.h>

#include "fleet/api/http_message.h"
#include "fleet/base/error.h"

namespace fleet::api {

// A started command whose output is read from `fd`; the destructor kills (SIGTERM) and reaps it
// if still running, so an abandoned follow leaves no journalctl behind.
class LocalCommand {
 public:
  // kInternal when it cannot be started (its program is looked up in PATH).
  static Result<LocalCommand> start(const std::vector<std::string>& argv);
  LocalCommand(LocalCommand&& other) noexcept;
  LocalCommand& operator=(LocalCommand&&) = delete;
  ~LocalCommand();

  // Passes each piece of output to `write` until the command closes its output or `write`
  // returns false.
  void pipe_to(const BodyWriter& write);
  // Reads all output (up to `limit` bytes, the rest dropped) and waits for the exit status.
  std::string read_all(size_t limit);
  // The exit status (128 + signal when killed by one), waiting for the command to end.
  int wait();

 private:
  LocalCommand(pid_t pid, int fd) : pid_(pid), fd_(fd) {}

  pid_t pid_ = -1;
  int fd_ = -1;
};

// `argv` run to its end: 200 text/plain with its output, its exit status in X-Fleet-Exit-Status.
HttpResponse run_to_end(const std::vector<std::string>& argv);
// `argv` streamed: 200 text/plain whose body is its output as it comes, until it ends or the
// client goes away (which kills it).
HttpResponse run_streamed(const std::vector<std::string>& argv);

}  // namespace fleet::api
