#include "fleet/base/clock.h"

namespace fleet {

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace fleet
