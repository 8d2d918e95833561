// The time source for logic that depends on time (TTLs, backoff, deadlines).
//
// Code that decides by time takes a Clock& instead of calling steady_clock::now() itself, so tests
// can drive it with testing::ManualClock. Thread-safe.
#pragma once

#include <chrono>

namespace fleet {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  // Monotonic now: never jumps back, unrelated to wall-clock time.
  virtual TimePoint now() const = 0;
};

// The process's steady clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }

  // One shared instance for production wiring.
  static SystemClock& instance();
};

}  // namespace fleet
