#include "fleet/metrics/histogram.h"

#include <algorithm>
#include <cmath>

#include "fleet/metrics/internal/check.h"

namespace fleet::metrics {

const std::vector<double>& Histogram::default_buckets() {
  static const std::vector<double> buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10};
  return buckets;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  internal::check(
      std::is_sorted(bounds_.begin(), bounds_.end()) &&
          std::adjacent_find(bounds_.begin(), bounds_.end()) == bounds_.end() &&
          std::all_of(bounds_.begin(), bounds_.end(), [](double b) { return std::isfinite(b); }),
      "histogram bounds must be finite and strictly ascending");
}

void Histogram::observe(double value) {
  // The first bucket whose bound is >= value ("le": less than or equal); NaN, which compares
  // with nothing, lands in +Inf.
  const size_t bucket =
      std::isnan(value) ? bounds_.size()
                        : std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  std::lock_guard lock(mu_);
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap;
  snap.bounds = bounds_;
  std::lock_guard lock(mu_);
  snap.cumulative.reserve(counts_.size());
  uint64_t running = 0;
  for (uint64_t n : counts_) {
    running += n;
    snap.cumulative.push_back(running);
  }
  snap.sum = sum_;
  snap.count = count_;
  return snap;
}

void Histogram::write(std::string& out, std::string_view name, const LabelPairs& labels) const {
  const Snapshot snap = snapshot();
  const std::string bucket_name = std::string(name) + "_bucket";
  LabelPairs with_le = labels;
  with_le.emplace_back("le", "");
  for (size_t i = 0; i < snap.cumulative.size(); ++i) {
    with_le.back().second = i < snap.bounds.size() ? format_value(snap.bounds[i]) : "+Inf";
    write_sample(out, bucket_name, with_le, static_cast<double>(snap.cumulative[i]));
  }
  write_sample(out, std::string(name) + "_sum", labels, snap.sum);
  write_sample(out, std::string(name) + "_count", labels, static_cast<double>(snap.count));
}

}  // namespace fleet::metrics
