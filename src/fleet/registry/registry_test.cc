#include "fleet/registry/registry.h"

#include <algorithm>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"

namespace fleet::registry {
namespace {

using unit::DesiredState;

unit::UnitFile body_of(const std::string& text) { return unit::UnitFile::parse(text).value(); }

const unit::UnitFile kWebBody = body_of("[Service]\nExecStart=/bin/web\n");
const unit::UnitFile kGlobalBody =
    body_of("[Service]\nExecStart=/bin/log\n\n[X-Fleet]\nGlobal=true\n");

class RegistryTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<Registry>(*client_, Keys(prefix_));
  }

  int64_t count_under(const std::string& prefix) {
    return client_->range(prefix, {.range_end = etcd::prefix_end(prefix), .count_only = true})
        .value()
        .count;
  }

  const Keys& keys() const { return registry_->keys(); }

  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, ThePrefixRecordsItsLayoutAndRefusesAnother) {
  ASSERT_TRUE(registry_->ensure_schema());
  ASSERT_TRUE(registry_->ensure_schema()) << "the same layout again is fine";
  EXPECT_EQ(client_->get(keys().schema()).value()->value, kSchemaVersion);

  ASSERT_TRUE(client_->put(keys().schema(), "3"));
  auto other = registry_->ensure_schema();
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(other.error().message,
            "etcd prefix " + prefix_ +
                " holds fleet data of layout version 3; this fleet uses version 2: choose another "
                "etcd_key_prefix");
}

TEST_F(RegistryTest, CreateStoresEachBodyOnceAndTheDesiredState) {
  auto other = body_of("[Service]\nExecStart=/bin/db\n");
  auto results = registry_->create_units({{"web@1.service", kWebBody, DesiredState::kLaunched},
                                          {"web@2.service", kWebBody, DesiredState::kLoaded},
                                          {"db.service", other, DesiredState::kInactive}});
  for (const auto& result : results) ASSERT_TRUE(result.has_value()) << result.error().message;

  EXPECT_EQ(count_under(keys().bodies()), 2);
  auto web1 = registry_->unit("web@1.service").value();
  ASSERT_TRUE(web1.has_value());
  EXPECT_EQ(web1->hash, kWebBody.hash());
  EXPECT_EQ(web1->desired, DesiredState::kLaunched);
  EXPECT_FALSE(web1->global);
  EXPECT_EQ(registry_->unit("web@2.service").value()->desired, DesiredState::kLoaded);
  auto stored = registry_->body(kWebBody.hash()).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->serialize(), kWebBody.serialize());
  EXPECT_EQ(registry_->unit("missing.service").value(), std::nullopt);
}

// An agent given many units at once reads all their bodies in one request: each answered in the
// order asked, a missing one as absent, a damaged one as data loss, without failing the others.
TEST_F(RegistryTest, ManyBodiesAreReadTogetherEachWithItsOwnAnswer) {
  ASSERT_TRUE(registry_->create_unit({"web.service", kWebBody, DesiredState::kLoaded}));
  ASSERT_TRUE(registry_->create_unit({"log.service", kGlobalBody, DesiredState::kLoaded}));
  const auto damaged = body_of("[Service]\nExecStart=/bin/damaged\n").hash();
  ASSERT_TRUE(client_->put(keys().body(damaged), "not a body"));
  const auto absent = body_of("[Service]\nExecStart=/bin/absent\n").hash();

  auto found = registry_->bodies({kGlobalBody.hash(), absent, damaged, kWebBody.hash()});
  ASSERT_EQ(found.size(), 4u);
  ASSERT_TRUE(found[0].has_value() && found[0]->has_value());
  EXPECT_EQ((*found[0])->hash(), kGlobalBody.hash());
  ASSERT_TRUE(found[1].has_value());
  EXPECT_EQ(*found[1], std::nullopt);
  ASSERT_FALSE(found[2].has_value());
  EXPECT_EQ(found[2].error().code, ErrorCode::kDataLoss);
  ASSERT_TRUE(found[3].has_value() && found[3]->has_value());
  EXPECT_EQ((*found[3])->hash(), kWebBody.hash());
}

TEST_F(RegistryTest, AnExistingUnitIsAlreadyExistsWhileItsBatchMatesAreCreated) {
  ASSERT_TRUE(registry_->create_unit({"a.service", kWebBody, DesiredState::kLaunched}));
  auto results = registry_->create_units({{"b.service", kWebBody, DesiredState::kLoaded},
                                          {"a.service", kWebBody, DesiredState::kInactive},
                                          {"c.service", kWebBody, DesiredState::kLoaded}});
  EXPECT_TRUE(results[0].has_value());
  ASSERT_FALSE(results[1].has_value());
  EXPECT_EQ(results[1].error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(results[1].error().message, "unit a.service already exists");
  EXPECT_TRUE(results[2].has_value());
  EXPECT_EQ(registry_->unit("a.service").value()->desired, DesiredState::kLaunched);
  EXPECT_EQ(count_under(keys().units()), 3);
}

TEST_F(RegistryTest, ThousandsOfUnitsGoInBatches) {
  std::vector<NewUnit> units;
  for (int i = 0; i < 1000; ++i) {
    units.push_back({"web@" + std::to_string(i) + ".service", kWebBody, DesiredState::kLaunched});
  }
  for (const auto& result : registry_->create_units(units)) ASSERT_TRUE(result.has_value());
  EXPECT_EQ(count_under(keys().units()), 1000);
  EXPECT_EQ(count_under(keys().body_users(kWebBody.hash())), 1000);
}

TEST_F(RegistryTest, GlobalUnitsAreIndexedWhereEveryAgentLooks) {
  ASSERT_TRUE(registry_->create_unit({"log.service", kGlobalBody, DesiredState::kLoaded}));
  EXPECT_TRUE(registry_->unit("log.service").value()->global);
  auto index = [&] {
    auto kv = client_->get(keys().global_unit("log.service")).value();
    return kv ? decode_assignment(kv->key, kv->value).value() : Assignment{};
  };
  EXPECT_EQ(index(), (Assignment{kGlobalBody.hash(), DesiredState::kLoaded}));

  ASSERT_TRUE(registry_->set_desired_state("log.service", DesiredState::kLaunched));
  EXPECT_EQ(index().desired, DesiredState::kLaunched);
  ASSERT_TRUE(registry_->destroy_unit("log.service"));
  EXPECT_EQ(count_under(keys().global_units()), 0);
}

TEST_F(RegistryTest, DesiredStateChangesAndAMissingUnitIsNotFound) {
  ASSERT_TRUE(registry_->create_unit({"a.service", kWebBody, DesiredState::kInactive}));
  ASSERT_TRUE(registry_->set_desired_state("a.service", DesiredState::kLaunched));
  EXPECT_EQ(registry_->unit("a.service").value()->desired, DesiredState::kLaunched);

  auto missing = registry_->set_desired_state("nope.service", DesiredState::kLoaded);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "unit nope.service does not exist");
  auto destroy = registry_->destroy_unit("nope.service");
  ASSERT_FALSE(destroy.has_value());
  EXPECT_EQ(destroy.error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, TheBodyGoesWithItsLastUser) {
  ASSERT_TRUE(registry_->create_unit({"web@1.service", kWebBody, DesiredState::kLaunched}));
  ASSERT_TRUE(registry_->create_unit({"web@2.service", kWebBody, DesiredState::kLaunched}));
  ASSERT_TRUE(registry_->destroy_unit("web@1.service"));
  EXPECT_TRUE(registry_->body(kWebBody.hash()).value().has_value()) << "web@2 still uses it";
  ASSERT_TRUE(registry_->destroy_unit("web@2.service"));
  EXPECT_EQ(registry_->body(kWebBody.hash()).value(), std::nullopt);
  EXPECT_EQ(count_under(keys().prefix()), 0) << "nothing of the units is left in etcd";
}

TEST_F(RegistryTest, ReplaceSwapsTheBodyAndDesiredStateInPlace) {
  ASSERT_TRUE(registry_->create_unit({"web.service", kWebBody, DesiredState::kLaunched}));
  ASSERT_TRUE(registry_->replace_unit({"web.service", kGlobalBody, DesiredState::kInactive}));
  EXPECT_EQ(registry_->unit("web.service").value(),
            (UnitRecord{kGlobalBody.hash(), DesiredState::kInactive, true}));
  EXPECT_EQ(registry_->body(kWebBody.hash()).value(), std::nullopt) << "no unit uses it now";
  EXPECT_EQ(count_under(keys().global_units()), 1) << "it became global";

  ASSERT_TRUE(registry_->replace_unit({"web.service", kWebBody, DesiredState::kLoaded}));
  EXPECT_EQ(count_under(keys().global_units()), 0) << "and no longer is";
  EXPECT_EQ(count_under(keys().body_users(kWebBody.hash())), 1);
  EXPECT_EQ(count_under(keys().bodies()), 1);

  auto missing = registry_->replace_unit(
      {"nope.service", body_of("[Service]\nExecStart=/bin/nope\n"), DesiredState::kLoaded});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count_under(keys().bodies()), 1) << "the refused body is not left behind";
}

TEST_F(RegistryTest, RacingCreatesAndDestroysNeverLeaveAUnitWithoutItsBodyNorAnOrphanBody) {
  constexpr int kWriters = 4;
  constexpr int kOperations = 60;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto client = etcd::Client::connect({.endpoints = {server_->endpoint()}}).value();
      Registry registry(*client, Keys(prefix_));
      std::mt19937 random(w);
      for (int op = 0; op < kOperations; ++op) {
        // Few names, one body: creates and destroys of its users constantly overlap.
        std::string name = "web@" + std::to_string(random() % 3) + ".service";
        if (random() % 2) {
          auto created = registry.create_unit({name, kWebBody, DesiredState::kLaunched});
          EXPECT_TRUE(created || created.error().code == ErrorCode::kAlreadyExists)
              << created.error().message;
        } else {
          auto destroyed = registry.destroy_unit(name);
          EXPECT_TRUE(destroyed || destroyed.error().code == ErrorCode::kNotFound)
              << destroyed.error().message;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();

  const int64_t units = count_under(keys().units());
  EXPECT_EQ(count_under(keys().body_users(kWebBody.hash())), units);
  EXPECT_EQ(registry_->body(kWebBody.hash()).value().has_value(), units > 0);
}

TEST_F(RegistryTest, AMachineIdBelongsToOneLeaseAtATime) {
  auto mine = client_->lease_grant(30).value();
  auto theirs = client_->lease_grant(30).value();
  MachineRecord machine{"m1", "10.0.0.1", {{"region", "us"}}, "0.1.0", {}};
  ASSERT_TRUE(registry_->register_machine(machine, mine.id));

  auto duplicate = registry_->register_machine(machine, theirs.id);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);

  machine.public_ip = "10.0.0.2";
  ASSERT_TRUE(registry_->register_machine(machine, mine.id)) << "re-registering updates";
  auto kv = client_->get(keys().machine("m1")).value();
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(decode_machine(kv->key, kv->value).value(), machine);
  EXPECT_EQ(kv->lease, mine.id);

  auto longer = client_->lease_grant(60).value();
  ASSERT_TRUE(registry_->register_machine(machine, longer.id, mine.id))
      << "taken over from this fleetd's previous lease";
  EXPECT_EQ(client_->get(keys().machine("m1")).value()->lease, longer.id);
  EXPECT_FALSE(registry_->register_machine(machine, theirs.id, mine.id).has_value())
      << "only from the lease that holds it";

  ASSERT_TRUE(client_->lease_revoke(longer.id));
  EXPECT_TRUE(registry_->register_machine(machine, theirs.id)) << "the ID is free again";
}

TEST_F(RegistryTest, ScheduleWritesCommitOnlyWhileTheGuardHolds) {
  ASSERT_TRUE(client_->put(key("leader"), "me"));
  auto guard = etcd::Compare::value_is(key("leader"), "me");
  std::vector<ScheduleWrite> writes;
  Assignment assignment{kWebBody.hash(), DesiredState::kLaunched};
  // Enough for several transactions, written a few at a time.
  for (int i = 0; i < 1000; ++i) {
    writes.push_back({"web@" + std::to_string(i) + ".service", "", "m1", assignment});
  }
  auto written = registry_->write_schedule(writes, guard);
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_EQ(count_under(keys().schedule_of("m1")), 1000);
  // The revision returned is the last of them all: a cache that reached it shows every entry.
  auto entries = client_->list_prefix(keys().schedule()).value();
  etcd::Revision newest = 0;
  for (const auto& kv : entries.kvs) newest = std::max(newest, kv.mod_revision);
  EXPECT_EQ(*written, newest);

  // Move everything to m2 in one go: each move deletes and writes in the same transaction.
  for (auto& write : writes) {
    write.remove_from = "m1";
    write.put_on = "m2";
  }
  ASSERT_TRUE(registry_->write_schedule(writes, guard));
  EXPECT_EQ(count_under(keys().schedule_of("m1")), 0);
  EXPECT_EQ(count_under(keys().schedule_of("m2")), 1000);

  ASSERT_TRUE(client_->put(key("leader"), "someone else"));
  auto refused = registry_->write_schedule({{"late.service", "", "m1", assignment}}, guard);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(client_->get(keys().scheduled("m1", "late.service")).value(), std::nullopt);
}

TEST_F(RegistryTest, AUnitStateLivesOnItsMachinesLease) {
  auto lease = client_->lease_grant(30).value();
  UnitStateRecord state{kWebBody.hash(), "loaded", "active", "running", true};
  ASSERT_TRUE(registry_->publish_state("web.service", "m1", state, lease.id));
  auto kv = client_->get(keys().state("web.service", "m1")).value();
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(decode_unit_state(kv->key, kv->value).value(), state);
  EXPECT_EQ(kv->lease, lease.id);

  ASSERT_TRUE(registry_->remove_state("web.service", "m1"));
  EXPECT_EQ(client_->get(keys().state("web.service", "m1")).value(), std::nullopt);
  EXPECT_TRUE(registry_->remove_state("web.service", "m1")) << "removing an absent state is OK";

  ASSERT_TRUE(registry_->publish_state("web.service", "m1", state, lease.id));
  ASSERT_TRUE(client_->lease_revoke(lease.id));
  EXPECT_EQ(client_->get(keys().state("web.service", "m1")).value(), std::nullopt)
      << "the state goes with the fleetd's lease";
}

}  // namespace
}  // namespace fleet::registry
