#include "common/simulated_cluster.h"

#include <algorithm>
#include <cstdio>

namespace fleet::bench {

Result<std::unique_ptr<SimulatedCluster>> SimulatedCluster::create(
    SimulatedClusterOptions options) {
  std::unique_ptr<SimulatedCluster> cluster(new SimulatedCluster(std::move(options)));
  const auto& opts = cluster->options_;
  for (int c = 0; c < std::max(1, opts.clients); ++c) {
    auto client = etcd::Client::connect({.endpoints = opts.endpoints});
    if (!client) return fail(client.error());
    cluster->registries_.push_back(
        std::make_unique<registry::Registry>(**client, registry::Keys(opts.key_prefix)));
    cluster->clients_.push_back(std::move(*client));
  }
  cluster->machines_.resize(opts.machines);
  for (int i = 0; i < opts.machines; ++i) {
    char id[33];
    // A prefix the engine never uses for itself keeps simulated IDs recognisable in etcd.
    std::snprintf(id, sizeof id, "51a1%028x", i);
    cluster->machines_[i].id = id;
    cluster->machines_[i].registry = cluster->registries_[i % cluster->registries_.size()].get();
  }
  return cluster;
}

SimulatedCluster::~SimulatedCluster() {
  for (int i = 0; i < size(); ++i) kill(i);
}

int SimulatedCluster::running_count() const {
  return static_cast<int>(std::count_if(machines_.begin(), machines_.end(),
                                        [](const Machine& m) { return m.agent != nullptr; }));
}

uint64_t SimulatedCluster::re_registrations_of(const agent::Agent& agent) {
  auto registrations = agent.stats().registrations;
  return registrations > 1 ? registrations - 1 : 0;
}

uint64_t SimulatedCluster::re_registrations() const {
  uint64_t total = retired_re_registrations_;
  for (const auto& machine : machines_) {
    if (machine.agent) total += re_registrations_of(*machine.agent);
  }
  return total;
}

Status SimulatedCluster::start(int i) {
  auto& machine = machines_[i];
  if (machine.agent) return {};
  machine.manager = std::make_unique<SimulatedUnitManager>(
      SimulatedUnitManagerOptions{.start_delay = options_.start_delay});
  auto agent = agent::Agent::start(*machine.registry, *machine.manager,
                                   {.machine = {.id = machine.id,
                                                .public_ip = "10.0.0.1",
                                                .metadata = {},
                                                .version = "bench",
                                                .capabilities = {}},
                                    .ttl = options_.agent_ttl});
  if (!agent) {
    machine.manager.reset();
    return fail(agent.error());
  }
  machine.agent = std::move(*agent);
  return {};
}

Status SimulatedCluster::start_all() {
  for (int i = 0; i < size(); ++i) {
    if (auto started = start(i); !started) return started;
  }
  return {};
}

bool SimulatedCluster::wait_registered(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& machine : machines_) {
    if (!machine.agent) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!machine.agent->wait_registered(std::max(left, std::chrono::milliseconds(0)))) {
      return false;
    }
  }
  return true;
}

Status SimulatedCluster::stop(int i) {
  auto& machine = machines_[i];
  if (!machine.agent) return {};
  auto purged = machine.agent->purge();
  retired_re_registrations_ += re_registrations_of(*machine.agent);
  machine.agent.reset();
  machine.manager.reset();
  return purged;
}

void SimulatedCluster::kill(int i) {
  auto& machine = machines_[i];
  // The agent's destructor neither unloads units nor revokes the lease: exactly a crash, as far
  // as etcd can tell, once its keep-alives stop.
  if (machine.agent) retired_re_registrations_ += re_registrations_of(*machine.agent);
  machine.agent.reset();
  machine.manager.reset();
}

}  // namespace fleet::bench
