// What only the API driver does, against fleetd's real HTTP API server (the shared bodies are in
// fleetctl_test.cc): the endpoint's forms and mistakes, errors that name the endpoint, the
// request timeout, and listings longer than one page.
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/fleetctl/testing/fleetctl_test_base.h"

namespace fleet::fleetctl {
namespace {

using namespace std::chrono_literals;
using testing::FleetctlTest;
using testing::kHello;

TEST_F(FleetctlTest, ListingsFollowEveryPage) {
  // The server under test pages by two.
  std::vector<std::string> paths;
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    paths.push_back(write_unit(std::string(name) + ".service", kHello));
  }
  std::vector<std::string> submit = {"submit"};
  submit.insert(submit.end(), paths.begin(), paths.end());
  ASSERT_EQ(fleetctl(submit).status, 0);
  auto listed = fleetctl({"list-unit-files", "--no-legend", "--fields=unit"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(listed.out, "a.service\nb.service\nc.service\nd.service\ne.service\n");

  register_machine();
  for (const char* name : {"a", "b", "c"})
    report(std::string(name) + ".service", false, "inactive");
  EXPECT_TRUE(eventually_prints({"list-units", "--no-legend", "--fields=unit,active"},
                                "a.service\tinactive\nb.service\tinactive\nc.service\tinactive\n"));
}

TEST_F(FleetctlTest, TheApiIsTheDefaultDriver) {
  auto flags = driver_->flags();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_TRUE(flags.front().starts_with("--endpoint=unix://")) << "no --driver given";
  ASSERT_EQ(fleetctl({"submit", write_unit("hello.service", kHello)}).status, 0);
  EXPECT_EQ(fleetctl({"cat", "hello"}).out, kHello);
}

TEST_F(FleetctlTest, OnlyTheFirstEndpointIsUsed) {
  auto flags = driver_->flags();
  auto result = fleetctl_as_is({flags.front() + ",http://127.0.0.1:1", "list-machines"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "WARNING: multiple endpoints provided but only the first (" +
                            flags.front().substr(std::string("--endpoint=").size()) +
                            ") is used\n");
}

TEST_F(FleetctlTest, EndpointMistakesAreReportedBeforeAnyRequest) {
  const std::pair<std::string, std::string> cases[] = {
      {"/var/run/fleet.sock", "URL scheme undefined"},
      {"unix://var/run/fleet.sock", "unable to connect to host \"var\" with scheme \"unix\""},
      {"ftp://host",
       "unsupported URL scheme \"ftp\" in endpoint \"ftp://host\": use http://, "
       "https:// or unix://"},
  };
  for (const auto& [endpoint, message] : cases) {
    auto result = fleetctl_as_is({"--endpoint=" + endpoint, "list-units"});
    EXPECT_EQ(result.status, 1) << endpoint;
    EXPECT_EQ(result.err, "Unable to initialize client: " + message + "\n");
  }
  auto unreadable_ca = fleetctl_as_is(
      {"--endpoint=https://127.0.0.1:1", "--ca-file=/nonexistent/ca.pem", "list-units"});
  EXPECT_EQ(unreadable_ca.status, 1);
  EXPECT_TRUE(unreadable_ca.err.starts_with(
      "Unable to initialize client: cannot use TLS file \"/nonexistent/ca.pem\": "))
      << unreadable_ca.err;
}

TEST_F(FleetctlTest, AnUnreachableFleetdIsNamedWithWhatToCheck) {
  const std::string endpoint = "unix://" + (dir_.path() / "no-fleetd.sock").string();
  auto result = fleetctl_as_is({"--endpoint=" + endpoint, "list-machines"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "Error retrieving list of active machines: cannot connect to the fleet API "
            "at " +
                endpoint +
                " (No such file or directory): check that fleetd is running and "
                "serves its API there, or --endpoint\n");
}

TEST_F(FleetctlTest, TheRequestTimeoutBoundsEachApiRequest) {
  // A socket that accepts connections (the kernel's backlog does) but never answers.
  const std::string path = (dir_.path() / "silent.sock").string();
  const int silent = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  path.copy(address.sun_path, sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(silent, 4), 0);

  const auto start = std::chrono::steady_clock::now();
  auto result =
      fleetctl_as_is({"--endpoint=unix://" + path, "--request-timeout=0.3", "list-units"});
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(silent);
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "Error retrieving list of units from repository: the fleet API at unix://" +
                            path +
                            " did not answer within 0.3s: check that fleetd is healthy, or allow "
                            "more time with --request-timeout\n");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);
}

}  // namespace
}  // namespace fleet::fleetctl
