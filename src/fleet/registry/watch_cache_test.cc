#include "fleet/registry/watch_cache.h"

#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "fleet/etcd/testing/etcd_test_base.h"

#include "fixtures/etcd_cluster.h"
#include "fixtures/eventually.h"

namespace fleet::registry {
namespace {

constexpr std::chrono::seconds kDeadline{10};
using StringCache = WatchCache<std::string>;
using Contents = std::map<std::string, std::pair<std::string, etcd::Revision>>;

// Values starting with "bad" stand for records that do not decode.
Result<std::string> decode_text(std::string_view key, std::string_view value) {
  if (value.starts_with("bad"))
    return fail(ErrorCode::kDataLoss, "bad record at " + std::string(key));
  return std::string(value);
}

Contents contents_of(const StringCache& cache) {
  return cache.read([](const StringCache::Entries& entries) {
    Contents out;
    for (const auto& [key, entry] : entries) out[key] = {entry.record, entry.mod_revision};
    return out;
  });
}

Contents list(etcd::Client& client, const std::string& prefix) {
  Contents out;
  auto listed = client.list_prefix(prefix).value();
  for (const auto& kv : listed.kvs) {
    if (!kv.value.starts_with("bad")) out[kv.key] = {kv.value, kv.mod_revision};
  }
  return out;
}

class WatchCacheTest : public etcd::testing::EtcdTestBase {
 protected:
  std::unique_ptr<StringCache> start_cache(std::function<void()> on_change = {}) {
    auto cache = StringCache::start(*client_, prefix_, decode_text, std::move(on_change));
    EXPECT_TRUE(cache.has_value()) << cache.error().message;
    return cache ? std::move(*cache) : nullptr;
  }
};

TEST_F(WatchCacheTest, StartsCompleteThenFollowsChanges) {
  ASSERT_TRUE(client_->put(key("a"), "1"));
  ASSERT_TRUE(client_->put(key("b"), "2"));
  std::atomic<int> changes{0};
  auto cache = start_cache([&] { ++changes; });
  ASSERT_TRUE(cache);
  EXPECT_EQ(contents_of(*cache), list(*client_, prefix_)) << "complete before start() returns";
  EXPECT_EQ(changes, 1);

  ASSERT_TRUE(client_->put(key("c"), "3"));
  ASSERT_TRUE(client_->erase(key("a")));
  auto last = client_->put(key("b"), "22").value();
  ASSERT_TRUE(cache->wait_for_change(last, kDeadline));
  EXPECT_EQ(contents_of(*cache), list(*client_, prefix_));
  EXPECT_EQ(cache->get(key("b"))->record, "22");
  EXPECT_EQ(cache->get(key("b"))->mod_revision, last);
  EXPECT_EQ(cache->get(key("a")), std::nullopt);
  EXPECT_GE(changes, 2);
}

TEST_F(WatchCacheTest, AQuietCacheStillConfirmsItIsCurrent) {
  auto cache = start_cache();
  ASSERT_TRUE(cache);
  // A write outside the prefix moves etcd's revision without an event for this cache.
  auto elsewhere = client_->put("/elsewhere/" + prefix_, "x").value();
  EXPECT_TRUE(cache->wait_for(elsewhere, kDeadline));
}

TEST_F(WatchCacheTest, RecordsThatDoNotDecodeAreLeftOutAndCounted) {
  ASSERT_TRUE(client_->put(key("good"), "1"));
  ASSERT_TRUE(client_->put(key("broken"), "bad bytes"));
  auto cache = start_cache();
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->size(), 1u);
  EXPECT_EQ(cache->skipped(), 1u);
  ASSERT_TRUE(cache->last_decode_error().has_value());
  EXPECT_EQ(cache->last_decode_error()->message, "bad record at " + key("broken"));

  auto fixed = client_->put(key("broken"), "2").value();
  ASSERT_TRUE(cache->wait_for_change(fixed, kDeadline));
  EXPECT_EQ(cache->size(), 2u);
  EXPECT_EQ(cache->skipped(), 0u);
}

TEST_F(WatchCacheTest, ThousandsOfRandomWritesEndEqualToAFreshList) {
  auto cache = start_cache();
  ASSERT_TRUE(cache);
  constexpr int kWriters = 4;
  constexpr int kWrites = 750;
  std::atomic<etcd::Revision> last{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto client = etcd::Client::connect({.endpoints = {server_->endpoint()}}).value();
      std::mt19937 random(w);
      auto some_key = [&] { return key("k" + std::to_string(random() % 200)); };
      for (int i = 0; i < kWrites; ++i) {
        etcd::Revision revision = 0;
        switch (random() % 5) {
          case 0:
            EXPECT_TRUE(client->erase(some_key()));
            break;
          case 1: {  // a transaction writing several keys at one revision
            std::vector<etcd::Op> ops;
            for (const auto& k : {some_key(), some_key(), some_key()}) {
              if (std::none_of(ops.begin(), ops.end(), [&](auto& op) { return op.key == k; })) {
                ops.push_back(etcd::Op::put(k, std::to_string(i)));
              }
            }
            revision = client->commit({}, std::move(ops)).value_or(0);
            break;
          }
          case 2:
            EXPECT_TRUE(client->erase(key("k1"), key("k3")));  // a range delete
            break;
          default:
            revision = client->put(some_key(), std::to_string(i)).value_or(0);
        }
        etcd::Revision seen = last.load();
        while (revision > seen && !last.compare_exchange_weak(seen, revision)) {
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  // Deletes return no revision; one more write gives the revision that covers them all.
  auto final_write = client_->put(key("final"), "done").value();
  ASSERT_TRUE(cache->wait_for_change(final_write, kDeadline));
  EXPECT_EQ(contents_of(*cache), list(*client_, prefix_));
  EXPECT_GE(final_write, last.load());
}

TEST_F(WatchCacheTest, TakeChangesNamesEachChangedKeyOnceAfterAFirstEverything) {
  ASSERT_TRUE(client_->put(key("b"), "1"));
  auto cache = start_cache();
  ASSERT_TRUE(cache);
  EXPECT_TRUE(cache->take_changes().everything);
  EXPECT_FALSE(cache->take_changes().any());

  ASSERT_TRUE(client_->put(key("c"), "1"));
  ASSERT_TRUE(client_->put(key("a"), "1"));
  ASSERT_TRUE(client_->put(key("c"), "2"));
  ASSERT_TRUE(client_->erase(key("b")));
  auto last = client_->put(key("d"), "bad").value();
  ASSERT_TRUE(cache->wait_for_change(last, kDeadline));
  auto changes = cache->take_changes();
  EXPECT_FALSE(changes.everything);
  EXPECT_EQ(changes.keys, (std::vector{key("a"), key("b"), key("c"), key("d")}));
  EXPECT_FALSE(cache->take_changes().any());
}

// Compaction can only overtake a watch that is behind: here the cache's only endpoint is down
// while the others write and compact, so its watch resumes into a compacted revision.
TEST(WatchCacheCompactionTest, AWatchThatFellBehindACompactionRelistsAndCatchesUp) {
  fleet::testing::EtcdCluster cluster(3);
  const int behind = (cluster.leader() + 1) % 3;
  auto cache_client = etcd::Client::connect({.endpoints = {cluster.endpoint(behind)}}).value();
  std::vector<std::string> others;
  for (int i = 0; i < 3; ++i) {
    if (i != behind) others.push_back(cluster.endpoint(i));
  }
  auto writer = etcd::Client::connect({.endpoints = others}).value();
  const std::string prefix = "/relist/";
  ASSERT_TRUE(writer->put(prefix + "gone", "1"));
  ASSERT_TRUE(writer->put(prefix + "kept", "1"));

  auto cache = StringCache::start(*cache_client, prefix, decode_text).value();
  ASSERT_EQ(cache->size(), 2u);
  ASSERT_TRUE(cache->take_changes().everything);

  cluster.kill(behind);
  ASSERT_TRUE(writer->erase(prefix + "gone"));
  ASSERT_TRUE(writer->put(prefix + "kept", "2"));
  auto latest = writer->put(prefix + "new", "3").value();
  ASSERT_TRUE(writer->compact(latest));
  cluster.start(behind);

  ASSERT_TRUE(fleet::testing::eventually([&] { return cache->relists() >= 1; }, kDeadline));
  ASSERT_TRUE(cache->wait_for_change(latest, kDeadline));
  EXPECT_EQ(contents_of(*cache), list(*writer, prefix));
  EXPECT_EQ(cache->get(prefix + "kept")->record, "2");
  EXPECT_EQ(cache->get(prefix + "gone"), std::nullopt);
  // The keys the relist dropped are not named: a consumer has to read everything again.
  EXPECT_TRUE(cache->take_changes().everything);
}

}  // namespace
}  // namespace fleet::registry
