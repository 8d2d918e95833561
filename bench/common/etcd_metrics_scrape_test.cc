// scrape_etcd_metrics against a real etcd: the deltas count exactly the calls fleet's client made
// in between, and the scrapes themselves count nothing.
#include <memory>

#include <gtest/gtest.h>

#include "fleet/etcd/client.h"

#include "common/etcd_metrics.h"
#include "fixtures/etcd_server.h"

namespace fleet::bench {
namespace {

TEST(EtcdMetricsScrapeTest, CountsTheCallsMadeBetweenTwoScrapes) {
  testing::EtcdServer server;
  auto client = etcd::Client::connect({.endpoints = {server.endpoint()}}).value();
  ASSERT_TRUE(client->put("/warm", "up").has_value());  // connects before the first scrape

  auto before = scrape_etcd_metrics(server.endpoint());
  ASSERT_TRUE(before.has_value()) << before.error().message;
  auto idle = scrape_etcd_metrics(server.endpoint());
  ASSERT_TRUE(idle.has_value()) << idle.error().message;
  EXPECT_EQ(idle->range, before->range);
  EXPECT_EQ(idle->writes(), before->writes());

  auto lease = client->lease_grant(60);
  ASSERT_TRUE(lease.has_value());
  ASSERT_TRUE(client->put("/a", "1", lease->id).has_value());
  ASSERT_TRUE(client->put("/b", "2").has_value());
  ASSERT_TRUE(client->get("/a").has_value());
  ASSERT_TRUE(client
                  ->commit({etcd::Compare::absent("/c")},
                           {etcd::Op::put("/c", "3"), etcd::Op::put("/d", "4")})
                  .has_value());
  ASSERT_TRUE(client->erase("/b").has_value());
  ASSERT_TRUE(client->lease_revoke(lease->id).has_value());

  auto after = scrape_etcd_metrics(server.endpoint());
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(after->put - before->put, 2);
  EXPECT_EQ(after->range - before->range, 1);
  EXPECT_EQ(after->txn - before->txn, 1);
  EXPECT_EQ(after->delete_range - before->delete_range, 1);
  EXPECT_EQ(after->writes() - before->writes(), 4);
  EXPECT_EQ(after->lease_grant - before->lease_grant, 1);
  EXPECT_EQ(after->lease_revoke - before->lease_revoke, 1);
  EXPECT_EQ(after->keys_put - before->keys_put, 4);
  auto json = json_delta(*before, *after);
  EXPECT_TRUE(json.starts_with("{\"range\":1,\"txn\":1,\"put\":2,\"delete\":1,\"writes\":4,"))
      << json;
}

TEST(EtcdMetricsScrapeTest, FailsWhenNothingAnswers) {
  auto counts = scrape_etcd_metrics("http://127.0.0.1:1");
  ASSERT_FALSE(counts.has_value());
  EXPECT_EQ(counts.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace fleet::bench
