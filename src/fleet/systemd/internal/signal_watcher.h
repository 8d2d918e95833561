// Follows systemd's signals and reports status changes of the units fleet tracks (decisions
// fix 8: no polling).
//
// What it listens to, on a bus connection of its own, after Manager.Subscribe() (systemd emits
// unit and job signals only while some client is subscribed; the subscription ends with our
// connection):
//   - PropertiesChanged on org.freedesktop.systemd1.Unit of any unit object: ActiveState and
//     SubState, always together. LoadState is not in it (systemd declares it constant: it changes
//     only when a unit is loaded again), so the watcher keeps the last load state it learned per
//     unit, and assumes "loaded" for a unit it has not learned one for yet (only a loaded unit
//     changes its active state) while asking.
//   - UnitNew: a unit object's first signal is UnitNew, without properties, so a unit that loads
//     and starts between two of systemd's signal flushes would otherwise go unheard.
//   - JobRemoved: a finished job settles a unit's state even if no property changed.
//   - Reloading(false): a daemon-reload may have changed any unit's LoadState.
//   - UnitRemoved: the unit left systemd's memory (after its last state change, signalled
//     before), so a pending question about it is dropped: it could only find nothing.
// All but a complete PropertiesChanged mark the unit "to ask"; once the connection's queue is
// empty, one ListUnitsByPatterns call asks about all of them. That call never loads a unit
// (unlike ListUnitsByNames or reading a unit object's properties), so asking cannot itself cause
// UnitNew/UnitRemoved signals that make us ask again. It is sent asynchronously on the same
// connection, so its answer arrives in order with the signals: a status we report is never older
// than one reported before it.
//
// Statuses are reported only for tracked units, and only when they differ from the last one
// reported for that unit. When the connection breaks, the watcher reports the error, reconnects
// with backoff, subscribes again and re-asks every tracked unit.
//
// Threading: track()/untrack()/start() are thread-safe. The bus connection is confined to the
// watcher's thread once started; callbacks run on that thread, one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "fleet/agent/unit_manager.h"
#include "fleet/base/error.h"
#include "fleet/systemd/internal/bus.h"

namespace fleet::systemd::internal {

class SignalWatcher {
 public:
  using OnChange = agent::UnitManager::OnChange;
  using OnError = std::function<void(const Error&)>;

  // Does not connect yet: start() does.
  SignalWatcher(BusEndpoint endpoint, OnError on_error);
  // Stops and joins the watch thread, closing its connection (which ends the subscription).
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Units whose status changes are reported. untrack() also forgets the last status reported, so
  // a unit tracked again is reported afresh.
  void track(const std::string& name);
  void untrack(const std::string& name);

  // The first call connects, subscribes and starts the watch thread, or returns why it could not
  // (kUnavailable, kPermissionDenied; nothing is started then). Every call makes `on_change` the
  // callback and reports the current status of every tracked unit systemd has loaded to it; once
  // it returns, the callback it replaced is never called again. Not to be called from a callback.
  Status start(OnChange on_change);

 private:
  struct Subscription;

  // Connects, adds the signal matches, then subscribes (so no signal falls between the two).
  Result<std::unique_ptr<Subscription>> subscribe();
  void run(std::unique_ptr<Subscription> subscription);
  // Processes what the bus has, sends one refresh if units need asking, waits for more.
  void serve(Subscription& subscription);
  void refresh(Subscription& subscription);
  void ask_about_every_tracked_unit();

  void on_properties_changed(sdbus::Message& message);
  void on_manager_signal(sdbus::Message& message);

  // Delivers a status from a PropertiesChanged signal, which may lack the load state.
  void deliver_signalled(const std::string& name, std::optional<std::string> load_state,
                         std::string active_state, std::string sub_state);
  bool is_tracked(const std::string& name) const;
  void deliver(const std::string& name, const agent::UnitStatus& status);
  void report(const Error& error) const;
  // Sleeps up to `timeout` unless woken; for reconnect backoff.
  void wait_for_wakeup(std::chrono::milliseconds timeout) const;
  void wake() const;

  const BusEndpoint endpoint_;
  const OnError on_error_;
  // An eventfd the thread polls next to the bus: stop() and start() write it.
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> resync_requested_{false};

  mutable std::mutex mutex_;
  std::set<std::string, std::less<>> tracked_;                    // guarded by mutex_
  std::unordered_map<std::string, agent::UnitStatus> delivered_;  // guarded by mutex_
  // The last load state seen per unit: signals do not carry it.
  std::unordered_map<std::string, std::string> load_states_;  // guarded by mutex_
  std::shared_ptr<const OnChange> on_change_;                 // guarded by mutex_

  // Serialises start() calls; held while the first one connects.
  std::mutex start_mutex_;
  // Held while a callback runs (taken before mutex_), so start() can wait one out.
  std::mutex delivery_mutex_;

  // Used only on the watch thread.
  std::set<std::string> to_ask_;
  bool refresh_in_flight_ = false;

  std::thread thread_;  // last: started after everything it uses exists
};

}  // namespace fleet::systemd::internal
