// The engine's schedule by unit. etcd keeps it by machine (schedule/<machine>/<unit>, so each
// agent watches only its own prefix); the API asks "where is unit X?", which this index, fed by a
// ListWatch on the whole schedule, answers without a scan.
//
// Thread-safe: lookups share a lock with the feed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "fleet/base/error.h"
#include "fleet/etcd/client.h"
#include "fleet/registry/keys.h"
#include "fleet/registry/list_watch.h"

namespace fleet::api::internal {

class ScheduleIndex {
 public:
  // Lists the schedule and follows it; lists count in `metrics`. Fails only when the first list
  // fails. `client` and `metrics` must outlive the index.
  static Result<std::unique_ptr<ScheduleIndex>> start(etcd::Client& client,
                                                      const registry::Keys& keys,
                                                      metrics::RegistryOpMetrics& metrics);

  // The machine `unit` is scheduled to, or "". While the engine moves a unit, both machines hold
  // it for a moment; the lower ID answers, as a listing in key order would.
  std::string target(std::string_view unit) const;

 private:
  explicit ScheduleIndex(registry::Keys keys) : keys_(std::move(keys)) {}
  void apply(const registry::ListWatch::Batch& batch);

  const registry::Keys keys_;
  mutable std::mutex mu_;
  // unit -> machines holding it; guarded by mu_
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> machines_of_;
  std::unique_ptr<registry::ListWatch> feed_;  // set once by start(), before any reader
};

}  // namespace fleet::api::internal
