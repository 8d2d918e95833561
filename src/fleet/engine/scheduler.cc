#include "fleet/engine/scheduler.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "fleet/engine/internal/cluster_model.h"

namespace fleet::engine {
namespace {

using internal::ClusterModel;
using internal::kNone;
using internal::Reason;
using internal::UnitSlot;
using internal::Why;

// Makes one plan: first settles which scheduled units stay (§3.9), then places the rest (§3.8).
class Planner {
 public:
  explicit Planner(const ClusterState& state)
      : model_(state), returning_(state.returning.begin(), state.returning.end()) {}

  Plan run() {
    check_scheduled_units();
    place_unscheduled_units();
    name_cycles();
    return plan();
  }

 private:
  // Keeps each scheduled unit where it is unless a rule says it must go (§3.9). What leaves is
  // placed with the unscheduled units.
  void check_scheduled_units() {
    for (int u = 0; u < model_.unit_count(); ++u) {
      const UnitSlot& unit = model_.unit(u);
      if (unit.info->machine.empty()) continue;
      int m = model_.find_machine(unit.info->machine);
      if (m == kNone && unit.active && !unit.global && returning_.contains(unit.info->machine)) {
        model_.unit(u).kept = true;
        continue;
      }
      Reason why = !unit.active  ? Reason{Why::kTargetInactive}
                   : unit.global ? Reason{Why::kGlobal}
                   : m == kNone  ? Reason{Why::kMachineGone}
                                 : model_.fixed_blocker(u, m);
      if (why) {
        model_.depart(u, why);
      } else {
        model_.attach(u, m);
      }
    }
    for (int m = 0; m < model_.machine_count(); ++m) keep_first_by_name(m);
    // Global units count after the non-global ones, so only now can they be counted.
    for (int m = 0; m < model_.machine_count(); ++m) model_.recount_globals(m);
    for (int u = 0; u < model_.unit_count(); ++u) {
      const UnitSlot& unit = model_.unit(u);
      if (unit.machine == kNone || unit.peers.empty()) continue;
      if (Reason why = model_.peer_blocker(u, unit.machine)) unplace(u, why);
    }
  }

  // Of the units on `m` that conflict or replace one another, as agents decide (§3.10): in name
  // order, each stays unless it conflicts with one that stayed or one that stayed replaces it,
  // and one that stays pushes off those it replaces.
  void keep_first_by_name(int m) {
    if (model_.machine(m).carriers.empty()) return;
    std::vector<int> here = model_.machine(m).units;
    for (int u : here) model_.detach(u);
    for (int u : here) {
      if (Reason why = model_.conflict_blocker(u, m)) {
        model_.depart(u, why);
        continue;
      }
      if (Reason why = model_.replacer_on(u, m)) {
        model_.unit(u).pushed = true;
        model_.depart(u, why);
        continue;
      }
      std::vector<int> pushed = model_.replaced_by(u, m);
      model_.attach(u, m);
      for (int v : pushed) {
        // Its followers leave when the peers are checked, once every machine is settled.
        model_.detach(v);
        model_.unit(v).pushed = true;
        model_.depart(v, {Why::kReplaced, model_.name(u)});
      }
    }
  }

  // Takes u off its machine with the units that follow it there, and with those that follow a
  // global unit no longer counted there once u is gone. Each is queued to be placed again.
  void unplace(int u, Reason why) {
    std::vector<std::pair<int, Reason>> leaving = {{u, why}};
    while (!leaving.empty()) {
      auto [v, reason] = leaving.back();
      leaving.pop_back();
      int m = model_.unit(v).machine;
      if (m == kNone) continue;
      model_.detach(v);
      model_.depart(v, reason);
      queue_.push_back(v);
      auto take_followers = [&](int peer) {
        for (int f : model_.followers(peer)) {
          if (model_.unit(f).machine == m)
            leaving.emplace_back(f, Reason{Why::kPeer, model_.name(peer)});
        }
      };
      take_followers(v);
      for (int g : model_.recount_globals(m)) take_followers(g);
    }
  }

  // Places in name order. A push by Replaces frees room that a unit which waited earlier in the
  // pass may use, so the pass repeats while it pushed any; each unit is pushed at most once,
  // so this ends.
  void place_unscheduled_units() {
    int pushes_before = 0;
    do {
      pushes_before = pushes_;
      for (int u = 0; u < model_.unit_count(); ++u) {
        if (model_.unit(u).needs_placement()) place_with_consequences(u);
      }
    } while (pushes_ != pushes_before);
  }

  // Places u, then what that displaces or unblocks: the units it pushes off (and their
  // followers), and units that follow it.
  void place_with_consequences(int u) {
    queue_.assign(1, u);
    for (size_t next = 0; next < queue_.size(); ++next) {
      int v = queue_[next];
      if (!model_.unit(v).needs_placement()) continue;
      int m = choose_machine(v);
      if (m == kNone) continue;
      std::vector<int> pushed = model_.replaced_by(v, m);
      model_.attach(v, m);
      for (int w : pushed) {
        ++pushes_;
        model_.unit(w).pushed = true;
        unplace(w, {Why::kReplaced, model_.name(v)});
      }
      for (int f : model_.followers(v)) queue_.push_back(f);
    }
  }

  // The least-loaded machine able to run u, or kNone with the reason recorded.
  int choose_machine(int u) {
    UnitSlot& unit = model_.unit(u);
    if (model_.machine_count() == 0) {
      unit.waiting = {Why::kZeroAgents};
      return kNone;
    }
    // A non-global peer leaves one machine to try; a global one only filters candidates.
    int fixed = kNone;
    for (size_t i = 0; i < unit.peers.size(); ++i) {
      int peer = unit.peers[i];
      if (peer != kNone && model_.unit(peer).global) continue;
      int at = peer == kNone ? kNone : model_.unit(peer).machine;
      if (at == kNone) {
        unit.waiting = {Why::kPeerUnscheduled, unit.options().machine_of[i]};
        return kNone;
      }
      if (fixed != kNone && fixed != at) {
        unit.waiting = {Why::kNoAgents};
        return kNone;
      }
      fixed = at;
    }
    if (fixed != kNone) {
      if (!model_.fixed_blocker(u, fixed) && model_.can_place(u, fixed)) return fixed;
    } else {
      for (auto [load, m] : model_.candidates(u)) {
        if (model_.can_place(u, m)) return m;
      }
    }
    unit.waiting = {Why::kNoAgents};
    return kNone;
  }

  // A unit waiting for a peer that (through other waiting units) waits for it will never be
  // placed: say so instead of naming the peer.
  void name_cycles() {
    int count = model_.unit_count();
    std::vector<int> next(count, kNone);
    for (int u = 0; u < count; ++u) {
      const UnitSlot& unit = model_.unit(u);
      if (unit.needs_placement() && unit.waiting.why == Why::kPeerUnscheduled) {
        next[u] = model_.find_unit(unit.waiting.subject);
      }
    }
    // `next` makes each unit point at no more than one other: a walk from each unit either
    // ends or runs into a cycle, and a unit is walked only once.
    std::vector<int> walked_by(count, kNone);
    for (int start = 0; start < count; ++start) {
      int u = start;
      while (u != kNone && walked_by[u] == kNone) {
        walked_by[u] = start;
        u = next[u];
      }
      if (u == kNone || walked_by[u] != start) continue;
      int v = u;
      do {
        model_.unit(v).waiting.why = Why::kPeerCycle;
        v = next[v];
      } while (v != u);
    }
  }

  Plan plan() const {
    Plan plan;
    std::vector<int> changed;
    auto placed_at = [this](const UnitSlot& unit) -> std::string_view {
      if (unit.kept) return unit.info->machine;
      if (unit.machine == kNone) return {};
      return model_.machine(unit.machine).info->id;
    };
    for (int u = 0; u < model_.unit_count(); ++u) {
      const UnitSlot& unit = model_.unit(u);
      if (unit.info->machine != placed_at(unit)) changed.push_back(u);
      if (unit.needs_placement()) {
        plan.waiting.push_back({unit.info->name, internal::format(unit.waiting, "")});
      }
    }
    std::sort(changed.begin(), changed.end(), [this](int a, int b) {
      return model_.unit(a).changed_at < model_.unit(b).changed_at;
    });
    plan.decisions.reserve(changed.size());
    for (int u : changed) {
      const UnitSlot& unit = model_.unit(u);
      const std::string& from = unit.info->machine;
      std::string reason = from.empty() ? "target state " +
                                              std::string(unit::to_string(unit.info->desired)) +
                                              " and unit not scheduled"
                                        : internal::format(unit.departure, from);
      plan.decisions.push_back(
          {unit.info->name, from, std::string(placed_at(unit)), std::move(reason)});
    }
    return plan;
  }

  ClusterModel model_;
  const std::unordered_set<std::string_view> returning_;
  // Units the placement under way displaced or unblocked, placed right after it. What
  // check_scheduled_units() displaces lands here too and is dropped: the main pass places it.
  std::vector<int> queue_;
  int pushes_ = 0;  // units Replaces pushed off while placing
};

}  // namespace

Plan Scheduler::plan(const ClusterState& state) { return Planner(state).run(); }

}  // namespace fleet::engine
