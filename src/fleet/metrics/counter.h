// The two single-value metric types. Both are lock-free and thread-safe: the hot paths that count
// (the engine's pass, every registry call) never wait on a scrape.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "fleet/metrics/text_format.h"

namespace fleet::metrics {

// A value that only goes up (Prometheus resets it only by the process restarting).
class Counter {
 public:
  static constexpr std::string_view kType = "counter";

  // A negative `by` is ignored: a counter that went down would read as a restart.
  void inc(double by = 1) {
    if (by > 0) value_.fetch_add(by, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

  void write(std::string& out, std::string_view name, const LabelPairs& labels) const {
    write_sample(out, name, labels, value());
  }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down, or is set outright.
class Gauge {
 public:
  static constexpr std::string_view kType = "gauge";

  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

  void write(std::string& out, std::string_view name, const LabelPairs& labels) const {
    write_sample(out, name, labels, value());
  }

 private:
  std::atomic<double> value_{0};
};

}  // namespace fleet::metrics
