// Requests, watches and lease keep-alives survive the loss of the member they were using.
#include <gtest/gtest.h>

#include "fleet/etcd/client.h"
#include "fleet/etcd/lease_session.h"
#include "fleet/etcd/testing/watch_recorder.h"
#include "fleet/etcd/watcher.h"

#include "fixtures/etcd_cluster.h"

namespace fleet::etcd {
namespace {

using testing::WatchRecorder;
constexpr auto kDeadline = std::chrono::seconds(15);

class FailoverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new fleet::testing::EtcdCluster(3); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    auto client = Client::connect({.endpoints = cluster_->endpoints()});
    ASSERT_TRUE(client.has_value()) << client.error().message;
    client_ = std::move(*client);
  }

  // Kills the member the client prefers and brings it back when the test ends.
  int kill_preferred() {
    for (int i = 0; i < 3; ++i) {
      if (cluster_->endpoint(i) == client_->preferred_endpoint()) {
        cluster_->kill(i);
        killed_ = i;
        return i;
      }
    }
    ADD_FAILURE() << "preferred endpoint " << client_->preferred_endpoint() << " not in cluster";
    return -1;
  }

  void TearDown() override {
    if (killed_ >= 0) cluster_->start(killed_);
  }

  static fleet::testing::EtcdCluster* cluster_;
  std::unique_ptr<Client> client_;
  int killed_ = -1;
};

fleet::testing::EtcdCluster* FailoverTest::cluster_ = nullptr;

TEST_F(FailoverTest, RequestsMoveToAnotherMemberWhenTheirsIsKilled) {
  ASSERT_TRUE(client_->put("/failover/requests", "before"));
  auto first = client_->preferred_endpoint();
  kill_preferred();
  auto put = client_->put("/failover/requests", "after");
  ASSERT_TRUE(put.has_value()) << put.error().message;
  EXPECT_NE(client_->preferred_endpoint(), first);
  EXPECT_EQ(client_->get("/failover/requests").value()->value, "after");
}

TEST_F(FailoverTest, AWatchContinuesOnAnotherMemberWithoutLosingAnEvent) {
  WatchRecorder recorder;
  auto watcher = Watcher::start(
      *client_, {.key = "/failover/watch/", .range_end = prefix_end("/failover/watch/")},
      recorder.callback());
  ASSERT_TRUE(recorder.wait_until_watching(*watcher, kDeadline));
  ASSERT_TRUE(client_->put("/failover/watch/1", "a"));
  ASSERT_EQ(recorder.wait_for_events(1, kDeadline).size(), 1u);

  int killed = kill_preferred();
  // Another client, on a surviving member, writes while the watcher moves.
  auto writer = Client::connect({.endpoints = {cluster_->endpoint((killed + 1) % 3)}}).value();
  ASSERT_TRUE(writer->put("/failover/watch/2", "b"));
  ASSERT_TRUE(writer->put("/failover/watch/3", "c"));

  auto events = recorder.wait_for_events(3, kDeadline);
  EXPECT_EQ(WatchRecorder::describe(events),
            (std::vector<std::string>{"put /failover/watch/1=a", "put /failover/watch/2=b",
                                      "put /failover/watch/3=c"}));
}

TEST_F(FailoverTest, ALeaseSessionOutlivesTheLossOfItsMember) {
  auto session = LeaseSession::start(*client_, {.ttl_seconds = 3});
  ASSERT_TRUE(session.has_value()) << session.error().message;
  ASSERT_TRUE(client_->put("/failover/lease", "held", (*session)->id()));
  kill_preferred();
  // Two full TTLs after the loss the lease must still be held through the other members.
  EXPECT_FALSE((*session)->wait_lost(std::chrono::seconds(6))) << (*session)->lost_reason();
  auto held = client_->get("/failover/lease");
  ASSERT_TRUE(held.has_value()) << held.error().message;
  EXPECT_TRUE(held->has_value());
}

}  // namespace
}  // namespace fleet::etcd
