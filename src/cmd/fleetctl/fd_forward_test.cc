#include "cmd/fleetctl/fd_forward.h"

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/fleetctl/fleetctl.h"
#include "fixtures/run_command.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetctl {
namespace {

// A unix socket server for one connection: reads what the client sends until the client
// half-closes, then answers "got: <it>" and closes. Gives up after 10 s without a client, so a
// failing test cannot hang on it.
class AnswerOnce {
 public:
  explicit AnswerOnce(const std::string& path) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~AnswerOnce() {
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }

  // What the client sent, once it has been answered.
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void serve() {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 10000) != 1) return;
    const int connection = ::accept(listener_, nullptr, nullptr);
    if (connection < 0) return;
    char buffer[4096];
    for (ssize_t got; (got = ::read(connection, buffer, sizeof buffer)) > 0;) {
      received_.append(buffer, static_cast<size_t>(got));
    }
    const std::string answer = "got: " + received_;
    for (size_t sent = 0; sent < answer.size();) {
      const ssize_t put =
          ::send(connection, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (put <= 0) break;
      sent += static_cast<size_t>(put);
    }
    ::close(connection);
  }

  int listener_ = -1;
  std::thread thread_;
  std::string received_;
};

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
  void close_read() {
    if (fds[0] >= 0) ::close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
  int fds[2] = {-1, -1};
};

class FdForwardTest : public ::testing::Test {
 protected:
  std::string socket_path() const { return (dir_.path() / "api.sock").string(); }
  fleet::testing::TempDir dir_{"fd-forward-test"};
};

TEST_F(FdForwardTest, RelaysBothWaysAndPassesOnTheEndOfInput) {
  AnswerOnce server(socket_path());
  Pipe in, out;
  const std::string input(1 << 20, 'x');  // more than any pipe or socket buffer holds
  std::thread writer([&] {
    for (size_t sent = 0; sent < input.size();) {
      const ssize_t put = ::write(in.write_end(), input.data() + sent, input.size() - sent);
      if (put <= 0) break;
      sent += static_cast<size_t>(put);
    }
    in.close_write();
  });
  std::string output;
  std::thread reader([&] { output = read_all(out.read_end()); });

  auto forwarded = forward_unix_socket(socket_path(), in.read_end(), out.write_end());
  out.close_write();
  writer.join();
  reader.join();
  ASSERT_TRUE(forwarded) << forwarded.error().message;
  EXPECT_EQ(server.received(), input);
  EXPECT_EQ(output, "got: " + input) << "the answer came after the input had ended";
}

TEST_F(FdForwardTest, ReportsWhatItCannotReach) {
  auto missing = forward_unix_socket(socket_path(), STDIN_FILENO, STDOUT_FILENO);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(missing.error().message, "Failed dialing remote address: No such file or directory");

  const std::string long_path(200, 'a');
  auto too_long = forward_unix_socket(long_path, STDIN_FILENO, STDOUT_FILENO);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.error().message,
            "Unable to use \"" + long_path + "\" as unix address: path too long");
}

TEST_F(FdForwardTest, TheCommandRelaysItsStdinAndStdout) {
  AnswerOnce server(socket_path());
  auto result = fleet::testing::run_command(
      {"bash", "-c", "printf hello | \"$0\" fd-forward \"$1\"", FLEETCTL_BINARY, socket_path()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "got: hello");
  EXPECT_EQ(server.received(), "hello");
}

TEST_F(FdForwardTest, TheCommandTakesOneSocket) {
  std::ostringstream out, err;
  const auto no_environment = [](const std::string&) { return std::nullopt; };
  EXPECT_EQ(run({"fd-forward"}, out, err, no_environment), 1);
  EXPECT_EQ(err.str(), "Provide a single argument\n");
  err.str("");
  EXPECT_EQ(run({"fd-forward", socket_path()}, out, err, no_environment), 1);
  EXPECT_EQ(err.str(), "Failed dialing remote address: No such file or directory\n");
}

}  // namespace
}  // namespace fleet::fleetctl
