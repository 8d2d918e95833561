// What fleet asked of etcd during a benchmark, from etcd's own Prometheus counters: scrape
// GET <client URL>/metrics before and after, and print the difference. etcd 3.4 serves /metrics
// on its client URL; the scrape is plain HTTP and makes no gRPC request, so it does not count
// itself.
//
// Example:
//   auto before = fleet::bench::scrape_etcd_metrics(server.endpoint());
//   run_scenario();
//   auto after = fleet::bench::scrape_etcd_metrics(server.endpoint());
//   std::printf("...,\"etcd\":%s}\n", fleet::bench::json_delta(*before, *after).c_str());
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::bench {

// Counters since etcd started. Requests are gRPC calls as etcd received them
// (grpc_server_started_total by grpc_method; for streams, grpc_server_msg_received_total counts
// the messages on them); keys_* are etcd's MVCC counters (etcd_mvcc_*_total), which also count the
// operations inside transactions.
struct EtcdCounts {
  int64_t range = 0;         // Range calls (reads outside transactions)
  int64_t txn = 0;           // Txn calls, reading or writing
  int64_t put = 0;           // Put calls
  int64_t delete_range = 0;  // DeleteRange calls
  int64_t lease_grant = 0;
  int64_t lease_revoke = 0;
  int64_t keepalive = 0;        // LeaseKeepAlive messages (one per renewal)
  int64_t watch_streams = 0;    // Watch streams opened
  int64_t watch_requests = 0;   // Watch messages received (create or cancel a watch)
  int64_t watch_responses = 0;  // Watch messages sent (events and progress)
  int64_t keys_put = 0;         // etcd_mvcc_put_total: keys written, inside txns too
  int64_t keys_deleted = 0;     // etcd_mvcc_delete_total: delete operations, inside txns too
  int64_t mvcc_range = 0;       // etcd_mvcc_range_total: reads, inside txns too

  // Requests that can write: Put, DeleteRange and Txn (a read-only Txn counts too).
  int64_t writes() const { return put + delete_range + txn; }
};

// Reads the counters from Prometheus text (what GET /metrics returns). Unknown families and
// methods are ignored; kInvalidArgument when none of the gRPC families is there (not etcd's
// /metrics).
Result<EtcdCounts> parse_etcd_metrics(std::string_view text);

// GET <client_url>/metrics ("http://127.0.0.1:2379"; the first of a comma-separated list).
// kUnavailable when etcd does not answer 200, or the parser's error.
Result<EtcdCounts> scrape_etcd_metrics(const std::string& client_url);

// after - before as a JSON object:
//   {"range":N,"txn":N,"put":N,"delete":N,"writes":N,"keys_put":N,"keys_deleted":N,
//    "mvcc_range":N,"lease_grant":N,"lease_revoke":N,"keepalive":N,"watch_streams":N,
//    "watch_requests":N,"watch_responses":N}
std::string json_delta(const EtcdCounts& before, const EtcdCounts& after);

}  // namespace fleet::bench
