#include "fleet/engine/internal/machine_pools.h"

namespace fleet::engine::internal {

void MachinePools::set_load(int m, int old_load, int new_load) {
  if (old_load == new_load) return;
  for (int pool : pools_of_[m]) {
    // Re-keying the node spares an allocation per move.
    auto node = orders_[pool].extract({old_load, m});
    node.value().first = new_load;
    orders_[pool].insert(std::move(node));
  }
}

}  // namespace fleet::engine::internal
