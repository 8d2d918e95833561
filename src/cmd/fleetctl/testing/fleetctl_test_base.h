// fleetctl run in-process against a real etcd through the driver the test binary links
// (driver_under_test.h). The test plays the rest of the cluster: it registers machines and, as
// the engine and the machines' agents would, schedules units and publishes their states, so what
// fleetctl prints can be checked line by line.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/etcd/testing/etcd_test_base.h"
#include "fleet/registry/registry.h"
#include "fleet/unit/desired_state.h"

#include "cmd/fleetctl/testing/driver_under_test.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetctl::testing {

// examples/hello.service, whose hash the README quotes: e55c0ae.
inline constexpr std::string_view kHello =
    "[Unit]\n"
    "Description=Hello World\n"
    "\n"
    "[Service]\n"
    "ExecStart=/bin/bash -c \"while true; do echo \\\"Hello, world\\\"; sleep 1; done\"\n";
inline constexpr std::string_view kMachine = "2c1f8e3a9b7d4c6e8f0a1b2c3d4e5f60";
inline constexpr std::string_view kOtherMachine = "7d0e5b1c2a3f4e6d8c9b0a1f2e3d4c5b";

// What one fleetctl run printed and returned.
struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

class FleetctlTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override;
  void TearDown() override;

  // fleetctl through the driver under test, with an empty environment.
  Outcome fleetctl(std::vector<std::string> args);
  std::future<Outcome> fleetctl_async(const std::vector<std::string>& args);
  // Whether `fleetctl args` prints `out` within 10 s. For what the test wrote behind fleetctl's
  // back (as the engine or an agent): the API server sees etcd's changes a moment later.
  bool eventually_prints(const std::vector<std::string>& args, const std::string& out);
  // fleetctl with exactly `args`: no driver flags added.
  static Outcome fleetctl_as_is(const std::vector<std::string>& args);

  // Writes a unit file into the test's directory; returns its path.
  std::string write_unit(const std::string& name, std::string_view text);

  void register_machine(registry::Metadata metadata = {}, std::string_view id = kMachine,
                        std::string_view ip = "10.0.0.7");

  std::optional<unit::DesiredState> desired(const std::string& unit);
  // Waits until fleetctl has asked for `state`, as the engine and agents would notice.
  bool asked_for(const std::string& unit, unit::DesiredState state);

  // The engine's part: `unit` onto kMachine (`on`), or off it.
  void schedule(const std::string& unit, bool on);
  // An agent's part: how `machine`'s systemd runs `unit`.
  void report(const std::string& unit, bool launched, const std::string& active,
              std::string_view machine = kMachine);

  // Starts hello.service on kMachine through fleetctl, playing engine and agent.
  void start_hello();

  fleet::testing::TempDir dir_{"fleetctl-test"};
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<DriverUnderTest> driver_;
  etcd::LeaseId lease_ = 0;
};

}  // namespace fleet::fleetctl::testing
