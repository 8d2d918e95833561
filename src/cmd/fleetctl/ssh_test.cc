#include "cmd/fleetctl/ssh.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace fleet::fleetctl {
namespace {

TEST(SplitAddressTest, PortsComeFromTheAddressOrTheDefault) {
  struct Case {
    std::string address;
    std::string host;
    int port;
  };
  for (const auto& [address, host, port] : std::vector<Case>{{"10.0.0.1", "10.0.0.1", 22},
                                                             {"10.0.0.1:2222", "10.0.0.1", 2222},
                                                             {"node-1", "node-1", 22},
                                                             {"[fd00::1]:2200", "fd00::1", 2200},
                                                             {"[fd00::1]", "fd00::1", 22},
                                                             {"fd00::1", "fd00::1", 22}}) {
    auto split = split_address(address, 22);
    ASSERT_TRUE(split.has_value()) << address;
    EXPECT_EQ(split->host, host) << address;
    EXPECT_EQ(split->port, port) << address;
  }
}

TEST(SplitAddressTest, BadAddressesAreNamed) {
  EXPECT_EQ(split_address("", 22).error().message, "no host in address \"\"");
  EXPECT_EQ(split_address(":22", 22).error().message, "no host in address \":22\"");
  EXPECT_EQ(split_address("h:0", 22).error().message, "bad port \"0\" in address \"h:0\"");
  EXPECT_EQ(split_address("h:x", 22).error().message, "bad port \"x\" in address \"h:x\"");
  EXPECT_EQ(split_address("[fd00::1", 22).error().message, "missing ']' in address \"[fd00::1\"");
}

SshSettings settings() {
  return {.user = "core",
          .known_hosts_file = "/home/u/.fleetctl/known_hosts",
          .strict_host_key_checking = true,
          .timeout_seconds = 2.5,
          .tunnel = "",
          .port = 2222,
          .forward_agent = false};
}

TEST(SshArgvTest, StrictCheckingUsesTheKnownHostsFileAndAsks) {
  auto argv = ssh_argv(settings(), "10.0.0.5", "echo hi");
  ASSERT_TRUE(argv.has_value());
  EXPECT_EQ(*argv,
            (std::vector<std::string>{
                "ssh", "-o", "ConnectTimeout=3", "-o", "StrictHostKeyChecking=ask", "-o",
                "UserKnownHostsFile=\"/home/u/.fleetctl/known_hosts\"", "-o", "HashKnownHosts=no",
                "-l", "core", "-p", "2222", "--", "10.0.0.5", "echo hi"}));
}

TEST(SshArgvTest, TheConnectTimeoutIsAtLeastOneSecondAndSaturates) {
  auto connect_timeout = [](double seconds) {
    auto timed = settings();
    timed.timeout_seconds = seconds;
    auto argv = ssh_argv(timed, "10.0.0.5", "");
    return argv ? argv->at(2) : argv.error().message;
  };
  EXPECT_EQ(connect_timeout(0), "ConnectTimeout=1");
  EXPECT_EQ(connect_timeout(-5), "ConnectTimeout=1");
  EXPECT_EQ(connect_timeout(1e300), "ConnectTimeout=1000000000") << "not lround's overflow";
}

TEST(SshArgvTest, WithoutStrictCheckingNothingIsCheckedOrWritten) {
  auto loose = settings();
  loose.strict_host_key_checking = false;
  loose.forward_agent = true;
  auto argv = ssh_argv(loose, "10.0.0.5:22", "");
  ASSERT_TRUE(argv.has_value());
  EXPECT_EQ(*argv, (std::vector<std::string>{
                       "ssh", "-o", "ConnectTimeout=3", "-o", "StrictHostKeyChecking=no", "-o",
                       "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-o",
                       "LogLevel=ERROR", "-l", "core", "-p", "22", "-A", "--", "10.0.0.5"}));
}

TEST(SshArgvTest, ATunnelIsAProxyCommandWithTheSameChecks) {
  auto tunnelled = settings();
  tunnelled.tunnel = "bastion:2200";
  tunnelled.known_hosts_file = "/tmp/100%/known_hosts";
  auto argv = ssh_argv(tunnelled, "10.0.0.5", "uptime");
  ASSERT_TRUE(argv.has_value());
  auto proxy = std::find_if(argv->begin(), argv->end(),
                            [](const std::string& w) { return w.starts_with("ProxyCommand="); });
  ASSERT_NE(proxy, argv->end());
  // ssh expands %-tokens in both the file name and the command: fleetctl's '%' is doubled.
  EXPECT_EQ(
      *proxy,
      "ProxyCommand=ssh '-o' 'ConnectTimeout=3' '-o' 'StrictHostKeyChecking=ask' '-o' "
      "'UserKnownHostsFile=\"/tmp/100%%%%/known_hosts\"' '-o' 'HashKnownHosts=no' '-l' 'core' "
      "'-p' '2200' -W %h:%p "
      "-- 'bastion'");
  EXPECT_EQ(argv->back(), "uptime");
  EXPECT_EQ((*argv)[argv->size() - 2], "10.0.0.5");
}

TEST(SshArgvTest, ForwardingHoldsEveryForwardAndEndsWhenOneFails) {
  auto argv = ssh_forward_argv(settings(), "bastion",
                               {"/tmp/t/0.sock:/var/run/fleet.sock", "127.0.0.1:4000:etcd:2379"});
  ASSERT_TRUE(argv.has_value());
  const std::vector<std::string> head = {"ssh", "-N", "-T", "-o", "ExitOnForwardFailure=yes"};
  EXPECT_TRUE(std::equal(head.begin(), head.end(), argv->begin()));
  auto first = std::find(argv->begin(), argv->end(), "-L");
  ASSERT_NE(first, argv->end());
  EXPECT_EQ(*(first + 1), "/tmp/t/0.sock:/var/run/fleet.sock");
  EXPECT_EQ(*(first + 2), "-L");
  EXPECT_EQ(*(first + 3), "127.0.0.1:4000:etcd:2379");
  EXPECT_EQ(argv->back(), "bastion");
}

TEST(ShellQuoteTest, QuotesSurviveAShell) {
  EXPECT_EQ(shell_quote("hello.service"), "'hello.service'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("a\\x2db@1.service"), "'a\\x2db@1.service'");
}

}  // namespace
}  // namespace fleet::fleetctl
