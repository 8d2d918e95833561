// fleetctl over SSH as the original's functional suite drives it (spec 7.2: TestUnitSSHActions,
// TestKnownHostsVerification, TestTunnelScheduleBatchUnits): the real bin/fleetctl runs OpenSSH's
// ssh with a test ssh-agent against an sshd in each machine (scripts/cluster sshd), as root.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cluster_harness.h"
#include "fixtures/eventually.h"
#include "fixtures/run_command.h"
#include "fixtures/ssh_agent.h"
#include "fixtures/temp_dir.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using unit::DesiredState;

const std::string kFleetctl = std::string(FLEET_BINARY_DIR) + "/bin/fleetctl";

class SshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ = new ClusterHarness(fleetd_machines(2));
    agent_ = new SshAgent();
    for (size_t m = 0; m < harness_->size(); ++m) {
      harness_->cluster().start_sshd(m, agent_->public_key());
    }
  }
  static void TearDownTestSuite() {
    delete agent_;
    agent_ = nullptr;
    delete harness_;
    harness_ = nullptr;
  }

  ClusterHarness& h() { return *harness_; }
  const NspawnCluster::Machine& machine(size_t m) { return h().cluster().machines()[m]; }
  std::string known_hosts() { return (dir_.path() / "known_hosts").string(); }

  // bin/fleetctl with the test's ssh-agent, as root, host keys checked against known_hosts(),
  // talking to machine 0's API unless `args` names an --endpoint; `env` adds variables.
  CommandResult fleetctl(const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv = {"env", "SSH_AUTH_SOCK=" + agent_->socket().string()};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(),
                {kFleetctl, "--ssh-username=root", "--known-hosts-file=" + known_hosts()});
    if (std::none_of(args.begin(), args.end(),
                     [](const std::string& arg) { return arg.starts_with("--endpoint="); })) {
      argv.push_back("--endpoint=" + h().cluster().fleet_endpoint(0));
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, 60s);
  }

  // The same without host key checking, for the tests that are not about it.
  CommandResult unchecked(std::vector<std::string> args) {
    args.insert(args.begin(), "--strict-host-key-checking=false");
    return fleetctl(args);
  }

  // The same, answering ssh's host key question with `answer`, as a user at the terminal would.
  CommandResult fleetctl_answering(const std::string& answer,
                                   const std::vector<std::string>& args) {
    const auto script = dir_.path() / "askpass";
    std::ofstream(script) << "#!/bin/sh\necho " << answer << "\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    return fleetctl(args, {"SSH_ASKPASS=" + script.string(), "SSH_ASKPASS_REQUIRE=force"});
  }

  // hello.service running on machine 1, printing a line we can look for.
  void start_hello() {
    h().submit("hello.service",
               "[Service]\nExecStart=/bin/sh -c 'echo ssh-hello; exec sleep infinity'\n\n"
               "[X-Fleet]\nMachineID=" +
                   machine(1).machine_id + "\n",
               DesiredState::kLaunched);
    ASSERT_EQ(h().wait_running("hello.service", 60s), std::optional<size_t>(1))
        << h().fleetd_log(1);
  }

  TempDir dir_{"fleet-ssh-test"};
  static ClusterHarness* harness_;
  static SshAgent* agent_;
};

ClusterHarness* SshTest::harness_ = nullptr;
SshAgent* SshTest::agent_ = nullptr;

// TestUnitSSHActions: ssh to a unit's machine runs a command there; status and journal go over
// SSH when an ssh-agent is set up.
TEST_F(SshTest, UnitSshActions) {
  start_hello();
  auto echo = unchecked({"ssh", "hello.service", "echo", "foo"});
  EXPECT_EQ(echo.exit_code, 0) << echo.output;
  EXPECT_EQ(echo.output, "foo\n");

  // The remote command's exit status is fleetctl's.
  auto failing = unchecked({"ssh", "hello.service", "--", "exit", "3"});
  EXPECT_EQ(failing.exit_code, 3) << failing.output;

  // A machine by a prefix of its ID, and --machine / --unit.
  auto by_id = unchecked({"ssh", machine(0).machine_id.substr(0, 12), "cat", "/etc/hostname"});
  EXPECT_EQ(by_id.output, machine(0).name + "\n");
  auto by_flag = unchecked({"ssh", "--unit=hello.service", "--", "cat", "/etc/machine-id"});
  EXPECT_EQ(by_flag.output, machine(1).machine_id + "\n");

  auto status = unchecked({"status", "hello.service"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr("Active: active (running)"));

  auto journal = unchecked({"journal", "--sudo", "--lines=100", "hello.service"});
  EXPECT_EQ(journal.exit_code, 0) << journal.output;
  EXPECT_THAT(journal.output, HasSubstr("ssh-hello"));

  h().destroy("hello.service");
}

TEST_F(SshTest, SshRefusesWhatItCannotReach) {
  auto both = fleetctl({"ssh", "--machine=x", "--unit=y"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_EQ(both.output, "Both machine and unit flags provided, please specify only one.\n");
  auto nothing = fleetctl({"ssh", "no-such.service"});
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_EQ(nothing.output, "Unable to proceed: could not find matching unit or machine\n");
  auto none = fleetctl({"ssh"});
  EXPECT_EQ(none.output, "Unable to proceed: one machine or unit must be provided\n");
}

// TestKnownHostsVerification: answering yes stores the host key; a machine with a new host key
// is refused; emptying known_hosts lets the user accept it again.
TEST_F(SshTest, KnownHostsVerification) {
  const std::vector<std::string> ssh = {"ssh", machine(0).machine_id, "echo", "reached"};
  auto refused = fleetctl_answering("no", ssh);
  EXPECT_EQ(refused.exit_code, 255) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("Host key verification failed"));

  auto accepted = fleetctl_answering("yes", ssh);
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
  EXPECT_THAT(accepted.output, HasSubstr("reached"));
  std::ifstream file(known_hosts());
  const std::string stored((std::istreambuf_iterator<char>(file)), {});
  EXPECT_THAT(stored, HasSubstr(machine(0).address + " ssh-ed25519 "));

  // Known now: no question asked (an askpass answering "no" would fail it).
  auto again = fleetctl_answering("no", ssh);
  EXPECT_EQ(again.exit_code, 0) << again.output;

  h().cluster().start_sshd(0, agent_->public_key(), /*new_host_key=*/true);
  auto changed = fleetctl_answering("yes", ssh);
  EXPECT_EQ(changed.exit_code, 255) << changed.output;
  EXPECT_THAT(changed.output, HasSubstr("REMOTE HOST IDENTIFICATION HAS CHANGED"));
  EXPECT_THAT(changed.output, Not(HasSubstr("reached")));

  std::ofstream(known_hosts(), std::ios::trunc).flush();
  auto fresh = fleetctl_answering("yes", ssh);
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_THAT(fresh.output, HasSubstr("reached"));
}

// TestTunnelScheduleBatchUnits: every request through an SSH tunnel to a machine, which reaches
// its own API socket (the default endpoint) for fleetctl: one unit, then ten instances at once.
TEST_F(SshTest, TunnelScheduleBatchUnits) {
  const auto units = dir_.path();
  std::ofstream(units / "tunnelled.service") << "[Service]\nExecStart=/bin/sleep infinity\n";
  std::ofstream(units / "batch@.service") << "[Service]\nExecStart=/bin/sleep infinity\n";
  // The default endpoint, the API socket as the bastion sees it.
  auto via = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--tunnel=" + machine(0).address, "--endpoint=unix:///var/run/fleet.sock"});
    return unchecked(args);
  };
  auto one = via({"start", (units / "tunnelled.service").string()});
  EXPECT_EQ(one.exit_code, 0) << one.output;
  std::vector<std::string> batch = {"start"};
  std::vector<std::string> names = {"tunnelled.service"};
  for (int i = 1; i <= 10; ++i) {
    names.push_back("batch@" + std::to_string(i) + ".service");
    batch.push_back((units / names.back()).string());
  }
  auto many = via(batch);
  EXPECT_EQ(many.exit_code, 0) << many.output;
  EXPECT_THAT(many.output, Not(HasSubstr("Error")));

  // start waited for each to be active; list-units shows it through the tunnel.
  auto listed = via({"list-units", "--no-legend", "--fields=unit,active"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  const std::regex active_line(R"((tunnelled|batch@\d+)\.service\s+active)");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(listed.output.begin(), listed.output.end(), active_line),
                    std::sregex_iterator()),
      11)
      << listed.output;

  // An http endpoint as the bastion reaches it: machine 1's API on its address.
  auto over_tcp = unchecked({"--tunnel=" + machine(0).address,
                             "--endpoint=http://" + machine(1).address + ":49153", "list-machines",
                             "--no-legend", "--fields=ip"});
  EXPECT_EQ(over_tcp.exit_code, 0) << over_tcp.output;
  EXPECT_THAT(over_tcp.output, HasSubstr(machine(1).address));

  // The etcd driver too: etcd as the machines reach it, through the bastion.
  auto etcd = unchecked({"--driver=etcd", "--tunnel=" + machine(0).address,
                         "--endpoint=" + h().cluster().etcd_machine_endpoint(), "list-machines",
                         "--no-legend", "--fields=ip"});
  EXPECT_EQ(etcd.exit_code, 0) << etcd.output;
  EXPECT_THAT(etcd.output, HasSubstr(machine(0).address));
  EXPECT_THAT(etcd.output, HasSubstr(machine(1).address));

  // Status through the tunnel runs over SSH, hopping through the bastion to the unit's machine.
  auto status = via({"status", "batch@1.service"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr("Active: active (running)"));

  names.insert(names.begin(), "destroy");
  names.push_back("batch@.service");
  auto destroyed = via(names);
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.output;
}

}  // namespace
}  // namespace fleet::testing
