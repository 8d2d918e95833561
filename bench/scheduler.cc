// bench_scheduler: how long the engine's pure scheduler takes to make one plan, on one core, with
// no etcd in the way.
//
// With no arguments it runs, for 1,000 machines and each of 10,000 and 100,000 units, four
// scenarios and prints one JSON line per scenario, the median of --runs runs:
//   {"bench":"scheduler_plan","machines":M,"units":U,"plan_ms":X,"scenario":S,"decisions":D,
//    "waiting":W}
//   initial       every unit unscheduled: the first placement of all of them
//   steady        every unit where the initial plan put it: the plan must be empty
//   machine_lost  the steady cluster less one machine: its units move
//   constrained   first placement of a mix of metadata, MachineID, Conflicts, MachineOf,
//                 Replaces and global units
#include "fleet/engine/scheduler.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

using fleet::engine::ClusterState;
using fleet::engine::MachineInfo;
using fleet::engine::Plan;
using fleet::engine::Scheduler;
using fleet::engine::UnitInfo;
using fleet::unit::DesiredState;
using fleet::unit::FleetOptions;
using Options = std::shared_ptr<const FleetOptions>;

constexpr std::array<const char*, 4> kRegions = {"us-east", "us-west", "eu", "ap"};

// 32 hex digits, like /etc/machine-id, different in their first 8 (so short IDs are unique).
std::string machine_id(int m) {
  char id[33];
  std::snprintf(id, sizeof id, "%08x%024x", static_cast<unsigned>(m) * 2654435761u, m);
  return id;
}

std::vector<MachineInfo> machines(int count) {
  std::vector<MachineInfo> out;
  out.reserve(count);
  for (int m = 0; m < count; ++m) {
    out.push_back({machine_id(m),
                   {{"region", kRegions[m % kRegions.size()]}, {"disk", m % 3 ? "ssd" : "hdd"}}});
  }
  return out;
}

std::string unit_name(const char* kind, int i) {
  char name[64];
  std::snprintf(name, sizeof name, "%s-%06d.service", kind, i);
  return name;
}

// Every unit without [X-Fleet] options: they share one options object, as units of one template
// share their parsed options in the engine's cache.
ClusterState unconstrained(int machine_count, int unit_count) {
  ClusterState state{machines(machine_count), {}};
  auto none = std::make_shared<const FleetOptions>();
  state.units.reserve(unit_count);
  for (int i = 0; i < unit_count; ++i) {
    state.units.push_back({unit_name("app", i), DesiredState::kLaunched, none, ""});
  }
  return state;
}

// One in ten units of each constrained kind, the rest plain, plus 10 global units.
ClusterState constrained(int machine_count, int unit_count) {
  ClusterState state{machines(machine_count), {}};
  auto none = std::make_shared<const FleetOptions>();
  auto add = [&state](std::string name, FleetOptions options) {
    state.units.push_back({std::move(name), DesiredState::kLaunched,
                           std::make_shared<const FleetOptions>(std::move(options)), ""});
  };
  for (int g = 0; g < 10; ++g) {
    FleetOptions options;
    options.global = true;
    if (g % 2) options.machine_metadata["region"] = {kRegions[g % kRegions.size()]};
    add(unit_name("global", g), std::move(options));
  }
  for (int i = 0; i < unit_count - 10; ++i) {
    FleetOptions options;
    switch (i % 10) {
      case 0:  // in one region, on an SSD
        options.machine_metadata["region"] = {kRegions[i % kRegions.size()]};
        options.machine_metadata["disk"] = {"ssd"};
        add(unit_name("db", i), std::move(options));
        break;
      case 1: {  // anti-affinity in groups of 50: web-<group>@<i>
        std::string group = "web-" + std::to_string(i / 500);
        options.conflicts = {group + "@*"};
        add(group + "@" + std::to_string(i) + ".service", std::move(options));
        break;
      }
      case 2:  // a sidecar of the db unit just before it
        options.machine_of = {unit_name("db", i - 2)};
        add(unit_name("sidecar", i), std::move(options));
        break;
      case 3:  // pinned by short machine ID
        options.machine_id = machine_id(i % machine_count).substr(0, 8);
        add(unit_name("pinned", i), std::move(options));
        break;
      case 4:  // an old version, and the new one that replaces it
        add(unit_name("old", i), std::move(options));
        break;
      case 5:
        options.replaces = {unit_name("old", i - 1)};
        add(unit_name("new", i), std::move(options));
        break;
      default:
        state.units.push_back({unit_name("app", i), DesiredState::kLaunched, none, ""});
    }
  }
  return state;
}

ClusterState applied(ClusterState state, const Plan& plan) {
  std::unordered_map<std::string, std::string> to;
  for (const auto& decision : plan.decisions) to[decision.unit] = decision.to;
  for (auto& unit : state.units) {
    if (auto it = to.find(unit.name); it != to.end()) unit.machine = it->second;
  }
  return state;
}

// Median plan time over `runs` runs, and the last plan.
std::pair<double, Plan> measure(const ClusterState& state, int runs) {
  std::vector<double> times;
  Plan plan;
  for (int run = 0; run < runs; ++run) {
    auto begin = std::chrono::steady_clock::now();
    plan = Scheduler::plan(state);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
            .count());
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], std::move(plan)};
}

Plan report(const char* scenario, const ClusterState& state, int runs) {
  std::cerr << "bench_scheduler: " << scenario << ", " << state.machines.size() << " machines, "
            << state.units.size() << " units\n";
  auto [ms, plan] = measure(state, runs);
  std::printf(
      "{\"bench\":\"scheduler_plan\",\"machines\":%zu,\"units\":%zu,\"plan_ms\":%.1f,"
      "\"scenario\":\"%s\",\"decisions\":%zu,\"waiting\":%zu}\n",
      state.machines.size(), state.units.size(), ms, scenario, plan.decisions.size(),
      plan.waiting.size());
  std::fflush(stdout);
  return plan;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times Scheduler::plan on synthetic clusters; prints JSON lines."};
  int runs = 5;
  int machine_count = 1000;
  std::vector<int> unit_counts = {10000, 100000};
  app.add_option("--runs", runs, "runs per scenario (the median is reported)")
      ->check(CLI::PositiveNumber);
  app.add_option("--machines", machine_count, "machines in every scenario")
      ->check(CLI::PositiveNumber);
  app.add_option("--units", unit_counts, "unit counts to run the scenarios for");
  CLI11_PARSE(app, argc, argv);

  for (int unit_count : unit_counts) {
    ClusterState state = unconstrained(machine_count, unit_count);
    state = applied(state, report("initial", state, runs));
    if (!report("steady", state, runs).empty()) {
      std::cerr << "bench_scheduler: the plan for a placed cluster is not empty\n";
      return 1;
    }
    state.machines.erase(state.machines.begin() + std::ssize(state.machines) / 2);
    report("machine_lost", state, runs);
    report("constrained", constrained(machine_count, unit_count), runs);
  }
  return 0;
}
