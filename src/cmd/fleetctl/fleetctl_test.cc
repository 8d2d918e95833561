// fleetctl against a real etcd with --driver=etcd. The test plays the rest of the cluster: it
// registers a machine and, as the engine and that machine's agent would, schedules units and
// publishes their states, so what fleetctl prints can be checked line by line.
#include "cmd/fleetctl/fleetctl.h"

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"
#include "fleet/registry/registry.h"

#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetctl {
namespace {

using namespace std::chrono_literals;
using unit::DesiredState;

// examples/hello.service, whose hash the README quotes: e55c0ae.
constexpr std::string_view kHello =
    "[Unit]\n"
    "Description=Hello World\n"
    "\n"
    "[Service]\n"
    "ExecStart=/bin/bash -c \"while true; do echo \\\"Hello, world\\\"; sleep 1; done\"\n";
constexpr std::string_view kMachine = "2c1f8e3a9b7d4c6e8f0a1b2c3d4e5f60";

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

class FleetctlTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
    lease_ = client_->lease_grant(60).value().id;
  }

  // fleetctl on this test's etcd and prefix, with an empty environment.
  Outcome fleetctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--driver=etcd", "--endpoint=" + server_->endpoint(),
                               "--etcd-key-prefix=" + prefix_});
    std::ostringstream out, err;
    Outcome outcome;
    outcome.status = run(args, out, err, [](const std::string&) { return std::nullopt; });
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
  }

  std::future<Outcome> fleetctl_async(const std::vector<std::string>& args) {
    return std::async(std::launch::async, [this, args] { return fleetctl(args); });
  }

  std::string write_unit(const std::string& name, std::string_view text) {
    auto path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  void register_machine(registry::Metadata metadata = {}) {
    ASSERT_TRUE(registry_->register_machine(
        {std::string(kMachine), "10.0.0.7", std::move(metadata), "0.1.0", {}}, lease_));
  }

  std::optional<DesiredState> desired(const std::string& unit) {
    auto record = registry_->unit(unit);
    if (!record || !*record) return std::nullopt;
    return (*record)->desired;
  }

  // Waits until fleetctl has asked for `state`, as the engine and agent would notice.
  bool asked_for(const std::string& unit, DesiredState state) {
    return fleet::testing::eventually([&] { return desired(unit) == state; }, 10s);
  }

  // The engine's part: `unit` onto kMachine ("" to take it off).
  void schedule(const std::string& unit, bool on) {
    auto record = registry_->unit(unit).value().value();
    registry::ScheduleWrite write{unit,
                                  on ? "" : std::string(kMachine),
                                  on ? std::string(kMachine) : "",
                                  {record.hash, record.desired}};
    ASSERT_TRUE(registry_->write_schedule({write}, etcd::Compare::absent(key("no-such-key"))));
  }

  // The agent's part: how kMachine's systemd runs `unit`.
  void report(const std::string& unit, bool launched, const std::string& active) {
    auto record = registry_->unit(unit).value().value();
    ASSERT_TRUE(registry_->publish_state(
        unit, kMachine,
        {record.hash, "loaded", active, active == "active" ? "running" : "dead", launched},
        lease_));
  }

  // Starts hello.service on kMachine through fleetctl, playing engine and agent.
  void start_hello() {
    register_machine();
    auto started =
        fleetctl_async({"start", "--block-attempts=10", write_unit("hello.service", kHello)});
    ASSERT_TRUE(asked_for("hello.service", DesiredState::kLaunched));
    schedule("hello.service", true);
    report("hello.service", true, "active");
    auto result = started.get();
    ASSERT_EQ(result.status, 0) << result.err;
  }

  fleet::testing::TempDir dir_{"fleetctl-test"};
  std::unique_ptr<registry::Registry> registry_;
  etcd::LeaseId lease_ = 0;
};

TEST_F(FleetctlTest, SubmitThenListUnitFiles) {
  auto submitted = fleetctl({"submit", write_unit("hello.service", kHello)});
  EXPECT_EQ(submitted.status, 0) << submitted.err;
  EXPECT_EQ(submitted.out, "Unit hello.service inactive\n");
  EXPECT_EQ(submitted.err, "");

  auto listed = fleetctl({"list-unit-files"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(listed.out,
            "UNIT\t\tHASH\tDSTATE\t\tSTATE\t\tTARGET\n"
            "hello.service\te55c0ae\tinactive\tinactive\t-\n");

  auto again = fleetctl({"submit", (dir_.path() / "hello").string()});
  EXPECT_EQ(again.status, 0) << "submit is idempotent; `hello` names hello.service";
  EXPECT_EQ(again.out, "");

  EXPECT_EQ(fleetctl({"list-unit-files", "--no-legend", "--full", "--fields=hash,desc,global"}).out,
            "e55c0aeb44ba0b68004ceb8a200e685194448b45\tHello World\tfalse\n");
}

TEST_F(FleetctlTest, StartWaitsForTheMachineAndSystemd) {
  register_machine({{"region", "eu"}});
  auto started =
      fleetctl_async({"start", "--block-attempts=10", write_unit("hello.service", kHello)});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLaunched));
  schedule("hello.service", true);
  report("hello.service", /*launched=*/true, "activating");
  report("hello.service", /*launched=*/true, "active");
  auto result = started.get();
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out,
            "Unit hello.service inactive\nUnit hello.service launched on 2c1f8e3a.../10.0.0.7\n");
  EXPECT_EQ(result.err, "");

  EXPECT_EQ(fleetctl({"list-units"}).out,
            "UNIT\t\tMACHINE\t\t\tACTIVE\tSUB\n"
            "hello.service\t2c1f8e3a.../10.0.0.7\tactive\trunning\n");
  EXPECT_EQ(fleetctl({"list-units", "-l", "--fields=unit,load,hash", "--no-legend"}).out,
            "hello.service\tloaded\te55c0aeb44ba0b68004ceb8a200e685194448b45\n");
  EXPECT_EQ(fleetctl({"list-unit-files"}).out,
            "UNIT\t\tHASH\tDSTATE\t\tSTATE\t\tTARGET\n"
            "hello.service\te55c0ae\tlaunched\tlaunched\t2c1f8e3a.../10.0.0.7\n");
  EXPECT_EQ(fleetctl({"list-m"}).out,
            "MACHINE\t\tIP\t\tMETADATA\n2c1f8e3a...\t10.0.0.7\tregion=eu\n");
  EXPECT_EQ(fleetctl({"list-machines", "--full", "--no-legend", "--fields=machine"}).out,
            std::string(kMachine) + "\n");

  auto again = fleetctl({"start", "hello.service"});
  EXPECT_EQ(again.status, 0);
  EXPECT_EQ(again.out, "") << "already launched: nothing to wait for";
}

TEST_F(FleetctlTest, StartGivesUpAfterItsAttempts) {
  auto result = fleetctl({"start", "--block-attempts=1", write_unit("hello.service", kHello)});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "Unit hello.service inactive\n");
  EXPECT_EQ(result.err,
            "Error waiting for units: timed out waiting for unit hello.service to report state "
            "launched\nError waiting for unit states, exit status: 1\n");
}

TEST_F(FleetctlTest, StartFailsWhenSystemdDoesNotRunTheUnitWithinTheAttempts) {
  register_machine();
  auto started =
      fleetctl_async({"start", "--block-attempts=2", write_unit("hello.service", kHello)});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLaunched));
  schedule("hello.service", true);
  report("hello.service", /*launched=*/true, "failed");
  auto result = started.get();
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out,
            "Unit hello.service inactive\nUnit hello.service launched on 2c1f8e3a.../10.0.0.7\n");
  EXPECT_EQ(result.err,
            "Error waiting for units: timed out waiting for unit hello.service to become active "
            "in systemd (last seen loaded/failed/dead)\n"
            "Error waiting for unit states, exit status: 1\n");
}

TEST_F(FleetctlTest, NoBlockOnlyTriggers) {
  auto result = fleetctl({"load", "--no-block", write_unit("hello.service", kHello)});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "Unit hello.service inactive\nTriggered unit hello.service load\n");
  EXPECT_EQ(desired("hello.service"), DesiredState::kLoaded);
}

TEST_F(FleetctlTest, GlobalUnitsAreTriggeredNotWaitedFor) {
  auto path =
      write_unit("log.service", "[Service]\nExecStart=/bin/log\n\n[X-Fleet]\nGlobal=true\n");
  auto result = fleetctl({"start", path});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "Unit log.service inactive\nTriggered global unit log.service start\n");
  EXPECT_EQ(fleetctl({"list-unit-files", "--no-legend", "--fields=unit,state,target,global"}).out,
            "log.service\t-\tglobal\ttrue\n");
}

TEST_F(FleetctlTest, StopAndUnloadWaitForTheMachine) {
  start_hello();
  auto stopped = fleetctl_async({"stop", "--block-attempts=10", "hello.service"});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLoaded));
  report("hello.service", /*launched=*/false, "inactive");
  auto stop = stopped.get();
  EXPECT_EQ(stop.status, 0) << stop.err;
  EXPECT_EQ(stop.out, "Unit hello.service loaded on 2c1f8e3a.../10.0.0.7\n");
  EXPECT_EQ(stop.err, "Successfully stopped units [hello.service].\n");

  auto unloaded = fleetctl_async({"unload", "--block-attempts=10", "hello"});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kInactive));
  schedule("hello.service", false);
  ASSERT_TRUE(registry_->remove_state("hello.service", std::string(kMachine)));
  auto unload = unloaded.get();
  EXPECT_EQ(unload.status, 0) << unload.err;
  EXPECT_EQ(unload.out, "Unit hello.service inactive\n");
  EXPECT_EQ(unload.err, "Successfully unloaded units [hello.service].\n");

  auto inactive = fleetctl({"stop", "hello.service"});
  EXPECT_EQ(inactive.status, 1);
  EXPECT_EQ(inactive.err, "Unable to stop unit hello.service in state inactive\n");
}

TEST_F(FleetctlTest, DestroyRemovesTheUnit) {
  ASSERT_EQ(fleetctl({"submit", write_unit("hello.service", kHello)}).status, 0);
  auto destroyed = fleetctl({"destroy", "hello.service", "other.service"});
  EXPECT_EQ(destroyed.status, 0) << destroyed.err;
  EXPECT_EQ(destroyed.out, "Destroyed hello.service\n");
  EXPECT_EQ(fleetctl({"list-unit-files", "--no-legend"}).out, "");

  auto missing = fleetctl({"destroy", "hello.service"});
  EXPECT_EQ(missing.status, 0);
  EXPECT_EQ(missing.err, "Units not found in registry\n");
}

TEST_F(FleetctlTest, CatPrintsTheNormalisedUnit) {
  auto path = write_unit("cache.service",
                         "# a comment\n[Unit]\nDescription=Cache\n\n\n[Service]\n"
                         "ExecStart=/bin/cache   \n; another\nRestart=always\n");
  ASSERT_EQ(fleetctl({"submit", path}).status, 0);
  auto cat = fleetctl({"cat", "cache"});
  EXPECT_EQ(cat.status, 0) << cat.err;
  EXPECT_EQ(cat.out,
            "[Unit]\nDescription=Cache\n\n[Service]\nExecStart=/bin/cache\nRestart=always\n");

  auto missing = fleetctl({"cat", "nope.service"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "Unit nope.service not found\n");
  EXPECT_EQ(fleetctl({"cat"}).err, "One unit file must be provided\n");
  EXPECT_EQ(fleetctl({"cat", "a", "b"}).status, 1);
}

TEST_F(FleetctlTest, InstancesComeFromTheirTemplate) {
  const std::string tmpl =
      "[Service]\nExecStart=/bin/web %i\n\n[X-Fleet]\nConflicts=web@*.service\n";
  write_unit("web@.service", tmpl);
  auto submitted = fleetctl(
      {"submit", (dir_.path() / "web@1.service").string(), (dir_.path() / "web@2").string()});
  EXPECT_EQ(submitted.status, 0) << submitted.err;
  EXPECT_EQ(submitted.out, "Unit web@1.service inactive\nUnit web@2.service inactive\n");
  EXPECT_EQ(fleetctl({"cat", "web@1.service"}).out, tmpl);

  // The template itself can be stored, then instances come from the registry's copy.
  ASSERT_EQ(fleetctl({"submit", (dir_.path() / "web@.service").string()}).status, 0);
  auto from_registry = fleetctl({"submit", "web@3.service"});
  EXPECT_EQ(from_registry.status, 0) << from_registry.err;
  EXPECT_EQ(fleetctl({"cat", "web@3.service"}).out, tmpl);

  auto template_start = fleetctl({"start", "--no-block", "web@.service"});
  EXPECT_EQ(template_start.status, 1);
  EXPECT_EQ(template_start.err,
            "Error starting units: cannot activate template \"web@.service\"\n");
}

TEST_F(FleetctlTest, ReplaceUpdatesAChangedUnitOnlyWhenAsked) {
  auto path = write_unit("hello.service", kHello);
  ASSERT_EQ(fleetctl({"submit", path}).status, 0);
  const std::string changed = "[Service]\nExecStart=/bin/hello --v2\n";
  write_unit("hello.service", changed);

  auto warned = fleetctl({"submit", path});
  EXPECT_EQ(warned.status, 0);
  EXPECT_EQ(warned.err, "WARNING: Unit hello.service in registry differs from local unit file " +
                            path + ". Add --replace to override.\n");
  EXPECT_EQ(fleetctl({"cat", "hello"}).out, kHello);

  auto replaced = fleetctl({"submit", "--replace", path});
  EXPECT_EQ(replaced.status, 0) << replaced.err;
  EXPECT_EQ(replaced.out, "Unit hello.service inactive\n");
  EXPECT_EQ(fleetctl({"cat", "hello"}).out, changed);

  EXPECT_EQ(fleetctl({"submit", "--replace", path}).out,
            "Found same Unit(hello.service) in Registry, nothing to do\n");

  write_unit("hello.service", kHello);
  ASSERT_TRUE(registry_->set_desired_state("hello.service", DesiredState::kLaunched));
  auto refused = fleetctl({"submit", "--replace", path});
  EXPECT_EQ(refused.err,
            "Warning: can not replace Unit(hello.service) in state 'launched', use the "
            "appropriate command\n");
  EXPECT_EQ(fleetctl({"cat", "hello"}).out, changed);
}

TEST_F(FleetctlTest, ErrorsAreReportedWithTheOriginalsWords) {
  auto missing = fleetctl({"submit", "nope"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err,
            "Error creating units: unable to find Unit(nope.service) in Registry or on "
            "filesystem\n");

  auto invalid = fleetctl({"submit", write_unit("bad.service",
                                                "[X-Fleet]\nMachineID=m1\n"
                                                "Global=true\n")});
  EXPECT_EQ(invalid.status, 1);
  EXPECT_EQ(invalid.err,
            "Error creating units: failed creating unit bad.service: MachineID cannot be used "
            "with Global\n");

  auto unknown_key = fleetctl({"submit", write_unit("odd.service", "[X-Fleet]\nMachineOff=m1\n")});
  EXPECT_EQ(unknown_key.status, 0);
  EXPECT_EQ(unknown_key.err,
            "WARNING: Unit odd.service: unrecognized requirement in [X-Fleet] section: "
            "\"MachineOff\"\n");

  EXPECT_EQ(fleetctl({"list-units", "--fields="}).err, "Must define output format\n");
  EXPECT_EQ(fleetctl({"list-units", "--fields=unit,bogus"}).err,
            "Invalid key in output format: \"bogus\"\n");
  auto stop_nothing = fleetctl({"stop", "ghost.service"});
  EXPECT_EQ(stop_nothing.status, 0);
  EXPECT_EQ(stop_nothing.err, "Units not found in registry\n");
}

TEST_F(FleetctlTest, AnUnreachableEtcdIsAnErrorNotAHang) {
  std::ostringstream out, err;
  int status = run(
      {"--driver=etcd", "--endpoint=http://127.0.0.1:1", "--request-timeout=0.5", "list-machines"},
      out, err, [](const std::string&) { return std::nullopt; });
  EXPECT_EQ(status, 1);
  EXPECT_TRUE(err.str().starts_with("Error retrieving list of active machines: ")) << err.str();
}

}  // namespace
}  // namespace fleet::fleetctl
