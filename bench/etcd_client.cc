// bench_etcd_client: how fast fleet's etcd client can write through one etcd.
//
// With no arguments it starts a private etcd on loopback (data on tmpfs when /dev/shm is
// writable) and prints one JSON line per figure:
//   {"bench":"etcd_put","clients":N,"ops_per_s":X,...}
//   {"bench":"etcd_txn","ops_per_txn":N,"ops_per_s":X,...}
// This is the ceiling for every scheduling figure measured later. --endpoints measures an
// existing etcd instead (keys are written under /bench/ and deleted afterwards).
//
// --ceiling runs only the scale benchmark's reference figure (bench/run), the engine's write
// shape: transactions of 128 puts under one guard, the leader key's create revision, as
// Registry::write_schedule commits them:
//   {"bench":"etcd_ceiling","txn_ops_per_s":X,"txns_per_s":T,...,"etcd":{...}}
// with "etcd" the requests etcd's /metrics counted meanwhile.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "fleet/etcd/client.h"

#include "common/etcd_metrics.h"
#include "common/etcd_target.h"

namespace {

using fleet::etcd::Client;
using fleet::etcd::Compare;
using fleet::etcd::Op;
using SteadyClock = std::chrono::steady_clock;

struct Figures {
  double ops_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long requests = 0;
  long errors = 0;
};

// Runs `clients` threads, each with its own client (and so its own gRPC channel), calling
// `request(client, thread, sequence)` until `seconds` have passed. Each request writes
// `ops_per_request` keys.
template <class Request>
Figures measure(const std::vector<std::string>& endpoints, int clients, double seconds,
                int ops_per_request, Request request) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<long> errors{0};
  auto until = SteadyClock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  auto started = SteadyClock::now();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto client = Client::connect({.endpoints = endpoints}).value();
      for (long sequence = 0; SteadyClock::now() < until; ++sequence) {
        auto begin = SteadyClock::now();
        if (!request(*client, t, sequence)) ++errors;
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(SteadyClock::now() - begin).count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - started).count();

  std::vector<double> all;
  for (auto& per_thread : latencies) all.insert(all.end(), per_thread.begin(), per_thread.end());
  std::sort(all.begin(), all.end());
  Figures figures;
  figures.requests = static_cast<long>(all.size());
  figures.errors = errors;
  figures.ops_per_s = (figures.requests - figures.errors) * ops_per_request / elapsed;
  if (!all.empty()) {
    figures.p50_ms = all[all.size() / 2];
    figures.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return figures;
}

std::string key_for(int thread, long sequence, int op) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "/bench/%02d/%09ld/%03d", thread, sequence, op);
  return buffer;
}

void print(const std::string& head, const Figures& f, const std::string& data) {
  std::printf(
      "{%s,\"ops_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"requests\":%ld,\"errors\":%ld,"
      "\"etcd_data\":\"%s\"}\n",
      head.c_str(), f.ops_per_s, f.p50_ms, f.p99_ms, f.requests, f.errors, data.c_str());
  std::fflush(stdout);
}

// etcd_ceiling: `clients` writers commit transactions of kMaxTxnOps puts, each guarded by the
// create revision of one leader key.
bool run_ceiling(const std::vector<std::string>& endpoints, Client& admin, int clients,
                 double seconds, const std::string& data) {
  const std::string leader = "/bench/leader";
  auto created = admin.put(leader, "bench-engine");
  auto before = fleet::bench::scrape_etcd_metrics(endpoints.front());
  if (!created || !before) {
    std::cerr << "bench_etcd_client: "
              << (created ? before.error().message : created.error().message) << "\n";
    return false;
  }
  const int size = static_cast<int>(fleet::etcd::kMaxTxnOps);
  const auto guard =
      Compare::make(leader, Compare::Target::kCreateRevision, Compare::Relation::kEqual, *created);
  std::cerr << "bench_etcd_client: etcd_ceiling, " << clients << " clients, " << size
            << " puts per txn under one guard, " << seconds << " s\n";
  auto figures = measure(endpoints, clients, seconds, size, [&](Client& c, int t, long s) {
    std::vector<Op> ops;
    for (int op = 0; op < size; ++op) {
      ops.push_back(Op::put(key_for(t, s, op), "machine-id-0123456789abcdef"));
    }
    return c.commit({guard}, std::move(ops)).has_value();
  });
  auto after = fleet::bench::scrape_etcd_metrics(endpoints.front());
  if (!after) {
    std::cerr << "bench_etcd_client: " << after.error().message << "\n";
    return false;
  }
  std::printf(
      "{\"bench\":\"etcd_ceiling\",\"txn_ops_per_s\":%.0f,\"txns_per_s\":%.0f,"
      "\"ops_per_txn\":%d,\"clients\":%d,\"seconds\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
      "\"errors\":%ld,\"etcd_data\":\"%s\",\"etcd\":%s}\n",
      figures.ops_per_s, figures.ops_per_s / size, size, clients, seconds, figures.p50_ms,
      figures.p99_ms, figures.errors, data.c_str(),
      fleet::bench::json_delta(*before, *after).c_str());
  std::fflush(stdout);
  admin.erase("/bench/", fleet::etcd::prefix_end("/bench/"));
  return figures.errors == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures fleet's etcd client against a real etcd; prints JSON lines."};
  std::string endpoints_flag;
  double seconds = 3.0;
  std::vector<int> client_counts = {1, 8, 32};
  std::vector<int> txn_sizes = {1, 16, 128};
  int txn_clients = 8;
  bool ceiling = false;
  app.add_option("--endpoints", endpoints_flag,
                 "etcd to measure (comma-separated URLs); default: start a private one");
  app.add_option("--seconds", seconds, "duration of each scenario")->check(CLI::PositiveNumber);
  app.add_option("--clients", client_counts, "concurrent clients for etcd_put");
  app.add_option("--ops-per-txn", txn_sizes, "operations per transaction for etcd_txn");
  app.add_option("--txn-clients", txn_clients, "concurrent clients for etcd_txn");
  app.add_flag("--ceiling", ceiling,
               "run only etcd_ceiling (--txn-clients writers, 128 guarded puts per txn)");
  CLI11_PARSE(app, argc, argv);

  auto etcd_target = fleet::bench::etcd_target(endpoints_flag, "bench_etcd_client");
  const std::vector<std::string>& endpoints = etcd_target.endpoints;
  const std::string& data = etcd_target.data;
  auto admin = Client::connect({.endpoints = endpoints});
  if (!admin) {
    std::cerr << "bench_etcd_client: " << admin.error().message << "\n";
    return 1;
  }

  if (ceiling) return run_ceiling(endpoints, **admin, txn_clients, seconds, data) ? 0 : 1;
  for (int clients : client_counts) {
    std::cerr << "bench_etcd_client: etcd_put with " << clients << " clients\n";
    auto figures = measure(endpoints, clients, seconds, 1, [](Client& c, int t, long s) {
      return c.put(key_for(t, s, 0), "value-of-a-typical-small-record").has_value();
    });
    print("\"bench\":\"etcd_put\",\"clients\":" + std::to_string(clients), figures, data);
    (*admin)->erase("/bench/", fleet::etcd::prefix_end("/bench/"));
  }
  for (int size : txn_sizes) {
    std::cerr << "bench_etcd_client: etcd_txn with " << size << " guarded puts per txn\n";
    // Each operation is a create-only put guarded by its own compare, the shape the engine
    // uses to record schedule decisions.
    auto figures = measure(endpoints, txn_clients, seconds, size, [size](Client& c, int t, long s) {
      std::vector<Compare> guards;
      std::vector<Op> ops;
      for (int op = 0; op < size; ++op) {
        guards.push_back(Compare::absent(key_for(t, s, op)));
        ops.push_back(Op::put(key_for(t, s, op), "machine-id-0123456789abcdef"));
      }
      return c.commit(std::move(guards), std::move(ops)).has_value();
    });
    print("\"bench\":\"etcd_txn\",\"ops_per_txn\":" + std::to_string(size) +
              ",\"clients\":" + std::to_string(txn_clients),
          figures, data);
    (*admin)->erase("/bench/", fleet::etcd::prefix_end("/bench/"));
  }
  return 0;
}
