#include "fleet/agent/state_publisher.h"

#include <algorithm>
#include <limits>

#include <spdlog/spdlog.h>

#include "fleet/etcd/txn.h"

namespace fleet::agent {
namespace {

constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kLastRetry{5000};

}  // namespace

StatePublisher::StatePublisher(registry::Registry& registry, std::string machine_id,
                               metrics::AgentMetrics& metrics)
    : registry_(registry),
      machine_id_(std::move(machine_id)),
      metrics_(metrics),
      thread_([this] { run(); }) {}

StatePublisher::~StatePublisher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    // The gauges are the process's: a fleetd reloading its configuration starts a new agent.
    for (const auto& [unit, state] : states_) count_state(state.active_state, -1);
  }
  cv_.notify_all();
  thread_.join();
}

void StatePublisher::set_lease(etcd::LeaseId lease) {
  {
    std::lock_guard lock(mu_);
    if (lease == lease_) return;
    lease_ = lease;
    for (const auto& [unit, state] : states_) dirty_.insert(unit);
  }
  cv_.notify_all();
}

void StatePublisher::hold(const std::string& unit, const unit::UnitHash& hash, bool launched) {
  {
    std::lock_guard lock(mu_);
    auto& state = states_[unit];
    if (state.hash == hash && state.launched == launched && !state.load_state.empty()) return;
    state.hash = hash;
    state.launched = launched;
    dirty_.insert(unit);
  }
  cv_.notify_all();
}

void StatePublisher::report(const std::string& unit, const UnitStatus& status) {
  report_if_quiet(unit, status, std::numeric_limits<uint64_t>::max());
}

uint64_t StatePublisher::last_report() const {
  std::lock_guard lock(mu_);
  return reports_;
}

void StatePublisher::report_if_quiet(const std::string& unit, const UnitStatus& status,
                                     uint64_t since) {
  {
    std::lock_guard lock(mu_);
    if (auto last = reported_at_.find(unit); last != reported_at_.end() && last->second > since) {
      return;
    }
    auto it = states_.find(unit);
    if (it == states_.end()) return;
    reported_at_[unit] = ++reports_;
    auto& state = it->second;
    if (state.load_state == status.load_state && state.active_state == status.active_state &&
        state.sub_state == status.sub_state) {
      return;
    }
    if (status.active_state == "active") {
      if (auto launch = launching_.find(unit); launch != launching_.end()) {
        metrics_.schedule_to_active.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - launch->second)
                .count());
        launching_.erase(launch);
      }
    }
    if (state.active_state != status.active_state) {
      count_state(state.active_state, -1);
      count_state(status.active_state, 1);
    }
    state.load_state = status.load_state;
    state.active_state = status.active_state;
    state.sub_state = status.sub_state;
    dirty_.insert(unit);
  }
  cv_.notify_all();
}

void StatePublisher::launching(const std::string& unit, bool launching) {
  std::lock_guard lock(mu_);
  if (!launching) {
    launching_.erase(unit);
    return;
  }
  // Active already (adopted running, say): no report of it becoming active will come.
  if (auto state = states_.find(unit);
      state != states_.end() && state->second.active_state == "active") {
    return;
  }
  launching_.try_emplace(unit, std::chrono::steady_clock::now());
}

void StatePublisher::count_state(const std::string& active_state, double by) {
  if (!active_state.empty()) metrics_.unit_states(active_state).add(by);
}

void StatePublisher::release(const std::string& unit) {
  {
    std::lock_guard lock(mu_);
    if (auto state = states_.find(unit); state != states_.end()) {
      count_state(state->second.active_state, -1);
      states_.erase(state);
    }
    launching_.erase(unit);
    reported_at_.erase(unit);
    dirty_.insert(unit);
  }
  cv_.notify_all();
}

void StatePublisher::may_be_published(const std::string& unit) {
  std::lock_guard lock(mu_);
  published_.insert(unit);
}

bool StatePublisher::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return dirty_.empty() && !writing_; });
}

std::map<std::string, registry::UnitStateRecord> StatePublisher::states() const {
  std::lock_guard lock(mu_);
  return states_;
}

void StatePublisher::run() {
  auto backoff = kFirstRetry;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || (!dirty_.empty() && lease_ != 0); });
    if (stopping_) return;
    auto writes = take_writes();
    const etcd::LeaseId lease = lease_;
    writing_ = true;
    lock.unlock();
    auto written = writes.empty() ? Status{} : registry_.publish_states(machine_id_, writes, lease);
    lock.lock();
    writing_ = false;
    if (written) {
      for (const auto& write : writes) {
        if (write.state) {
          published_.insert(write.unit);
        } else {
          published_.erase(write.unit);
        }
      }
      backoff = kFirstRetry;
      cv_.notify_all();  // flush() waiters
      continue;
    }
    spdlog::warn("event=state_publish_failed units={} error=\"{}\"", writes.size(),
                 written.error().to_string());
    // Unless a newer change already put them back; the retry then writes their latest state.
    for (const auto& write : writes) dirty_.insert(write.unit);
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, kLastRetry);
  }
}

std::vector<registry::Registry::StateWrite> StatePublisher::take_writes() {
  std::vector<registry::Registry::StateWrite> writes;
  while (!dirty_.empty() && writes.size() < etcd::kMaxTxnOps) {
    std::string unit = std::move(dirty_.extract(dirty_.begin()).value());
    auto it = states_.find(unit);
    if (it != states_.end() && !it->second.load_state.empty()) {
      writes.push_back({std::move(unit), it->second});
    } else if (published_.contains(unit)) {
      // Released, or loaded a moment ago and without a status yet (the first report publishes
      // it): whatever its key held before, from other contents, is no longer true.
      writes.push_back({std::move(unit), std::nullopt});
    }
  }
  return writes;
}

}  // namespace fleet::agent
