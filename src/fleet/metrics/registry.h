// A set of metric families and their rendering in Prometheus' text exposition format 0.0.4
// (what GET /metrics answers): for each family, sorted by name, `# HELP` and `# TYPE` lines, then
// its samples. A family without series still shows its HELP and TYPE.
//
// Example:
//   Registry registry;
//   Counter& passes = registry.counter("fleet_engine_reconcile_count_total", "Passes.").with({});
//   passes.inc();
//   std::string text = registry.render();
//
// Families can also be computed at scrape time (add_collector), for values read from a cache
// rather than counted as they happen. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/metrics/family.h"

namespace fleet::metrics {

// One family produced by a collector at scrape time.
struct CollectedFamily {
  std::string name;
  std::string help;
  std::string_view type = Gauge::kType;
  struct Sample {
    LabelPairs labels;
    double value = 0;
  };
  std::vector<Sample> samples;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each registers a new family; a name registered twice, or an invalid metric or label name,
  // aborts (a programming error). The family lives as long as the registry.
  CounterFamily& counter(std::string name, std::string help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  // `buckets`: ascending upper bounds; +Inf is implied.
  HistogramFamily& histogram(std::string name, std::string help,
                             std::vector<std::string> label_names = {},
                             std::vector<double> buckets = Histogram::default_buckets());

  // Removes its collector when destroyed; a scrape running meanwhile finishes first. Must not
  // outlive the registry.
  class CollectorHandle {
   public:
    CollectorHandle() = default;
    CollectorHandle(CollectorHandle&& other) noexcept;
    CollectorHandle& operator=(CollectorHandle&& other) noexcept;
    ~CollectorHandle();

   private:
    friend class Registry;
    CollectorHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
    void reset();

    Registry* registry_ = nullptr;
    uint64_t id_ = 0;
  };
  using Collector = std::function<std::vector<CollectedFamily>()>;
  // `collect` runs at every render, on the scraping thread, while the handle lives. Its families
  // are rendered among the registered ones, in name order; a name clashing with a registered
  // family is dropped (so a scrape never shows one family twice).
  [[nodiscard]] CollectorHandle add_collector(Collector collect);

  // Every family as the text format.
  std::string render() const;

 private:
  Family& add(std::unique_ptr<Family> family);
  void remove_collector(uint64_t id);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // guarded by mu_
  std::map<uint64_t, Collector> collectors_;                              // guarded by mu_
  uint64_t next_collector_ = 1;                                           // guarded by mu_
};

}  // namespace fleet::metrics
