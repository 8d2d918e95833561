// Sets of candidate machines, each kept in (load, machine id) order so that the least-loaded
// machine of a set, ties broken by ID, is its first. A unit's pool holds the machines its
// MachineID and MachineMetadata allow; units with the same machines share one pool, so a load
// change costs one move per pool that holds the machine, however many units share it.
#pragma once

#include <map>
#include <set>
#include <utility>
#include <vector>

namespace fleet::engine::internal {

class MachinePools {
 public:
  // (load, machine), ascending.
  using Order = std::set<std::pair<int, int>>;

  explicit MachinePools(int machine_count) : pools_of_(machine_count) {}

  // The pool of exactly `members` (ascending machine ids), made on first use; `load(m)` gives
  // a machine's load now.
  template <class Load>
  int pool(std::vector<int> members, Load load) {
    auto [it, added] =
        by_members_.try_emplace(std::move(members), static_cast<int>(orders_.size()));
    if (added) {
      Order& order = orders_.emplace_back();
      for (int m : it->first) {
        order.emplace(load(m), m);
        pools_of_[m].push_back(it->second);
      }
    }
    return it->second;
  }

  const Order& order(int pool) const { return orders_[pool]; }

  // Moves machine `m` in every pool that holds it.
  void set_load(int m, int old_load, int new_load);

 private:
  std::map<std::vector<int>, int> by_members_;
  std::vector<Order> orders_;
  std::vector<std::vector<int>> pools_of_;  // by machine
};

}  // namespace fleet::engine::internal
