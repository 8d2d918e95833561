#include "cmd/fleetctl/testing/fleetctl_test_base.h"

#include <fstream>
#include <sstream>

#include "cmd/fleetctl/fleetctl.h"
#include "fixtures/eventually.h"

namespace fleet::fleetctl::testing {

using namespace std::chrono_literals;
using unit::DesiredState;

void FleetctlTest::SetUp() {
  EtcdTestBase::SetUp();
  registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
  lease_ = client_->lease_grant(60).value().id;
  driver_ = start_driver({server_->endpoint(), prefix_, *registry_});
}

void FleetctlTest::TearDown() {
  // The driver (an API server) reads through the registry: it goes first.
  driver_.reset();
  registry_.reset();
}

Outcome FleetctlTest::fleetctl_as_is(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Outcome outcome;
  outcome.status = run(args, out, err, [](const std::string&) { return std::nullopt; });
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

Outcome FleetctlTest::fleetctl(std::vector<std::string> args) {
  auto flags = driver_->flags();
  args.insert(args.begin(), flags.begin(), flags.end());
  return fleetctl_as_is(args);
}

bool FleetctlTest::eventually_prints(const std::vector<std::string>& args, const std::string& out) {
  return fleet::testing::eventually([&] { return fleetctl(args).out == out; }, 10s);
}

std::future<Outcome> FleetctlTest::fleetctl_async(const std::vector<std::string>& args) {
  return std::async(std::launch::async, [this, args] { return fleetctl(args); });
}

std::string FleetctlTest::write_unit(const std::string& name, std::string_view text) {
  auto path = (dir_.path() / name).string();
  std::ofstream(path) << text;
  return path;
}

void FleetctlTest::register_machine(registry::Metadata metadata, std::string_view id,
                                    std::string_view ip) {
  ASSERT_TRUE(registry_->register_machine(
      {std::string(id), std::string(ip), std::move(metadata), "0.1.0", {}}, lease_));
}

std::optional<DesiredState> FleetctlTest::desired(const std::string& unit) {
  auto record = registry_->unit(unit);
  if (!record || !*record) return std::nullopt;
  return (*record)->desired;
}

bool FleetctlTest::asked_for(const std::string& unit, DesiredState state) {
  return fleet::testing::eventually([&] { return desired(unit) == state; }, 10s);
}

void FleetctlTest::schedule(const std::string& unit, bool on) {
  auto record = registry_->unit(unit).value().value();
  registry::ScheduleWrite write{unit,
                                on ? "" : std::string(kMachine),
                                on ? std::string(kMachine) : "",
                                {record.hash, record.desired}};
  ASSERT_TRUE(registry_->write_schedule({write}, etcd::Compare::absent(key("no-such-key"))));
}

void FleetctlTest::report(const std::string& unit, bool launched, const std::string& active,
                          std::string_view machine) {
  auto record = registry_->unit(unit).value().value();
  ASSERT_TRUE(registry_->publish_state(
      unit, machine,
      {record.hash, "loaded", active, active == "active" ? "running" : "dead", launched}, lease_));
}

void FleetctlTest::start_hello() {
  register_machine();
  auto started =
      fleetctl_async({"start", "--block-attempts=10", write_unit("hello.service", kHello)});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLaunched));
  schedule("hello.service", true);
  report("hello.service", true, "active");
  auto result = started.get();
  ASSERT_EQ(result.status, 0) << result.err;
}

}  // namespace fleet::fleetctl::testing
