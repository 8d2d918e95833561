#include "cluster_harness.h"

#include "fleet/unit/unit_file.h"

#include "fixtures/eventually.h"

namespace fleet::testing {
namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

NspawnClusterOptions three_fleetd_machines(
    std::map<int, std::map<std::string, std::string>> machine_config) {
  return fleetd_machines(3, std::move(machine_config));
}

NspawnClusterOptions fleetd_machines(
    int count, std::map<int, std::map<std::string, std::string>> machine_config) {
  return {.machines = count,
          .fleetd = true,
          .fleet_config = {{"agent_ttl", "3s"}, {"engine_reconcile_interval", "1"}},
          .machine_config = std::move(machine_config)};
}

ClusterHarness::ClusterHarness(NspawnClusterOptions options)
    : cluster_(NspawnCluster::boot(std::move(options))) {
  auto client = etcd::Client::connect({.endpoints = cluster_->etcd_endpoints()});
  if (!client) throw std::runtime_error("etcd client: " + client.error().message);
  client_ = std::move(*client);
  registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys());
}

void ClusterHarness::submit(const std::string& name, const std::string& text,
                            unit::DesiredState desired) {
  auto body = unit::UnitFile::parse(text, name);
  ASSERT_TRUE(body.has_value()) << body.error().message;
  auto created = registry_->create_unit({name, *body, desired});
  ASSERT_TRUE(created.has_value()) << created.error().to_string();
}

void ClusterHarness::destroy(const std::string& name) {
  auto destroyed = registry_->destroy_unit(name);
  ASSERT_TRUE(destroyed.has_value()) << destroyed.error().to_string();
}

std::vector<size_t> ClusterHarness::scheduled_on(const std::string& name) {
  std::vector<size_t> machines;
  const auto& keys = registry_->keys();
  auto listed = client_->list_prefix(keys.schedule());
  if (!listed) return machines;
  for (const auto& kv : listed->kvs) {
    auto at = keys.scheduled_of(kv.key);
    if (!at || at->second != name) continue;
    if (auto m = index_of(at->first)) machines.push_back(*m);
  }
  return machines;
}

std::string ClusterHarness::systemd_state(size_t m, const std::string& name) const {
  return trimmed(cluster_->exec(m, {"systemctl", "is-active", name}).output);
}

std::string ClusterHarness::main_pid(size_t m, const std::string& name) const {
  return trimmed(
      cluster_->exec(m, {"systemctl", "show", "--property=MainPID", "--value", name}).output);
}

std::string ClusterHarness::fleetd_log(size_t m) const {
  // --merge: journalctl finds the machine's journal by /etc/machine-id, which a test may change.
  return cluster_
      ->exec(m, {"journalctl", "--merge", "-u", "fleet.service", "--no-pager", "-n", "30"})
      .output;
}

std::optional<size_t> ClusterHarness::wait_running(const std::string& name,
                                                   std::chrono::milliseconds deadline,
                                                   std::optional<size_t> not_on) {
  std::optional<size_t> running;
  eventually(
      [&] {
        auto machines = scheduled_on(name);
        if (machines.size() != 1 || machines[0] == not_on) return false;
        if (systemd_state(machines[0], name) != "active") return false;
        running = machines[0];
        return true;
      },
      deadline, std::chrono::milliseconds(200));
  return running;
}

std::optional<size_t> ClusterHarness::index_of(std::string_view machine_id) const {
  const auto& machines = cluster_->machines();
  for (size_t i = 0; i < machines.size(); ++i) {
    if (machines[i].machine_id == machine_id) return i;
  }
  return std::nullopt;
}

}  // namespace fleet::testing
