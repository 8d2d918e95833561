#include "fleet/api/internal/schedule_index.h"

namespace fleet::api::internal {

Result<std::unique_ptr<ScheduleIndex>> ScheduleIndex::start(etcd::Client& client,
                                                            const registry::Keys& keys,
                                                            metrics::RegistryOpMetrics& metrics) {
  std::unique_ptr<ScheduleIndex> index(new ScheduleIndex(keys));
  auto feed = registry::ListWatch::start(
      client, keys.schedule(),
      [i = index.get()](const registry::ListWatch::Batch& batch) { i->apply(batch); }, metrics);
  if (!feed) return fail(feed.error());
  index->feed_ = std::move(*feed);
  return index;
}

std::string ScheduleIndex::target(std::string_view unit) const {
  std::lock_guard lock(mu_);
  auto it = machines_of_.find(unit);
  return it == machines_of_.end() ? std::string() : *it->second.begin();
}

void ScheduleIndex::apply(const registry::ListWatch::Batch& batch) {
  std::lock_guard lock(mu_);
  if (batch.snapshot) machines_of_.clear();
  for (const auto& event : batch.events) {
    auto at = keys_.scheduled_of(event.kv.key);
    if (!at) continue;
    const auto [machine, unit] = *at;
    if (event.type == etcd::Event::Type::kPut) {
      auto it = machines_of_.find(unit);
      if (it == machines_of_.end()) it = machines_of_.try_emplace(std::string(unit)).first;
      it->second.emplace(machine);
      continue;
    }
    if (auto it = machines_of_.find(unit); it != machines_of_.end()) {
      if (auto held = it->second.find(machine); held != it->second.end()) it->second.erase(held);
      if (it->second.empty()) machines_of_.erase(it);
    }
  }
}

}  // namespace fleet::api::internal
