#include "fleet/etcd/lease_session.h"

#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"

namespace fleet::etcd {
namespace {

using LeaseSessionTest = testing::EtcdTestBase;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_F(LeaseSessionTest, KeepAliveHoldsTheLeaseForThreeTimesItsTtl) {
  auto session = LeaseSession::start(*client_, {.ttl_seconds = 2});
  ASSERT_TRUE(session.has_value()) << session.error().message;
  ASSERT_TRUE(client_->put(key("presence"), "here", (*session)->id()));

  // Watch the key for 3 x TTL: it must never vanish and the session never report a loss.
  auto until = std::chrono::steady_clock::now() + seconds(6) + milliseconds(500);
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_FALSE((*session)->wait_lost(milliseconds(250))) << (*session)->lost_reason();
    ASSERT_TRUE(client_->get(key("presence")).value().has_value());
  }
  EXPECT_GT(client_->lease_time_to_live((*session)->id()).value().ttl_seconds, 0);
}

TEST_F(LeaseSessionTest, ARevokeElsewhereIsReportedAsLost) {
  std::mutex mu;
  std::condition_variable told;
  int calls = 0;
  auto session = LeaseSession::start(*client_, {.ttl_seconds = 3, .on_lost = [&] {
                                                  std::lock_guard lock(mu);
                                                  ++calls;
                                                  told.notify_all();
                                                }});
  ASSERT_TRUE(session.has_value());
  ASSERT_TRUE(client_->lease_revoke((*session)->id()));
  ASSERT_TRUE((*session)->wait_lost(seconds(5)));
  EXPECT_EQ((*session)->lost_reason(), "etcd says the lease has expired or was revoked");
  std::unique_lock lock(mu);
  EXPECT_TRUE(told.wait_for(lock, seconds(5), [&] { return calls > 0; }))
      << "the owner is told, without polling";
  lock.unlock();
  session->reset();  // joins the session's thread: no later call
  EXPECT_EQ(calls, 1);
}

TEST_F(LeaseSessionTest, EtcdGoneLongerThanTheTtlIsReportedAsLost) {
  auto session = LeaseSession::start(*client_, {.ttl_seconds = 2});
  ASSERT_TRUE(session.has_value());
  server_->stop();
  bool lost = (*session)->wait_lost(seconds(5));
  server_->start();
  ASSERT_TRUE(lost);
  EXPECT_NE((*session)->lost_reason().find("within the lease's TTL"), std::string::npos)
      << (*session)->lost_reason();
}

TEST_F(LeaseSessionTest, ARestartedOwnerReadoptsItsLiveLeaseAndKeepsItsKeys) {
  LeaseId id = 0;
  {
    auto first = LeaseSession::start(*client_, {.ttl_seconds = 5});
    ASSERT_TRUE(first.has_value());
    id = (*first)->id();
    ASSERT_TRUE(client_->put(key("state"), "running", id));
  }  // the owner stops without revoking
  auto second = LeaseSession::start(*client_, {.ttl_seconds = 5, .reuse = id});
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE((*second)->reused());
  EXPECT_EQ((*second)->id(), id);
  EXPECT_EQ((*second)->ttl_seconds(), 5);
  EXPECT_TRUE(client_->get(key("state")).value().has_value());

  // The same live lease, asked for with another TTL (agent_ttl changed across a restart).
  auto other_ttl = LeaseSession::start(*client_, {.ttl_seconds = 7, .reuse = id});
  ASSERT_TRUE(other_ttl.has_value());
  EXPECT_FALSE((*other_ttl)->reused()) << "a changed TTL takes a new lease";
  EXPECT_NE((*other_ttl)->id(), id);
  EXPECT_EQ((*other_ttl)->ttl_seconds(), 7);

  ASSERT_TRUE((*second)->revoke());
  EXPECT_TRUE((*second)->lost());
  EXPECT_FALSE(client_->get(key("state")).value().has_value());

  auto third = LeaseSession::start(*client_, {.ttl_seconds = 5, .reuse = id});
  ASSERT_TRUE(third.has_value());
  EXPECT_FALSE((*third)->reused());
  EXPECT_NE((*third)->id(), id);
}

}  // namespace
}  // namespace fleet::etcd
