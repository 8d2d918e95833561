#include "fleet/systemd/internal/signal_watcher.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fleet/systemd/internal/bus_error.h"

namespace fleet::systemd::internal {
namespace {

constexpr auto kFirstBackoff = std::chrono::milliseconds(250);
constexpr auto kMaxBackoff = std::chrono::milliseconds(10'000);

// The sender rule keeps other clients from feeding us look-alike signals.
constexpr const char* kPropertiesChangedMatch =
    "type='signal',sender='org.freedesktop.systemd1',"
    "path_namespace='/org/freedesktop/systemd1/unit',"
    "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
    "arg0='org.freedesktop.systemd1.Unit'";

std::string manager_signal_match(std::string_view member) {
  return "type='signal',sender='org.freedesktop.systemd1',path='/org/freedesktop/systemd1',"
         "interface='org.freedesktop.systemd1.Manager',member='" +
         std::string(member) + "'";
}

void drain(int fd) {
  uint64_t count = 0;
  while (::read(fd, &count, sizeof(count)) > 0) {
  }
}

}  // namespace

// One connection's worth of watching. The matches are declared after the connection so they are
// removed before it closes.
struct SignalWatcher::Subscription {
  ManagerConnection bus;
  std::vector<sdbus::Slot> matches;
};

SignalWatcher::SignalWatcher(BusEndpoint endpoint, OnError on_error)
    : endpoint_(std::move(endpoint)),
      on_error_(std::move(on_error)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

SignalWatcher::~SignalWatcher() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void SignalWatcher::track(const std::string& name) {
  std::lock_guard lock(mutex_);
  tracked_.insert(name);
}

void SignalWatcher::untrack(const std::string& name) {
  std::lock_guard lock(mutex_);
  tracked_.erase(name);
  delivered_.erase(name);
  load_states_.erase(name);
}

Status SignalWatcher::start(OnChange on_change) {
  std::lock_guard start_lock(start_mutex_);
  {
    // Waits out a delivery in progress: once start() returns the old callback is never called.
    std::lock_guard delivering(delivery_mutex_);
    std::lock_guard lock(mutex_);
    on_change_ = std::make_shared<const OnChange>(std::move(on_change));
    delivered_.clear();
  }
  if (thread_.joinable()) {
    resync_requested_ = true;
    wake();
    return {};
  }

  if (wake_fd_ < 0) {
    return fail(ErrorCode::kResourceExhausted,
                "watch systemd on " + endpoint_.describe() + ": cannot create an eventfd");
  }
  auto subscription = subscribe();
  if (!subscription) return fail(subscription.error());
  // The thread does not run yet, so its own state may be set from here.
  ask_about_every_tracked_unit();
  thread_ =
      std::thread([this, first = std::move(*subscription)]() mutable { run(std::move(first)); });
  return {};
}

Result<std::unique_ptr<SignalWatcher::Subscription>> SignalWatcher::subscribe() {
  auto bus = open_manager(endpoint_);
  if (!bus) return fail(bus.error());
  auto subscription = std::make_unique<Subscription>();
  subscription->bus = std::move(*bus);

  auto subscribed = catch_bus_errors("Subscribe", endpoint_, [&] {
    auto& connection = *subscription->bus.connection;
    subscription->matches.push_back(
        connection.addMatch(kPropertiesChangedMatch,
                            [this](sdbus::Message& message) { on_properties_changed(message); }));
    for (const char* member : {"UnitNew", "UnitRemoved", "JobRemoved", "Reloading"}) {
      subscription->matches.push_back(
          connection.addMatch(manager_signal_match(member),
                              [this](sdbus::Message& message) { on_manager_signal(message); }));
    }
    subscription->bus.manager->callMethod("Subscribe")
        .onInterface(kManagerInterface)
        .storeResultsTo();
  });
  if (!subscribed) return fail(subscribed.error());
  return subscription;
}

void SignalWatcher::run(std::unique_ptr<Subscription> subscription) {
  auto backoff = kFirstBackoff;
  while (!stopping_) {
    if (!subscription) {
      auto again = subscribe();
      if (!again) {
        report(again.error());
        wait_for_wakeup(backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
      subscription = std::move(*again);
      backoff = kFirstBackoff;
      // Whatever changed while we were away was not signalled to us.
      ask_about_every_tracked_unit();
    }
    auto served = catch_bus_errors("watch", endpoint_, [&] { serve(*subscription); });
    if (!served) {
      report(served.error());
      subscription.reset();
      refresh_in_flight_ = false;
      // A bus that fails right after every reconnect must not make this a busy loop.
      wait_for_wakeup(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

void SignalWatcher::serve(Subscription& subscription) {
  auto& connection = *subscription.bus.connection;
  while (connection.processPendingRequest()) {
    if (stopping_) return;
  }
  if (resync_requested_.exchange(false)) ask_about_every_tracked_unit();
  refresh(subscription);

  auto poll_data = connection.getEventLoopPollData();
  pollfd fds[] = {{poll_data.fd, poll_data.events, 0}, {wake_fd_, POLLIN, 0}};
  if (::poll(fds, 2, poll_data.getPollTimeout()) < 0 && errno != EINTR) {
    throw sdbus::createError(errno, "Failed to poll the bus");
  }
  if (fds[1].revents & POLLIN) drain(wake_fd_);
}

void SignalWatcher::refresh(Subscription& subscription) {
  if (refresh_in_flight_ || to_ask_.empty()) return;
  // Exact names work as patterns: systemd matches them with FNM_NOESCAPE, and unit names hold
  // none of fnmatch's special characters.
  std::vector<std::string> patterns(to_ask_.begin(), to_ask_.end());
  to_ask_.clear();
  refresh_in_flight_ = true;
  subscription.bus.manager->callMethodAsync("ListUnitsByPatterns")
      .onInterface(kManagerInterface)
      .withArguments(std::vector<std::string>{}, patterns)
      .uponReplyInvoke(
          [this, patterns](const sdbus::Error* error, const std::vector<UnitRow>& rows) {
            refresh_in_flight_ = false;
            if (error != nullptr) {
              report(from_bus_error(*error, "ListUnitsByPatterns", endpoint_));
              // Asked again with the next refresh: their status is still unknown.
              to_ask_.insert(patterns.begin(), patterns.end());
              return;
            }
            // A unit that is not in the answer is not loaded in systemd: nothing to report.
            for (const auto& row : rows) deliver(unit_name_of(row), status_of(row));
          });
}

void SignalWatcher::ask_about_every_tracked_unit() {
  std::lock_guard lock(mutex_);
  to_ask_.insert(tracked_.begin(), tracked_.end());
}

void SignalWatcher::on_properties_changed(sdbus::Message& message) {
  try {
    auto name = unit_name_from_path(message.getPath());
    if (name.empty() || !is_tracked(name)) return;
    std::string interface;
    std::map<std::string, sdbus::Variant> changed;
    message >> interface >> changed;
    if (interface != kUnitInterface) return;

    auto active = changed.find("ActiveState");
    auto sub = changed.find("SubState");
    if (active == changed.end() || sub == changed.end()) {
      // Not the pair systemd always sends together: ask rather than mix old and new.
      to_ask_.insert(name);
      return;
    }
    // systemd 252 declares LoadState constant, so it is not in the signal: it changes only when
    // the unit is (re)loaded, which UnitNew and Reloading make us ask about.
    std::optional<std::string> load_state;
    if (auto load = changed.find("LoadState"); load != changed.end()) {
      load_state = load->second.get<std::string>();
    }
    deliver_signalled(name, std::move(load_state), active->second.get<std::string>(),
                      sub->second.get<std::string>());
  } catch (const std::exception& error) {
    report({ErrorCode::kInternal, "watch systemd on " + endpoint_.describe() +
                                      ": unreadable PropertiesChanged: " + error.what()});
  }
}

void SignalWatcher::on_manager_signal(sdbus::Message& message) {
  try {
    auto member = message.getMemberName();
    if (member == "Reloading") {
      bool active = false;
      message >> active;
      if (!active) ask_about_every_tracked_unit();
      return;
    }
    std::string name;
    if (member == "JobRemoved") {
      uint32_t id = 0;
      sdbus::ObjectPath job;
      message >> id >> job >> name;
    } else {
      message >> name;  // UnitNew, UnitRemoved: (id, unit object)
    }
    if (member == "UnitRemoved") {
      // Out of systemd's memory: asking would find nothing. Its last state change, the one
      // that let systemd drop it, was signalled before.
      to_ask_.erase(name);
    } else if (is_tracked(name)) {
      to_ask_.insert(name);
    }
  } catch (const std::exception& error) {
    report({ErrorCode::kInternal,
            "watch systemd on " + endpoint_.describe() + ": unreadable signal: " + error.what()});
  }
}

void SignalWatcher::deliver_signalled(const std::string& name,
                                      std::optional<std::string> load_state,
                                      std::string active_state, std::string sub_state) {
  if (!load_state) {
    std::lock_guard lock(mutex_);
    if (auto known = load_states_.find(name); known != load_states_.end()) {
      load_state = known->second;
    }
  }
  if (!load_state) {
    // Only a loaded unit changes its active state, so "loaded" is what systemd would say; ask
    // anyway, and the answer (newer than this signal) corrects it if not.
    load_state = "loaded";
    to_ask_.insert(name);
  }
  deliver(name, {.load_state = std::move(*load_state),
                 .active_state = std::move(active_state),
                 .sub_state = std::move(sub_state)});
}

bool SignalWatcher::is_tracked(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return tracked_.contains(name);
}

void SignalWatcher::deliver(const std::string& name, const agent::UnitStatus& status) {
  std::lock_guard delivering(delivery_mutex_);
  std::shared_ptr<const OnChange> callback;
  {
    std::lock_guard lock(mutex_);
    if (!tracked_.contains(name)) return;
    load_states_[name] = status.load_state;
    auto [last, inserted] = delivered_.try_emplace(name, status);
    if (!inserted) {
      if (last->second == status) return;
      last->second = status;
    }
    callback = on_change_;
  }
  if (!callback || !*callback) return;
  try {
    (*callback)(name, status);
  } catch (const std::exception& error) {
    report(
        {ErrorCode::kInternal, "unit status callback for \"" + name + "\" threw: " + error.what()});
  }
}

void SignalWatcher::report(const Error& error) const {
  if (on_error_) on_error_(error);
}

void SignalWatcher::wait_for_wakeup(std::chrono::milliseconds timeout) const {
  pollfd fd{wake_fd_, POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(timeout.count())) > 0) drain(wake_fd_);
}

void SignalWatcher::wake() const {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  // Only fails when the counter is about to overflow, which means a wake-up is pending anyway.
  [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof(one));
}

}  // namespace fleet::systemd::internal
