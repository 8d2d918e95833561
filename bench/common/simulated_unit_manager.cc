#include "common/simulated_unit_manager.h"

#include <condition_variable>
#include <functional>
#include <optional>
#include <thread>
#include <utility>

namespace fleet::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The one thread that plays systemd's signals for every SimulatedUnitManager in the process.
// Events at the same time run in the order they were queued.
class SimulatedInitTimer {
 public:
  static SimulatedInitTimer& instance() {
    // Never destroyed: managers may queue events until the process exits, and a detached thread
    // cannot outlive a destroyed queue.
    static auto* timer = new SimulatedInitTimer();
    return *timer;
  }

  void at(SteadyClock::time_point when, std::function<void()> event) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace(when, std::move(event));
    }
    cv_.notify_one();
  }

 private:
  SimulatedInitTimer() {
    std::thread([this] { run(); }).detach();
  }

  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto next = queue_.begin();
      if (next->first > SteadyClock::now()) {
        cv_.wait_until(lock, next->first);
        continue;
      }
      auto event = std::move(next->second);
      queue_.erase(next);
      lock.unlock();
      event();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<SteadyClock::time_point, std::function<void()>> queue_;  // guarded by mu_
};

const agent::UnitStatus kNotFound{"not-found", "inactive", "dead"};
const agent::UnitStatus kLoadedInactive{"loaded", "inactive", "dead"};
const agent::UnitStatus kActivating{"loaded", "activating", "start"};
const agent::UnitStatus kActive{"loaded", "active", "running"};

}  // namespace

struct SimulatedUnitManager::Core {
  struct Unit {
    std::optional<unit::UnitHash> file;  // in the units directory
    bool loaded = false;                 // known to "systemd" (after a reload)
    agent::UnitStatus status = kNotFound;
    uint64_t generation = 0;  // bumped by every start/stop: a stale activation is dropped
  };

  explicit Core(SimulatedUnitManagerOptions options) : options(options) {}

  // Queues a signal for `name` carrying its status at delivery time (systemd's signals carry
  // the current property values). With `generation`, the unit turns active first, unless a
  // later start or stop came in between.
  static void signal(const std::shared_ptr<Core>& core, std::string name,
                     SteadyClock::time_point when, std::optional<uint64_t> generation = {}) {
    SimulatedInitTimer::instance().at(
        when, [core, name = std::move(name), generation] { core->deliver(name, generation); });
  }

  void deliver(const std::string& name, std::optional<uint64_t> generation) {
    std::lock_guard callback_lock(callback_mu);
    agent::UnitStatus status;
    {
      std::lock_guard lock(mu);
      auto it = units.find(name);
      if (it == units.end()) return;
      if (generation) {
        if (it->second.generation != *generation) return;
        it->second.status = kActive;
      }
      status = it->second.status;
    }
    if (alive && on_change) on_change(name, status);
  }

  const SimulatedUnitManagerOptions options;
  mutable std::mutex mu;
  std::map<std::string, Unit, std::less<>> units;  // guarded by mu
  // Held while a callback runs, so watch() can promise the old callback is done when it returns.
  std::mutex callback_mu;
  OnChange on_change;  // guarded by callback_mu
  bool alive = true;   // guarded by callback_mu
};

SimulatedUnitManager::SimulatedUnitManager(SimulatedUnitManagerOptions options)
    : core_(std::make_shared<Core>(options)) {}

SimulatedUnitManager::~SimulatedUnitManager() {
  std::lock_guard lock(core_->callback_mu);
  core_->alive = false;
  core_->on_change = {};
}

Status SimulatedUnitManager::load(std::string_view name, const unit::UnitFile& file) {
  if (name.empty() || name.find('/') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "invalid unit name \"" + std::string(name) + "\"");
  }
  std::lock_guard lock(core_->mu);
  core_->units[std::string(name)].file = file.hash();
  return {};
}

Status SimulatedUnitManager::unload(std::string_view name) {
  std::lock_guard lock(core_->mu);
  auto it = core_->units.find(name);
  if (it == core_->units.end()) return {};
  auto& unit = it->second;
  ++unit.generation;
  unit.file.reset();
  if (unit.loaded) unit.status = kLoadedInactive;
  return {};
}

Status SimulatedUnitManager::reload() {
  std::lock_guard lock(core_->mu);
  auto now = SteadyClock::now();
  for (auto it = core_->units.begin(); it != core_->units.end();) {
    auto& unit = it->second;
    if (!unit.file) {
      it = core_->units.erase(it);  // unloaded: systemd forgets it
      continue;
    }
    if (!unit.loaded) {
      unit.loaded = true;
      unit.status = kLoadedInactive;
      Core::signal(core_, it->first, now);
    }
    ++it;
  }
  return {};
}

Status SimulatedUnitManager::start(std::string_view name) {
  std::lock_guard lock(core_->mu);
  auto it = core_->units.find(name);
  if (it == core_->units.end() || !it->second.loaded) {
    return fail(ErrorCode::kNotFound, "Unit " + std::string(name) + " not found.");
  }
  auto& unit = it->second;
  if (unit.status == kActive) return {};  // systemd's start of a running unit: a no-op
  auto generation = ++unit.generation;
  auto now = SteadyClock::now();
  if (core_->options.start_delay.count() == 0) {
    // Read back at once by the agent's pass, so this costs one state write, not two.
    unit.status = kActive;
    Core::signal(core_, it->first, now);
    return {};
  }
  unit.status = kActivating;
  Core::signal(core_, it->first, now);
  Core::signal(core_, it->first, now + core_->options.start_delay, generation);
  return {};
}

Status SimulatedUnitManager::stop(std::string_view name) {
  std::lock_guard lock(core_->mu);
  auto it = core_->units.find(name);
  if (it == core_->units.end() || !it->second.loaded) return {};
  ++it->second.generation;
  it->second.status = kLoadedInactive;
  Core::signal(core_, it->first, SteadyClock::now());
  return {};
}

Result<std::map<std::string, unit::UnitHash>> SimulatedUnitManager::unit_files() {
  std::lock_guard lock(core_->mu);
  std::map<std::string, unit::UnitHash> files;
  for (const auto& [name, unit] : core_->units) {
    if (unit.file) files.emplace(name, *unit.file);
  }
  return files;
}

Result<std::map<std::string, agent::UnitStatus>> SimulatedUnitManager::statuses(
    const std::vector<std::string>& names) {
  std::lock_guard lock(core_->mu);
  std::map<std::string, agent::UnitStatus> out;
  for (const auto& name : names) {
    auto it = core_->units.find(name);
    out.emplace(name, it == core_->units.end() ? kNotFound : it->second.status);
  }
  return out;
}

Status SimulatedUnitManager::watch(OnChange on_change) {
  std::lock_guard lock(core_->callback_mu);
  core_->on_change = std::move(on_change);
  return {};
}

size_t SimulatedUnitManager::active_units() const {
  std::lock_guard lock(core_->mu);
  size_t active = 0;
  for (const auto& [name, unit] : core_->units) active += unit.status == kActive;
  return active;
}

}  // namespace fleet::bench
