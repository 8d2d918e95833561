// bench_etcd_client: how fast fleet's etcd client can write through one etcd.
//
// With no arguments it starts a private etcd on loopback (data on tmpfs when /dev/shm is
// writable) and prints one JSON line per figure:
//   {"bench":"etcd_put","clients":N,"ops_per_s":X,...}
//   {"bench":"etcd_txn","ops_per_txn":N,"ops_per_s":X,...}
// This is the ceiling for every scheduling figure measured later. --endpoints measures an
// existing etcd instead (keys are written under /bench/ and deleted afterwards).
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

#include "common/storage_medium.h"
#include "fixtures/etcd_server.h"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures fleet's etcd client against a real etcd; prints JSON lines."};
  std::string endpoints_flag;
  double seconds = 3.0;
  std::vector<int> client_counts = {1, 8, 32};
  std::vector<int> txn_sizes = {1, 16, 128};
  int txn_clients = 8;
  app.add_option("--endpoints", endpoints_flag,
                 "etcd to measure (comma-separated URLs); default: start a private one");
  app.add_option("--seconds", seconds, "duration of each scenario")->check(CLI::PositiveNumber);
  app.add_option("--clients", client_counts, "concurrent clients for etcd_put");
  app.add_option("--ops-per-txn", txn_sizes, "operations per transaction for etcd_txn");
  app.add_option("--txn-clients", txn_clients, "concurrent clients for etcd_txn");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<fleet::testing::EtcdServer> server;
  std::vector<std::string> endpoints;
  std::string data = "external";
  if (endpoints_flag.empty()) {
    std::cerr << "bench_etcd_client: starting a private etcd on loopback\n";
    server = std::make_unique<fleet::testing::EtcdServer>();
    endpoints = {server->endpoint()};
    data = fleet::bench::storage_medium(server->data_dir());
  } else {
    for (auto& url : CLI::detail::split(endpoints_flag, ',')) endpoints.push_back(url);
  }
  auto admin = Client::connect({.endpoints = endpoints});
  if (!admin) {
    std::cerr << "bench_etcd_client: " << admin.error().message << "\n";
    return 1;
  }

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
