#include "fleet/api/listeners.h"

#include <cstdlib>
#include <fstream>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixtures/temp_dir.h"

namespace fleet::api {
namespace {

using ::testing::HasSubstr;

class ListenersTest : public ::testing::Test {
 protected:
  std::string socket_path(const std::string& name = "fleet.sock") const {
    return (dir_.path() / name).string();
  }

  // A unix socket bound at `path`, listening, or closed again right away (a dead fleetd's file).
  static int bound_socket(const std::string& path, bool keep) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(fd, 1), 0);
    if (keep) return fd;
    close(fd);
    return -1;
  }

  fleet::testing::TempDir dir_{"api-listeners"};
};

TEST_F(ListenersTest, CreatesTheUnixSocketWithItsMode) {
  auto opened = open_listeners({.socket_activation = false, .unix_socket = socket_path()});
  ASSERT_TRUE(opened.failures.empty()) << opened.failures[0].message;
  ASSERT_EQ(opened.listeners.size(), 1u);
  const auto& listener = opened.listeners[0];
  EXPECT_EQ(listener.kind(), Listener::Kind::kUnix);
  EXPECT_EQ(listener.address(), "unix:" + socket_path());
  EXPECT_EQ(listener.socket_file(), socket_path());
  struct stat info {};
  ASSERT_EQ(stat(socket_path().c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);
}

TEST_F(ListenersTest, ReplacesAStaleSocketButNeitherALiveOneNorAnotherFile) {
  bound_socket(socket_path(), /*keep=*/false);
  auto replaced = open_listeners({.socket_activation = false, .unix_socket = socket_path()});
  EXPECT_TRUE(replaced.failures.empty());
  EXPECT_EQ(replaced.listeners.size(), 1u);

  auto second = open_listeners({.socket_activation = false, .unix_socket = socket_path()});
  EXPECT_TRUE(second.listeners.empty());
  ASSERT_EQ(second.failures.size(), 1u);
  EXPECT_THAT(second.failures[0].message, HasSubstr("is served by another process"));

  std::ofstream(socket_path("plain")) << "not a socket";
  auto plain = open_listeners({.socket_activation = false, .unix_socket = socket_path("plain")});
  ASSERT_EQ(plain.failures.size(), 1u);
  EXPECT_THAT(plain.failures[0].message, HasSubstr("exists and is not a socket"));
  EXPECT_TRUE(std::ifstream(socket_path("plain")).good()) << "left alone";
}

TEST_F(ListenersTest, ListensOnEveryTcpAddressBesides) {
  auto opened = open_listeners({.socket_activation = false,
                                .unix_socket = socket_path(),
                                .tcp = {{"127.0.0.1", 0}, {"no-such-host.invalid", 1}}});
  ASSERT_EQ(opened.listeners.size(), 2u);
  EXPECT_EQ(opened.listeners[1].kind(), Listener::Kind::kTcp);
  EXPECT_THAT(opened.listeners[1].address(), HasSubstr("tcp:127.0.0.1:"));
  EXPECT_NE(opened.listeners[1].address(), "tcp:127.0.0.1:0") << "shows the port taken";
  ASSERT_EQ(opened.failures.size(), 1u);
  EXPECT_THAT(opened.failures[0].message, HasSubstr("no-such-host.invalid:1"));
}

TEST_F(ListenersTest, TakesTheSocketsSystemdPassesInsteadOfItsOwn) {
  // systemd passes sockets from descriptor 3 on; this process must not be using it.
  if (fcntl(3, F_GETFD) != -1) GTEST_SKIP() << "descriptor 3 is taken in this process";
  int activated = bound_socket(socket_path("activated.sock"), /*keep=*/true);
  if (activated != 3) {
    ASSERT_EQ(dup2(activated, 3), 3);
    close(activated);
  }
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDS", "1", 1);

  auto opened = open_listeners({.unix_socket = socket_path()});
  EXPECT_TRUE(opened.failures.empty()) << opened.failures[0].message;
  ASSERT_EQ(opened.listeners.size(), 1u);
  EXPECT_EQ(opened.listeners[0].fd(), 3);
  EXPECT_EQ(opened.listeners[0].kind(), Listener::Kind::kUnix);
  EXPECT_EQ(opened.listeners[0].address(), "unix:" + socket_path("activated.sock"));
  EXPECT_EQ(opened.listeners[0].socket_file(), "") << "systemd's socket is systemd's to remove";
  EXPECT_EQ(access(socket_path().c_str(), F_OK), -1) << "no socket of its own";
  EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr) << "not passed on to children";
}

}  // namespace
}  // namespace fleet::api
