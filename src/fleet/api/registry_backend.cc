#include "fleet/api/registry_backend.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "fleet/unit/unit_file.h"

namespace fleet::api {
namespace {

// A create is 2 guards and 2 or 3 puts: 64 of them fill about one etcd transaction.
constexpr size_t kCreatesPerCommit = 64;
constexpr std::chrono::milliseconds kFirstRetry{500};
constexpr std::chrono::milliseconds kLastRetry{10'000};

// Registry::create_units stores the bodies a batch lacks in one etcd transaction, and etcd refuses
// a transaction past its request limit, failing every create in it. Commits the batch in runs of
// units that together take no more than one unit may (UnitFile::kMaxSize), so that large units
// sent at once by several clients fit as they fit alone.
std::vector<Result<etcd::Revision>> create_in_runs(registry::Registry& registry,
                                                   std::vector<registry::NewUnit> units) {
  std::vector<Result<etcd::Revision>> results;
  results.reserve(units.size());
  auto commit = [&](auto begin, auto end) {
    std::vector<registry::NewUnit> run(std::make_move_iterator(begin),
                                       std::make_move_iterator(end));
    for (auto& result : registry.create_units(run)) results.push_back(std::move(result));
  };
  auto run_begin = units.begin();
  size_t run_size = 0;
  for (auto it = units.begin(); it != units.end(); ++it) {
    const size_t size = it->body.size();
    if (it != run_begin && run_size + size > unit::UnitFile::kMaxSize) {
      commit(run_begin, it);
      run_begin = it;
      run_size = 0;
    }
    run_size += size;
  }
  commit(run_begin, units.end());
  return results;
}

}  // namespace

RegistryBackend::RegistryBackend(registry::Registry& registry, RegistryBackendOptions options)
    : registry_(registry),
      service_(registry),
      options_(options),
      creates_(
          [this](std::vector<registry::NewUnit> units) {
            return create_in_runs(registry_, std::move(units));
          },
          kCreatesPerCommit),
      loader_([this] { run(); }) {}

RegistryBackend::~RegistryBackend() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  loader_.join();
}

bool RegistryBackend::ready() const {
  std::lock_guard lock(mu_);
  return !load_error_;
}

bool RegistryBackend::loaded() const {
  std::lock_guard lock(mu_);
  return cache_ != nullptr;
}

Result<std::shared_ptr<const RegistryCache>> RegistryBackend::cache() {
  std::unique_lock lock(mu_);
  last_call_ = Clock::now();
  if (!cache_) {
    wanted_ = true;
    changed_.notify_all();
    const uint64_t before = attempts_;
    changed_.wait_for(lock, options_.load_wait,
                      [&] { return cache_ || stopping_ || attempts_ > before; });
    if (!cache_) {
      return fail(load_error_ ? *load_error_
                              : Error{ErrorCode::kUnavailable,
                                      "the API's view of etcd did not load in time"});
    }
  }
  return cache_;
}

void RegistryBackend::run() {
  auto backoff = kFirstRetry;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto idle_since = last_call_ + options_.idle_timeout;
    if (cache_) {
      if (Clock::now() < idle_since) {
        changed_.wait_until(lock, idle_since, [&] { return stopping_; });
        continue;
      }
      // Unused for idle_timeout: stop mirroring the cluster. Requests still holding the cache
      // keep it until they return.
      auto dropped = std::move(cache_);
      wanted_ = false;
      lock.unlock();
      dropped.reset();
      lock.lock();
      continue;
    }
    if (wanted_ && load_error_ && Clock::now() >= idle_since) {
      // Nobody has asked for a while: give up until someone does, and let them try again.
      wanted_ = false;
      load_error_.reset();
    }
    if (!wanted_) {
      changed_.wait(lock, [&] { return stopping_ || wanted_; });
      continue;
    }
    lock.unlock();
    auto loaded = RegistryCache::start(registry_);
    lock.lock();
    ++attempts_;
    if (loaded) {
      cache_ = std::move(*loaded);
      load_error_.reset();
      backoff = kFirstRetry;
    } else {
      load_error_ = loaded.error();
    }
    changed_.notify_all();
    if (!loaded) {
      changed_.wait_for(lock, backoff, [&] { return stopping_; });
      backoff = std::min(backoff * 2, kLastRetry);
    }
  }
}

Result<Listing<schema::Unit>> RegistryBackend::units(Slice slice) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  return (*cache)->units(slice);
}

Result<std::optional<schema::Unit>> RegistryBackend::unit(std::string_view name) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  return (*cache)->unit(name);
}

Result<PutOutcome> RegistryBackend::put_unit(const schema::Unit& unit) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  // A unit the cache does not hold is most likely new: created without asking etcd first, as the
  // commit is guarded on its absence. One that exists after all takes put_unit's path.
  if (!unit.options.empty() && !(*cache)->has_unit(unit.name)) {
    auto created = create_unseen(**cache, unit);
    if (created) {
      (*cache)->wait_for_units_at(*created, kReadYourWritesTimeout);
      return PutOutcome::kCreated;
    }
    if (created.error().code != ErrorCode::kAlreadyExists) return fail(created.error());
  }
  auto outcome = service_.put_unit(unit);
  if (outcome) (*cache)->wait_for_unit_write(unit.name, kReadYourWritesTimeout);
  return outcome;
}

Result<etcd::Revision> RegistryBackend::create_unseen(const RegistryCache& cache,
                                                      const schema::Unit& unit) {
  auto fresh = service_.new_unit(unit);
  if (!fresh) return fail(fresh.error());
  fresh->body_seen = cache.has_body(fresh->body.hash());
  return creates_.submit(std::move(*fresh));
}

Status RegistryBackend::destroy_unit(std::string_view name) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  // The revision it had tells its deletion apart from a later re-creation by someone else.
  auto existing = registry_.client().get(registry_.keys().unit(name));
  if (!existing) return fail(existing.error());
  if (!*existing) return fail(ErrorCode::kNotFound, "unit does not exist");
  auto destroyed = service_.destroy_unit(name);
  if (destroyed) {
    (*cache)->wait_for_unit_delete(name, (*existing)->mod_revision, kReadYourWritesTimeout);
  }
  return destroyed;
}

Result<Listing<schema::UnitState>> RegistryBackend::unit_states(
    const client::UnitStateFilter& filter, Slice slice) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  return (*cache)->unit_states(filter, slice);
}

Result<std::optional<schema::UnitState>> RegistryBackend::unit_state(std::string_view name) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  return (*cache)->unit_state(name);
}

Result<Listing<schema::Machine>> RegistryBackend::machines(Slice slice) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  return (*cache)->machines(slice);
}

Status RegistryBackend::set_machine_metadata(std::string_view machine, std::string_view key,
                                             std::string_view value) {
  auto cache = this->cache();
  if (!cache) return fail(cache.error());
  auto set = registry_.set_metadata(machine, key, value);
  if (set) (*cache)->wait_for_metadata_write(machine, key, kReadYourWritesTimeout);
  return set;
}

}  // namespace fleet::api
