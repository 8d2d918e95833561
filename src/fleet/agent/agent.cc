#include "fleet/agent/agent.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fleet/agent/desired_units.h"

namespace fleet::agent {
namespace {

// Registration retries back off from 1 s to 60 s, as the original's did (spec §5.1), but never
// past a third of agent_ttl (run()).
constexpr std::chrono::milliseconds kFirstBackoff{1000};
constexpr std::chrono::milliseconds kLastBackoff{60000};

// Makes `offers` hold one offer per unit in a watch cache's `entries`, whose keys `name_of` turns
// into unit names (nullopt: not a unit's key). An offer keeps what derives from its contents while
// its hash stays. Entries come in key order, which is name order (one prefix before every name),
// so this is one walk of both. True when anything changed.
template <class OfferMap, class Entries, class NameOf>
bool update_offers(OfferMap& offers, const Entries& entries, NameOf name_of) {
  using Offer = typename OfferMap::mapped_type;
  bool changed = false;
  auto offer = offers.begin();
  for (const auto& [key, entry] : entries) {
    auto name = name_of(key);
    if (!name) continue;
    while (offer != offers.end() && offer->first < *name) {
      offer = offers.erase(offer);
      changed = true;
    }
    if (offer == offers.end() || offer->first != *name) {
      offer = offers.emplace_hint(offer, *name, Offer{.assignment = entry.record});
      changed = true;
    } else if (offer->second.assignment != entry.record) {
      if (offer->second.assignment.hash != entry.record.hash) {
        offer->second = Offer{.assignment = entry.record};
      } else {
        offer->second.assignment = entry.record;
      }
      changed = true;
    }
    ++offer;
  }
  changed |= offer != offers.end();
  offers.erase(offer, offers.end());
  return changed;
}

}  // namespace

Result<std::unique_ptr<Agent>> Agent::start(registry::Registry& registry, UnitManager& manager,
                                            AgentOptions options) {
  std::unique_ptr<Agent> agent(new Agent(registry, manager, std::move(options)));
  if (!agent->options_.state_file.empty())
    agent->saved_ = load_run_state(agent->options_.state_file);
  if (!agent->saved_.machine.empty() && agent->saved_.machine != agent->options_.machine.id) {
    // /etc/machine-id changed since the last run: the saved lease holds the old identity's
    // presence, which must leave the cluster, not live on as a machine nobody runs.
    spdlog::warn(
        "event=machine_id_changed previous={} machine={} (the previous ID's lease is revoked "
        "once this one registers)",
        agent->saved_.machine, agent->options_.machine.id);
    agent->reuse_saved_lease_ = false;
  }
  if (auto adopted = agent->adopt_existing_units(); !adopted) return fail(adopted.error());
  auto watching = manager.watch([a = agent.get()](const std::string& name, const UnitStatus& s) {
    a->publisher_.report(name, s);
  });
  if (!watching) return fail(watching.error());
  agent->thread_ = std::thread([a = agent.get()] { a->run(); });
  return agent;
}

Agent::Agent(registry::Registry& registry, UnitManager& manager, AgentOptions options)
    : registry_(registry),
      manager_(manager),
      options_(std::move(options)),
      publisher_(registry, options_.machine.id,
                 options_.metrics ? *options_.metrics : metrics::process_metrics().agent) {}

Agent::~Agent() {
  stop();
  // Their threads poke this agent: they go before the mutex and condition they use.
  schedule_.reset();
  global_.reset();
  metadata_.reset();
  session_.reset();
  // The callback points at this agent's publisher; watch() returns once no call is running.
  (void)manager_.watch({});
}

void Agent::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Agent::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

// A restarted fleetd finds its units' files still there and their services still running: it
// holds them as they are, so the first pass changes nothing that is still scheduled here. Whether
// it had started a unit comes from the state it saved; a unit it cannot vouch for counts as not
// started, so at worst it is started again (a no-op while it runs), never stopped.
Status Agent::adopt_existing_units() {
  auto files = manager_.unit_files();
  if (!files) return fail(files.error());
  // Units the previous run held whose files are gone (removed while fleetd was down): their
  // states, still on the re-adopted lease, would never expire.
  for (const auto& [name, unit] : saved_.held) {
    publisher_.may_be_published(name);
    if (!files->contains(name)) publisher_.release(name);
  }
  if (files->empty()) return {};
  std::vector<std::string> names;
  for (const auto& [name, hash] : *files) names.push_back(name);
  auto statuses = manager_.statuses(names);
  if (!statuses) return fail(statuses.error());
  std::lock_guard lock(mu_);
  for (const auto& [name, hash] : *files) {
    auto saved = saved_.held.find(name);
    bool launched =
        saved != saved_.held.end() && saved->second.hash == hash && saved->second.launched;
    held_[name] = HeldUnit{hash, launched};
    publisher_.hold(name, hash, launched);
    if (auto status = statuses->find(name); status != statuses->end()) {
      publisher_.report(name, status->second);
    }
    spdlog::info("event=unit_adopted unit={} launched={}", name, launched);
  }
  return {};
}

void Agent::run() {
  auto backoff = kFirstBackoff;
  auto last_pass = std::chrono::steady_clock::time_point{};
  while (true) {
    bool ok = keep_registered() && keep_caches();
    if (ok) {
      bool due;
      {
        std::lock_guard lock(mu_);
        due = poked_ || std::chrono::steady_clock::now() - last_pass >= options_.resync;
        poked_ = false;
      }
      if (due) {
        last_pass = std::chrono::steady_clock::now();
        ok = pass();
      }
    }
    std::unique_lock lock(mu_);
    if (ok) {
      // Changes and a lost lease poke; otherwise the next pass is the resync. (Waking to look,
      // 1,000 agents in one benchmark process spent a third of a core idle.)
      cv_.wait_until(lock, last_pass + options_.resync, [&] { return stopping_ || poked_; });
    } else {
      // A change that arrives meanwhile stays poked for the pass after the backoff.
      cv_.wait_for(lock, backoff, [&] { return stopping_; });
    }
    if (stopping_) return;
    // Retries stay within a third of agent_ttl: once etcd is back, a machine whose units were
    // moved meanwhile must stop its copies well before its lease could expire again.
    const auto last =
        std::clamp<std::chrono::milliseconds>(options_.ttl / 3, kFirstBackoff, kLastBackoff);
    backoff = ok ? kFirstBackoff : std::min(backoff * 2, last);
  }
}

bool Agent::keep_registered() {
  if (session_ && session_->lost()) {
    spdlog::warn("event=lease_lost machine={} reason=\"{}\"", options_.machine.id,
                 session_->lost_reason());
    session_.reset();
    publisher_.set_lease(0);
    std::lock_guard lock(mu_);
    registered_ = false;
  }
  if (!session_) {
    auto session = etcd::LeaseSession::start(registry_.client(),
                                             {.ttl_seconds = options_.ttl.count(),
                                              .reuse = reuse_saved_lease_ ? saved_.lease : 0,
                                              .on_lost = [this] { poke(); }});
    if (!session) {
      spdlog::error("event=lease_failed machine={} error=\"{}\"", options_.machine.id,
                    session.error().to_string());
      return false;
    }
    session_ = std::move(*session);
  }
  if (registered()) return true;
  auto lease = session_->id();
  if (auto registered = registry_.register_machine(options_.machine, lease, saved_.lease);
      !registered) {
    spdlog::error("event=register_failed machine={} error=\"{}\"", options_.machine.id,
                  registered.error().to_string());
    return false;
  }
  spdlog::info("event=machine_registered machine={} lease={:x} reused={}", options_.machine.id,
               lease, session_->reused());
  publisher_.set_lease(lease);
  retire_previous_lease(lease);
  save_run_state(lease);
  {
    std::lock_guard lock(mu_);
    registered_ = true;
    ++stats_.registrations;
  }
  cv_.notify_all();
  return true;
}

// The previous run's lease still holds whatever that run published and this one did not (states
// of units it no longer holds): once this run's states are on its own lease, revoking the old
// one removes exactly those. Only when agent_ttl or /etc/machine-id changed is there an old lease
// to give up.
//
// From here on saved_.lease is this run's, also on a first run: a session that looks lost from
// here (keep-alives unanswered for a TTL, while etcd was merely slow) may still be alive in etcd,
// holding this machine's presence key, and only re-adopting it lets the agent register again at
// once instead of failing with ALREADY_EXISTS until it expires.
void Agent::retire_previous_lease(etcd::LeaseId lease) {
  const etcd::LeaseId previous = std::exchange(saved_.lease, lease);
  reuse_saved_lease_ = true;
  if (previous == 0 || previous == lease) return;
  if (!publisher_.flush(std::chrono::seconds(5))) {
    spdlog::warn("event=previous_lease_kept lease={:x} (it expires by itself)", previous);
  } else if (auto revoked = registry_.client().lease_revoke(previous); !revoked) {
    spdlog::warn("event=previous_lease_kept lease={:x} error=\"{}\"", previous,
                 revoked.error().to_string());
  }
}

bool Agent::keep_caches() {
  const auto& keys = registry_.keys();
  auto& client = registry_.client();
  auto on_change = [this] { poke(); };
  auto start = [&](auto& cache, std::string prefix, auto decode) {
    if (cache) return true;
    using Cache = typename std::remove_reference_t<decltype(cache)>::element_type;
    auto started = Cache::start(client, std::move(prefix), decode, on_change, registry_.metrics());
    if (!started) {
      spdlog::error("event=watch_failed machine={} error=\"{}\"", options_.machine.id,
                    started.error().to_string());
      return false;
    }
    cache = std::move(*started);
    return true;
  };
  return start(metadata_, keys.metadata_of(options_.machine.id), registry::decode_metadata_value) &&
         start(global_, keys.global_units(), registry::decode_assignment) &&
         start(schedule_, keys.schedule_of(options_.machine.id), registry::decode_assignment);
}

bool Agent::pass() {
  const auto& keys = registry_.keys();
  // A cache that did not change since the last pass (the pass is for another one, or a resync)
  // leaves its offers as they are.
  bool offers_changed = false;
  schedule_->read_with_revision([&](const auto& entries, etcd::Revision revision) {
    if (std::exchange(scheduled_revision_, revision) == revision) return;
    offers_changed |= update_offers(scheduled_offers_, entries, [&](std::string_view key) {
      auto at = keys.scheduled_of(key);
      return at ? std::optional(at->second) : std::nullopt;
    });
  });
  global_->read_with_revision([&](const auto& entries, etcd::Revision revision) {
    if (std::exchange(global_revision_, revision) == revision) return;
    offers_changed |= update_offers(global_offers_, entries,
                                    [&](std::string_view key) { return keys.global_unit_of(key); });
  });
  registry::Metadata dynamic;
  metadata_->read([&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      if (auto at = keys.metadata_entry_of(key)) dynamic.emplace(at->second, entry.record);
    }
  });

  // Units whose records this fleetd cannot read (written by a newer fleet, or damaged): it knows
  // neither whether nor how they should run, so it leaves them as they are.
  std::set<std::string> undecided;
  for (const auto& key : schedule_->skipped_keys()) {
    if (auto at = keys.scheduled_of(key)) undecided.emplace(at->second);
  }
  for (const auto& key : global_->skipped_keys()) {
    if (auto name = keys.global_unit_of(key)) undecided.emplace(*name);
  }
  std::set<std::string> unfetched;
  resolve_bodies(undecided, unfetched, offers_changed);

  Offers offers;
  offers.metadata = registry::effective_metadata(options_.machine.metadata, dynamic);
  offers.scheduled.reserve(scheduled_offers_.size());
  for (const auto& [name, offer] : scheduled_offers_) {
    if (offer.options) offers.scheduled.push_back({name, offer.assignment, offer.options});
  }
  offers.global.reserve(global_offers_.size());
  for (const auto& [name, offer] : global_offers_) {
    if (const auto& options = contents_of(name).options) {
      offers.global.push_back({name, offer.assignment, options});
    }
  }
  auto desired = desired_units(offers);

  {
    std::lock_guard lock(mu_);
    ++stats_.passes;
  }
  // Units this pass cannot decide on stay as they are: held ones are neither stopped nor changed.
  auto keep_as_held = [&](const std::string& name) {
    auto unit = held_.find(name);
    if (unit == held_.end()) return false;
    desired[name] = {unit->second.hash, unit->second.launched ? unit::DesiredState::kLaunched
                                                              : unit::DesiredState::kLoaded};
    return true;
  };
  for (const auto& name : undecided) {
    if (keep_as_held(name)) {
      spdlog::warn("event=unit_unreadable unit={} (its record does not decode; kept as it is)",
                   name);
    }
  }
  for (const auto& name : unfetched) keep_as_held(name);
  auto tasks = plan_tasks(desired, held_, reload_pending_);
  const uint64_t reports_before_tasks = publisher_.last_report();
  std::vector<std::string> touched;
  std::set<std::string> failed;  // units whose later tasks wait for the next pass
  for (const auto& task : tasks) {
    if (failed.contains(task.unit)) continue;
    // Schedule-to-active runs from the first pass that sets out to launch the unit: its load and
    // daemon-reload count, as they delay the start.
    if (task.type == TaskType::kStart ||
        (task.type == TaskType::kLoad &&
         desired.at(task.unit).desired == unit::DesiredState::kLaunched)) {
      publisher_.launching(task.unit, true);
    } else if (task.type == TaskType::kStop) {
      publisher_.launching(task.unit, false);
    }
    if (run_task(task, desired)) {
      if (!task.unit.empty()) touched.push_back(task.unit);
      continue;
    }
    // Starting units systemd has not re-read could run their old contents.
    if (task.type == TaskType::kReload) break;
    failed.insert(task.unit);
  }
  if (!touched.empty()) save_run_state(session_ ? session_->id() : 0);
  // Signals report later changes; the state right after a load or start is read once here.
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::erase_if(touched, [&](const std::string& name) { return !desired.contains(name); });
  if (!touched.empty()) {
    if (auto statuses = manager_.statuses(touched)) {
      for (const auto& [name, status] : *statuses) {
        publisher_.report_if_quiet(name, status, reports_before_tasks);
      }
    }
  }
  // The units whose bodies etcd did not return wait for the retry; the others did not wait.
  return unfetched.empty();
}

bool Agent::run_task(const Task& task, const std::map<std::string, registry::Assignment>& desired) {
  Status done;
  switch (task.type) {
    case TaskType::kUnload:
      done = manager_.unload(task.unit);
      break;
    case TaskType::kLoad:
      done = manager_.load(task.unit, *contents_of(task.unit).body);
      break;
    case TaskType::kReload:
      done = manager_.reload();
      break;
    case TaskType::kStop:
      done = manager_.stop(task.unit);
      break;
    case TaskType::kStart:
      done = manager_.start(task.unit);
      break;
  }
  std::lock_guard lock(mu_);
  if (!done) {
    ++stats_.failed_tasks;
    spdlog::error("event=task_failed type={} unit={} reason=\"{}\" error=\"{}\"",
                  to_string(task.type), task.unit, task.reason, done.error().to_string());
    return false;
  }
  ++stats_.tasks;
  spdlog::info("event=task_completed type={} unit={} reason=\"{}\"", to_string(task.type),
               task.unit, task.reason);
  switch (task.type) {
    case TaskType::kUnload:
      held_.erase(task.unit);
      publisher_.release(task.unit);
      reload_pending_ = true;
      break;
    case TaskType::kLoad:
      held_[task.unit] = HeldUnit{desired.at(task.unit).hash, false};
      reload_pending_ = true;
      break;
    case TaskType::kStop:
      held_[task.unit].launched = false;
      break;
    case TaskType::kStart:
      held_[task.unit].launched = true;
      break;
    case TaskType::kReload:
      reload_pending_ = false;
      return true;
  }
  if (auto it = held_.find(task.unit); it != held_.end()) {
    publisher_.hold(task.unit, it->second.hash, it->second.launched);
  }
  return true;
}

void Agent::resolve_bodies(std::set<std::string>& undecided, std::set<std::string>& unfetched,
                           bool offers_changed) {
  // The offers that need contents of their own: a global unit also scheduled here has the
  // scheduled unit's (contents_of()).
  std::vector<std::pair<std::string_view, Offer*>> holders;
  holders.reserve(scheduled_offers_.size() + global_offers_.size());
  for (auto& [name, offer] : scheduled_offers_) holders.emplace_back(name, &offer);
  for (auto& [name, offer] : global_offers_) {
    if (!scheduled_offers_.contains(name)) {
      holders.emplace_back(name, &offer);
    } else if (offer.body) {
      offer = Offer{.assignment = offer.assignment};
    }
  }

  // Every body not cached yet, in one read: a machine given many units at once asks etcd once.
  std::vector<unit::UnitHash> missing;
  for (const auto& [name, offer] : holders) {
    if (!offer->body && !body_cache_.contains(offer->assignment.hash)) {
      missing.push_back(offer->assignment.hash);
    }
  }
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  std::map<unit::UnitHash, Result<std::optional<unit::UnitFile>>> fetched;
  if (!missing.empty()) {
    auto answers = registry_.bodies(missing);
    for (size_t i = 0; i < missing.size(); ++i) fetched.emplace(missing[i], std::move(answers[i]));
  }

  for (const auto& [name, offer] : holders) {
    if (offer->body) continue;
    const auto& hash = offer->assignment.hash;
    auto cached = body_cache_.find(hash);
    if (cached == body_cache_.end()) {
      auto& answer = fetched.at(hash);
      if (!answer && answer.error().code == ErrorCode::kDataLoss) {
        undecided.emplace(name);
        continue;
      }
      if (!answer) {
        unfetched.emplace(name);
        continue;
      }
      // Destroyed meanwhile: its entry is about to go too.
      if (!*answer) continue;
      cached =
          body_cache_.emplace(hash, std::make_shared<const unit::UnitFile>(std::move(**answer)))
              .first;
    }
    offer->body = cached->second;
    offer->options =
        std::make_shared<const unit::FleetOptions>(unit::parse_fleet_options(*offer->body, name));
  }
  // Bodies are only added for offers, so only an offer that went or changed leaves one unused.
  if (offers_changed) {
    std::vector<unit::UnitHash> used;
    for (const auto& [name, offer] : holders) {
      if (offer->body) used.push_back(offer->assignment.hash);
    }
    std::sort(used.begin(), used.end());
    std::erase_if(body_cache_, [&](const auto& entry) {
      return !std::binary_search(used.begin(), used.end(), entry.first);
    });
  }
  for (const auto& [hash, answer] : fetched) {
    if (answer || answer.error().code == ErrorCode::kDataLoss) continue;
    spdlog::warn("event=body_fetch_failed units={} error=\"{}\" (retried; the others go on)",
                 unfetched.size(), answer.error().to_string());
    break;
  }
}

const Agent::Offer& Agent::contents_of(std::string_view name) const {
  auto scheduled = scheduled_offers_.find(name);
  return scheduled != scheduled_offers_.end() ? scheduled->second
                                              : global_offers_.find(name)->second;
}

void Agent::save_run_state(etcd::LeaseId lease) {
  if (options_.state_file.empty()) return;
  RunState state{.lease = lease, .machine = options_.machine.id};
  {
    std::lock_guard lock(mu_);
    state.held = held_;
  }
  if (auto saved = agent::save_run_state(options_.state_file, state); !saved) {
    spdlog::warn("event=state_file_unwritable error=\"{}\" (a restart will not re-adopt the lease)",
                 saved.error().message);
  }
}

bool Agent::registered() const {
  std::lock_guard lock(mu_);
  return registered_;
}

bool Agent::wait_registered(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return registered_; });
}

Status Agent::purge() {
  stop();
  std::map<std::string, HeldUnit> held;
  {
    std::lock_guard lock(mu_);
    held = held_;
  }
  Status result;
  for (const auto& [name, unit] : held) {
    if (auto unloaded = manager_.unload(name); !unloaded) {
      spdlog::error(
          "event=task_failed type=UnloadUnit unit={} reason=\"purging agent\" error=\"{}\"", name,
          unloaded.error().to_string());
      result = unloaded;
      continue;
    }
    spdlog::info("event=task_completed type=UnloadUnit unit={} reason=\"purging agent\"", name);
    publisher_.release(name);
    std::lock_guard lock(mu_);
    held_.erase(name);
  }
  if (auto reloaded = manager_.reload(); !reloaded && result) result = reloaded;
  if (session_) {
    publisher_.flush(std::chrono::seconds(5));
    // Presence and any state left go with the lease: the engine reschedules at once.
    if (auto revoked = session_->revoke(); !revoked && result) result = revoked;
    session_.reset();
  }
  save_run_state(0);
  return result;
}

AgentStats Agent::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::string Agent::dump() const {
  nlohmann::json out;
  {
    std::lock_guard lock(mu_);
    out["machine"] = options_.machine.id;
    out["registered"] = registered_;
    for (const auto& [name, unit] : held_) {
      out["held"][name] = {{"hash", unit.hash.hex()}, {"launched", unit.launched}};
    }
    out["stats"] = {{"passes", stats_.passes},
                    {"tasks", stats_.tasks},
                    {"failed_tasks", stats_.failed_tasks},
                    {"registrations", stats_.registrations}};
  }
  for (const auto& [name, state] : publisher_.states()) {
    out["states"][name] = {{"hash", state.hash.hex()},
                           {"load", state.load_state},
                           {"active", state.active_state},
                           {"sub", state.sub_state},
                           {"launched", state.launched}};
  }
  return out.dump();
}

}  // namespace fleet::agent
