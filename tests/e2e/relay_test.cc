// fleetctl status and journal without SSH (decisions.md "Added"): fleetctl asks machine 0's
// fleetd about a unit pinned to machine 1, and that fleetd relays to machine 1's fleetd, which
// runs systemctl and journalctl there.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "cluster_harness.h"
#include "fixtures/child_process.h"
#include "fixtures/eventually.h"
#include "fixtures/run_command.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

const std::string kFleetctl = std::string(FLEET_BINARY_DIR) + "/bin/fleetctl";

class RelayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new ClusterHarness({.machines = 2, .fleetd = true});
    // A line at start, then one a second, so a follower always has something new to see.
    harness_->submit("talker.service",
                     "[Service]\nExecStart=/bin/sh -c 'echo relay-hello; while :; do echo tick; "
                     "sleep 1; done'\n\n[X-Fleet]\nMachineID=" +
                         harness_->cluster().machines()[1].machine_id + "\n",
                     DesiredState::kLaunched);
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  ClusterHarness& h() { return *harness_; }

  std::vector<std::string> fleetctl(std::vector<std::string> args) {
    // Through fleetd even where the test runs with an ssh-agent.
    args.insert(args.begin(), {kFleetctl, "--endpoint=" + h().cluster().fleet_endpoint(0),
                               "--inspect-via=fleetd"});
    return args;
  }

  void expect_talker_running() {
    ASSERT_EQ(h().wait_running("talker.service", 60s), std::optional<size_t>(1))
        << h().fleetd_log(1);
  }

  static ClusterHarness* harness_;
};

ClusterHarness* RelayTest::harness_ = nullptr;

TEST_F(RelayTest, StatusComesFromTheUnitsMachine) {
  expect_talker_running();
  auto status = run_command(fleetctl({"status", "talker.service"}));
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("talker.service"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("Active: active (running)"), std::string::npos) << status.output;
}

TEST_F(RelayTest, JournalShowsWhatTheUnitPrinted) {
  expect_talker_running();
  auto journal = run_command(fleetctl({"journal", "--lines=1000", "talker.service"}));
  EXPECT_EQ(journal.exit_code, 0) << journal.output;
  EXPECT_NE(journal.output.find("relay-hello"), std::string::npos) << journal.output;
}

TEST_F(RelayTest, FollowingStreamsLinesPrintedAfterItStarted) {
  expect_talker_running();
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  // No past lines: any tick read was printed while following.
  auto follower =
      ChildProcess::spawn(fleetctl({"journal", "--lines=0", "-f", "talker.service"}), fds[1]);
  close(fds[1]);
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (seen.find("tick") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd readable{.fd = fds[0], .events = POLLIN, .revents = 0};
    if (poll(&readable, 1, 500) <= 0) continue;
    char buffer[4096];
    const ssize_t got = read(fds[0], buffer, sizeof(buffer));
    if (got <= 0) break;
    seen.append(buffer, static_cast<size_t>(got));
  }
  EXPECT_NE(seen.find("tick"), std::string::npos) << seen;
  EXPECT_TRUE(follower.running()) << "a follower ends only when interrupted: " << seen;
  follower.terminate(5s);
  close(fds[0]);
  // Both fleetds notice the follower went away, and machine 1's journalctl is stopped.
  EXPECT_TRUE(eventually(
      [&] {
        return h().cluster().exec(1, {"pgrep", "-x", "journalctl"}).exit_code == 1;
      },
      15s, 250ms))
      << h().cluster().exec(1, {"ps", "-ef"}).output;
}

TEST_F(RelayTest, UnknownAndInactiveUnitsAreRefused) {
  auto unknown = run_command(fleetctl({"status", "nope.service"}));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.output, "Unit nope.service does not exist.\n");

  h().submit("idle.service", "[Service]\nExecStart=/bin/sleep infinity\n", DesiredState::kInactive);
  auto status = run_command(fleetctl({"status", "idle.service"}));
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_EQ(status.output, "Unit idle.service does not appear to be loaded.\n");
  auto journal = run_command(fleetctl({"journal", "idle.service"}));
  EXPECT_EQ(journal.exit_code, 1);
  EXPECT_EQ(journal.output, "Unit idle.service does not appear to be running.\n");
}

}  // namespace
}  // namespace fleet::testing
