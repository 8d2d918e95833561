#include "common/etcd_metrics.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>

#include "fleet/client/endpoint.h"
#include "fleet/client/http_transport.h"

namespace fleet::bench {
namespace {

// One sample line: `name{label="value",...} 12345` (labels optional). Values are floats in
// Prometheus text: Go writes a counter of 1,000,000 as `1e+06`.
struct Sample {
  std::string_view name;
  std::string_view labels;  // between the braces
  double value = 0;
};

std::optional<Sample> parse_sample(std::string_view line) {
  if (line.empty() || line.front() == '#') return std::nullopt;
  Sample sample;
  size_t name_end = line.find_first_of("{ ");
  if (name_end == std::string_view::npos) return std::nullopt;
  sample.name = line.substr(0, name_end);
  size_t rest = name_end;
  if (line[name_end] == '{') {
    size_t close = line.find('}', name_end);
    if (close == std::string_view::npos) return std::nullopt;
    sample.labels = line.substr(name_end + 1, close - name_end - 1);
    rest = close + 1;
  }
  std::string value(line.substr(rest));
  char* end = nullptr;
  sample.value = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return std::nullopt;
  return sample;
}

// The value of `name="..."` in a label set; etcd's method and service names need no escapes.
std::string_view label(std::string_view labels, std::string_view name) {
  std::string key = std::string(name) + "=\"";
  for (size_t at = labels.find(key); at != std::string_view::npos; at = labels.find(key, at + 1)) {
    if (at != 0 && labels[at - 1] != ',') continue;
    size_t begin = at + key.size();
    size_t end = labels.find('"', begin);
    if (end == std::string_view::npos) return {};
    return labels.substr(begin, end - begin);
  }
  return {};
}

int64_t* started_counter(EtcdCounts& counts, std::string_view method) {
  if (method == "Range") return &counts.range;
  if (method == "Txn") return &counts.txn;
  if (method == "Put") return &counts.put;
  if (method == "DeleteRange") return &counts.delete_range;
  if (method == "LeaseGrant") return &counts.lease_grant;
  if (method == "LeaseRevoke") return &counts.lease_revoke;
  if (method == "Watch") return &counts.watch_streams;
  return nullptr;
}

}  // namespace

Result<EtcdCounts> parse_etcd_metrics(std::string_view text) {
  EtcdCounts counts;
  bool grpc_seen = false;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    auto sample = parse_sample(line);
    if (!sample) continue;
    auto value = static_cast<int64_t>(std::llround(sample->value));
    if (sample->name == "grpc_server_started_total") {
      grpc_seen = true;
      if (auto* counter = started_counter(counts, label(sample->labels, "grpc_method"))) {
        *counter += value;
      }
    } else if (sample->name == "grpc_server_msg_received_total") {
      grpc_seen = true;
      auto method = label(sample->labels, "grpc_method");
      if (method == "LeaseKeepAlive") counts.keepalive += value;
      if (method == "Watch") counts.watch_requests += value;
    } else if (sample->name == "grpc_server_msg_sent_total") {
      if (label(sample->labels, "grpc_method") == "Watch") counts.watch_responses += value;
    } else if (sample->name == "etcd_mvcc_put_total") {
      counts.keys_put = value;
    } else if (sample->name == "etcd_mvcc_delete_total") {
      counts.keys_deleted = value;
    } else if (sample->name == "etcd_mvcc_range_total") {
      counts.mvcc_range = value;
    }
  }
  if (!grpc_seen) {
    return fail(ErrorCode::kInvalidArgument,
                "no grpc_server_started_total in the metrics: not etcd's /metrics");
  }
  return counts;
}

Result<EtcdCounts> scrape_etcd_metrics(const std::string& client_url) {
  auto endpoint = client::parse_api_endpoint(client_url);
  if (!endpoint) return fail(endpoint.error());
  auto transport =
      client::HttpTransport::create(*endpoint, std::chrono::seconds(10), client::TlsSettings{});
  if (!transport) return fail(transport.error());
  auto response =
      (*transport)
          ->send({.method = client::HttpRequest::Method::kGet, .target = "/metrics", .body = {}});
  if (!response) return fail(response.error());
  if (response->status != 200) {
    return fail(ErrorCode::kUnavailable, "GET " + client_url + "/metrics answered " +
                                             std::to_string(response->status) + " " +
                                             response->reason);
  }
  return parse_etcd_metrics(response->body);
}

std::string json_delta(const EtcdCounts& before, const EtcdCounts& after) {
  std::string json = "{";
  auto field = [&](const char* name, int64_t b, int64_t a) {
    if (json.size() > 1) json += ',';
    json += '"';
    json += name;
    json += "\":";
    json += std::to_string(a - b);
  };
  field("range", before.range, after.range);
  field("txn", before.txn, after.txn);
  field("put", before.put, after.put);
  field("delete", before.delete_range, after.delete_range);
  field("writes", before.writes(), after.writes());
  field("keys_put", before.keys_put, after.keys_put);
  field("keys_deleted", before.keys_deleted, after.keys_deleted);
  field("mvcc_range", before.mvcc_range, after.mvcc_range);
  field("lease_grant", before.lease_grant, after.lease_grant);
  field("lease_revoke", before.lease_revoke, after.lease_revoke);
  field("keepalive", before.keepalive, after.keepalive);
  field("watch_streams", before.watch_streams, after.watch_streams);
  field("watch_requests", before.watch_requests, after.watch_requests);
  field("watch_responses", before.watch_responses, after.watch_responses);
  return json + "}";
}

}  // namespace fleet::bench
