// bench_api: how long fleet's API takes to list a large cluster, and what that costs etcd.
//
// With no arguments it starts a private etcd on loopback (data on tmpfs when /dev/shm is
// writable) and writes a cluster straight into the registry, as fleet's own components would:
// M machines, each present on its own lease; U launched units (instances of 10 templates),
// each scheduled to a machine; and each unit's state, reported by its machine on that machine's
// lease. Then it starts the real API server in-process on a unix socket, over the RegistryBackend
// fleetd uses, and lists GET /fleet/v1/units and GET /fleet/v1/state through every page with
// fleetctl's HTTP client, --repeats times. It prints one line:
//   {"bench":"api_list","units":U,"units_p50_ms":..,"units_p99_ms":..,"state_p50_ms":..,
//    "state_p99_ms":..,"units_first_ms":..,"state_first_ms":..,"etcd":{...},...}
// where *_first_ms is the first listing on a cold backend (it loads the watch-fed cache) and the
// percentiles are over the repeats that follow; "etcd" is what etcd's /metrics counted during the
// repeats (zero range requests: every page is served from the cache), "etcd_first" during the
// two cold listings.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/client/http_fleet_api.h"
#include "fleet/etcd/client.h"
#include "fleet/registry/registry.h"

#include "common/etcd_metrics.h"
#include "common/etcd_target.h"
#include "common/workload.h"
#include "fixtures/temp_dir.h"

namespace {

using namespace fleet;
using SteadyClock = std::chrono::steady_clock;

constexpr int kWriters = 8;
constexpr size_t kUnitsPerCall = 1000;
constexpr int64_t kLeaseTtlSeconds = 3600;  // outlives the run: no keepalives to disturb it
const std::string kPrefix = "/bench-api/";

double ms_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// Nearest rank: the smallest sample with at least `fraction` of them at or below it.
double percentile(std::vector<double> samples, double fraction) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(samples.size())));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

std::string machine_id(int m) {
  char id[33];
  std::snprintf(id, sizeof id, "%032x", m);
  return id;
}

// Runs `work(writer, client)` on kWriters threads, each with its own etcd client; false when any
// returned false.
bool in_parallel(const std::vector<std::string>& endpoints,
                 const std::function<bool(int, etcd::Client&)>& work) {
  std::atomic<bool> ok{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto client = etcd::Client::connect({.endpoints = endpoints});
      if (!client || !work(w, **client)) ok = false;
    });
  }
  for (auto& thread : threads) thread.join();
  return ok;
}

bool report(const Status& status) {
  if (!status) std::cerr << "bench_api: " << status.error().message << "\n";
  return status.has_value();
}

// Writes the cluster; returns each machine's lease (for the cleanup), empty on failure.
std::vector<etcd::LeaseId> populate(const std::vector<std::string>& endpoints, int machines,
                                    int units) {
  const auto bodies = bench::template_bodies();
  std::vector<etcd::LeaseId> leases(machines);

  auto started = SteadyClock::now();
  bool ok = in_parallel(endpoints, [&](int w, etcd::Client& client) {
    registry::Registry registry(client, registry::Keys(kPrefix));
    for (int m = w; m < machines; m += kWriters) {
      auto lease = client.lease_grant(kLeaseTtlSeconds);
      if (!lease) return report(fail(lease.error()));
      leases[m] = lease->id;
      if (!report(
              registry.register_machine({machine_id(m), "10.0.0.1", {}, "bench", {}}, lease->id))) {
        return false;
      }
    }
    return true;
  });
  std::cerr << "bench_api: " << machines << " machines registered in " << ms_since(started)
            << " ms\n";

  started = SteadyClock::now();
  ok = ok && in_parallel(endpoints, [&](int w, etcd::Client& client) {
         registry::Registry registry(client, registry::Keys(kPrefix));
         std::vector<registry::NewUnit> batch;
         auto flush = [&] {
           bool all = true;
           for (const auto& created : registry.create_units(batch)) {
             all = (created || report(fail(created.error()))) && all;
           }
           batch.clear();
           return all;
         };
         for (int i = w; i < units; i += kWriters) {
           batch.push_back({bench::instance_name(i), bodies[i % bench::kTemplates],
                            unit::DesiredState::kLaunched});
           if (batch.size() == kUnitsPerCall && !flush()) return false;
         }
         return batch.empty() || flush();
       });
  std::cerr << "bench_api: " << units << " units created in " << ms_since(started) << " ms\n";

  // The engine's writes: one schedule entry per unit. No engine runs here, so the guard is one
  // that always holds.
  started = SteadyClock::now();
  ok = ok && in_parallel(endpoints, [&](int w, etcd::Client& client) {
         registry::Registry registry(client, registry::Keys(kPrefix));
         const auto guard = etcd::Compare::absent(kPrefix + "bench-no-leader");
         std::vector<registry::ScheduleWrite> batch;
         for (int i = w; i < units; i += kWriters) {
           batch.push_back({.unit = bench::instance_name(i),
                            .remove_from = {},
                            .put_on = machine_id(i % machines),
                            .assignment = {bodies[i % bench::kTemplates].hash(),
                                           unit::DesiredState::kLaunched}});
           if (batch.size() == kUnitsPerCall || i + kWriters >= units) {
             if (auto written = registry.write_schedule(batch, guard); !written) {
               return report(fail(written.error()));
             }
             batch.clear();
           }
         }
         return true;
       });
  std::cerr << "bench_api: " << units << " units scheduled in " << ms_since(started) << " ms\n";

  // Each agent's report of its units, on its machine's lease: the key and record publish_state
  // writes, 128 to a transaction rather than one put each, to keep the setup short.
  started = SteadyClock::now();
  ok = ok && in_parallel(endpoints, [&](int w, etcd::Client& client) {
         const registry::Keys keys(kPrefix);
         etcd::Txn txn;
         auto flush = [&] {
           auto result = client.txn(txn);
           txn.success.clear();
           if (!result) return report(fail(result.error()));
           return true;
         };
         for (int i = w; i < units; i += kWriters) {
           registry::UnitStateRecord state{bodies[i % bench::kTemplates].hash(), "loaded", "active",
                                           "running", true};
           txn.success.push_back(
               etcd::Op::put(keys.state(bench::instance_name(i), machine_id(i % machines)),
                             registry::encode(state), leases[i % machines]));
           if (txn.success.size() == etcd::kMaxTxnOps && !flush()) return false;
         }
         return txn.success.empty() || flush();
       });
  std::cerr << "bench_api: " << units << " unit states published in " << ms_since(started)
            << " ms\n";
  if (!ok) return {};
  return leases;
}

// One listing through every page; its duration in ms, or -1 when it failed or came short.
using Listing = std::function<Result<size_t>(client::HttpFleetApi&)>;

double timed(client::HttpFleetApi& api, const Listing& list, size_t expected) {
  auto started = SteadyClock::now();
  auto listed = list(api);
  double ms = ms_since(started);
  if (!listed) {
    std::cerr << "bench_api: " << listed.error().message << "\n";
    return -1;
  }
  if (*listed != expected) {
    std::cerr << "bench_api: listed " << *listed << " of " << expected << "\n";
    return -1;
  }
  return ms;
}

Result<size_t> list_units(client::HttpFleetApi& api) {
  auto units = api.units();
  if (!units) return fail(units.error());
  return units->size();
}

Result<size_t> list_states(client::HttpFleetApi& api) {
  auto states = api.unit_states();
  if (!states) return fail(states.error());
  return states->size();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures listing fleet's API over a large cluster; prints one JSON line."};
  std::string endpoints_flag;
  int units = 100000;
  int machines = 1000;
  int repeats = 5;
  int page_size = 100;
  app.add_option("--endpoints", endpoints_flag,
                 "etcd to use (comma-separated URLs; keys under /bench-api/, deleted afterwards); "
                 "default: start a private one");
  app.add_option("--units", units, "units (each with a schedule entry and a state)")
      ->check(CLI::PositiveNumber);
  app.add_option("--machines", machines, "machines the units and states spread over")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "listings of each path after the first")
      ->check(CLI::PositiveNumber);
  app.add_option("--page-size", page_size, "the API's token_limit (fleetd's default: 100)")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  auto etcd_target = bench::etcd_target(endpoints_flag, "bench_api");
  auto& server = etcd_target.server;
  const std::vector<std::string>& endpoints = etcd_target.endpoints;
  const std::string& data = etcd_target.data;
  auto client = etcd::Client::connect({.endpoints = endpoints});
  if (!client) {
    std::cerr << "bench_api: " << client.error().message << "\n";
    return 1;
  }
  registry::Registry registry(**client, registry::Keys(kPrefix));
  if (!report(registry.ensure_schema())) return 1;
  auto leases = populate(endpoints, machines, units);
  auto cleanup = [&] {
    if (server) return;  // the private etcd goes with its data
    (*client)->erase(kPrefix, etcd::prefix_end(kPrefix));
    for (auto lease : leases) (*client)->lease_revoke(lease);
  };
  if (leases.empty()) {
    cleanup();
    return 1;
  }

  testing::TempDir dir("bench-api");
  const std::string socket = (dir.path() / "fleet.sock").string();
  auto api_server = api::ApiServer::start(
      {.listen = {.socket_activation = false, .unix_socket = socket}, .version = "bench"});
  auto api = client::HttpFleetApi::open(
      {.endpoint = "unix://" + socket, .request_timeout = std::chrono::seconds(60)});
  if (!api_server || !api || !(*api_server)->failures().empty()) {
    std::cerr << "bench_api: cannot start the API server or its client\n";
    cleanup();
    return 1;
  }

  // Each cold listing gets a backend of its own, so each one loads the cache. fleetd waits 10 s
  // for a load; here a slower one is measured rather than failed.
  const api::RegistryBackendOptions backend_options{.load_wait = std::chrono::seconds(120)};
  const auto expected = static_cast<size_t>(units);
  auto metrics_url = endpoints.front();
  auto before_first = bench::scrape_etcd_metrics(metrics_url);
  auto cold = [&](const Listing& list) {
    api::RegistryBackend backend(registry, backend_options);
    auto attached = (*api_server)->attach(api::Router(backend, {.token_limit = page_size}), [&] {
      return backend.ready();
    });
    return timed(**api, list, expected);
  };
  std::cerr << "bench_api: first listings (cold cache)\n";
  double units_first = cold(list_units);
  double state_first = cold(list_states);
  std::cerr << "bench_api: first listings: /units " << units_first << " ms, /state " << state_first
            << " ms\n";
  auto after_first = bench::scrape_etcd_metrics(metrics_url);

  api::RegistryBackend backend(registry, backend_options);
  auto attached = (*api_server)->attach(api::Router(backend, {.token_limit = page_size}), [&] {
    return backend.ready();
  });
  // Loads the cache, so the repeats measure the steady state alone.
  bool ok = units_first >= 0 && state_first >= 0 && timed(**api, list_units, expected) >= 0;
  std::vector<double> units_ms, state_ms;
  auto before = bench::scrape_etcd_metrics(metrics_url);
  std::cerr << "bench_api: " << repeats << " listings of /units and /state\n";
  for (int r = 0; ok && r < repeats; ++r) {
    units_ms.push_back(timed(**api, list_units, expected));
    state_ms.push_back(timed(**api, list_states, expected));
    ok = units_ms.back() >= 0 && state_ms.back() >= 0;
    std::cerr << "bench_api: listing " << r + 1 << ": /units " << units_ms.back() << " ms, /state "
              << state_ms.back() << " ms\n";
  }
  auto after = bench::scrape_etcd_metrics(metrics_url);
  attached = {};
  cleanup();
  if (!ok) return 1;
  for (const auto* scraped : {&before_first, &after_first, &before, &after}) {
    if (!*scraped) {
      std::cerr << "bench_api: " << scraped->error().message << "\n";
      return 1;
    }
  }

  std::printf(
      "{\"bench\":\"api_list\",\"units\":%d,\"states\":%d,\"machines\":%d,\"page_size\":%d,"
      "\"repeats\":%d,\"units_p50_ms\":%.1f,\"units_p99_ms\":%.1f,\"state_p50_ms\":%.1f,"
      "\"state_p99_ms\":%.1f,\"units_first_ms\":%.1f,\"state_first_ms\":%.1f,\"etcd_data\":\"%s\","
      "\"etcd\":%s,\"etcd_first\":%s}\n",
      units, units, machines, page_size, repeats, percentile(units_ms, 0.5),
      percentile(units_ms, 0.99), percentile(state_ms, 0.5), percentile(state_ms, 0.99),
      units_first, state_first, data.c_str(), bench::json_delta(*before, *after).c_str(),
      bench::json_delta(*before_first, *after_first).c_str());
  std::fflush(stdout);
  return 0;
}
