#include "fleet/api/registry_event_feed.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "fleet/api/internal/views.h"
#include "fleet/etcd/client.h"
#include "fleet/etcd/watcher.h"
#include "fleet/registry/records.h"
#include "fleet/schema/json.h"

namespace fleet::api {
namespace {

// How long a silent stream waits before checking that its client is still there.
constexpr std::chrono::milliseconds kProbeInterval{1000};

// How long an event waits for the cache to show the unit it is about.
constexpr std::chrono::milliseconds kRenderWait{2000};

// `json`, an object, with "deleted":true added: what a removal's event carries.
std::string deleted(const std::string& json) {
  auto object = nlohmann::json::parse(json);
  object["deleted"] = true;
  return object.dump();
}

}  // namespace

struct RegistryEventFeed::Event {
  EventKind kind;
  etcd::Revision revision;
  std::string data;
};

// The events after a revision, fed by one etcd watch, held for readers to take from where they
// are: for many readers, a window of the latest `capacity` (older ones are dropped, and a reader
// still needing them is behind); for one reader catching up from etcd's history, a queue of at
// most `capacity` that the watch waits on when full.
class RegistryEventFeed::Log {
 public:
  using Render = std::function<std::vector<Event>(std::vector<etcd::Event>)>;

  struct Read {
    enum class Outcome {
      kEvents,     // `events` (maybe none): every change up to `through` has been read
      kBehind,     // the window has moved past the reader's revision
      kCompacted,  // etcd no longer holds the changes the watch needed; the log has ended
    };
    Outcome outcome = Outcome::kEvents;
    std::vector<Event> events{};
    etcd::Revision through = 0;
  };

  Log(etcd::Client& client, const registry::Keys& keys, etcd::Revision after, LogMode mode,
      size_t capacity, Render render)
      : mode_(mode), capacity_(capacity), render_(std::move(render)), floor_(after), last_(after) {
    // machines/ to units/ in key order also holds metadata/, schedule/ and states/: one watch
    // with a few keys to skip, rather than three watches whose events would interleave out of
    // revision order.
    etcd::WatchOptions options{.key = keys.machines(),
                               .range_end = etcd::prefix_end(keys.units()),
                               .start_revision = after + 1,
                               .prev_kv = true};
    watcher_ = etcd::Watcher::start(client, std::move(options),
                                    [this](etcd::WatchUpdate update) { apply(std::move(update)); });
  }

  ~Log() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    watcher_.reset();
  }
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Waits up to `wait` for changes after `cursor`. A queue's reader takes what it reads.
  Read read_after(etcd::Revision cursor, std::chrono::milliseconds wait) {
    Read read;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, wait, [&] { return compacted_ || last_ > cursor || cursor < floor_; });
      if (cursor < floor_) return {.outcome = Read::Outcome::kBehind};
      read.through = std::max(cursor, last_);
      auto first =
          std::upper_bound(events_.begin(), events_.end(), cursor,
                           [](etcd::Revision r, const Event& e) { return r < e.revision; });
      read.events.assign(first, events_.end());
      if (read.events.empty() && compacted_) read.outcome = Read::Outcome::kCompacted;
      if (mode_ == LogMode::kQueue) events_.clear();
    }
    if (mode_ == LogMode::kQueue) cv_.notify_all();
    return read;
  }

  etcd::Revision floor() const {
    std::lock_guard lock(mu_);
    return floor_;
  }
  etcd::Revision last() const {
    std::lock_guard lock(mu_);
    return last_;
  }
  bool compacted() const {
    std::lock_guard lock(mu_);
    return compacted_;
  }

 private:
  void apply(etcd::WatchUpdate update) {
    using Kind = etcd::WatchUpdate::Kind;
    if (update.kind != Kind::kEvents && update.kind != Kind::kProgress &&
        update.kind != Kind::kCompacted) {
      return;  // the watcher reconnects by itself and loses nothing
    }
    // Rendered before taking the lock: it may wait for the cache, and readers must not.
    std::vector<Event> rendered = render_(std::move(update.events));
    {
      std::unique_lock lock(mu_);
      // A queue holds the watch back instead of dropping what its reader has yet to take.
      if (mode_ == LogMode::kQueue) {
        cv_.wait(lock, [&] { return closing_ || events_.size() < capacity_; });
      }
      if (update.kind == Kind::kCompacted) {
        compacted_ = true;
      } else {
        for (auto& event : rendered) events_.push_back(std::move(event));
        last_ = std::max(last_, update.revision);
        while (mode_ == LogMode::kWindow && events_.size() > capacity_) {
          floor_ = events_.front().revision;
          events_.pop_front();
        }
      }
    }
    cv_.notify_all();
  }

  const LogMode mode_;
  const size_t capacity_;
  const Render render_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;  // guarded by mu_: in revision order
  // Guarded by mu_: events_ holds every change after floor_ up to last_.
  etcd::Revision floor_;
  etcd::Revision last_;
  bool compacted_ = false;                  // guarded by mu_
  bool closing_ = false;                    // guarded by mu_: lets a waiting watch go
  std::unique_ptr<etcd::Watcher> watcher_;  // last: its callback uses everything above
};

// One open stream's claim on the feed and the shared log it reads, both returned when the
// stream's response goes, streamed or not: the log first, as its watch calls into the feed.
class RegistryEventFeed::Slot {
 public:
  explicit Slot(RegistryEventFeed& feed) : feed_(feed) {}
  ~Slot() {
    log.reset();
    feed_.release_slot();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  std::shared_ptr<Log> log;

 private:
  RegistryEventFeed& feed_;
};

RegistryEventFeed::RegistryEventFeed(registry::Registry& registry, RegistryBackend& backend,
                                     RegistryEventFeedOptions options)
    : registry_(registry), backend_(backend), options_(options) {}

RegistryEventFeed::~RegistryEventFeed() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  released_.wait(lock, [&] { return streams_ == 0; });
}

size_t RegistryEventFeed::open_streams() const {
  std::lock_guard lock(mu_);
  return streams_;
}

bool RegistryEventFeed::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void RegistryEventFeed::release_slot() {
  {
    std::lock_guard lock(mu_);
    --streams_;
  }
  released_.notify_all();
}

HttpResponse RegistryEventFeed::open(const EventQuery& query) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return HttpResponse::error(503, "the event stream is shutting down");
    if (streams_ >= options_.max_streams) {
      return HttpResponse::error(503, "too many event streams open (" +
                                          std::to_string(options_.max_streams) +
                                          " at most); try again later");
    }
    ++streams_;
  }
  auto slot = std::make_shared<Slot>(*this);
  auto shared = shared_log();
  if (!shared) {
    return HttpResponse::error(503, "cannot watch etcd: " + shared.error().message);
  }
  slot->log = std::move(*shared);
  // From now, unless resuming: the stream starts where the shared watch is when asked.
  const etcd::Revision cursor = query.since ? *query.since : slot->log->last();
  HttpResponse response{
      .status = 200,
      .headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}}};
  response.stream = [this, slot, query, cursor](const BodyWriter& write) {
    serve(query, *slot, cursor, write);
  };
  return response;
}

Result<std::shared_ptr<RegistryEventFeed::Log>> RegistryEventFeed::shared_log() {
  std::lock_guard lock(log_mu_);
  if (auto log = shared_.lock(); log && !log->compacted()) return log;
  // The revision etcd is at: the watch delivers what changes after it.
  auto now = registry_.client().range(registry_.keys().machines(), {.limit = 1, .keys_only = true});
  if (!now) return fail(now.error());
  auto log = log_after(now->revision, LogMode::kWindow);
  shared_ = log;
  return log;
}

std::shared_ptr<RegistryEventFeed::Log> RegistryEventFeed::log_after(etcd::Revision after,
                                                                     LogMode mode) {
  return std::make_shared<Log>(
      registry_.client(), registry_.keys(), after, mode, options_.window,
      [this](std::vector<etcd::Event> changes) { return render(std::move(changes)); });
}

std::vector<RegistryEventFeed::Event> RegistryEventFeed::render(std::vector<etcd::Event> changes) {
  const auto& keys = registry_.keys();
  std::shared_ptr<const RegistryCache> cache;
  etcd::Revision units_at = 0;
  bool machines = false;
  for (const auto& change : changes) {
    if (keys.unit_of(change.kv.key)) units_at = std::max(units_at, change.kv.mod_revision);
    machines = machines || keys.machine_of(change.kv.key);
  }
  // Only units and machines are shown with what the cache adds (options, schedule, metadata).
  if (units_at > 0 || machines) {
    if (auto loaded = backend_.cache()) {
      cache = std::move(*loaded);
      // The cache follows watches of its own, which may lag this one.
      if (units_at > 0) cache->wait_for_units_at(units_at, kRenderWait);
    }
  }
  std::vector<Event> events;
  for (auto& change : changes) {
    const bool removed = change.type == etcd::Event::Type::kDelete;
    const std::string& key = change.kv.key;
    // A removal's record is the one it removed, when etcd still had it.
    const std::string* value =
        removed ? (change.prev_kv ? &change.prev_kv->value : nullptr) : &change.kv.value;
    std::optional<Event> event;
    if (auto name = keys.unit_of(key)) {
      schema::Unit unit;
      if (!removed && cache) {
        if (auto current = cache->unit(*name); current && *current) unit = std::move(**current);
      }
      unit.name = std::string(*name);
      if (value) {
        auto record = registry::decode_unit(key, *value);
        if (!record) continue;
        // The change's own desired state: the cache may already show a later one.
        unit.desired_state = std::string(unit::to_string(record->desired));
      }
      event = Event{EventKind::kUnit, change.kv.mod_revision, schema::encode(unit)};
    } else if (auto at = keys.state_of(key)) {
      schema::UnitState state{.name = std::string(at->first),
                              .machine_id = std::string(at->second)};
      if (value) {
        auto record = registry::decode_unit_state(key, *value);
        if (!record) continue;
        state = internal::unit_state_view(at->first, at->second, *record);
      }
      event = Event{EventKind::kState, change.kv.mod_revision, schema::encode(state)};
    } else if (auto id = keys.machine_of(key)) {
      schema::Machine machine{.id = std::string(*id)};
      if (value) {
        auto record = registry::decode_machine(key, *value);
        if (!record) continue;
        machine = cache ? cache->machine_view(*record) : internal::machine_view(*record, {});
      }
      event = Event{EventKind::kMachine, change.kv.mod_revision, schema::encode(machine)};
    }
    if (!event) continue;
    if (removed) event->data = deleted(event->data);
    events.push_back(std::move(*event));
  }
  return events;
}

namespace {

// `events` as server-sent events, those `query` wants. Only the last of a revision carries its
// id (event_feed.h says why).
template <class Events>
std::string format(const Events& events, const EventQuery& query) {
  std::string text;
  const auto wanted = [&](const auto& event) { return query.wants(event.kind); };
  for (auto it = events.begin(); it != events.end(); ++it) {
    if (!wanted(*it)) continue;
    text.append("event: ").append(event_name(it->kind)).append("\n");
    text.append("data: ").append(it->data).append("\n");
    auto next = std::find_if(std::next(it), events.end(), wanted);
    if (next == events.end() || next->revision != it->revision) {
      text.append("id: ").append(std::to_string(it->revision)).append("\n");
    }
    text.append("\n");
  }
  return text;
}

std::string reset(etcd::Revision revision) {
  const std::string number = std::to_string(revision);
  return "event: reset\ndata: {\"revision\":" + number + "}\nid: " + number + "\n\n";
}

}  // namespace

void RegistryEventFeed::serve(const EventQuery& query, Slot& slot, etcd::Revision cursor,
                              const BodyWriter& write) {
  using Clock = std::chrono::steady_clock;
  using Outcome = Log::Read::Outcome;
  std::shared_ptr<Log> own;  // catching up from etcd's history, until the shared log has it
  auto last_write = Clock::now();
  while (!stopping()) {
    auto read = (own ? own : slot.log)->read_after(cursor, kProbeInterval);
    if (read.outcome == Outcome::kBehind) {
      own = log_after(cursor, LogMode::kQueue);
      continue;
    }
    if (read.outcome == Outcome::kCompacted) {
      if (!own) {
        auto renewed = shared_log();
        if (!renewed) return;
        slot.log = std::move(*renewed);
      }
      own.reset();
      cursor = slot.log->last();
      if (!write(reset(cursor))) return;
      last_write = Clock::now();
      continue;
    }
    cursor = read.through;
    if (own && cursor >= slot.log->floor()) own.reset();
    const std::string text = format(read.events, query);
    if (!text.empty()) {
      if (!write(text)) return;
      last_write = Clock::now();
    } else if (Clock::now() - last_write >= options_.keep_alive) {
      if (!write(": keep-alive\n\n")) return;
      last_write = Clock::now();
    } else if (!write({})) {
      return;
    }
  }
}

}  // namespace fleet::api
