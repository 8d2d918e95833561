// fleetctl's commands end to end, against a real etcd through the driver this binary links
// (testing/driver_under_test.h): the same bodies run as fleetctl_etcd_test (--driver=etcd) and as
// fleetctl_api_test (the API driver against fleetd's real HTTP API server). The test plays the
// engine and the agents (testing/fleetctl_test_base.h).

#include <gtest/gtest.h>

#include "fleet/unit/unit_file.h"

#include "cmd/fleetctl/testing/fleetctl_test_base.h"

namespace fleet::fleetctl {
namespace {

using testing::FleetctlTest;
using testing::kHello;
using testing::kMachine;
using testing::kOtherMachine;
using unit::DesiredState;

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
  ASSERT_TRUE(
      eventually_prints({"list-unit-files", "--no-legend", "--fields=dstate"}, "launched\n"));
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

constexpr std::string_view kGlobalLog = "[Service]\nExecStart=/bin/log\n\n[X-Fleet]\nGlobal=true\n";

TEST_F(FleetctlTest, ListsAsJson) {
  start_hello();
  register_machine({{"region", "eu"}, {"disk", "ssd"}}, kOtherMachine, "");
  ASSERT_TRUE(eventually_prints({"list-machines", "--no-legend", "--fields=machine"},
                                "2c1f8e3a...\n7d0e5b1c...\n"));
  ASSERT_EQ(fleetctl({"submit", write_unit("log.service", kGlobalLog)}).status, 0);
  const std::string log_hash = unit::UnitFile::parse(kGlobalLog, "log.service")->hash().hex();

  auto machines = fleetctl({"list-machines", "--output=json"});
  EXPECT_EQ(machines.status, 0) << machines.err;
  EXPECT_EQ(machines.out,
            "[\n"
            "  {\n"
            "    \"machine\": \"2c1f8e3a9b7d4c6e8f0a1b2c3d4e5f60\",\n"
            "    \"ip\": \"10.0.0.7\",\n"
            "    \"metadata\": {}\n"
            "  },\n"
            "  {\n"
            "    \"machine\": \"7d0e5b1c2a3f4e6d8c9b0a1f2e3d4c5b\",\n"
            "    \"ip\": null,\n"
            "    \"metadata\": {\n"
            "      \"disk\": \"ssd\",\n"
            "      \"region\": \"eu\"\n"
            "    }\n"
            "  }\n"
            "]\n");

  EXPECT_EQ(fleetctl({"list-units", "--output=json"}).out,
            "[\n"
            "  {\n"
            "    \"unit\": \"hello.service\",\n"
            "    \"load\": \"loaded\",\n"
            "    \"active\": \"active\",\n"
            "    \"sub\": \"running\",\n"
            "    \"machine\": \"2c1f8e3a9b7d4c6e8f0a1b2c3d4e5f60\",\n"
            "    \"hash\": \"e55c0aeb44ba0b68004ceb8a200e685194448b45\"\n"
            "  }\n"
            "]\n");
  EXPECT_EQ(fleetctl({"list-units", "--output", "json", "--fields=active,unit"}).out,
            "[\n"
            "  {\n"
            "    \"active\": \"active\",\n"
            "    \"unit\": \"hello.service\"\n"
            "  }\n"
            "]\n")
      << "--fields chooses the keys and their order";

  EXPECT_EQ(fleetctl({"list-unit-files", "--output=json"}).out,
            "[\n"
            "  {\n"
            "    \"unit\": \"hello.service\",\n"
            "    \"hash\": \"e55c0aeb44ba0b68004ceb8a200e685194448b45\",\n"
            "    \"dstate\": \"launched\",\n"
            "    \"state\": \"launched\",\n"
            "    \"target\": \"2c1f8e3a9b7d4c6e8f0a1b2c3d4e5f60\",\n"
            "    \"global\": false,\n"
            "    \"desc\": \"Hello World\"\n"
            "  },\n"
            "  {\n"
            "    \"unit\": \"log.service\",\n"
            "    \"hash\": \"" +
                log_hash +
                "\",\n"
                "    \"dstate\": \"inactive\",\n"
                "    \"state\": null,\n"
                "    \"target\": \"global\",\n"
                "    \"global\": true,\n"
                "    \"desc\": null\n"
                "  }\n"
                "]\n")
      << "every field but the deprecated tmachine";

  auto bad = fleetctl({"list-machines", "--output=yaml"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err, "Invalid output format: \"yaml\" (use \"table\" or \"json\")\n");
  EXPECT_EQ(fleetctl({"list-units", "--output=json", "--fields=bogus"}).err,
            "Invalid key in output format: \"bogus\"\n");
}

TEST_F(FleetctlTest, RestartStopsTheUnitThenStartsItAgain) {
  start_hello();
  auto restarted = fleetctl_async({"restart", "--block-attempts=10", "hello"});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLoaded));
  report("hello.service", /*launched=*/false, "inactive");
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLaunched));
  report("hello.service", /*launched=*/true, "activating");
  report("hello.service", /*launched=*/true, "active");
  auto result = restarted.get();
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out,
            "Unit hello.service loaded on 2c1f8e3a.../10.0.0.7\n"
            "Unit hello.service launched on 2c1f8e3a.../10.0.0.7\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(FleetctlTest, RestartStartsALoadedUnit) {
  register_machine();
  auto loaded =
      fleetctl_async({"load", "--block-attempts=10", write_unit("hello.service", kHello)});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLoaded));
  schedule("hello.service", true);
  report("hello.service", /*launched=*/false, "inactive");
  ASSERT_EQ(loaded.get().status, 0);

  auto restarted = fleetctl_async({"restart", "--block-attempts=10", "hello.service"});
  ASSERT_TRUE(asked_for("hello.service", DesiredState::kLaunched));
  report("hello.service", /*launched=*/true, "active");
  auto result = restarted.get();
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "Unit hello.service launched on 2c1f8e3a.../10.0.0.7\n");
}

TEST_F(FleetctlTest, RestartLeavesInactiveUnitsAndSaysSo) {
  ASSERT_EQ(fleetctl({"submit", write_unit("hello.service", kHello)}).status, 0);
  auto result = fleetctl({"restart", "hello.service", "ghost.service"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "Unable to restart unit hello.service in state inactive\n");
  EXPECT_EQ(desired("hello.service"), DesiredState::kInactive);

  auto nothing = fleetctl({"restart", "ghost.service"});
  EXPECT_EQ(nothing.status, 0);
  EXPECT_EQ(nothing.err, "Units not found in registry\n");
  auto no_args = fleetctl({"restart"});
  EXPECT_EQ(no_args.status, 1);
  EXPECT_EQ(no_args.err, "No units given\nRun 'fleetctl help restart' for usage.\n");
}

TEST_F(FleetctlTest, RestartGivesUpWhenTheUnitDoesNotStop) {
  start_hello();
  auto result = fleetctl({"restart", "--block-attempts=1", "hello.service"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "Error waiting for units: timed out waiting for unit hello.service to report state "
            "loaded\n"
            "Error waiting for unit states, exit status: 1\n");
  EXPECT_EQ(desired("hello.service"), DesiredState::kLoaded)
      << "left stopped, as the original leaves it";
}

TEST_F(FleetctlTest, RestartOfAGlobalUnitRestartsItOnEveryMachineThatRunsIt) {
  register_machine({}, kMachine, "10.0.0.7");
  register_machine({}, kOtherMachine, "10.0.0.8");
  ASSERT_EQ(fleetctl({"start", write_unit("log.service", kGlobalLog)}).status, 0);
  report("log.service", /*launched=*/true, "active", kMachine);
  report("log.service", /*launched=*/true, "active", kOtherMachine);
  ASSERT_TRUE(
      eventually_prints({"list-units", "--no-legend", "--fields=active"}, "active\nactive\n"));

  auto restarted = fleetctl_async({"restart", "--block-attempts=10", "log.service"});
  ASSERT_TRUE(asked_for("log.service", DesiredState::kLoaded));
  report("log.service", /*launched=*/false, "inactive", kMachine);
  report("log.service", /*launched=*/false, "inactive", kOtherMachine);
  ASSERT_TRUE(asked_for("log.service", DesiredState::kLaunched));
  report("log.service", /*launched=*/true, "active", kMachine);
  report("log.service", /*launched=*/true, "active", kOtherMachine);
  auto result = restarted.get();
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out,
            "Unit log.service loaded on 2c1f8e3a.../10.0.0.7\n"
            "Unit log.service loaded on 7d0e5b1c.../10.0.0.8\n"
            "Unit log.service launched on 2c1f8e3a.../10.0.0.7\n"
            "Unit log.service launched on 7d0e5b1c.../10.0.0.8\n");
  EXPECT_EQ(result.err, "");
}

TEST_F(FleetctlTest, RestartOfAGlobalUnitNamesTheMachinesThatDidNotComeBack) {
  register_machine({}, kMachine, "10.0.0.7");
  ASSERT_EQ(fleetctl({"start", write_unit("log.service", kGlobalLog)}).status, 0);
  report("log.service", /*launched=*/true, "active", kMachine);
  ASSERT_TRUE(eventually_prints({"list-units", "--no-legend", "--fields=active"}, "active\n"));
  auto result = fleetctl({"restart", "--block-attempts=1", "log.service"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "Error waiting for units: timed out waiting for unit log.service to stop on "
            "2c1f8e3a... (last seen loaded/active/running)\n"
            "Error waiting for unit states, exit status: 1\n");
}

}  // namespace
}  // namespace fleet::fleetctl
