// parse_etcd_metrics on what etcd 3.4.23 served after a known sequence of etcdctl calls
// (testdata/etcd-3.4.23-metrics.txt, trimmed to the families read and a few others): 1 get,
// 3 puts (one on a lease), 2 txns of 2 puts each, 1 del, 1 lease grant, 2 keep-alives, 1 revoke,
// 1 watch that saw one event.
#include "common/etcd_metrics.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace fleet::bench {
namespace {

std::string read_sample() {
  auto path = std::filesystem::path(__FILE__).parent_path() / "testdata/etcd-3.4.23-metrics.txt";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(EtcdMetricsTest, ReadsRequestsByMethodFromACapturedSample) {
  auto text = read_sample();
  ASSERT_FALSE(text.empty());
  auto counts = parse_etcd_metrics(text);
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_EQ(counts->range, 1);
  EXPECT_EQ(counts->put, 3);
  EXPECT_EQ(counts->txn, 2);
  EXPECT_EQ(counts->delete_range, 1);
  EXPECT_EQ(counts->writes(), 6);
  EXPECT_EQ(counts->lease_grant, 1);
  EXPECT_EQ(counts->lease_revoke, 1);
  EXPECT_EQ(counts->keepalive, 2);
  EXPECT_EQ(counts->watch_streams, 1);
  EXPECT_EQ(counts->watch_requests, 1);
  EXPECT_EQ(counts->watch_responses, 2);
  EXPECT_EQ(counts->keys_put, 7);
  EXPECT_EQ(counts->keys_deleted, 2);
  EXPECT_EQ(counts->mvcc_range, 3);
}

TEST(EtcdMetricsTest, ReadsGoFloatNotationAndIgnoresOtherFamilies) {
  auto counts = parse_etcd_metrics(
      "# TYPE grpc_server_started_total counter\n"
      "grpc_server_started_total{grpc_method=\"Range\",grpc_service=\"etcdserverpb.KV\","
      "grpc_type=\"unary\"} 1.234567e+06\n"
      "grpc_server_started_total{grpc_method=\"MemberList\",grpc_service=\"etcdserverpb.Cluster\","
      "grpc_type=\"unary\"} 7\n"
      "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Range\","
      "grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"} 99\n"
      "etcd_mvcc_put_total 1e+06\n"
      "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"} 13");
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_EQ(counts->range, 1234567);
  EXPECT_EQ(counts->keys_put, 1000000);
  EXPECT_EQ(counts->txn, 0);
}

TEST(EtcdMetricsTest, RefusesTextWithoutEtcdsGrpcCounters) {
  auto counts = parse_etcd_metrics("# HELP up\nup 1\n");
  ASSERT_FALSE(counts.has_value());
  EXPECT_EQ(counts.error().code, ErrorCode::kInvalidArgument);
}

TEST(EtcdMetricsTest, DeltaIsAfterMinusBeforeAsJson) {
  EtcdCounts before{.range = 5, .txn = 1, .put = 2, .keepalive = 10};
  EtcdCounts after{.range = 5, .txn = 4, .put = 3, .delete_range = 1, .keepalive = 25};
  EXPECT_EQ(json_delta(before, after),
            "{\"range\":0,\"txn\":3,\"put\":1,\"delete\":1,\"writes\":5,\"keys_put\":0,"
            "\"keys_deleted\":0,\"mvcc_range\":0,\"lease_grant\":0,\"lease_revoke\":0,"
            "\"keepalive\":15,\"watch_streams\":0,\"watch_requests\":0,\"watch_responses\":0}");
}

}  // namespace
}  // namespace fleet::bench
