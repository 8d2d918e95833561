#include "fleet/api/local_command.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fleet/api/unit_inspection.h"

extern char** environ;

namespace fleet::api {
namespace {

// How often a silent command's client is checked for having gone away.
constexpr int kProbeIntervalMs = 1000;

// systemctl status prints a few kilobytes; a megabyte bounds a runaway.
constexpr size_t kMaxOutputBytes = size_t{1} << 20;

HttpHeaders text_headers() { return {{"Content-Type", "text/plain; charset=utf-8"}}; }

HttpResponse start_failure(const Error& error) { return HttpResponse::error(500, error.message); }

}  // namespace

Result<LocalCommand> LocalCommand::start(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return fail(ErrorCode::kInternal, std::string("cannot create a pipe: ") + strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // fleetd blocks the signals it sigwait()s for; a child inheriting that mask would ignore the
  // SIGTERM that ends an abandoned follow.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return fail(ErrorCode::kInternal, "cannot run " + argv[0] + ": " + strerror(spawned));
  }
  return LocalCommand(pid, fds[0]);
}

LocalCommand::LocalCommand(LocalCommand&& other) noexcept : pid_(other.pid_), fd_(other.fd_) {
  other.pid_ = -1;
  other.fd_ = -1;
}

LocalCommand::~LocalCommand() {
  if (fd_ >= 0) close(fd_);
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    wait();
  }
}

void LocalCommand::pipe_to(const BodyWriter& write) {
  char buffer[16 * 1024];
  while (true) {
    pollfd readable{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = poll(&readable, 1, kProbeIntervalMs);
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0) {
      if (!write({})) return;
      continue;
    }
    const ssize_t got = read(fd_, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    if (!write(std::string_view(buffer, static_cast<size_t>(got)))) return;
  }
}

std::string LocalCommand::read_all(size_t limit) {
  std::string output;
  pipe_to([&](std::string_view piece) {
    if (output.size() < limit) output.append(piece.substr(0, limit - output.size()));
    return true;
  });
  return output;
}

int LocalCommand::wait() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

HttpResponse run_to_end(const std::vector<std::string>& argv) {
  auto command = LocalCommand::start(argv);
  if (!command) return start_failure(command.error());
  HttpResponse response{.status = 200, .headers = text_headers()};
  response.body = command->read_all(kMaxOutputBytes);
  response.headers.emplace_back(kExitStatusHeader, std::to_string(command->wait()));
  return response;
}

HttpResponse run_streamed(const std::vector<std::string>& argv) {
  auto command = LocalCommand::start(argv);
  if (!command) return start_failure(command.error());
  HttpResponse response{.status = 200, .headers = text_headers()};
  response.stream = [shared = std::make_shared<LocalCommand>(std::move(*command))](
                        const BodyWriter& write) { shared->pipe_to(write); };
  return response;
}

}  // namespace fleet::api
