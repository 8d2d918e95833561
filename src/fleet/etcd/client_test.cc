#include "fleet/etcd/client.h"

#include <thread>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"

#include "fixtures/eventually.h"

namespace fleet::etcd {
namespace {

using ClientTest = testing::EtcdTestBase;

std::vector<std::string> keys_of(const RangeResult& result) {
  std::vector<std::string> keys;
  for (const auto& kv : result.kvs) keys.push_back(kv.key);
  return keys;
}

TEST_F(ClientTest, PutThenGetReturnsTheValueAndItsRevisions) {
  auto first = client_->put(key("a"), "1");
  ASSERT_TRUE(first.has_value()) << first.error().message;
  auto second = client_->put(key("a"), "2");
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(*second, *first);

  auto got = client_->get(key("a"));
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->value, "2");
  EXPECT_EQ((*got)->create_revision, *first);
  EXPECT_EQ((*got)->mod_revision, *second);
  EXPECT_EQ((*got)->version, 2);

  auto missing = client_->get(key("nothing"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(ClientTest, RangeHonoursPrefixLimitKeysOnlyCountOnlyAndRevision) {
  for (const char* name : {"b", "a", "c"}) ASSERT_TRUE(client_->put(key(name), name));
  auto before_change = client_->put(key("z"), "old");
  ASSERT_TRUE(before_change.has_value());
  ASSERT_TRUE(client_->put(key("z"), "new"));

  RangeOptions prefix{.range_end = prefix_end(prefix_)};
  auto all = client_->range(prefix_, prefix);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(keys_of(*all), (std::vector<std::string>{key("a"), key("b"), key("c"), key("z")}));

  auto limited = client_->range(prefix_, {.range_end = prefix_end(prefix_), .limit = 2});
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(keys_of(*limited), (std::vector<std::string>{key("a"), key("b")}));
  EXPECT_TRUE(limited->more);
  EXPECT_EQ(limited->count, 4);

  auto keys_only = client_->range(prefix_, {.range_end = prefix_end(prefix_), .keys_only = true});
  ASSERT_TRUE(keys_only.has_value());
  ASSERT_EQ(keys_only->kvs.size(), 4u);
  EXPECT_EQ(keys_only->kvs[0].value, "");

  auto count_only = client_->range(prefix_, {.range_end = prefix_end(prefix_), .count_only = true});
  ASSERT_TRUE(count_only.has_value());
  EXPECT_TRUE(count_only->kvs.empty());
  EXPECT_EQ(count_only->count, 4);

  auto serializable = client_->range(key("a"), {.serializable = true});
  ASSERT_TRUE(serializable.has_value());
  ASSERT_EQ(serializable->kvs.size(), 1u);

  auto past = client_->range(key("z"), {.revision = *before_change});
  ASSERT_TRUE(past.has_value());
  ASSERT_EQ(past->kvs.size(), 1u);
  EXPECT_EQ(past->kvs[0].value, "old");
}

TEST_F(ClientTest, ListPrefixReadsAllPagesAtOneRevision) {
  std::vector<GuardedChange> changes;
  for (int i = 0; i < 250; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "k%03d", i);
    changes.push_back({{}, {Op::put(key(name), std::to_string(i))}});
  }
  ASSERT_TRUE(client_->commit_batched(changes));

  auto listed = client_->list_prefix(prefix_, /*page_size=*/100);
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  ASSERT_EQ(listed->kvs.size(), 250u);
  EXPECT_EQ(listed->count, 250);
  for (int i = 0; i < 250; ++i) EXPECT_EQ(listed->kvs[i].value, std::to_string(i));
  for (const auto& kv : listed->kvs) EXPECT_LE(kv.mod_revision, listed->revision);
}

TEST_F(ClientTest, EraseDeletesOneKeyOrARange) {
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(client_->put(key(name), "x"));
  auto one = client_->erase(key("a"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*one, 1);
  auto rest = client_->erase(prefix_, prefix_end(prefix_));
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(*rest, 2);
  auto none = client_->range(prefix_, {.range_end = prefix_end(prefix_), .count_only = true});
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->count, 0);
}

TEST_F(ClientTest, GuardedWriteLosingTheRaceSeesFailedPrecondition) {
  auto created = client_->put(key("unit"), "v1");
  ASSERT_TRUE(created.has_value());
  // Two writers read the same revision; the first to commit wins.
  auto winner = client_->commit({Compare::mod_revision_is(key("unit"), *created)},
                                {Op::put(key("unit"), "winner")});
  ASSERT_TRUE(winner.has_value()) << winner.error().message;
  auto loser = client_->commit({Compare::mod_revision_is(key("unit"), *created)},
                               {Op::put(key("unit"), "loser")});
  ASSERT_FALSE(loser.has_value());
  EXPECT_EQ(loser.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(client_->get(key("unit")).value()->value, "winner");

  // Create-only: the key must not exist.
  auto again = client_->commit({Compare::absent(key("unit"))}, {Op::put(key("unit"), "x")});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(ClientTest, ConcurrentIncrementsThroughGuardedWritesLoseNoUpdate) {
  ASSERT_TRUE(client_->put(key("counter"), "0"));
  constexpr int kWriters = 4;
  constexpr int kIncrements = 25;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      auto client = Client::connect({.endpoints = {server_->endpoint()}}).value();
      for (int done = 0; done < kIncrements;) {
        auto current = client->get(key("counter")).value().value();
        auto next = std::to_string(std::stoi(current.value) + 1);
        auto committed =
            client->commit({Compare::mod_revision_is(key("counter"), current.mod_revision)},
                           {Op::put(key("counter"), next)});
        if (committed) ++done;  // else: lost the race, re-read and try again
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(client_->get(key("counter")).value()->value, std::to_string(kWriters * kIncrements));
}

TEST_F(ClientTest, ARangeCompareHoldsOnlyWhenEveryKeyInTheRangeMatches) {
  auto delete_if_unused = [&] {
    return client_->commit({Compare::none_under(key("users/"))}, {Op::erase(key("body"))});
  };
  ASSERT_TRUE(client_->put(key("body"), "text"));
  ASSERT_TRUE(client_->put(key("users/a"), ""));
  ASSERT_TRUE(client_->put(key("users/b"), ""));
  auto in_use = delete_if_unused();
  ASSERT_FALSE(in_use.has_value());
  EXPECT_EQ(in_use.error().code, ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(client_->erase(key("users/a")));
  EXPECT_FALSE(delete_if_unused().has_value()) << "one user is left";
  ASSERT_TRUE(client_->erase(key("users/b")));
  ASSERT_TRUE(delete_if_unused().has_value());
  EXPECT_EQ(client_->get(key("body")).value(), std::nullopt);
}

TEST_F(ClientTest, TxnRunsTheFailureBranchToReadWhatChanged) {
  ASSERT_TRUE(client_->put(key("state"), "launched"));
  Txn txn;
  txn.compare = {Compare::value_is(key("state"), "inactive")};
  txn.success = {Op::put(key("state"), "loaded")};
  txn.failure = {Op::get(key("state"))};
  auto result = client_->txn(txn);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->succeeded);
  ASSERT_EQ(result->responses.size(), 1u);
  ASSERT_EQ(result->responses[0].range.kvs.size(), 1u);
  EXPECT_EQ(result->responses[0].range.kvs[0].value, "launched");
}

TEST_F(ClientTest, EtcdRefusesMoreThan128OpsSoBatchesAreSplit) {
  Txn too_big;
  for (int i = 0; i < 129; ++i) too_big.success.push_back(Op::put(key(std::to_string(i)), "x"));
  auto refused = client_->txn(too_big);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("too many operations"), std::string::npos)
      << refused.error().message;

  std::vector<GuardedChange> changes;
  for (int i = 0; i < 300; ++i) {
    changes.push_back(
        {{Compare::absent(key(std::to_string(i)))}, {Op::put(key(std::to_string(i)), "x")}});
  }
  auto committed = client_->commit_batched(changes);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  EXPECT_EQ(std::count(committed->begin(), committed->end(), 0), 0);
  auto count = client_->range(prefix_, {.range_end = prefix_end(prefix_), .count_only = true});
  EXPECT_EQ(count.value().count, 300);
}

TEST_F(ClientTest, BatchWithAStaleGuardFailsOnlyTheTransactionHoldingIt) {
  ASSERT_TRUE(client_->put(key("taken"), "someone"));
  std::vector<GuardedChange> changes;
  for (int i = 0; i < 4; ++i) {
    auto name = i == 2 ? std::string("taken") : std::to_string(i);
    changes.push_back({{Compare::absent(key(name))}, {Op::put(key(name), "mine")}});
  }
  auto committed = client_->commit_batched(changes, /*max_ops=*/2);
  ASSERT_TRUE(committed.has_value());
  ASSERT_EQ(committed->size(), 4u);
  // The first pair committed in one transaction, at one revision; the pair holding the stale
  // guard did not.
  EXPECT_GT((*committed)[0], 0);
  EXPECT_EQ((*committed)[1], (*committed)[0]);
  EXPECT_EQ((*committed)[2], 0);
  EXPECT_EQ((*committed)[3], 0);
  EXPECT_EQ(client_->get(key("taken")).value()->value, "someone");
  EXPECT_FALSE(client_->get(key("3")).value().has_value());
}

TEST_F(ClientTest, ReadingACompactedRevisionIsOutOfRange) {
  auto old_revision = client_->put(key("k"), "1");
  ASSERT_TRUE(old_revision.has_value());
  auto newer = client_->put(key("k"), "2");
  ASSERT_TRUE(newer.has_value());
  ASSERT_TRUE(client_->compact(*newer));
  auto gone = client_->range(key("k"), {.revision = *old_revision});
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code, ErrorCode::kOutOfRange);
  EXPECT_NE(gone.error().message.find("compacted"), std::string::npos) << gone.error().message;
}

TEST_F(ClientTest, LeaseExpiryDeletesItsKeys) {
  auto lease = client_->lease_grant(1);
  ASSERT_TRUE(lease.has_value()) << lease.error().message;
  ASSERT_TRUE(client_->put(key("presence"), "here", lease->id));
  auto info = client_->lease_time_to_live(lease->id);
  ASSERT_TRUE(info.has_value());
  EXPECT_GE(info->ttl_seconds, 0);
  EXPECT_EQ(info->granted_ttl_seconds, 1);
  // etcd checks expiry about twice a second; a 1 s lease is gone within a few seconds.
  EXPECT_TRUE(
      fleet::testing::eventually([&] { return !client_->get(key("presence")).value().has_value(); },
                                 std::chrono::seconds(10)));
  EXPECT_EQ(client_->lease_time_to_live(lease->id).value().ttl_seconds, -1);
}

TEST_F(ClientTest, RevokingALeaseDeletesItsKeysAtOnce) {
  auto lease = client_->lease_grant(60);
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(client_->put(key("a"), "1", lease->id));
  ASSERT_TRUE(client_->put(key("b"), "2", lease->id));
  ASSERT_TRUE(client_->lease_revoke(lease->id));
  auto left = client_->range(prefix_, {.range_end = prefix_end(prefix_), .count_only = true});
  EXPECT_EQ(left.value().count, 0);
  auto again = client_->lease_revoke(lease->id);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(ClientTest, StatusAndMembersDescribeTheServer) {
  auto status = client_->status();
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(status->endpoint, server_->endpoint());
  EXPECT_EQ(status->version.rfind("3.", 0), 0u) << status->version;
  EXPECT_EQ(status->leader_id, status->member_id);  // a single member leads itself
  auto members = client_->member_list();
  ASSERT_TRUE(members.has_value());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].client_urls, std::vector<std::string>{server_->endpoint()});
}

TEST_F(ClientTest, RequestsSucceedAgainAsSoonAsARestartedEtcdIsHealthy) {
  ASSERT_TRUE(client_->put(key("k"), "before"));
  server_->stop();
  auto refused = client_->put(key("k"), "while down");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable) << refused.error().message;
  server_->start();
  // One request timeout, no more: the channel has kept reconnecting while etcd was down.
  auto put = client_->put(key("k"), "after");
  ASSERT_TRUE(put.has_value()) << put.error().message;
  EXPECT_EQ(client_->get(key("k")).value()->value, "after");
}

TEST(ClientUnreachableTest, ErrorNamesTheEndpointAndWhatToCheck) {
  // Nothing listens on port 1 of loopback: connection refused at once.
  auto client = Client::connect(
      {.endpoints = {"http://127.0.0.1:1"}, .request_timeout = std::chrono::seconds(1)});
  ASSERT_TRUE(client.has_value());
  auto put = (*client)->put("/k", "v");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(put.error().message.find("etcd http://127.0.0.1:1 put: unreachable"), std::string::npos)
      << put.error().message;
  EXPECT_NE(put.error().message.find("check that etcd is running there"), std::string::npos);
}

TEST(ClientConnectTest, RefusesMalformedEndpointsAndMissingTlsFiles) {
  auto bad = Client::connect({.endpoints = {"127.0.0.1:2379"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto no_ca = Client::connect(
      {.endpoints = {"https://127.0.0.1:2379"}, .tls = {.ca_file = "/nonexistent/ca.pem"}});
  ASSERT_FALSE(no_ca.has_value());
  EXPECT_NE(no_ca.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace fleet::etcd
