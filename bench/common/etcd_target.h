// The etcd a benchmark measures through: the `--endpoints` the user gave, else a private etcd on
// loopback (tests/fixtures) with its data on tmpfs when /dev/shm is writable.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fixtures/etcd_server.h"

namespace fleet::bench {

struct EtcdTarget {
  std::unique_ptr<testing::EtcdServer> server;  // the private etcd; null for --endpoints
  std::vector<std::string> endpoints;
  std::string data;  // storage_medium() of the private etcd's data, "external" otherwise
};

// `endpoints_flag`: comma-separated URLs, or empty for a private etcd; `program` names the
// benchmark in the progress line on stderr.
EtcdTarget etcd_target(const std::string& endpoints_flag, std::string_view program);

}  // namespace fleet::bench
