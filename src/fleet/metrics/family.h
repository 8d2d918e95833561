// A metric family: one name, help text, type and label names, and one series per combination of
// label values. Families are created by a Registry (registry.h), which renders them.
//
// Example:
//   CounterFamily& ops = registry.counter("fleet_registry_operation_count_total", "...", {"type"});
//   Counter& gets = ops.with({"get"});  // keep the reference: with() takes a lock
//   gets.inc();
//
// Thread-safe. A series, once created, lives as long as its family, so references to it stay valid.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "fleet/metrics/counter.h"
#include "fleet/metrics/histogram.h"
#include "fleet/metrics/internal/check.h"
#include "fleet/metrics/text_format.h"

namespace fleet::metrics {

// What a Registry needs of any family.
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual std::string_view type() const = 0;
  // Appends the sample lines of every series, ordered by label values.
  virtual void write_samples(std::string& out) const = 0;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
};

template <class Metric>
class MetricFamily final : public Family {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::vector<double> buckets = {})
      : Family(std::move(name), std::move(help), std::move(label_names)),
        buckets_(std::move(buckets)) {}

  // The series with these label values, one per label name in order; created at zero on first
  // use. A family without labels has the one series with({}).
  Metric& with(const std::vector<std::string>& values) {
    internal::check(values.size() == label_names().size(),
                    name() + ": label values do not match the label names");
    std::lock_guard lock(mu_);
    auto& slot = series_[values];
    if (!slot) slot = make();
    return *slot;
  }

  std::string_view type() const override { return Metric::kType; }

  void write_samples(std::string& out) const override {
    std::lock_guard lock(mu_);
    LabelPairs labels;
    for (const auto& [values, metric] : series_) {
      labels.clear();
      for (size_t i = 0; i < values.size(); ++i) labels.emplace_back(label_names()[i], values[i]);
      metric->write(out, name(), labels);
    }
  }

 private:
  std::unique_ptr<Metric> make() const {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      return std::make_unique<Histogram>(buckets_);
    } else {
      return std::make_unique<Metric>();
    }
  }

  const std::vector<double> buckets_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;  // guarded by mu_
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

}  // namespace fleet::metrics
