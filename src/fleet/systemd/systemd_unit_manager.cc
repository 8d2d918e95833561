#include "fleet/systemd/systemd_unit_manager.h"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <utility>

#include <sdbus-c++/sdbus-c++.h>

#include "fleet/metrics/fleet_metrics.h"
#include "fleet/systemd/internal/bus.h"
#include "fleet/systemd/internal/bus_error.h"
#include "fleet/systemd/internal/signal_watcher.h"
#include "fleet/systemd/internal/unit_directory.h"
#include "fleet/unit/unit_name.h"

namespace fleet::systemd {
namespace {

using internal::kManagerInterface;

// Names per ListUnitsByNames call: keeps each message far below D-Bus's size limits.
constexpr size_t kStatusBatch = 1000;

// What statuses() says about a unit systemd does not know, as `systemctl show` would.
agent::UnitStatus unknown_unit() {
  return {.load_state = "not-found", .active_state = "inactive", .sub_state = "dead"};
}

// The (type, symlink, destination) list systemd's unit-file methods return.
using UnitFileChanges = std::vector<sdbus::Struct<std::string, std::string, std::string>>;

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool ok_or_not_found(const Status& status) {
  return status || status.error().code == ErrorCode::kNotFound;
}

}  // namespace

Result<std::unique_ptr<SystemdUnitManager>> SystemdUnitManager::connect(SystemdOptions options) {
  if (!options.units_directory.is_absolute()) {
    return fail(ErrorCode::kInvalidArgument, "units directory " +
                                                 in_quotes(options.units_directory.string()) +
                                                 " must be an absolute path");
  }
  // The bus first: a wrong address should not leave a directory behind.
  auto bus = internal::open_manager(internal::BusEndpoint::from(options));
  if (!bus) return fail(bus.error());
  internal::UnitDirectory directory(options.units_directory, options.systemd_root);
  if (auto created = directory.create(); !created) return fail(created.error());
  return std::unique_ptr<SystemdUnitManager>(
      new SystemdUnitManager(std::move(options), std::move(*bus)));
}

SystemdUnitManager::SystemdUnitManager(SystemdOptions options, internal::ManagerConnection bus)
    : options_(std::move(options)),
      endpoint_(std::make_unique<internal::BusEndpoint>(internal::BusEndpoint::from(options_))),
      directory_(std::make_unique<internal::UnitDirectory>(options_.units_directory,
                                                           options_.systemd_root)),
      bus_(std::make_unique<internal::ManagerConnection>(std::move(bus))),
      watcher_(std::make_unique<internal::SignalWatcher>(*endpoint_, options_.on_watch_error)) {}

SystemdUnitManager::~SystemdUnitManager() = default;

const std::filesystem::path& SystemdUnitManager::units_directory() const {
  return directory_->directory();
}

template <class Body>
auto SystemdUnitManager::call(std::string_view method, std::string_view subject, Body&& body) {
  using Value = std::invoke_result_t<Body, sdbus::IProxy&>;
  const std::string what =
      subject.empty() ? std::string(method) : std::string(method) + " " + std::string(subject);
  // Waiting for the bus (another call holding it) is part of what the caller waited.
  const auto started = std::chrono::steady_clock::now();
  std::lock_guard lock(bus_mutex_);
  Result<Value> result = fail(ErrorCode::kUnavailable, "");
  // A connection found broken is replaced and the call sent once more: every call this class
  // makes is idempotent (jobs in "replace" mode, forced links, reads), so a call that did reach
  // systemd before the connection broke does no harm when repeated.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!bus_) {
      auto reopened = internal::open_manager(*endpoint_);
      if (!reopened) return Result<Value>(fail(reopened.error()));
      bus_ = std::make_unique<internal::ManagerConnection>(std::move(*reopened));
    }
    result = internal::catch_bus_errors(what, *endpoint_, [&] { return body(*bus_->manager); });
    if (result || result.error().code != ErrorCode::kUnavailable) break;
    bus_.reset();
  }
  if (options_.metrics) {
    options_.metrics->duration(method).observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return result;
}

Status SystemdUnitManager::load(std::string_view name, const unit::UnitFile& file) {
  auto path = directory_->path_for(name);
  if (!path) return fail(path.error());
  if (auto written = directory_->write(name, file.serialize()); !written) return written;

  const std::vector<std::string> paths{path->string()};
  auto linked = call("LinkUnitFiles", in_quotes(path->string()), [&](sdbus::IProxy& manager) {
    UnitFileChanges changes;
    manager.callMethod("LinkUnitFiles")
        .onInterface(kManagerInterface)
        .withArguments(paths, /*runtime=*/true, /*force=*/true)
        .storeResultsTo(changes);
  });
  if (!linked) {
    // A file left behind would look loaded to unit_files() and never be linked again.
    (void)directory_->remove(name);
    return linked;
  }

  if (file.find_section("Install") != nullptr) {
    auto enabled = call("EnableUnitFiles", in_quotes(path->string()), [&](sdbus::IProxy& manager) {
      bool carries_install_info = false;
      UnitFileChanges changes;
      manager.callMethod("EnableUnitFiles")
          .onInterface(kManagerInterface)
          .withArguments(paths, /*runtime=*/true, /*force=*/true)
          .storeResultsTo(carries_install_info, changes);
    });
    if (!enabled) {
      // Best effort: the error worth returning is the enable failure, not a clean-up failure.
      const std::vector<std::string> names{std::string(name)};
      (void)call("DisableUnitFiles", in_quotes(name), [&](sdbus::IProxy& manager) {
        UnitFileChanges changes;
        manager.callMethod("DisableUnitFiles")
            .onInterface(kManagerInterface)
            .withArguments(names, /*runtime=*/true)
            .storeResultsTo(changes);
      });
      (void)directory_->remove(name);
      return enabled;
    }
  }
  watcher_->track(std::string(name));
  return {};
}

Status SystemdUnitManager::unload(std::string_view name) {
  if (auto path = directory_->path_for(name); !path) return fail(path.error());
  // NoSuchUnit: systemd has nothing loaded by that name, so there is nothing left to stop.
  if (auto stopped = queue_job("StopUnit", name); !ok_or_not_found(stopped)) return stopped;

  const std::vector<std::string> names{std::string(name)};
  auto disabled = call("DisableUnitFiles", in_quotes(name), [&](sdbus::IProxy& manager) {
    UnitFileChanges changes;
    manager.callMethod("DisableUnitFiles")
        .onInterface(kManagerInterface)
        .withArguments(names, /*runtime=*/true)
        .storeResultsTo(changes);
  });
  if (!ok_or_not_found(disabled)) return disabled;

  // Not loaded (NoSuchUnit) or not failed are both fine: there is no failed state to clear.
  auto reset = call("ResetFailedUnit", in_quotes(name), [&](sdbus::IProxy& manager) {
    manager.callMethod("ResetFailedUnit")
        .onInterface(kManagerInterface)
        .withArguments(std::string(name))
        .storeResultsTo();
  });
  if (!ok_or_not_found(reset)) return reset;

  if (auto removed = directory_->remove(name); !removed) return removed;
  watcher_->untrack(std::string(name));
  return {};
}

Status SystemdUnitManager::reload() {
  return call("Reload", "", [](sdbus::IProxy& manager) {
    manager.callMethod("Reload").onInterface(kManagerInterface).storeResultsTo();
  });
}

Status SystemdUnitManager::start(std::string_view name) { return queue_job("StartUnit", name); }

Status SystemdUnitManager::stop(std::string_view name) { return queue_job("StopUnit", name); }

Status SystemdUnitManager::queue_job(const char* method, std::string_view name) {
  if (auto valid = unit::validate_unit_name(name); !valid) {
    return fail(ErrorCode::kInvalidArgument,
                "unit " + in_quotes(name) + ": " + valid.error().message);
  }
  return call(method, in_quotes(name), [&](sdbus::IProxy& manager) {
    sdbus::ObjectPath job;
    manager.callMethod(method)
        .onInterface(kManagerInterface)
        .withArguments(std::string(name), std::string("replace"))
        .storeResultsTo(job);
  });
}

Result<std::map<std::string, unit::UnitHash>> SystemdUnitManager::unit_files() {
  auto files = directory_->list();
  if (!files) return files;
  // A restarted agent re-adopts these: their changes matter from now on.
  for (const auto& [name, hash] : *files) watcher_->track(name);
  return files;
}

Result<std::map<std::string, agent::UnitStatus>> SystemdUnitManager::statuses(
    const std::vector<std::string>& names) {
  std::map<std::string, agent::UnitStatus> statuses;
  std::vector<std::string> valid;
  for (const auto& name : names) {
    if (unit::validate_unit_name(name)) {
      valid.push_back(name);
    } else {
      statuses.emplace(name, unknown_unit());  // systemd could not know it either
    }
  }

  for (size_t begin = 0; begin < valid.size(); begin += kStatusBatch) {
    const std::vector<std::string> batch(
        valid.begin() + static_cast<std::ptrdiff_t>(begin),
        valid.begin() + static_cast<std::ptrdiff_t>(std::min(valid.size(), begin + kStatusBatch)));
    auto rows = call("ListUnitsByNames", "", [&](sdbus::IProxy& manager) {
      std::vector<internal::UnitRow> rows;
      manager.callMethod("ListUnitsByNames")
          .onInterface(kManagerInterface)
          .withArguments(batch)
          .storeResultsTo(rows);
      return rows;
    });
    if (!rows) return fail(rows.error());
    // One row per name, in order, but named by the unit's primary name: an alias comes back
    // under the unit it points to. Rows only line up when systemd took every name.
    bool in_order = rows->size() == batch.size();
    for (size_t i = 0; i < rows->size(); ++i) {
      const auto& row = (*rows)[i];
      statuses[in_order ? batch[i] : internal::unit_name_of(row)] = internal::status_of(row);
    }
  }
  for (const auto& name : valid) statuses.try_emplace(name, unknown_unit());
  return statuses;
}

Status SystemdUnitManager::watch(OnChange on_change) {
  return watcher_->start(std::move(on_change));
}

}  // namespace fleet::systemd
