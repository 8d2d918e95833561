// What the cluster tests share: a booted NspawnCluster running fleetd in every machine, a
// registry client on its etcd, and questions a user would ask (where does this unit run, is it
// active there, what is its main PID).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/etcd/client.h"
#include "fleet/registry/registry.h"

#include "fixtures/nspawn_cluster.h"

namespace fleet::testing {

// What the cluster suites boot: 3 machines running fleetd with the original functional suite's
// agent_ttl of 3 s and a 1 s engine interval, plus `machine_config` (index -> fleet.conf keys).
NspawnClusterOptions three_fleetd_machines(
    std::map<int, std::map<std::string, std::string>> machine_config = {});
// The same with `count` machines.
NspawnClusterOptions fleetd_machines(
    int count, std::map<int, std::map<std::string, std::string>> machine_config = {});

class ClusterHarness {
 public:
  explicit ClusterHarness(NspawnClusterOptions options);

  NspawnCluster& cluster() { return *cluster_; }
  registry::Registry& registry() { return *registry_; }
  etcd::Client& client() { return *client_; }
  size_t size() const { return cluster_->machines().size(); }

  // Submits `text` as unit `name` with `desired` state; fails the test when the registry refuses.
  void submit(const std::string& name, const std::string& text, unit::DesiredState desired);
  void destroy(const std::string& name);

  // The machines (indexes) whose schedule holds `name` now.
  std::vector<size_t> scheduled_on(const std::string& name);
  // systemctl is-active inside machine m: "active", "inactive", "failed", ...
  std::string systemd_state(size_t m, const std::string& name) const;
  // The unit's MainPID inside machine m (host PID namespace numbers are not used).
  std::string main_pid(size_t m, const std::string& name) const;
  // The one machine running `name` once it is scheduled there and active in its systemd, within
  // `deadline`; nullopt otherwise.
  std::optional<size_t> wait_running(const std::string& name, std::chrono::milliseconds deadline,
                                     std::optional<size_t> not_on = std::nullopt);
  // The last lines fleetd logged on machine m, for failure messages.
  std::string fleetd_log(size_t m) const;
  // Index of the machine with this ID.
  std::optional<size_t> index_of(std::string_view machine_id) const;

 private:
  std::unique_ptr<NspawnCluster> cluster_;
  std::unique_ptr<etcd::Client> client_;
  std::unique_ptr<registry::Registry> registry_;
};

}  // namespace fleet::testing
