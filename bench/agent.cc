// bench_agent: how fast a unit goes from submitted to running on one real systemd machine, and
// what an idle fleetd costs with many units loaded.
//
// Boots one machine with systemd-nspawn running fleetd (the local cluster's scripts/cluster,
// through the NspawnCluster fixture), then for each --units count N submits N launched units at
// once and waits until the agent has published every one as active (the state systemd reported
// over D-Bus, as etcd holds it). After the largest scenario, with its units still running, it
// samples fleetd's CPU time for --idle-seconds and its resident memory. JSON lines:
//   {"bench":"agent_schedule_to_active","units":N,"seconds":S,"units_per_s":R}
//   {"bench":"fleetd_idle","units":N,"seconds":T,"cpu_percent":C,"rss_mb":M}
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "fleet/etcd/client.h"
#include "fleet/registry/registry.h"
#include "fleet/registry/watch_cache.h"

#include "fixtures/eventually.h"
#include "fixtures/nspawn_cluster.h"

namespace {

using namespace fleet;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kActiveDeadline = std::chrono::minutes(5);

std::string unit_name(int i) { return "bench-" + std::to_string(i) + ".service"; }

size_t active_units(const registry::WatchCache<registry::UnitStateRecord>& states) {
  return states.read([](const auto& entries) {
    size_t active = 0;
    for (const auto& [key, entry] : entries) active += entry.record.active_state == "active";
    return active;
  });
}

// Submits `units` launched units and returns the seconds until all of them are active.
std::optional<double> schedule_to_active(
    registry::Registry& registry, const registry::WatchCache<registry::UnitStateRecord>& states,
    int units) {
  auto body = unit::UnitFile::parse("[Service]\nExecStart=/bin/sleep infinity\n").value();
  std::vector<registry::NewUnit> batch;
  for (int i = 0; i < units; ++i)
    batch.push_back({unit_name(i), body, unit::DesiredState::kLaunched});
  auto started = SteadyClock::now();
  for (const auto& created : registry.create_units(batch)) {
    if (!created) {
      std::cerr << "bench_agent: " << created.error().to_string() << "\n";
      return std::nullopt;
    }
  }
  if (!testing::eventually([&] { return active_units(states) >= static_cast<size_t>(units); },
                           kActiveDeadline, std::chrono::milliseconds(5))) {
    std::cerr << "bench_agent: only " << active_units(states) << " of " << units
              << " units active after " << kActiveDeadline.count() << " min\n";
    return std::nullopt;
  }
  return std::chrono::duration<double>(SteadyClock::now() - started).count();
}

bool destroy_all(registry::Registry& registry,
                 const registry::WatchCache<registry::UnitStateRecord>& states, int units) {
  for (int i = 0; i < units; ++i) {
    if (auto destroyed = registry.destroy_unit(unit_name(i)); !destroyed) {
      std::cerr << "bench_agent: " << destroyed.error().to_string() << "\n";
      return false;
    }
  }
  return testing::eventually([&] { return states.size() == 0; }, kActiveDeadline);
}

// fleetd's CPU ticks (utime + stime) and resident kB, read inside the machine.
std::optional<std::pair<long, long>> fleetd_usage(const testing::NspawnCluster& cluster) {
  auto read = cluster.exec(0, {"/bin/sh", "-c",
                               "pid=$(systemctl show -P MainPID fleet.service); "
                               "cut -d' ' -f14,15 /proc/$pid/stat; grep VmRSS /proc/$pid/status"});
  if (!read.ok()) return std::nullopt;
  std::istringstream in(read.output);
  long utime = 0, stime = 0, rss_kb = 0;
  std::string label;
  if (!(in >> utime >> stime >> label >> rss_kb)) return std::nullopt;
  return std::pair{utime + stime, rss_kb};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures schedule-to-active and fleetd's idle cost on a real systemd machine."};
  std::vector<int> units = {1, 500};
  int idle_seconds = 10;
  app.add_option("--units", units, "units per scenario, submitted at once");
  app.add_option("--idle-seconds", idle_seconds, "how long to sample fleetd while idle");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  std::cerr << "bench_agent: booting one machine running fleetd\n";
  auto cluster = testing::NspawnCluster::boot({.machines = 1, .fleetd = true});
  auto client = etcd::Client::connect({.endpoints = cluster->etcd_endpoints()}).value();
  registry::Registry registry(*client, registry::Keys());
  auto states = registry::WatchCache<registry::UnitStateRecord>::start(
                    *client, registry.keys().states(), registry::decode_unit_state)
                    .value();

  for (size_t s = 0; s < units.size(); ++s) {
    std::cerr << "bench_agent: " << units[s] << " units\n";
    auto seconds = schedule_to_active(registry, *states, units[s]);
    if (!seconds) return 1;
    std::printf(
        "{\"bench\":\"agent_schedule_to_active\",\"units\":%d,\"seconds\":%.3f,"
        "\"units_per_s\":%.0f}\n",
        units[s], *seconds, units[s] / *seconds);
    std::fflush(stdout);
    if (s + 1 < units.size() && !destroy_all(registry, *states, units[s])) return 1;
  }

  std::cerr << "bench_agent: sampling idle fleetd for " << idle_seconds << " s\n";
  auto before = fleetd_usage(*cluster);
  auto started = SteadyClock::now();
  // The measurement window itself: fleetd must be left alone for it.
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  auto after = fleetd_usage(*cluster);
  if (!before || !after) {
    std::cerr << "bench_agent: cannot read fleetd's /proc entries\n";
    return 1;
  }
  double window = std::chrono::duration<double>(SteadyClock::now() - started).count();
  double cpu_seconds = double(after->first - before->first) / double(sysconf(_SC_CLK_TCK));
  std::printf(
      "{\"bench\":\"fleetd_idle\",\"units\":%d,\"seconds\":%.1f,\"cpu_percent\":%.2f,"
      "\"rss_mb\":%.1f}\n",
      units.back(), window, 100.0 * cpu_seconds / window, after->second / 1024.0);
  return 0;
}
