#include "fleet/agent/state_publisher.h"

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"
#include "fleet/metrics/fleet_metrics.h"

namespace fleet::agent {
namespace {

using namespace std::chrono_literals;
using registry::Keys;
using registry::Registry;
using Op = metrics::RegistryOpMetrics::Op;

const unit::UnitHash kHash =
    unit::UnitFile::parse("[Service]\nExecStart=/bin/web\n").value().hash();
const UnitStatus kActive{"loaded", "active", "running"};
constexpr auto kFlush = 10s;

std::string web(int i) { return "web@" + std::to_string(i) + ".service"; }

class StatePublisherTest : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<Registry>(*client_, Keys(prefix_), metrics_.registry);
    publisher_ = std::make_unique<StatePublisher>(*registry_, "m1", metrics_.agent);
    lease_ = client_->lease_grant(60).value().id;
  }

  // The state key of `unit` on m1, as etcd holds it.
  std::optional<etcd::KeyValue> state_key(const std::string& unit) {
    return client_->get(registry_->keys().state(unit, "m1")).value();
  }
  std::string active_state(const std::string& unit) {
    auto kv = state_key(unit);
    return kv ? registry::decode_unit_state(kv->key, kv->value).value().active_state : "";
  }
  // Requests that wrote to etcd (each publish_states call is one).
  double writes() { return metrics_.registry.count(Op::kSet).value(); }

  metrics::Registry metrics_registry_;
  metrics::FleetMetrics metrics_{metrics_registry_};
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<StatePublisher> publisher_;  // declared last: its thread stops first
  etcd::LeaseId lease_ = 0;
};

TEST_F(StatePublisherTest, ManyChangesGoToEtcdInOneRequestOnTheLease) {
  // A new publisher holds writes back until it has a lease, so all 50 are pending at once.
  for (int i = 0; i < 50; ++i) {
    publisher_->hold(web(i), kHash, /*launched=*/true);
    publisher_->report(web(i), kActive);
  }
  publisher_->set_lease(lease_);
  ASSERT_TRUE(publisher_->flush(kFlush));

  for (int i = 0; i < 50; ++i) {
    auto kv = state_key(web(i));
    ASSERT_TRUE(kv.has_value()) << web(i);
    EXPECT_EQ(kv->lease, lease_) << web(i);
    EXPECT_EQ(active_state(web(i)), "active") << web(i);
  }
  EXPECT_EQ(writes(), 1) << "50 states, one request";
}

TEST_F(StatePublisherTest, MoreChangesThanATransactionHoldsTakeSeveralRequests) {
  for (int i = 0; i < 200; ++i) {
    publisher_->hold(web(i), kHash, /*launched=*/true);
    publisher_->report(web(i), kActive);
  }
  publisher_->set_lease(lease_);
  ASSERT_TRUE(publisher_->flush(kFlush)) << "etcd refuses a transaction of over 128 operations";

  for (int i = 0; i < 200; ++i) EXPECT_EQ(active_state(web(i)), "active") << web(i);
  EXPECT_EQ(writes(), 2) << "128 + 72";
}

TEST_F(StatePublisherTest, AReleasedUnitsStateIsRemovedAndAnUnreportedOneCostsNothing) {
  publisher_->set_lease(lease_);
  publisher_->hold("web.service", kHash, /*launched=*/true);
  publisher_->report("web.service", kActive);
  ASSERT_TRUE(publisher_->flush(kFlush));
  ASSERT_EQ(active_state("web.service"), "active");
  const double published = writes();

  publisher_->hold("new.service", kHash, /*launched=*/false);
  ASSERT_TRUE(publisher_->flush(kFlush));
  EXPECT_EQ(state_key("new.service"), std::nullopt);
  EXPECT_EQ(writes(), published) << "no status and never published: nothing to write";

  publisher_->release("web.service");
  publisher_->release("new.service");
  ASSERT_TRUE(publisher_->flush(kFlush));
  EXPECT_EQ(state_key("web.service"), std::nullopt);
  EXPECT_EQ(writes(), published + 1) << "only web.service's key was there to remove";
}

TEST_F(StatePublisherTest, TheLatestReportWins) {
  // No lease yet: both reports arrive before anything is written.
  publisher_->hold("web.service", kHash, /*launched=*/true);
  publisher_->report("web.service", {"loaded", "activating", "start"});
  publisher_->report("web.service", kActive);
  publisher_->set_lease(lease_);
  ASSERT_TRUE(publisher_->flush(kFlush));

  EXPECT_EQ(active_state("web.service"), "active");
  EXPECT_EQ(writes(), 1) << "the state it passed through is never written";
}

TEST_F(StatePublisherTest, UnitsCountByActiveStateAndALaunchIsTimedOnceToActive) {
  auto& agent = metrics_.agent;
  publisher_->set_lease(lease_);
  publisher_->hold("web.service", kHash, /*launched=*/false);
  publisher_->launching("web.service", true);
  publisher_->report("web.service", {"loaded", "activating", "start"});
  EXPECT_EQ(agent.unit_states("activating").value(), 1);
  EXPECT_EQ(agent.schedule_to_active.snapshot().count, 0u) << "not active yet";
  publisher_->launching("web.service", true);  // a later pass: still the first attempt's time
  publisher_->report("web.service", kActive);
  EXPECT_EQ(agent.unit_states("activating").value(), 0);
  EXPECT_EQ(agent.unit_states("active").value(), 1);
  EXPECT_EQ(agent.schedule_to_active.snapshot().count, 1u);

  // Active again after a restart the agent did not set out to make: not a launch.
  publisher_->report("web.service", {"loaded", "failed", "failed"});
  publisher_->report("web.service", kActive);
  EXPECT_EQ(agent.schedule_to_active.snapshot().count, 1u);
  // Stopped before it came up: the launch is forgotten.
  publisher_->launching("other.service", true);
  publisher_->launching("other.service", false);
  publisher_->hold("other.service", kHash, /*launched=*/true);
  publisher_->report("other.service", kActive);
  EXPECT_EQ(agent.schedule_to_active.snapshot().count, 1u);
  EXPECT_EQ(agent.unit_states("active").value(), 2);

  publisher_->release("web.service");
  EXPECT_EQ(agent.unit_states("active").value(), 1);
  publisher_.reset();
  EXPECT_EQ(agent.unit_states("active").value(), 0) << "a publisher that goes takes its units";
  EXPECT_EQ(agent.unit_states("failed").value(), 0);
}

}  // namespace
}  // namespace fleet::agent
