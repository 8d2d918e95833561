// A distribution of observed values (durations, here) in fixed buckets, exposed as Prometheus
// expects: one cumulative `_bucket{le="<bound>"}` per bound and `le="+Inf"`, then `_sum` and
// `_count`. Thread-safe; a scrape sees every observation whole (buckets, sum and count agree).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/metrics/text_format.h"

namespace fleet::metrics {

class Histogram {
 public:
  static constexpr std::string_view kType = "histogram";

  // Upper bounds, ascending; +Inf is implied. Prometheus clients' usual default, which spans the
  // milliseconds of an etcd round trip to the seconds of a pass over thousands of units.
  static const std::vector<double>& default_buckets();

  // `bounds` must be ascending and finite (checked: a broken histogram is a programming error).
  explicit Histogram(std::vector<double> bounds = default_buckets());

  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

  void write(std::string& out, std::string_view name, const LabelPairs& labels) const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // guarded by mu_: per bound, not cumulative; last is +Inf
  double sum_ = 0;                // guarded by mu_
  uint64_t count_ = 0;            // guarded by mu_
};

}  // namespace fleet::metrics
