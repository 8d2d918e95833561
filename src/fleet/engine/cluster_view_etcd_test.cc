// ClusterView on a real etcd: a view kept up to date change by change must show the cluster
// exactly as a view that reads all of it afresh, and both must show what the spec wants.
#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "fleet/engine/cluster_view.h"
#include "fleet/engine/testing/simulated_machine.h"
#include "fleet/etcd/testing/etcd_test_base.h"

#include "fixtures/eventually.h"

namespace fleet::engine {
namespace {

using namespace std::chrono_literals;
using registry::Assignment;
using unit::DesiredState;

constexpr auto kDeadline = 10s;

// A snapshot in a form that compares by value whatever the order of its vectors.
struct Normalized {
  std::map<std::string, std::map<std::string, std::string, std::less<>>> machines;
  // name -> desired, machine, global
  std::map<std::string, std::tuple<DesiredState, std::string, bool>> units;
  std::map<std::string, Assignment> assignments;
  // unit, remove_from, put_on, assignment
  std::vector<std::tuple<std::string, std::string, std::string, DesiredState>> repairs;
  // inactive, loaded, launched: counted change by change in the kept view
  std::array<size_t, 3> by_desired{};

  bool operator==(const Normalized&) const = default;
};

Normalized normalize(const ClusterView::Snapshot& snapshot) {
  Normalized n;
  for (const auto& machine : snapshot.state.machines) n.machines[machine.id] = machine.metadata;
  for (const auto& unit : snapshot.state.units) {
    n.units[unit.name] = {unit.desired, unit.machine, unit.options->global};
  }
  for (const auto& [name, assignment] : snapshot.assignments) {
    n.assignments[std::string(name)] = assignment;
  }
  for (const auto& r : snapshot.repairs) {
    n.repairs.emplace_back(r.unit, r.remove_from, r.put_on, r.assignment.desired);
  }
  std::sort(n.repairs.begin(), n.repairs.end());
  n.by_desired = snapshot.units_by_desired;
  return n;
}

class ClusterViewEtcdTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
    ASSERT_TRUE(registry_->ensure_schema().has_value());
    auto view = ClusterView::start(*registry_, [] {});
    ASSERT_TRUE(view.has_value()) << view.error().message;
    view_ = std::move(*view);
    view_->snapshot();  // from here on the view only reads what changes
  }

  void submit(const std::string& name, DesiredState desired, const std::string& fleet = "") {
    auto body = unit::UnitFile::parse("[Service]\nExecStart=/bin/true\n" +
                                      (fleet.empty() ? "" : "\n[X-Fleet]\n" + fleet))
                    .value();
    ASSERT_TRUE(registry_->create_unit({name, body, desired}).has_value());
  }

  // The schedule entry the engine would write, put directly as an old or damaged cluster has it.
  void schedule(const std::string& machine, const std::string& unit, DesiredState desired) {
    auto record = registry_->unit(unit).value();
    Assignment assignment{record ? record->hash : unit::UnitHash::of(unit), desired};
    ASSERT_TRUE(
        client_->put(registry_->keys().scheduled(machine, unit), registry::encode(assignment))
            .has_value());
  }

  // Waits until the kept view shows what a fresh view reads, and returns that.
  Normalized converged() {
    auto fresh = ClusterView::start(*registry_, [] {});
    EXPECT_TRUE(fresh.has_value());
    if (!fresh) return {};
    const Normalized wanted = normalize((*fresh)->snapshot());
    Normalized kept;
    bool same = fleet::testing::eventually(
        [&] {
          kept = normalize(view_->snapshot());
          return kept == wanted;
        },
        kDeadline);
    EXPECT_TRUE(same) << "the kept view never matched a fresh one";
    return wanted;
  }

  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<ClusterView> view_;
};

TEST_F(ClusterViewEtcdTest, AKeptViewShowsWhatAFreshOneReadsAfterEveryChange) {
  testing::SimulatedMachine m1(*registry_, "m1", 30, {{"region", "east"}});
  testing::SimulatedMachine m2(*registry_, "m2", 30);
  ASSERT_TRUE(registry_->set_metadata("m2", "disk", "ssd").has_value());
  auto view = converged();
  EXPECT_EQ(view.machines["m1"].at("region"), "east");
  EXPECT_EQ(view.machines["m2"].at("disk"), "ssd");

  submit("a.service", DesiredState::kLaunched);
  submit("b.service", DesiredState::kLaunched);
  submit("c.service", DesiredState::kLaunched, "Global=true");
  schedule("m1", "a.service", DesiredState::kLaunched);
  schedule("m1", "b.service", DesiredState::kLaunched);
  schedule("m2", "b.service", DesiredState::kLaunched);
  schedule("m1", "c.service", DesiredState::kLaunched);
  schedule("m2", "ghost.service", DesiredState::kLaunched);
  view = converged();
  EXPECT_EQ(std::get<1>(view.units["a.service"]), "m1");
  EXPECT_EQ(std::get<1>(view.units["b.service"]), "m1");  // the first machine stays
  EXPECT_TRUE(std::get<2>(view.units["c.service"]));
  EXPECT_EQ(view.by_desired, (std::array<size_t, 3>{0, 0, 3}));
  EXPECT_FALSE(view.assignments.contains("c.service"));
  EXPECT_EQ(view.repairs, (decltype(view.repairs){
                              {"b.service", "m2", "", DesiredState::kInactive},
                              {"c.service", "m1", "", DesiredState::kInactive},
                              {"ghost.service", "m2", "", DesiredState::kInactive},
                          }));

  ASSERT_TRUE(registry_->set_desired_state("a.service", DesiredState::kLoaded).has_value());
  ASSERT_TRUE(registry_->destroy_unit("b.service").has_value());
  ASSERT_TRUE(client_->erase(registry_->keys().scheduled("m2", "ghost.service")).has_value());
  view = converged();
  EXPECT_FALSE(view.units.contains("b.service"));
  EXPECT_EQ(view.assignments["a.service"].desired, DesiredState::kLoaded);
  EXPECT_EQ(view.by_desired, (std::array<size_t, 3>{0, 1, 1}));
  EXPECT_EQ(view.repairs, (decltype(view.repairs){
                              {"a.service", "", "m1", DesiredState::kLoaded},
                              {"b.service", "m1", "", DesiredState::kInactive},
                              {"b.service", "m2", "", DesiredState::kInactive},
                              {"c.service", "m1", "", DesiredState::kInactive},
                          }));

  // A unit whose body is not there yet sits out, schedule entry included, until it comes.
  auto late = unit::UnitFile::parse("[Service]\nExecStart=/bin/false\n").value();
  const auto late_hash = late.hash();
  ASSERT_TRUE(client_
                  ->put(registry_->keys().unit("late.service"),
                        registry::encode(registry::UnitRecord{late_hash, DesiredState::kLaunched}))
                  .has_value());
  schedule("m2", "late.service", DesiredState::kInactive);
  view = converged();
  EXPECT_FALSE(view.units.contains("late.service"));
  EXPECT_EQ(view.by_desired, (std::array<size_t, 3>{0, 1, 2})) << "counted while it sits out";
  EXPECT_EQ(std::count_if(view.repairs.begin(), view.repairs.end(),
                          [](const auto& r) { return std::get<0>(r) == "late.service"; }),
            0);
  ASSERT_TRUE(
      client_->put(registry_->keys().body(late_hash), registry::encode_body(late)).has_value());
  view = converged();
  EXPECT_EQ(std::get<1>(view.units["late.service"]), "m2");
  ASSERT_TRUE(registry_->destroy_unit("late.service").has_value());
  ASSERT_TRUE(client_->erase(registry_->keys().scheduled("m2", "late.service")).has_value());

  // The engine's repairs land; a machine leaves.
  schedule("m1", "a.service", DesiredState::kLoaded);
  for (const auto& [unit, machine] :
       {std::pair{"b.service", "m1"}, {"b.service", "m2"}, {"c.service", "m1"}}) {
    ASSERT_TRUE(client_->erase(registry_->keys().scheduled(machine, unit)).has_value());
  }
  m2.kill();
  ASSERT_TRUE(client_->erase(registry_->keys().machine("m2")).has_value());
  view = converged();
  EXPECT_TRUE(view.repairs.empty());
  EXPECT_EQ(view.units.size(), 2u);
  EXPECT_EQ(view.machines.size(), 1u);

  // A unit on a machine that is not there: gone for the view that saw m2 leave, maybe returning
  // for one that never saw m2 (an engine that has only just begun to lead).
  submit("d.service", DesiredState::kLaunched);
  schedule("m2", "d.service", DesiredState::kLaunched);
  view = converged();
  EXPECT_EQ(std::get<1>(view.units["d.service"]), "m2");
  EXPECT_TRUE(view_->snapshot(true).state.returning.empty());
  auto fresh = ClusterView::start(*registry_, [] {});
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ((*fresh)->snapshot(true).state.returning, std::vector<std::string>{"m2"});
  EXPECT_TRUE((*fresh)->snapshot(false).state.returning.empty());
}

}  // namespace
}  // namespace fleet::engine
