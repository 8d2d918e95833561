// bench_cluster: a whole fleet cluster at scale on one host: M simulated machines (real agents,
// simulated systemd; common/simulated_cluster.h) plus a fleetd without an agent (the real
// engine and the real HTTP API, wired as src/cmd/fleetd/daemon.cc wires them), against one etcd.
//
// The fleetd part runs in a child process (this program re-executed with --role fleetd) so its
// memory is measured apart from the generator's, as the issue asks for both. With no --endpoints
// a private etcd is started on loopback with its data on tmpfs, as bench_engine does.
//
// Scenarios (--scenario, in this order; idle, failover and global run on mass_launch's units):
//   mass_launch  U units PUT through the HTTP API (desiredState launched, as fleetctl start does)
//                from --writers concurrent clients, until every unit has an active state
//   idle         the cluster left alone for --idle-seconds
//   failover     10% of the machines crash; until every unit they ran is active elsewhere
//   global       one global unit; until every live machine reports it active
// Each prints one JSON line {"bench":"cluster_<scenario>",...}; progress goes to stderr and, with
// --timeline, active units once a second to a CSV file (t_s,scenario,active_units,per_s).
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/api/router.h"
#include "fleet/client/http_fleet_api.h"
#include "fleet/engine/engine.h"
#include "fleet/etcd/client.h"
#include "fleet/registry/list_watch.h"
#include "fleet/registry/registry.h"

#include "common/etcd_metrics.h"
#include "common/etcd_target.h"
#include "common/simulated_cluster.h"
#include "common/workload.h"
#include "fixtures/child_process.h"
#include "fixtures/free_port.h"

namespace {

using namespace fleet;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kKeyPrefix = "/bench-cluster/";
constexpr const char* kGlobalUnit = "bench-global.service";
// A PUT that times out or meets a busy server is tried again this many times.
constexpr int kPutAttempts = 5;

struct Flags {
  std::string role = "generator";
  std::string endpoints;
  int machines = 100;
  int units = 1000;
  std::vector<std::string> scenarios = {"mass_launch", "idle", "failover", "global"};
  int agent_ttl_s = 10;
  int start_delay_ms = 100;
  int idle_seconds = 60;
  int writers = 8;
  int clients = 4;
  int etcd_nice = -10;
  std::string timeline;
  int api_threads = static_cast<int>(api::ApiServerOptions{}.threads);  // fleetd's default
  int api_port = 0;                                                     // --role fleetd only
};

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// A field of /proc/<pid>/status ("VmRSS", "VmHWM", "Threads"), its number; -1 when unreadable.
long proc_status(pid_t pid, const std::string& field) {
  std::ifstream in(pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

double rss_mb(pid_t pid) { return proc_status(pid, "VmRSS") / 1024.0; }

// User plus system CPU seconds of a process (0: this one).
double cpu_seconds(pid_t pid) {
  std::ifstream in(pid == 0 ? "/proc/self/stat" : "/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which may hold spaces, start past its closing ')'.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

// CPU seconds each of the three processes spent during a scenario, to tell where its time went
// on a machine they share: {"fleetd":F,"generator":G,"etcd":E}, etcd null when the benchmark
// does not own it (--endpoints).
class CpuWindow {
 public:
  CpuWindow(pid_t fleetd, pid_t etcd)
      : fleetd_(fleetd), etcd_(etcd), before_{cpu_seconds(fleetd), cpu_seconds(0), etcd_now()} {}

  std::string json() const {
    char text[128];
    std::snprintf(text, sizeof text, "{\"fleetd\":%.1f,\"generator\":%.1f,\"etcd\":",
                  cpu_seconds(fleetd_) - before_[0], cpu_seconds(0) - before_[1]);
    std::string out = text;
    if (etcd_ == 0) return out + "null}";
    std::snprintf(text, sizeof text, "%.1f}", etcd_now() - before_[2]);
    return out + text;
  }

 private:
  double etcd_now() const { return etcd_ == 0 ? 0 : cpu_seconds(etcd_); }

  pid_t fleetd_;
  pid_t etcd_;
  std::array<double, 3> before_;
};

// Sets the nice value of every thread of process `pid` (nice is per thread on Linux; threads it
// creates later inherit their creator's).
Status renice_process(pid_t pid, int nice) {
  std::error_code error;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    pid_t tid = std::stoi(task.path().filename().string());
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) != 0) {
      return fail(ErrorCode::kInternal, "cannot set nice " + std::to_string(nice) + " on thread " +
                                            std::to_string(tid) + " of process " +
                                            std::to_string(pid) + ": " + std::strerror(errno));
    }
  }
  if (error)
    return fail(ErrorCode::kInternal,
                "threads of process " + std::to_string(pid) + ": " + error.message());
  return {};
}

// Linux 6.16 and later give each process its own futex hash table, sized for a few threads: 16
// buckets here, shared by the 10,000 threads of 1,000 agents, so that every wake walked hundreds
// of sleepers (futex_wake was a quarter of the benchmark's CPU). The system-wide table is what a
// real fleetd, with its few dozen threads, effectively gets. Older kernels have only that one and
// refuse the call, which is fine.
void use_global_futex_hash() {
  constexpr int kPrFutexHash = 78;         // PR_FUTEX_HASH
  constexpr int kPrFutexHashSetSlots = 1;  // PR_FUTEX_HASH_SET_SLOTS; 0 slots: the global table
  (void)prctl(kPrFutexHash, kPrFutexHashSetSlots, 0, 0, 0);
}

// --role fleetd ------------------------------------------------------------------------------

// fleetd without its agent: the engine, the registry-backed API and its HTTP server, as
// daemon.cc's Server wires them, until SIGTERM.
int run_fleetd(const Flags& flags) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Before any thread starts, so every thread inherits the mask and sigwait below gets them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::string> endpoints;
  for (auto& url : CLI::detail::split(flags.endpoints, ',')) endpoints.push_back(url);
  auto client = etcd::Client::connect({.endpoints = endpoints});
  if (!client) {
    std::cerr << "bench_cluster fleetd: " << client.error().message << "\n";
    return 1;
  }
  registry::Registry registry(**client, registry::Keys(kKeyPrefix));
  if (auto schema = registry.ensure_schema(); !schema) {
    std::cerr << "bench_cluster fleetd: " << schema.error().message << "\n";
    return 1;
  }
  auto engine = engine::Engine::start(registry, {.machine_id = "bench-fleetd"});
  if (!engine) {
    std::cerr << "bench_cluster fleetd: " << engine.error().message << "\n";
    return 1;
  }
  api::RegistryBackend backend(registry);
  auto server = api::ApiServer::start(
      {.listen = {.socket_activation = false,
                  .unix_socket = "",
                  .tcp = {{.host = "127.0.0.1", .port = static_cast<uint16_t>(flags.api_port)}}},
       .version = "bench",
       .threads = static_cast<size_t>(flags.api_threads)});
  if (!server || (*server)->addresses().empty()) {
    std::cerr << "bench_cluster fleetd: cannot serve the API on port " << flags.api_port << "\n";
    return 1;
  }
  auto attached = (*server)->attach(api::Router(backend), [&] { return backend.ready(); });
  int signal = 0;
  sigwait(&signals, &signal);
  (void)(*engine)->resign();
  return 0;
}

// Generator ----------------------------------------------------------------------------------

// Which units have an active state on which machine, fed by a list-watch of states/: the
// registry's own record of what the agents report. Also which machines are present and where the
// engine scheduled each unit (machines/, schedule/), to tell a failover's phases apart.
class StateObserver {
 public:
  static constexpr std::chrono::milliseconds kCheckEvery{50};

  static Result<std::unique_ptr<StateObserver>> start(etcd::Client& client,
                                                      const registry::Keys& keys) {
    std::unique_ptr<StateObserver> observer(new StateObserver(keys));
    auto feed = registry::ListWatch::start(
        client, keys.states(),
        [o = observer.get()](registry::ListWatch::Batch batch) { o->apply_states(batch); });
    if (!feed) return fail(feed.error());
    observer->feed_ = std::move(*feed);
    auto machines = registry::ListWatch::start(
        client, keys.machines(),
        [o = observer.get()](registry::ListWatch::Batch batch) { o->apply_machines(batch); });
    if (!machines) return fail(machines.error());
    observer->machines_feed_ = std::move(*machines);
    auto schedule = registry::ListWatch::start(
        client, keys.schedule(),
        [o = observer.get()](registry::ListWatch::Batch batch) { o->apply_schedule(batch); });
    if (!schedule) return fail(schedule.error());
    observer->schedule_feed_ = std::move(*schedule);
    return observer;
  }

  ~StateObserver() {
    feed_.reset();
    machines_feed_.reset();
    schedule_feed_.reset();
  }

  // Whether none of `machines` is present any more.
  bool all_gone(const std::set<std::string>& machines) const {
    std::lock_guard lock(mu_);
    return std::none_of(machines.begin(), machines.end(),
                        [&](const std::string& id) { return present_.contains(id); });
  }

  // Follows `units` from now on, for not_moved() and not_rescheduled(), with `dead` the machines
  // they must leave. Counted as changes arrive: a check walking 10,000 units on every change took
  // a fifth of the CPU of the failover it measured.
  void track(const std::set<std::string>& units, const std::set<std::string>& dead) {
    std::lock_guard lock(mu_);
    dead_ = dead;
    tracked_.clear();
    not_moved_ = not_rescheduled_ = 0;
    for (const auto& unit : units) {
      tracked_[unit] = {false, false};
      ++not_moved_;
      ++not_rescheduled_;
      retrack(unit);
    }
  }

  // How many tracked units are active on none but dead machines.
  size_t not_moved() const {
    std::lock_guard lock(mu_);
    return not_moved_;
  }

  // How many tracked units are scheduled to none but dead machines.
  size_t not_rescheduled() const {
    std::lock_guard lock(mu_);
    return not_rescheduled_;
  }

  // Units with an active state on at least one machine.
  size_t active_units() const {
    std::lock_guard lock(mu_);
    return active_units_;
  }

  // Machines on which `unit` is active.
  size_t active_machines(const std::string& unit) const {
    std::lock_guard lock(mu_);
    auto it = states_.find(unit);
    if (it == states_.end()) return 0;
    size_t count = 0;
    for (const auto& [machine, active] : it->second) count += active;
    return count;
  }

  // Units active on any of `machines`.
  std::set<std::string> units_on(const std::set<std::string>& machines) const {
    std::lock_guard lock(mu_);
    std::set<std::string> units;
    for (const auto& [unit, on] : states_) {
      for (const auto& [machine, active] : on) {
        if (active && machines.contains(machine)) units.insert(unit);
      }
    }
    return units;
  }

  // Waits until `done()` holds, checking it after every change and at least every kCheckEvery;
  // `done` must be cheap. False on timeout.
  template <class Pred>
  bool wait(std::chrono::milliseconds timeout, Pred done) const {
    auto deadline = SteadyClock::now() + timeout;
    while (!done()) {
      if (SteadyClock::now() >= deadline) return false;
      std::unique_lock lock(mu_);
      changed_.wait_for(lock, kCheckEvery);
    }
    return true;
  }

 private:
  explicit StateObserver(registry::Keys keys) : keys_(std::move(keys)) {}

  // Applies a batch of one feed under mu_ (`reset` first when it is a re-list, then `on_event`
  // for each change) and wakes wait().
  template <class Reset, class OnEvent>
  void apply(const registry::ListWatch::Batch& batch, Reset reset, OnEvent on_event) {
    {
      std::lock_guard lock(mu_);
      if (batch.snapshot) reset();
      for (const auto& event : batch.events) on_event(event);
    }
    changed_.notify_all();
  }

  void apply_states(const registry::ListWatch::Batch& batch) {
    apply(
        batch,
        [&] {
          states_.clear();
          active_units_ = 0;
        },
        [&](const etcd::Event& event) {
          auto at = keys_.state_of(event.kv.key);
          if (!at) return;
          std::string unit(at->first);
          std::string machine(at->second);
          auto& on = states_[unit];
          bool before = any_active(on);
          if (event.type == etcd::Event::Type::kDelete) {
            on.erase(machine);
          } else {
            auto record = registry::decode_unit_state(event.kv.key, event.kv.value);
            on[machine] = record && record->active_state == "active";
          }
          bool after = any_active(on);
          if (on.empty()) states_.erase(unit);
          active_units_ += static_cast<int>(after) - static_cast<int>(before);
          retrack(unit);
        });
  }

  void apply_machines(const registry::ListWatch::Batch& batch) {
    apply(
        batch, [&] { present_.clear(); },
        [&](const etcd::Event& event) {
          auto id = keys_.machine_of(event.kv.key);
          if (!id) return;
          if (event.type == etcd::Event::Type::kDelete) {
            present_.erase(std::string(*id));
          } else {
            present_.insert(std::string(*id));
          }
        });
  }

  void apply_schedule(const registry::ListWatch::Batch& batch) {
    apply(
        batch, [&] { scheduled_.clear(); },
        [&](const etcd::Event& event) {
          auto at = keys_.scheduled_of(event.kv.key);
          if (!at) return;
          std::string unit(at->second);
          if (event.type != etcd::Event::Type::kDelete) {
            scheduled_[unit] = std::string(at->first);
          } else if (auto it = scheduled_.find(unit);
                     it != scheduled_.end() && it->second == at->first) {
            scheduled_.erase(it);
          }
          retrack(unit);
        });
  }

  // Under mu_: the tracked counts after a change of `unit`'s states or schedule entry.
  void retrack(const std::string& unit) {
    auto it = tracked_.find(unit);
    if (it == tracked_.end()) return;
    auto& [moved, rescheduled] = it->second;
    bool now_moved = false;
    if (auto on = states_.find(unit); on != states_.end()) {
      for (const auto& [machine, active] : on->second)
        now_moved |= active && !dead_.contains(machine);
    }
    auto at = scheduled_.find(unit);
    bool now_rescheduled = at != scheduled_.end() && !dead_.contains(at->second);
    not_moved_ += static_cast<int>(moved) - static_cast<int>(now_moved);
    not_rescheduled_ += static_cast<int>(rescheduled) - static_cast<int>(now_rescheduled);
    moved = now_moved;
    rescheduled = now_rescheduled;
  }

  static bool any_active(const std::map<std::string, bool>& on) {
    for (const auto& [machine, active] : on) {
      if (active) return true;
    }
    return false;
  }

  const registry::Keys keys_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::map<std::string, bool>> states_;  // guarded by mu_: unit -> machine
  size_t active_units_ = 0;                                    // guarded by mu_
  std::set<std::string> present_;                              // guarded by mu_: machine IDs
  // guarded by mu_: what track() follows: unit -> (moved, rescheduled), and the counts of false
  std::map<std::string, std::pair<bool, bool>> tracked_;
  std::set<std::string> dead_;
  size_t not_moved_ = 0;
  size_t not_rescheduled_ = 0;
  std::map<std::string, std::string> scheduled_;  // guarded by mu_: unit -> machine
  std::unique_ptr<registry::ListWatch> feed_;
  std::unique_ptr<registry::ListWatch> machines_feed_;
  std::unique_ptr<registry::ListWatch> schedule_feed_;
};

// Active units once a second to a CSV file, for a later plot.
class Timeline {
 public:
  Timeline(const std::string& path, const StateObserver& observer) : observer_(observer) {
    if (path.empty()) return;
    out_.open(path);
    out_ << "t_s,scenario,active_units,per_s\n";
    thread_ = std::thread([this] { run(); });
  }
  ~Timeline() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void scenario(const std::string& name) {
    std::lock_guard lock(mu_);
    scenario_ = name;
  }

 private:
  void run() {
    auto start = SteadyClock::now();
    size_t last = observer_.active_units();
    std::unique_lock lock(mu_);
    for (int t = 1;; ++t) {
      if (cv_.wait_until(lock, start + std::chrono::seconds(t), [&] { return stopping_; })) return;
      size_t now = observer_.active_units();
      out_ << t << "," << scenario_ << "," << now << ","
           << static_cast<long>(now) - static_cast<long>(last) << "\n";
      out_.flush();
      last = now;
    }
  }

  const StateObserver& observer_;
  std::ofstream out_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string scenario_ = "start";  // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  std::thread thread_;
};

// PUTs units app<t>@<i>.service (i in [0, units)) with desiredState launched from `writers`
// clients at once, each one request per unit as fleetctl's API driver sends them. Returns the
// number of units that could not be created.
int submit(const std::string& api_endpoint, int units, int writers) {
  std::vector<std::vector<unit::UnitOption>> bodies;
  for (const auto& body : bench::template_bodies()) bodies.push_back(body.options());
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto api = client::HttpFleetApi::open(
          {.endpoint = api_endpoint, .request_timeout = std::chrono::seconds(30)});
      if (!api) {
        std::cerr << "bench_cluster: " << api.error().message << "\n";
        failed += units / writers;
        return;
      }
      for (int i = w; i < units; i += writers) {
        schema::Unit unit{.name = bench::instance_name(i),
                          .options = bodies[i % bench::kTemplates],
                          .desired_state = "launched"};
        Status created;
        for (int attempt = 0; attempt < kPutAttempts; ++attempt) {
          created = (*api)->create_unit(unit);
          if (created) break;
        }
        if (!created) {
          std::cerr << "bench_cluster: PUT " << unit.name << ": " << created.error().message
                    << "\n";
          ++failed;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return failed;
}

// etcd's request counters around one scenario (common/etcd_metrics.h). A scrape that fails is
// reported on stderr and leaves the scenario's etcd figures null.
class EtcdWindow {
 public:
  explicit EtcdWindow(std::string url) : url_(std::move(url)), before_(scrape()) {}

  void close() { after_ = scrape(); }
  bool ok() const { return before_ && after_; }
  // after - before of one counter; call only when ok().
  int64_t delta(int64_t bench::EtcdCounts::*counter) const {
    return (*after_).*counter - (*before_).*counter;
  }
  int64_t writes() const { return after_->writes() - before_->writes(); }
  std::string json() const { return ok() ? bench::json_delta(*before_, *after_) : "null"; }
  // A figure, or null when the scrape failed.
  std::string number(double value, int decimals = 1) const {
    if (!ok()) return "null";
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
  }

 private:
  std::optional<bench::EtcdCounts> scrape() const {
    auto counts = bench::scrape_etcd_metrics(url_);
    if (!counts) {
      std::cerr << "bench_cluster: etcd /metrics: " << counts.error().message << "\n";
      return std::nullopt;
    }
    return *counts;
  }

  std::string url_;
  std::optional<bench::EtcdCounts> before_;
  std::optional<bench::EtcdCounts> after_;
};

// Polls GET /fleet/v1/machines until fleetd's API answers 200 (it says 503 until its caches are
// loaded). Startup only, so polling is fine here.
bool wait_api(const std::string& endpoint, std::chrono::seconds timeout) {
  auto api = client::HttpFleetApi::open({.endpoint = endpoint});
  if (!api) return false;
  auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if ((*api)->machines()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

struct Generator {
  const Flags& flags;
  std::vector<std::string> endpoints;
  std::string api_endpoint;
  pid_t fleetd_pid;
  pid_t etcd_pid;  // 0 for --endpoints: not ours to measure
  bench::SimulatedCluster& cluster;
  StateObserver& observer;
  Timeline& timeline;

  bool mass_launch() {
    timeline.scenario("mass_launch");
    std::cerr << "bench_cluster: mass_launch: submitting " << flags.units << " units through "
              << api_endpoint << "\n";
    EtcdWindow etcd(endpoints.front());
    CpuWindow cpu(fleetd_pid, etcd_pid);
    auto started = SteadyClock::now();
    int failed = submit(api_endpoint, flags.units, flags.writers);
    double submit_s = seconds_since(started);
    std::cerr << "bench_cluster: submitted in " << submit_s << " s (" << failed
              << " failed); waiting until every unit is active\n";
    size_t want = flags.units - failed;
    auto report = SteadyClock::now();
    bool done = false;
    while (!done && seconds_since(started) < 1800) {
      done =
          observer.wait(std::chrono::seconds(5), [&] { return observer.active_units() >= want; });
      if (!done && SteadyClock::now() - report >= std::chrono::seconds(5)) {
        std::cerr << "bench_cluster: " << observer.active_units() << "/" << want << " active after "
                  << seconds_since(started) << " s\n";
        report = SteadyClock::now();
      }
    }
    double seconds = seconds_since(started);
    if (!done) {
      std::cerr << "bench_cluster: only " << observer.active_units() << " of " << want
                << " units active after " << seconds << " s\n";
      return false;
    }
    etcd.close();
    std::printf(
        "{\"bench\":\"cluster_mass_launch\",\"machines\":%d,\"units\":%d,\"seconds\":%.2f,"
        "\"units_per_s\":%.0f,\"submit_s\":%.2f,\"failed_puts\":%d,\"writers\":%d,\"api_threads\":%"
        "d,"
        "\"start_delay_ms\":%d,\"etcd_writes\":%s,\"fleetd_rss_mb\":%.0f,"
        "\"fleetd_peak_rss_mb\":%.0f,\"generator_rss_mb\":%.0f,\"generator_threads\":%ld,"
        "\"cpu_s\":%s,\"etcd\":%s}\n",
        flags.machines, flags.units, seconds, flags.units / seconds, submit_s, failed,
        flags.writers, flags.api_threads, flags.start_delay_ms,
        etcd.number(etcd.ok() ? etcd.writes() : 0, 0).c_str(), rss_mb(fleetd_pid),
        proc_status(fleetd_pid, "VmHWM") / 1024.0, rss_mb(0), proc_status(0, "Threads"),
        cpu.json().c_str(), etcd.json().c_str());
    std::fflush(stdout);
    return true;
  }

  bool idle() {
    timeline.scenario("idle");
    std::cerr << "bench_cluster: idle for " << flags.idle_seconds << " s\n";
    auto registrations_before = cluster.re_registrations();
    EtcdWindow etcd(endpoints.front());
    auto cpu_before = cpu_seconds(fleetd_pid);
    auto own_before = cpu_seconds(0);
    std::this_thread::sleep_for(std::chrono::seconds(flags.idle_seconds));
    etcd.close();
    auto per_s = [&](int64_t count) { return static_cast<double>(count) / flags.idle_seconds; };
    double fleetd_cpu = (cpu_seconds(fleetd_pid) - cpu_before) / flags.idle_seconds * 100;
    double generator_cpu = (cpu_seconds(0) - own_before) / flags.idle_seconds * 100;
    // Reads: Range calls and the ranges inside transactions (etcd's mvcc counter covers both).
    std::printf(
        "{\"bench\":\"cluster_idle\",\"machines\":%d,\"units\":%d,\"seconds\":%d,"
        "\"range_per_s\":%s,\"writes_per_s\":%s,\"keepalives_per_s\":%s,"
        "\"keepalives_expected_per_s\":%.1f,\"agent_ttl_s\":%d,\"re_registrations\":%llu,"
        "\"fleetd_cpu_percent\":%.1f,\"generator_cpu_percent\":%.1f,\"fleetd_rss_mb\":%.0f,"
        "\"generator_rss_mb\":%.0f,\"etcd\":%s}\n",
        flags.machines, flags.units, flags.idle_seconds,
        etcd.number(etcd.ok() ? per_s(etcd.delta(&bench::EtcdCounts::mvcc_range)) : 0).c_str(),
        etcd.number(etcd.ok() ? per_s(etcd.writes()) : 0).c_str(),
        etcd.number(etcd.ok() ? per_s(etcd.delta(&bench::EtcdCounts::keepalive)) : 0).c_str(),
        cluster.running_count() / (flags.agent_ttl_s / 3.0), flags.agent_ttl_s,
        static_cast<unsigned long long>(cluster.re_registrations() - registrations_before),
        fleetd_cpu, generator_cpu, rss_mb(fleetd_pid), rss_mb(0), etcd.json().c_str());
    std::fflush(stdout);
    return true;
  }

  bool failover() {
    timeline.scenario("failover");
    std::set<std::string> dead;
    std::vector<int> victims;
    for (int i = 0; i < cluster.size(); i += 10) {
      if (!cluster.running(i)) continue;
      victims.push_back(i);
      dead.insert(cluster.machine_id(i));
    }
    auto moving = observer.units_on(dead);
    observer.track(moving, dead);
    std::cerr << "bench_cluster: failover: killing " << victims.size() << " machines running "
              << moving.size() << " units\n";
    auto registrations_before = cluster.re_registrations();
    EtcdWindow etcd(endpoints.front());
    CpuWindow cpu(fleetd_pid, etcd_pid);
    auto started = SteadyClock::now();
    for (int i : victims) cluster.kill(i);
    double kill_s = seconds_since(started);
    auto timeout = std::chrono::seconds(flags.agent_ttl_s + 300);
    // The phases, each seen within StateObserver::kCheckEvery: etcd expires the dead machines'
    // leases (between agent_ttl less a keep-alive interval and agent_ttl after the kill), the
    // engine reschedules their units, the new machines report them active.
    double expired_s = -1, scheduled_s = -1;
    // With the time of day, to be read beside fleetd's engine_pass lines.
    auto phase = [](const char* what) {
      auto now = std::chrono::system_clock::now();
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
      std::cerr << fmt::format("bench_cluster: failover: {} at {:%H:%M:%S}.{:03}\n", what,
                               std::chrono::floor<std::chrono::seconds>(now), ms.count() % 1000);
    };
    phase("killed");
    bool done = observer.wait(timeout, [&] {
      if (expired_s < 0 && observer.all_gone(dead)) {
        expired_s = seconds_since(started);
        phase("every lease expired");
      }
      if (scheduled_s < 0 && observer.not_rescheduled() == 0) {
        scheduled_s = seconds_since(started);
        phase("every unit rescheduled");
      }
      return observer.not_moved() == 0;
    });
    double seconds = seconds_since(started);
    // The schedule's watch may trail the states': every unit active elsewhere was placed there.
    if (done && scheduled_s < 0) scheduled_s = seconds;
    if (!done) {
      std::cerr << "bench_cluster: " << observer.not_moved() << " units not relaunched after "
                << seconds << " s; " << cluster.re_registrations() - registrations_before
                << " re-registrations of surviving machines\n";
      return false;
    }
    etcd.close();
    std::printf(
        "{\"bench\":\"cluster_failover\",\"machines\":%d,\"killed\":%zu,\"units_moved\":%zu,"
        "\"seconds\":%.2f,\"agent_ttl_s\":%d,\"kill_s\":%.2f,\"expired_s\":%.2f,"
        "\"scheduled_s\":%.2f,\"after_expiry_s\":%.2f,\"re_registrations\":%llu,"
        "\"fleetd_rss_mb\":%.0f,\"cpu_s\":%s,\"etcd\":%s}\n",
        flags.machines, victims.size(), moving.size(), seconds, flags.agent_ttl_s, kill_s,
        expired_s, scheduled_s, seconds - expired_s,
        static_cast<unsigned long long>(cluster.re_registrations() - registrations_before),
        rss_mb(fleetd_pid), cpu.json().c_str(), etcd.json().c_str());
    std::fflush(stdout);
    return true;
  }

  bool global() {
    timeline.scenario("global");
    auto api = client::HttpFleetApi::open({.endpoint = api_endpoint});
    if (!api) return false;
    auto options = bench::template_bodies().front().options();
    options.push_back({"X-Fleet", "Global", "true"});
    size_t want = cluster.running_count();
    std::cerr << "bench_cluster: global: one unit on " << want << " machines\n";
    EtcdWindow etcd(endpoints.front());
    auto started = SteadyClock::now();
    if (auto created = (*api)->create_unit(
            {.name = kGlobalUnit, .options = options, .desired_state = "launched"});
        !created) {
      std::cerr << "bench_cluster: PUT " << kGlobalUnit << ": " << created.error().message << "\n";
      return false;
    }
    bool done = observer.wait(std::chrono::seconds(300),
                              [&] { return observer.active_machines(kGlobalUnit) >= want; });
    double seconds = seconds_since(started);
    if (!done) {
      std::cerr << "bench_cluster: global unit active on " << observer.active_machines(kGlobalUnit)
                << " of " << want << " machines after " << seconds << " s\n";
      return false;
    }
    etcd.close();
    std::printf("{\"bench\":\"cluster_global\",\"machines\":%zu,\"seconds\":%.2f,\"etcd\":%s}\n",
                want, seconds, etcd.json().c_str());
    std::fflush(stdout);
    return true;
  }
};

int run_generator(const Flags& flags, const std::string& self) {
  auto etcd_target = bench::etcd_target(flags.endpoints, "bench_cluster");
  const std::vector<std::string>& endpoints = etcd_target.endpoints;
  const std::string& data = etcd_target.data;
  std::string joined;
  for (const auto& url : endpoints) joined += (joined.empty() ? "" : ",") + url;

  int port = testing::free_loopback_ports(1).at(0);
  std::string api_endpoint = "http://127.0.0.1:" + std::to_string(port);
  std::cerr << "bench_cluster: starting fleetd (engine + API) on " << api_endpoint << "\n";
  auto fleetd = testing::ChildProcess::spawn(
      {self, "--role", "fleetd", "--endpoints", joined, "--api-port", std::to_string(port),
       "--api-threads", std::to_string(flags.api_threads)},
      STDERR_FILENO);
  if (!wait_api(api_endpoint, std::chrono::seconds(30))) {
    std::cerr << "bench_cluster: fleetd's API did not come up\n";
    return 1;
  }

  auto observer_client = etcd::Client::connect({.endpoints = endpoints});
  if (!observer_client) return 1;
  auto observer = StateObserver::start(**observer_client, registry::Keys(kKeyPrefix));
  if (!observer) {
    std::cerr << "bench_cluster: " << observer.error().message << "\n";
    return 1;
  }
  Timeline timeline(flags.timeline, **observer);

  // The simulated machines stand for other hosts, but here their 10,000 threads share two cores
  // with the one etcd every machine depends on: at equal priority they starved it for seconds,
  // requests timed out and agents lost their leases, which no real cluster would see. Lowering
  // the agents' priority instead does not work: gRPC's I/O is polled by whichever thread of the
  // process waits, so a starved agent thread also stalls the observer that times the scenarios.
  // (Raising fleetd's too starved the agents: 5,000 of their requests timed out in a launch.)
  if (etcd_target.server) {
    if (auto raised = renice_process(etcd_target.server->pid(), flags.etcd_nice); !raised) {
      std::cerr << "bench_cluster: " << raised.error().message << "\n";
      return 1;
    }
  }
  auto cluster = bench::SimulatedCluster::create(
      {.endpoints = endpoints,
       .key_prefix = kKeyPrefix,
       .machines = flags.machines,
       .agent_ttl = std::chrono::seconds(flags.agent_ttl_s),
       .start_delay = std::chrono::milliseconds(flags.start_delay_ms),
       .clients = flags.clients});
  if (!cluster) {
    std::cerr << "bench_cluster: " << cluster.error().message << "\n";
    return 1;
  }
  long threads_before = proc_status(0, "Threads");
  double rss_before = rss_mb(0);
  std::cerr << "bench_cluster: starting " << flags.machines << " agents\n";
  auto started = SteadyClock::now();
  if (auto all = (*cluster)->start_all(); !all) {
    std::cerr << "bench_cluster: " << all.error().message << "\n";
    return 1;
  }
  if (!(*cluster)->wait_registered(std::chrono::minutes(5))) {
    std::cerr << "bench_cluster: agents not registered after 5 min\n";
    return 1;
  }
  double register_s = seconds_since(started);
  // An agent opens its watches just after it registers: count once the thread count settles.
  long threads = proc_status(0, "Threads");
  for (long last = -1; threads != last;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    last = threads;
    threads = proc_status(0, "Threads");
  }
  std::printf(
      "{\"bench\":\"cluster_agents\",\"machines\":%d,\"register_s\":%.2f,"
      "\"threads_per_agent\":%.1f,\"generator_threads\":%ld,\"rss_per_agent_kb\":%.0f,"
      "\"generator_rss_mb\":%.0f,\"etcd_clients\":%d,\"etcd_nice\":%s,\"etcd_data\":\"%s\"}\n",
      flags.machines, register_s, static_cast<double>(threads - threads_before) / flags.machines,
      threads, (rss_mb(0) - rss_before) * 1024 / flags.machines, rss_mb(0), flags.clients,
      etcd_target.server ? std::to_string(flags.etcd_nice).c_str() : "null", data.c_str());
  std::fflush(stdout);

  pid_t etcd_pid = etcd_target.server ? etcd_target.server->pid() : 0;
  Generator generator{flags,    endpoints, api_endpoint, fleetd.pid(),
                      etcd_pid, **cluster, **observer,   timeline};
  auto wants = [&](const std::string& name) {
    return std::find(flags.scenarios.begin(), flags.scenarios.end(), name) != flags.scenarios.end();
  };
  bool ok = generator.mass_launch();
  if (ok && wants("idle")) ok = generator.idle();
  if (ok && wants("failover")) ok = generator.failover();
  if (ok && wants("global")) ok = generator.global();
  std::cerr << "bench_cluster: stopping\n";
  cluster->reset();
  fleetd.terminate(std::chrono::seconds(10));
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A fleet cluster of simulated machines against real etcd; prints JSON lines."};
  Flags flags;
  app.add_option("--machines", flags.machines, "simulated machines (real agents)");
  app.add_option("--units", flags.units, "units mass_launch submits");
  app.add_option("--scenario", flags.scenarios,
                 "mass_launch, idle, failover, global (mass_launch always runs first)")
      ->delimiter(',');
  app.add_option("--agent-ttl", flags.agent_ttl_s, "agent_ttl of every machine, in seconds");
  app.add_option("--start-delay-ms", flags.start_delay_ms,
                 "how long a simulated unit takes to become active");
  app.add_option("--idle-seconds", flags.idle_seconds, "length of the idle scenario");
  app.add_option("--writers", flags.writers, "concurrent API clients submitting units");
  app.add_option("--api-threads", flags.api_threads, "fleetd's HTTP server threads");
  app.add_option("--clients", flags.clients, "etcd clients the simulated machines share");
  app.add_option("--etcd-nice", flags.etcd_nice,
                 "nice value of the private etcd's threads (the rest of the benchmark keeps 0)");
  app.add_option("--endpoints", flags.endpoints,
                 "etcd to use (comma-separated URLs); default: start a private one");
  app.add_option("--timeline", flags.timeline, "CSV file: active units once a second");
  app.add_option("--role", flags.role, "internal: 'fleetd' runs the engine and API only")
      ->group("");
  app.add_option("--api-port", flags.api_port, "internal: --role fleetd's API port")->group("");
  CLI11_PARSE(app, argc, argv);
  use_global_futex_hash();
  // stdout carries only the JSON lines; the agents' and the engine's logs go with the progress:
  // warnings from the thousand agents, and also fleetd's info (a line per engine pass that
  // wrote, with its timings).
  spdlog::set_default_logger(
      spdlog::stderr_logger_mt(flags.role == "fleetd" ? "fleetd" : "bench_cluster"));
  spdlog::set_level(flags.role == "fleetd" ? spdlog::level::info : spdlog::level::warn);
  if (flags.role == "fleetd") return run_fleetd(flags);
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    std::cerr << "bench_cluster: cannot find its own executable: " << error.message() << "\n";
    return 1;
  }
  return run_generator(flags, self.string());
}
