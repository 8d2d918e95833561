// SystemdUnitManager against a real systemd: one machine booted with systemd-nspawn, shared by
// the suite. The manager talks to the machine's system bus from the host and writes unit files
// through /proc/<machine's PID 1>/root, where that systemd finds them under units_directory.
#include "fleet/systemd/systemd_unit_manager.h"

#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/metrics/fleet_metrics.h"
#include "fleet/unit/unit_file.h"

#include "fixtures/eventually.h"
#include "fixtures/nspawn_cluster.h"

namespace fleet::systemd {
namespace {

namespace fs = std::filesystem;
using agent::UnitStatus;
using fleet::testing::eventually;
using fleet::testing::NspawnCluster;

constexpr auto kDeadline = std::chrono::seconds(20);

UnitStatus active_running() {
  return {.load_state = "loaded", .active_state = "active", .sub_state = "running"};
}
UnitStatus not_found() {
  return {.load_state = "not-found", .active_state = "inactive", .sub_state = "dead"};
}

unit::UnitFile unit_file(std::string_view text) { return unit::UnitFile::parse(text).value(); }

unit::UnitFile sleeper() {
  return unit_file("[Unit]\nDescription=sleeps\n\n[Service]\nExecStart=/bin/sleep infinity\n");
}

std::string describe(const UnitStatus& status) {
  return status.load_state + "/" + status.active_state + "/" + status.sub_state;
}

// What watch() delivered, in order, for the test thread to wait on.
class StatusRecorder {
 public:
  agent::UnitManager::OnChange callback() {
    return [this](const std::string& name, const UnitStatus& status) {
      std::lock_guard lock(mutex_);
      seen_.emplace_back(name, status);
    };
  }
  std::vector<UnitStatus> of(const std::string& name) const {
    std::lock_guard lock(mutex_);
    std::vector<UnitStatus> statuses;
    for (const auto& [unit, status] : seen_) {
      if (unit == name) statuses.push_back(status);
    }
    return statuses;
  }
  bool saw(const std::string& name, const UnitStatus& wanted) const {
    for (const auto& status : of(name)) {
      if (status == wanted) return true;
    }
    return false;
  }
  std::string history(const std::string& name) const {
    std::string text;
    for (const auto& status : of(name)) text += " " + describe(status);
    return text.empty() ? " (nothing)" : text;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, UnitStatus>> seen_;
};

class SystemdUnitManagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      cluster_ = NspawnCluster::boot({.machines = 1});
    } catch (const std::exception& error) {
      boot_error_ = error.what();
    }
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr) << "machine did not boot: " << boot_error_;
    // A directory per test, so unit_files() sees only this test's units.
    units_directory_ =
        fs::path("/run/fleet") / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto manager = SystemdUnitManager::connect(options());
    ASSERT_TRUE(manager.has_value()) << manager.error().message;
    manager_ = std::move(*manager);
  }

  void TearDown() override {
    if (!manager_) return;
    // Leave the shared machine as this test found it.
    if (auto files = manager_->unit_files()) {
      for (const auto& [name, hash] : *files) {
        auto unloaded = manager_->unload(name);
        EXPECT_TRUE(unloaded) << unloaded.error().message;
      }
    }
    auto reloaded = manager_->reload();
    EXPECT_TRUE(reloaded) << reloaded.error().message;
  }

  SystemdOptions options() const {
    return {.units_directory = units_directory_,
            .bus_address = cluster_->system_bus_address(0),
            .systemd_root = "/proc/" + std::to_string(cluster_->machines()[0].leader) + "/root",
            .metrics = &dbus_metrics_};
  }

  // Where the test (on the host) finds a file systemd sees at `path`.
  fs::path on_host(const fs::path& path) const {
    return options().systemd_root / path.relative_path();
  }

  fleet::testing::CommandResult systemctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {"systemctl", "--no-pager"});
    return cluster_->exec(0, args);
  }
  std::string is_active(const std::string& name) const {
    auto output = systemctl({"is-active", name}).output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
  }

  UnitStatus status(const std::string& name) const {
    auto statuses = manager_->statuses({name});
    EXPECT_TRUE(statuses.has_value()) << statuses.error().message;
    return statuses ? statuses->at(name) : UnitStatus{};
  }

  // load + reload + start, the agent's sequence for a launched unit.
  void launch(const std::string& name, const unit::UnitFile& file) {
    ASSERT_TRUE(manager_->load(name, file));
    ASSERT_TRUE(manager_->reload());
    ASSERT_TRUE(manager_->start(name));
  }

  static inline std::unique_ptr<NspawnCluster> cluster_;
  static inline std::string boot_error_;
  fs::path units_directory_;
  // Mutable: options() is const, and the manager it configures counts into them.
  mutable metrics::Registry metrics_;
  mutable metrics::DbusMetrics dbus_metrics_{metrics_};
  std::unique_ptr<SystemdUnitManager> manager_;
};

TEST_F(SystemdUnitManagerTest, LoadedServiceStartsAndReportsLoadedActiveRunning) {
  launch("sleeper.service", sleeper());

  EXPECT_TRUE(eventually([&] { return is_active("sleeper.service") == "active"; }, kDeadline))
      << is_active("sleeper.service");
  EXPECT_EQ(status("sleeper.service"), active_running()) << describe(status("sleeper.service"));
  auto file = on_host(units_directory_ / "sleeper.service");
  EXPECT_EQ(fs::status(file).permissions(), fs::perms(0644));
  // Each call of launch() and status() was timed under its D-Bus method.
  for (const char* method : {"LinkUnitFiles", "Reload", "StartUnit", "ListUnitsByNames"}) {
    const auto timed = dbus_metrics_.duration(method).snapshot();
    EXPECT_GE(timed.count, 1u) << method;
    EXPECT_GT(timed.sum, 0) << method;
  }
  EXPECT_EQ(dbus_metrics_.duration("StopUnit").snapshot().count, 0u);
}

TEST_F(SystemdUnitManagerTest, WatchReportsStartAndStopFromSignalsWithoutRepeats) {
  StatusRecorder recorder;
  ASSERT_TRUE(manager_->watch(recorder.callback()));

  launch("watched.service", sleeper());
  EXPECT_TRUE(
      eventually([&] { return recorder.saw("watched.service", active_running()); }, kDeadline))
      << recorder.history("watched.service");

  ASSERT_TRUE(manager_->stop("watched.service"));
  auto stopped = [&] {
    auto statuses = recorder.of("watched.service");
    return !statuses.empty() &&
           (statuses.back().active_state == "inactive" || statuses.back().active_state == "failed");
  };
  EXPECT_TRUE(eventually(stopped, kDeadline)) << recorder.history("watched.service");

  auto history = recorder.of("watched.service");
  for (size_t i = 1; i < history.size(); ++i) {
    EXPECT_NE(history[i], history[i - 1]) << "repeated:" << recorder.history("watched.service");
  }
}

TEST_F(SystemdUnitManagerTest, WatchIgnoresUnitsOutsideItsDirectory) {
  StatusRecorder recorder;
  ASSERT_TRUE(manager_->watch(recorder.callback()));
  auto other_options = options();
  other_options.units_directory = "/run/fleet/elsewhere";
  auto other = SystemdUnitManager::connect(other_options);
  ASSERT_TRUE(other.has_value()) << other.error().message;

  ASSERT_TRUE((*other)->load("elsewhere.service", sleeper()));
  launch("mine.service", sleeper());
  ASSERT_TRUE((*other)->start("elsewhere.service"));
  EXPECT_TRUE(eventually([&] { return is_active("elsewhere.service") == "active"; }, kDeadline));
  // Signals arrive in the order systemd sent them: once mine.service's stop is reported, every
  // signal about elsewhere.service, all sent before, has been seen (and must have been dropped).
  ASSERT_TRUE(
      eventually([&] { return recorder.saw("mine.service", active_running()); }, kDeadline));
  ASSERT_TRUE(manager_->stop("mine.service"));
  auto mine_stopped = [&] {
    auto statuses = recorder.of("mine.service");
    return !statuses.empty() && statuses.back().active_state != "active";
  };
  ASSERT_TRUE(eventually(mine_stopped, kDeadline)) << recorder.history("mine.service");
  EXPECT_TRUE(recorder.of("elsewhere.service").empty()) << recorder.history("elsewhere.service");

  EXPECT_TRUE((*other)->unload("elsewhere.service"));
  EXPECT_TRUE((*other)->reload());
}

TEST_F(SystemdUnitManagerTest, UnitWithInstallSectionIsEnabledForThisBootOnly) {
  ASSERT_TRUE(manager_->load(
      "wanted.service",
      unit_file(
          "[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n")));
  ASSERT_TRUE(manager_->reload());

  auto enabled = systemctl({"is-enabled", "wanted.service"});
  EXPECT_EQ(enabled.output, "enabled-runtime\n");
  EXPECT_TRUE(
      fs::is_symlink(on_host("/run/systemd/system/multi-user.target.wants/wanted.service")));
}

TEST_F(SystemdUnitManagerTest, UnitWhoseInstallSectionSystemdRefusesLeavesNothingBehind) {
  auto loaded = manager_->load(
      "misinstalled.service",
      unit_file("[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=no-unit-type\n"));
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find("EnableUnitFiles"), std::string::npos)
      << loaded.error().message;
  EXPECT_FALSE(fs::exists(on_host(units_directory_ / "misinstalled.service")));
  EXPECT_FALSE(fs::is_symlink(on_host("/run/systemd/system/misinstalled.service")));
}

TEST_F(SystemdUnitManagerTest, UnloadStopsTheUnitAndRemovesEveryTraceOfIt) {
  launch(
      "doomed.service",
      unit_file(
          "[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n"));
  ASSERT_TRUE(eventually([&] { return is_active("doomed.service") == "active"; }, kDeadline));

  ASSERT_TRUE(manager_->unload("doomed.service"));
  ASSERT_TRUE(manager_->reload());

  EXPECT_FALSE(fs::exists(on_host(units_directory_ / "doomed.service")));
  EXPECT_FALSE(fs::is_symlink(on_host("/run/systemd/system/doomed.service")));
  EXPECT_FALSE(
      fs::is_symlink(on_host("/run/systemd/system/multi-user.target.wants/doomed.service")));
  // systemctl status exits 4 for "no such unit" once the stopped unit has left systemd's memory.
  auto gone = [&] { return systemctl({"status", "doomed.service"}).exit_code == 4; };
  EXPECT_TRUE(eventually(gone, kDeadline)) << systemctl({"status", "doomed.service"}).output;
  EXPECT_EQ(status("doomed.service"), not_found()) << describe(status("doomed.service"));
  auto files = manager_->unit_files();
  ASSERT_TRUE(files.has_value());
  EXPECT_TRUE(files->empty());
}

TEST_F(SystemdUnitManagerTest, FailingUnitReportsFailedAndUnloadResetsIt) {
  launch("failing.service", unit_file("[Service]\nExecStart=/bin/false\n"));
  EXPECT_TRUE(
      eventually([&] { return status("failing.service").active_state == "failed"; }, kDeadline))
      << describe(status("failing.service"));
  EXPECT_EQ(status("failing.service").sub_state, "failed");

  ASSERT_TRUE(manager_->unload("failing.service"));
  ASSERT_TRUE(manager_->reload());
  EXPECT_NE(systemctl({"is-failed", "failing.service"}).output, "failed\n");
  EXPECT_TRUE(eventually([&] { return status("failing.service") == not_found(); }, kDeadline))
      << describe(status("failing.service"));
}

TEST_F(SystemdUnitManagerTest, NamesThatAreNoUnitOrLeaveTheDirectoryAreRefused) {
  for (const char* name : {"../x.service", "a/b.service", "/etc/x.service", "x", "x.bogus"}) {
    auto loaded = manager_->load(name, sleeper());
    ASSERT_FALSE(loaded.has_value()) << name;
    EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument) << name;
    auto unloaded = manager_->unload(name);
    ASSERT_FALSE(unloaded.has_value()) << name;
    EXPECT_EQ(unloaded.error().code, ErrorCode::kInvalidArgument) << name;
  }
  EXPECT_FALSE(fs::exists(on_host("/run/fleet/x.service")));
  EXPECT_FALSE(fs::exists(on_host(units_directory_ / "a")));
  EXPECT_FALSE(fs::exists(on_host("/etc/x.service")));
  auto files = manager_->unit_files();
  ASSERT_TRUE(files.has_value());
  EXPECT_TRUE(files->empty());
}

TEST_F(SystemdUnitManagerTest, TargetAndTimerUnitsLoadLikeServices) {
  ASSERT_TRUE(manager_->load("group.target", unit_file("[Unit]\nDescription=a group\n")));
  ASSERT_TRUE(manager_->load("tick.service", unit_file("[Service]\nExecStart=/bin/true\n")));
  ASSERT_TRUE(manager_->load("tick.timer", unit_file("[Timer]\nOnActiveSec=1h\n")));
  ASSERT_TRUE(manager_->reload());
  ASSERT_TRUE(manager_->start("group.target"));
  ASSERT_TRUE(manager_->start("tick.timer"));

  EXPECT_TRUE(eventually([&] { return is_active("group.target") == "active"; }, kDeadline));
  EXPECT_TRUE(eventually([&] { return is_active("tick.timer") == "active"; }, kDeadline));
  EXPECT_EQ(status("group.target"),
            (UnitStatus{.load_state = "loaded", .active_state = "active", .sub_state = "active"}));
  EXPECT_EQ(status("tick.timer"),
            (UnitStatus{.load_state = "loaded", .active_state = "active", .sub_state = "waiting"}));
  auto files = manager_->unit_files();
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->size(), 3u);
}

TEST_F(SystemdUnitManagerTest, UnitFilesListsLoadedUnitsWithTheirHashes) {
  std::map<std::string, unit::UnitFile> loaded = {
      {"one.service", sleeper()},
      {"two.service", unit_file("[Service]\nExecStart=/bin/true\n")},
      {"three.socket", unit_file("[Socket]\nListenStream=/run/fleet-three.sock\n")},
  };
  for (const auto& [name, file] : loaded) ASSERT_TRUE(manager_->load(name, file)) << name;

  auto files = manager_->unit_files();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  std::map<std::string, unit::UnitHash> expected;
  for (const auto& [name, file] : loaded) expected.emplace(name, file.hash());
  EXPECT_EQ(*files, expected);
}

TEST_F(SystemdUnitManagerTest, StatusOfAnUnknownUnitIsNotFound) {
  auto statuses = manager_->statuses({"no-such-unit.service", "not/a-unit"});
  ASSERT_TRUE(statuses.has_value()) << statuses.error().message;
  EXPECT_EQ(statuses->at("no-such-unit.service"), not_found());
  EXPECT_EQ(statuses->at("not/a-unit"), not_found());
}

// Last in the suite: it restarts the machine's D-Bus daemon under the manager.
TEST_F(SystemdUnitManagerTest, WatchAndCallsSurviveADbusRestart) {
  std::mutex mutex;
  std::vector<Error> watch_errors;
  auto watched_options = options();
  watched_options.on_watch_error = [&](const Error& error) {
    std::lock_guard lock(mutex);
    watch_errors.push_back(error);
  };
  auto manager = SystemdUnitManager::connect(watched_options);
  ASSERT_TRUE(manager.has_value()) << manager.error().message;
  StatusRecorder recorder;
  ASSERT_TRUE((*manager)->watch(recorder.callback()));
  ASSERT_TRUE((*manager)->load("survivor.service", sleeper()));
  ASSERT_TRUE((*manager)->reload());

  ASSERT_TRUE(systemctl({"restart", "dbus.service"}).ok());
  auto watch_noticed = [&] {
    std::lock_guard lock(mutex);
    return !watch_errors.empty();
  };
  EXPECT_TRUE(eventually(watch_noticed, kDeadline));
  {
    std::lock_guard lock(mutex);
    ASSERT_FALSE(watch_errors.empty());
    EXPECT_EQ(watch_errors.front().code, ErrorCode::kUnavailable) << watch_errors.front().message;
  }

  // systemd rejoins the new bus on its own; until then a call may still find it missing.
  EXPECT_TRUE(
      eventually([&] { return (*manager)->start("survivor.service").has_value(); }, kDeadline));
  EXPECT_TRUE(
      eventually([&] { return recorder.saw("survivor.service", active_running()); }, kDeadline))
      << recorder.history("survivor.service");
  EXPECT_TRUE((*manager)->unload("survivor.service"));
  EXPECT_TRUE((*manager)->reload());
}

TEST(SystemdUnitManagerConnectTest, UnreachableAddressIsUnavailableAndNamesTheAddress) {
  auto manager = SystemdUnitManager::connect(
      {.units_directory = "/nonexistent/fleet-units", .bus_address = "unix:path=/nonexistent/bus"});
  ASSERT_FALSE(manager.has_value());
  EXPECT_EQ(manager.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(manager.error().message.find("unix:path=/nonexistent/bus"), std::string::npos)
      << manager.error().message;
  EXPECT_FALSE(fs::exists("/nonexistent/fleet-units"));
}

}  // namespace
}  // namespace fleet::systemd
