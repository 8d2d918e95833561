#include "fleet/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "fleet/engine/scheduler.h"

namespace fleet::engine {
namespace {

// How long a leader waits for its cache to show its own writes before planning again anyway.
constexpr std::chrono::seconds kOwnWritesDeadline{5};
// A burst of changes postpones planning by at most this many debounce periods.
constexpr int kMaxDebounces = 10;

// fleet_engine_leader_start_time is an epoch, so it comes from the wall clock (Clock is
// monotonic); nothing decides by it.
double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t leadership_ttl_seconds(std::chrono::milliseconds interval) {
  auto ttl = std::ceil(5 * std::chrono::duration<double>(interval).count());
  return std::max<int64_t>(1, static_cast<int64_t>(ttl));
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::start(registry::Registry& registry, EngineOptions options,
                                              const Clock& clock) {
  if (auto schema = registry.ensure_schema(); !schema) return fail(schema.error());
  std::unique_ptr<Engine> engine(new Engine(registry, std::move(options), clock));
  auto election = LeaderElection::start(
      registry,
      {.machine_id = engine->options_.machine_id,
       .ttl_seconds = leadership_ttl_seconds(engine->options_.reconcile_interval)},
      clock);
  if (!election) return fail(election.error());
  engine->election_ = std::move(*election);
  auto leader_key = registry::WatchCache<registry::LeaderRecord>::start(
      registry.client(), registry.keys().engine_leader(), registry::decode_leader,
      [e = engine.get()] { e->poke(); }, registry.metrics());
  if (!leader_key) return fail(leader_key.error());
  engine->leader_key_ = std::move(*leader_key);
  engine->thread_ = std::thread([e = engine.get()] { e->run(); });
  return engine;
}

Engine::Engine(registry::Registry& registry, EngineOptions options, const Clock& clock)
    : registry_(registry),
      options_(std::move(options)),
      clock_(clock),
      metrics_(options_.metrics ? *options_.metrics : metrics::process_metrics().engine) {}

Engine::~Engine() { stop(); }

void Engine::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  view_.reset();
  if (std::exchange(led_last_pass_, false)) stop_reporting_leadership();
}

Status Engine::resign() {
  stop();
  return election_->resign();
}

bool Engine::leading() const { return election_->leading(); }

EngineStats Engine::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

etcd::LeaseId Engine::lease() const { return election_->lease(); }

void Engine::count(uint64_t EngineStats::*counter, uint64_t by) {
  std::lock_guard lock(mu_);
  stats_.*counter += by;
}

void Engine::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void Engine::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, options_.reconcile_interval, [&] { return stopping_ || poked_; });
    if (stopping_) return;
    auto burst_end = std::chrono::steady_clock::now() + kMaxDebounces * options_.debounce;
    poked_ = false;
    while (std::chrono::steady_clock::now() < burst_end &&
           cv_.wait_for(lock, options_.debounce, [&] { return stopping_ || poked_; })) {
      if (stopping_) return;
      poked_ = false;
    }
    lock.unlock();
    pass();
    lock.lock();
  }
}

bool Engine::take_or_keep_leadership() {
  const bool leads = campaign_or_keep();
  // Set, not added as the original did (spec §5.10), so the gauge reads as a time; and back to 0
  // when this fleetd stops leading, so only the leader's fleetd shows one.
  if (leads && !led_last_pass_) {
    metrics_.leader_start_time.set(std::floor(unix_seconds_now()));
    metrics_.leader.set(1);
  }
  if (!leads && led_last_pass_) stop_reporting_leadership();
  led_last_pass_ = leads;
  return leads;
}

void Engine::stop_reporting_leadership() {
  metrics_.leader_start_time.set(0);
  metrics_.leader.set(0);
  // Only the leader's view knows the cluster; another fleetd's 0 leaves sum() over them right.
  metrics_.machines_present.set(0);
  for (auto* units : metrics_.units) units->set(0);
}

void Engine::report_cluster(const ClusterView::Snapshot& snapshot) {
  metrics_.machines_present.set(static_cast<double>(snapshot.state.machines.size()));
  for (size_t i = 0; i < metrics_.units.size(); ++i) {
    metrics_.units[i]->set(static_cast<double>(snapshot.units_by_desired[i]));
  }
}

bool Engine::campaign_or_keep() {
  auto holder = leader_key_->get(registry_.keys().engine_leader());
  const bool ours = holder && holder->lease == election_->lease();
  if (!ours) {
    if (view_) spdlog::warn("engine: machine={} lost the engine leadership", options_.machine_id);
    view_.reset();
    // Another engine of this version or newer leads: nothing to do until its key goes.
    if (holder && holder->record.version >= kEngineVersion) return false;
    auto won = election_->campaign();
    if (!won) {
      spdlog::error("engine: campaign failed: {}", won.error().message);
      count(&EngineStats::errors);
      metrics_.run_failures.inc();
      return false;
    }
    if (!*won) return false;
    spdlog::info("engine: machine={} is the engine leader", options_.machine_id);
  }
  if (!election_->leading()) {  // our lease ran out: etcd will refuse our writes anyway
    view_.reset();
    return false;
  }
  return true;
}

// What the spec §5.10 families count here, the original's names mapped onto this engine:
//   reconcile_count_total, reconcile_duration_second  passes that planned and committed their
//       writes (or had none), timed from the leadership check to the commit; waiting for the
//       cache to show the writes is pacing, not work, and is left out
//   reconcile_failure_count_total{type="run"}  passes that could not campaign, read the cluster
//       or commit their writes (etcd trouble, or the leadership lost meanwhile)
//   reconcile_failure_count_total{type="machine_away"}  units a plan moved or unscheduled because
//       their machine is gone
//   reconcile_failure_count_total{type="schedule"}  units a plan could not place (Plan::waiting),
//       once per pass, as the original counted each failed scheduling decision
//   task_count_total{type="unscheduleunit"|"attemptscheduleunit"}  schedule entries each pass
//       attempts to delete or to write (a move is one of each; repairs included)
//   task_failure_count_total{type}  those in a write that etcd refused or failed. Writes go in
//       batches, so some of them may have committed before the failing batch; the next pass
//       corrects the schedule either way.
void Engine::pass() {
  const auto started = std::chrono::steady_clock::now();
  if (!take_or_keep_leadership()) return;
  if (!view_) {
    settled_at_.reset();
    auto view = ClusterView::start(registry_, [this] {
      view_changes_.fetch_add(1);
      poke();
    });
    if (!view) {
      spdlog::error("engine: cannot read the cluster from etcd: {}", view.error().message);
      count(&EngineStats::errors);
      metrics_.run_failures.inc();
      return;
    }
    view_ = std::move(*view);
    grace_end_ = clock_.now() + options_.machine_grace;
    returning_logged_.clear();
  }
  // Read before the snapshot: a change that lands during this pass makes the next one plan.
  const uint64_t changes = view_changes_.load();
  if (settled_at_ == changes) return count(&EngineStats::settled_passes);
  const auto& snapshot = view_->snapshot(clock_.now() < grace_end_);
  report_cluster(snapshot);
  const auto snapshot_done = std::chrono::steady_clock::now();
  auto plan = Scheduler::plan(snapshot.state);
  auto writes = ClusterView::writes_for(plan, snapshot);
  const auto plan_done = std::chrono::steady_clock::now();
  count(&EngineStats::passes);
  count_plan(snapshot, plan, writes);
  for (const auto& machine : snapshot.state.returning) {
    if (returning_logged_.insert(machine).second) {
      spdlog::info(
          "engine: machine={} is absent; its units stay there until it returns or {} ms "
          "after this engine began to lead",
          machine, options_.machine_grace.count());
    }
  }
  for (const auto& waiting : plan.waiting) {
    spdlog::debug("engine: unit={} waits: {}", waiting.unit, waiting.reason);
  }
  auto succeeded = [&] {
    metrics_.reconciles.inc();
    metrics_.reconcile_duration.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  if (writes.empty()) {
    // Units kept on returning machines are planned again once the grace is over.
    if (snapshot.state.returning.empty()) settled_at_ = changes;
    return succeeded();
  }
  auto written = registry_.write_schedule(writes, election_->guard());
  if (!written) {
    count_failed_writes(writes);
    metrics_.run_failures.inc();
    if (written.error().code == ErrorCode::kFailedPrecondition) {
      spdlog::warn("engine: machine={} is no longer the leader; schedule writes refused",
                   options_.machine_id);
      count(&EngineStats::refused_writes);
      view_.reset();
    } else {
      spdlog::error("engine: writing the schedule failed: {}", written.error().message);
      count(&EngineStats::errors);
    }
    return;
  }
  succeeded();
  const auto written_at = std::chrono::steady_clock::now();
  count(&EngineStats::writes, writes.size());
  for (const auto& decision : plan.decisions) {
    spdlog::debug("engine: unit={} from={} to={} reason=\"{}\"", decision.unit, decision.from,
                  decision.to, decision.reason);
  }
  if (!view_->wait_for_schedule(*written, kOwnWritesDeadline)) {
    spdlog::warn("engine: own schedule writes not seen within {}s; replanning anyway",
                 kOwnWritesDeadline.count());
  }
  auto ms = [](auto from, auto to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
  };
  spdlog::info(
      "event=engine_pass machines={} units={} writes={} snapshot_ms={} plan_ms={} write_ms={} "
      "seen_ms={}",
      snapshot.state.machines.size(), snapshot.state.units.size(), writes.size(),
      ms(started, snapshot_done), ms(snapshot_done, plan_done), ms(plan_done, written_at),
      ms(written_at, std::chrono::steady_clock::now()));
}

void Engine::count_plan(const ClusterView::Snapshot& snapshot, const Plan& plan,
                        const std::vector<registry::ScheduleWrite>& writes) {
  std::unordered_set<std::string_view> present;
  for (const auto& machine : snapshot.state.machines) present.insert(machine.id);
  metrics_.machine_away_failures.inc(static_cast<double>(std::count_if(
      plan.decisions.begin(), plan.decisions.end(),
      [&](const Decision& d) { return !d.from.empty() && !present.contains(d.from); })));
  metrics_.schedule_failures.inc(static_cast<double>(plan.waiting.size()));
  for (const auto& write : writes) {
    if (!write.remove_from.empty()) metrics_.unschedule_tasks.inc();
    if (!write.put_on.empty()) metrics_.schedule_tasks.inc();
  }
}

void Engine::count_failed_writes(const std::vector<registry::ScheduleWrite>& writes) {
  for (const auto& write : writes) {
    if (!write.remove_from.empty()) metrics_.unschedule_task_failures.inc();
    if (!write.put_on.empty()) metrics_.schedule_task_failures.inc();
  }
}

}  // namespace fleet::engine
