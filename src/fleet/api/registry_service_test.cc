#include "fleet/api/registry_service.h"

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"

namespace fleet::api {
namespace {

using registry::MachineRecord;
using registry::UnitStateRecord;
using unit::DesiredState;

const std::vector<schema::UnitOption> kWebOptions = {{"Unit", "Description", "Web"},
                                                     {"Service", "ExecStart", "/bin/web"}};
const std::vector<schema::UnitOption> kGlobalOptions = {{"Service", "ExecStart", "/bin/log"},
                                                        {"X-Fleet", "Global", "true"}};

schema::Unit unit_named(std::string name, std::vector<schema::UnitOption> options = kWebOptions,
                        std::string desired = "") {
  return schema::Unit{
      .name = std::move(name), .options = std::move(options), .desired_state = std::move(desired)};
}

class RegistryServiceTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
    service_ = std::make_unique<RegistryService>(*registry_);
    lease_ = client_->lease_grant(60).value().id;
  }

  void register_machine(const std::string& id, const std::string& ip,
                        registry::Metadata metadata = {}) {
    ASSERT_TRUE(registry_->register_machine(MachineRecord{id, ip, std::move(metadata), "0.1.0", {}},
                                            lease_));
  }

  // What the engine does: the guard here always holds, as no other engine runs in the test.
  void schedule(const std::string& unit, const std::string& machine) {
    auto record = registry_->unit(unit).value().value();
    ASSERT_TRUE(registry_->write_schedule({{unit, "", machine, {record.hash, record.desired}}},
                                          etcd::Compare::absent(key("no-such-key"))));
  }

  // What an agent does.
  void report(const std::string& unit, const std::string& machine, bool launched,
              const std::string& active = "active") {
    auto record = registry_->unit(unit).value().value();
    ASSERT_TRUE(registry_->publish_state(
        unit, machine, UnitStateRecord{record.hash, "loaded", active, "running", launched},
        lease_));
  }

  schema::Unit listed(const std::string& name) {
    auto units = service_->units().value();
    for (auto& unit : units) {
      if (unit.name == name) return unit;
    }
    ADD_FAILURE() << name << " is not listed";
    return {};
  }

  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<RegistryService> service_;
  etcd::LeaseId lease_ = 0;
};

void expect_error(const Status& status, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, code) << status.error().message;
  EXPECT_EQ(status.error().message, message);
}

TEST_F(RegistryServiceTest, PutCreatesThenUpdatesTheDesiredStateThenReplacesChangedOptions) {
  EXPECT_EQ(service_->put_unit(unit_named("web.service")).value(), PutOutcome::kCreated);
  auto created = service_->unit("web.service").value();
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(*created, (schema::Unit{.name = "web.service",
                                    .options = kWebOptions,
                                    .desired_state = "inactive",
                                    .current_state = "inactive"}));

  expect_error(service_->create_unit(unit_named("web.service")), ErrorCode::kAlreadyExists,
               "must provide DesiredState to update existing unit");
  EXPECT_EQ(service_->put_unit(unit_named("web.service", kWebOptions, "launched")).value(),
            PutOutcome::kUpdated)
      << "same options with a state: only the state changes";
  EXPECT_EQ(service_->unit("web.service").value()->desired_state, "launched");

  auto changed = kWebOptions;
  changed.back().value = "/bin/web --v2";
  EXPECT_EQ(service_->put_unit(unit_named("web.service", changed)).value(), PutOutcome::kReplaced);
  auto replaced = service_->unit("web.service").value();
  EXPECT_EQ(replaced->options, changed);
  EXPECT_EQ(replaced->desired_state, "inactive") << "a replaced unit starts over";

  ASSERT_TRUE(service_->set_desired_state("web.service", DesiredState::kLoaded));
  EXPECT_EQ(service_->unit("web.service").value()->desired_state, "loaded");
}

TEST_F(RegistryServiceTest, RefusesWhatTheApiRefusesWithItsMessages) {
  expect_error(service_->create_unit(unit_named("web")), ErrorCode::kInvalidArgument,
               "unit name must contain \".\"");
  expect_error(service_->create_unit(unit_named("web.bogus")), ErrorCode::kInvalidArgument,
               "invalid unit type: \"bogus\"");
  expect_error(service_->create_unit(unit_named("new.service", {})), ErrorCode::kAlreadyExists,
               "unit does not exist and options field empty");
  expect_error(service_->set_desired_state("new.service", DesiredState::kLaunched),
               ErrorCode::kAlreadyExists, "unit does not exist and options field empty");
  expect_error(service_->create_unit(unit_named("web.service", kWebOptions, "running")),
               ErrorCode::kInvalidArgument,
               "invalid desiredState \"running\": expected inactive, loaded or launched");
  expect_error(service_->create_unit(unit_named("pinned.service", {{"X-Fleet", "MachineID", "m1"},
                                                                   {"X-Fleet", "Global", "true"}})),
               ErrorCode::kInvalidArgument, "MachineID cannot be used with Global");
  expect_error(service_->create_unit(
                   unit_named("long.service", {{"Service", "ExecStart", std::string(3000, 'x')}})),
               ErrorCode::kInvalidArgument,
               "unit \"long.service\" line 2: line too long (max 2048 bytes)");

  ASSERT_TRUE(service_->create_unit(unit_named("web@.service")));
  expect_error(service_->set_desired_state("web@.service", DesiredState::kLaunched),
               ErrorCode::kInvalidArgument, "cannot activate template \"web@.service\"");
  expect_error(service_->create_unit(unit_named("db@.service", kWebOptions, "loaded")),
               ErrorCode::kInvalidArgument, "cannot activate template \"db@.service\"");
  EXPECT_EQ(service_->units().value().size(), 1u) << "nothing refused was stored";
}

TEST_F(RegistryServiceTest, CurrentStateFollowsTheReportOfTheTargetMachineOnly) {
  register_machine("m1", "10.0.0.1");
  register_machine("m2", "10.0.0.2");
  ASSERT_TRUE(service_->create_unit(unit_named("web.service", kWebOptions, "launched")));
  auto expect_state = [&](const std::string& machine, const std::string& state) {
    EXPECT_EQ(listed("web.service").machine_id, machine);
    EXPECT_EQ(listed("web.service").current_state, state);
    auto one = service_->unit("web.service").value();
    EXPECT_EQ(one->machine_id, machine);
    EXPECT_EQ(one->current_state, state);
  };
  expect_state("", "inactive");

  schedule("web.service", "m2");
  expect_state("m2", "inactive");
  report("web.service", "m1", /*launched=*/true);
  expect_state("m2", "inactive");  // m1 reports a copy it has yet to stop
  report("web.service", "m2", /*launched=*/false);
  expect_state("m2", "loaded");
  report("web.service", "m2", /*launched=*/true);
  expect_state("m2", "launched");
}

TEST_F(RegistryServiceTest, AGlobalUnitHasNoSingleMachineOrState) {
  register_machine("m1", "10.0.0.1");
  ASSERT_TRUE(service_->create_unit(unit_named("log.service", kGlobalOptions, "launched")));
  report("log.service", "m1", /*launched=*/true);
  auto in_list = listed("log.service");
  EXPECT_EQ(in_list.current_state, "inactive");
  EXPECT_EQ(in_list.machine_id, "");
  auto one = service_->unit("log.service").value();
  EXPECT_EQ(one->current_state, "");
  EXPECT_EQ(one->machine_id, "");
  EXPECT_EQ(one->desired_state, "launched");
}

TEST_F(RegistryServiceTest, UnitsAreListedByNameAndAMissingOneIsNullopt) {
  for (auto name : {"b.service", "a@1.service", "a.service", "c.socket"}) {
    ASSERT_TRUE(service_->create_unit(unit_named(name)));
  }
  std::vector<std::string> names;
  auto units = service_->units().value();
  for (const auto& unit : units) names.push_back(unit.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.service", "a@1.service", "b.service", "c.socket"}));
  EXPECT_EQ(service_->unit("missing.service").value(), std::nullopt);
}

TEST_F(RegistryServiceTest, MachinesShowEffectiveMetadata) {
  register_machine("m2", "10.0.0.2", {{"region", "eu"}, {"disk", "hdd"}});
  register_machine("m1", "", {});
  ASSERT_TRUE(registry_->set_metadata("m2", "disk", "ssd"));
  ASSERT_TRUE(registry_->set_metadata("m2", "region", ""));
  ASSERT_TRUE(registry_->set_metadata("m2", "rack", "7"));
  EXPECT_EQ(service_->machines().value(),
            (std::vector<schema::Machine>{{"m1", "", {}},
                                          {"m2", "10.0.0.2", {{"disk", "ssd"}, {"rack", "7"}}}}));
  ASSERT_TRUE(client_->lease_revoke(lease_));
  EXPECT_TRUE(service_->machines().value().empty()) << "only present machines are listed";
}

TEST_F(RegistryServiceTest, UnitStatesAreSortedByUnitThenMachineAndFilter) {
  for (auto name : {"x.path", "x.path.path"}) ASSERT_TRUE(service_->create_unit(unit_named(name)));
  report("x.path.path", "m1", false);
  report("x.path", "m2", true);
  report("x.path", "m1", false, "failed");
  const std::string hash = unit::UnitFile::from_options(kWebOptions).hash().hex();

  auto states = service_->unit_states().value();
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(states[0], (schema::UnitState{"x.path", hash, "m1", "loaded", "failed", "running"}));
  EXPECT_EQ(states[1].name + "/" + states[1].machine_id, "x.path/m2");
  EXPECT_EQ(states[2].name + "/" + states[2].machine_id, "x.path.path/m1");

  EXPECT_EQ(service_->unit_states({.unit_name = "x.path"}).value().size(), 2u);
  auto on_m1 = service_->unit_states({.machine_id = "m1"}).value();
  ASSERT_EQ(on_m1.size(), 2u);
  EXPECT_EQ(on_m1[1].name, "x.path.path");
}

TEST_F(RegistryServiceTest, DestroyRemovesTheUnitAndAMissingOneIsNotFound) {
  ASSERT_TRUE(service_->create_unit(unit_named("web.service")));
  ASSERT_TRUE(service_->destroy_unit("web.service"));
  EXPECT_EQ(service_->unit("web.service").value(), std::nullopt);
  expect_error(service_->destroy_unit("web.service"), ErrorCode::kNotFound, "unit does not exist");
}

}  // namespace
}  // namespace fleet::api
