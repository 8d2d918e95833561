// A Clock that moves only when a test says so. Thread-safe.
#pragma once

#include <atomic>

#include "fleet/base/clock.h"

namespace fleet::testing {

class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }

  void advance(Duration by) { ticks_.fetch_add(by.count()); }

 private:
  std::atomic<Duration::rep> ticks_{0};
};

}  // namespace fleet::testing
