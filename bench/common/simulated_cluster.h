// SimulatedCluster: M simulated machines in one process, for benchmarks only. Each machine is a
// REAL agent::Agent (its own lease through the agent's normal registration, its own watches of
// its schedule, the global units and its metadata, its own StatePublisher) driving its own
// SimulatedUnitManager instead of systemd. Only the etcd connections are shared: the machines
// are spread over a few etcd::Clients, since a gRPC channel carries thousands of streams and a
// channel per machine would only add sockets and gRPC threads.
//
// Example:
//   auto cluster = SimulatedCluster::create({.endpoints = {url}, .machines = 100});
//   (*cluster)->start_all();
//   (*cluster)->wait_registered(std::chrono::seconds(60));
//   (*cluster)->kill(7);  // a crashed host: its lease expires after agent_ttl
//
// Not thread-safe: drive it from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fleet/agent/agent.h"
#include "fleet/base/error.h"
#include "fleet/etcd/client.h"
#include "fleet/registry/registry.h"

#include "common/simulated_unit_manager.h"

namespace fleet::bench {

struct SimulatedClusterOptions {
  std::vector<std::string> endpoints{};
  std::string key_prefix{};  // fleet's registry prefix, as fleetd's etcd_key_prefix
  int machines = 10;
  std::chrono::seconds agent_ttl{30};
  std::chrono::milliseconds start_delay{0};  // SimulatedUnitManagerOptions::start_delay
  int clients = 4;                           // etcd clients the machines share
};

class SimulatedCluster {
 public:
  static Result<std::unique_ptr<SimulatedCluster>> create(SimulatedClusterOptions options);
  // Stops every agent that still runs, without purging (units "keep running", leases expire).
  ~SimulatedCluster();
  SimulatedCluster(const SimulatedCluster&) = delete;
  SimulatedCluster& operator=(const SimulatedCluster&) = delete;

  int size() const { return static_cast<int>(machines_.size()); }
  // 32 hex digits, as /etc/machine-id.
  const std::string& machine_id(int i) const { return machines_[i].id; }
  bool running(int i) const { return machines_[i].agent != nullptr; }
  int running_count() const;
  // Registrations of every agent beyond its first, those stopped or killed since included: how
  // often a machine lost its lease and came back, which a stable cluster never does.
  uint64_t re_registrations() const;

  // Starts machine i's agent with a fresh unit manager (a booted host runs nothing yet).
  Status start(int i);
  Status start_all();
  // Waits until every running agent is registered on a live lease; false on timeout.
  bool wait_registered(std::chrono::milliseconds timeout) const;
  // fleetd's graceful stop with purge_on_shutdown: units unloaded, lease revoked.
  Status stop(int i);
  // A crashed host: the agent and its units vanish without a word to etcd, so its presence and
  // unit states live on until the lease's TTL runs out.
  void kill(int i);

 private:
  struct Machine {
    std::string id;
    registry::Registry* registry = nullptr;
    std::unique_ptr<SimulatedUnitManager> manager;
    std::unique_ptr<agent::Agent> agent;  // declared after the manager: goes first
  };

  explicit SimulatedCluster(SimulatedClusterOptions options) : options_(std::move(options)) {}
  static uint64_t re_registrations_of(const agent::Agent& agent);

  const SimulatedClusterOptions options_;
  std::vector<std::unique_ptr<etcd::Client>> clients_;
  uint64_t retired_re_registrations_ = 0;                        // of agents stopped or killed
  std::vector<std::unique_ptr<registry::Registry>> registries_;  // one per client
  std::vector<Machine> machines_;  // declared last: agents go before the clients they use
};

}  // namespace fleet::bench
