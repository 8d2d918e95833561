// The Debian package as an admin uses it: CPack builds it from this build tree, dpkg installs it
// in a systemd machine booted without fleetd (the machine writes to a tmpfs overlay, so the
// host's dpkg database, /usr and /etc stay untouched), fleetd runs from the package's own units
// and binaries against the cluster's etcd, and dpkg removes it again.
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "fixtures/nspawn_cluster.h"
#include "fixtures/run_command.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A directory under the build tree rather than TempDir's /dev/shm: CPack stages the unstripped
// binaries (hundreds of MB) before it strips them.
class ScratchDir {
 public:
  ScratchDir() {
    std::string name = std::string(FLEET_BINARY_DIR) + "/tests/package_test-XXXXXX";
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp " + name);
    path_ = name;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class PackageTest : public ::testing::Test {
 protected:
  // Runs a shell command in the machine; its output, with the exit code, explains a failure.
  CommandResult sh(const std::string& script, std::chrono::seconds timeout = 60s) {
    return cluster_->exec(0, {"sh", "-c", script}, timeout);
  }

  ScratchDir scratch_;
  std::unique_ptr<NspawnCluster> cluster_;
};

TEST_F(PackageTest, InstallsRunsFleetFromItsOwnUnitsAndRemovesCleanly) {
  auto cpack =
      run_command({FLEET_CPACK, "--config", std::string(FLEET_BINARY_DIR) + "/CPackConfig.cmake",
                   "-G", "DEB", "-B", scratch_.path()},
                  300s);
  ASSERT_TRUE(cpack.ok()) << cpack.output;
  const fs::path deb = scratch_.path() / ("fleet_" FLEET_VERSION "_amd64.deb");
  ASSERT_TRUE(fs::exists(deb)) << cpack.output;

  cluster_ = NspawnCluster::boot({.machines = 1, .fleetd = false});
  const auto& machine = cluster_->machines()[0];
  // Into the machine's own /tmp (the overlay's upper layer), as scp would put it there.
  fs::copy_file(deb, "/proc/" + std::to_string(machine.leader) + "/root/tmp/fleet.deb");

  auto install = sh("dpkg -i /tmp/fleet.deb", 120s);
  ASSERT_TRUE(install.ok()) << install.output;
  // Installing starts nothing and enables nothing: fleetd has no etcd to talk to yet.
  EXPECT_EQ(sh("systemctl is-enabled fleet.service fleet.socket").output, "disabled\ndisabled\n");
  EXPECT_EQ(sh("systemctl is-active fleet.service").output, "inactive\n");
  auto conffiles = sh("dpkg-query -W -f='${Conffiles}' fleet");
  EXPECT_NE(conffiles.output.find("/etc/fleet/fleet.conf"), std::string::npos) << conffiles.output;

  // The admin's one step: the packaged fleet.conf, every key commented out, plus etcd_servers.
  auto configure =
      sh("echo etcd_servers=" + cluster_->etcd_machine_endpoint() + " >>/etc/fleet/fleet.conf");
  ASSERT_TRUE(configure.ok()) << configure.output;
  auto start = sh("systemctl start fleet.socket fleet.service", 120s);
  ASSERT_TRUE(start.ok()) << start.output << sh("journalctl -u fleet.service --no-pager").output;
  EXPECT_EQ(sh("systemctl is-active fleet.service").output, "active\n");
  EXPECT_EQ(sh("readlink /proc/$(systemctl show -P MainPID fleet.service)/exe").output,
            "/usr/bin/fleetd\n");

  // Type=notify: fleet.service is active once fleetd registered, so the machine is listed now.
  auto machines = sh("/usr/bin/fleetctl list-machines --full --no-legend --fields=machine");
  EXPECT_TRUE(machines.ok()) << machines.output;
  EXPECT_EQ(machines.output, machine.machine_id + "\n");

  for (const char* page : {"1 fleetctl", "5 fleet.conf", "8 fleetd"}) {
    auto where = sh(std::string("if command -v man >/dev/null; then man -w ") + page +
                    "; else echo no man-db; fi");
    EXPECT_TRUE(where.ok()) << page << ": " << where.output;
    if (where.output != "no man-db\n") {
      EXPECT_TRUE(where.output.starts_with("/usr/share/man/man")) << where.output;
    }
  }
  EXPECT_TRUE(sh("test -f /usr/share/bash-completion/completions/fleetctl").ok());

  auto remove = sh("dpkg -r fleet", 120s);
  ASSERT_TRUE(remove.ok()) << remove.output;
  EXPECT_EQ(sh("systemctl is-active fleet.service fleet.socket").output, "inactive\ninactive\n");
  EXPECT_EQ(sh("pgrep -x fleetd").exit_code, 1) << "fleetd still runs after dpkg -r";
  EXPECT_FALSE(sh("test -e /usr/bin/fleetd").ok());
  // dpkg -r keeps conffiles, with the admin's edit; only a purge removes them.
  EXPECT_TRUE(sh("grep -q ^etcd_servers= /etc/fleet/fleet.conf").ok());
}

}  // namespace
}  // namespace fleet::testing
