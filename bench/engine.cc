// bench_engine: how fast units submitted through the registry get scheduled by the engine, end
// to end on a real etcd.
//
// With no arguments it starts a private etcd on loopback (data on tmpfs when /dev/shm is
// writable) and, per scenario, registers M simulated machines (presence keys on one lease: no
// agents, no systemd), starts one engine, submits U units (instances of 10 templates) with 8
// concurrent writers, and waits until every unit has its schedule entry. Prints one JSON line per
// scenario:
//   {"bench":"engine_schedule","machines":M,"units":U,"seconds":S,"units_per_s":R,...}
// where S runs from the first submission to the last schedule entry.
#include "fleet/engine/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "fleet/etcd/lease_session.h"
#include "fleet/registry/registry.h"
#include "fleet/registry/watch_cache.h"

#include "common/etcd_target.h"
#include "common/workload.h"

namespace {

using namespace fleet;
using SteadyClock = std::chrono::steady_clock;

constexpr int kWriters = 8;
constexpr size_t kUnitsPerCall = 1000;
constexpr auto kScheduleDeadline = std::chrono::minutes(10);

struct Scenario {
  int machines;
  int units;
};

// Submits units app<t>@<i>.service, i in [0, units), from kWriters clients at once.
bool submit(const std::vector<std::string>& endpoints, const std::string& prefix, int units) {
  const auto bodies = bench::template_bodies();
  std::atomic<bool> ok{true};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto client = etcd::Client::connect({.endpoints = endpoints}).value();
      registry::Registry registry(*client, registry::Keys(prefix));
      std::vector<registry::NewUnit> batch;
      auto flush = [&] {
        for (const auto& status : registry.create_units(batch)) {
          if (!status) {
            std::cerr << "bench_engine: " << status.error().message << "\n";
            ok = false;
          }
        }
        batch.clear();
      };
      for (int i = w; i < units; i += kWriters) {
        batch.push_back({bench::instance_name(i), bodies[i % bench::kTemplates],
                         unit::DesiredState::kLaunched});
        if (batch.size() == kUnitsPerCall) flush();
      }
      if (!batch.empty()) flush();
    });
  }
  for (auto& writer : writers) writer.join();
  return ok;
}

bool run(const std::vector<std::string>& endpoints, const Scenario& scenario, int number,
         const std::string& data) {
  const std::string prefix = "/bench-engine/" + std::to_string(number) + "/";
  auto client = etcd::Client::connect({.endpoints = endpoints}).value();
  registry::Registry registry(*client, registry::Keys(prefix));

  std::cerr << "bench_engine: " << scenario.machines << " machines, " << scenario.units
            << " units: registering machines\n";
  auto presence = etcd::LeaseSession::start(*client, {.ttl_seconds = 60});
  if (!presence) {
    std::cerr << "bench_engine: " << presence.error().message << "\n";
    return false;
  }
  for (int m = 0; m < scenario.machines; ++m) {
    char id[33];
    std::snprintf(id, sizeof id, "%032x", m);
    if (auto registered =
            registry.register_machine({id, "10.0.0.1", {}, "bench", {}}, (*presence)->id());
        !registered) {
      std::cerr << "bench_engine: " << registered.error().message << "\n";
      return false;
    }
  }

  std::mutex mu;
  std::condition_variable changed;
  auto schedule = registry::WatchCache<registry::Assignment>::start(
      *client, registry.keys().schedule(), registry::decode_assignment,
      [&] { changed.notify_all(); });
  auto engine = engine::Engine::start(registry, {.machine_id = "bench-engine"});
  if (!schedule || !engine) {
    std::cerr << "bench_engine: cannot start the engine or its observer\n";
    return false;
  }

  std::cerr << "bench_engine: submitting " << scenario.units << " units\n";
  auto started = SteadyClock::now();
  if (!submit(endpoints, prefix, scenario.units)) return false;
  double submit_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
  std::cerr << "bench_engine: submitted in " << submit_s << " s; waiting for the schedule\n";
  {
    std::unique_lock lock(mu);
    if (!changed.wait_for(lock, kScheduleDeadline, [&] {
          return (*schedule)->size() >= static_cast<size_t>(scenario.units);
        })) {
      std::cerr << "bench_engine: only " << (*schedule)->size() << " of " << scenario.units
                << " units scheduled after " << kScheduleDeadline.count() << " min\n";
      return false;
    }
  }
  double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  auto stats = (*engine)->stats();
  std::printf(
      "{\"bench\":\"engine_schedule\",\"machines\":%d,\"units\":%d,\"seconds\":%.2f,"
      "\"units_per_s\":%.0f,\"submit_s\":%.2f,\"engine_passes\":%llu,\"etcd_data\":\"%s\"}\n",
      scenario.machines, scenario.units, seconds, scenario.units / seconds, submit_s,
      static_cast<unsigned long long>(stats.passes), data.c_str());
  std::fflush(stdout);
  (*engine)->resign();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures submit-to-scheduled through a real etcd; prints JSON lines."};
  std::string endpoints_flag;
  std::vector<int> machines = {100, 1000};
  std::vector<int> units = {10000, 100000};
  app.add_option("--endpoints", endpoints_flag,
                 "etcd to measure (comma-separated URLs); default: start a private one");
  app.add_option("--machines", machines, "simulated machines, one per scenario");
  app.add_option("--units", units, "units to submit, one per scenario (pairs with --machines)");
  CLI11_PARSE(app, argc, argv);
  if (machines.size() != units.size()) {
    std::cerr << "bench_engine: --machines and --units need the same number of values\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);

  auto etcd_target = bench::etcd_target(endpoints_flag, "bench_engine");
  const std::vector<std::string>& endpoints = etcd_target.endpoints;
  const std::string& data = etcd_target.data;
  for (size_t i = 0; i < machines.size(); ++i) {
    if (!run(endpoints, {machines[i], units[i]}, static_cast<int>(i), data)) return 1;
  }
  return 0;
}
