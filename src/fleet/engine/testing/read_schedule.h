// What the engine has scheduled, read straight from etcd, for tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fleet/etcd/client.h"
#include "fleet/registry/keys.h"

namespace fleet::engine::testing {

// unit -> machines it is scheduled on (more than one would be a bug).
inline std::map<std::string, std::vector<std::string>> read_schedule(etcd::Client& client,
                                                                     const registry::Keys& keys) {
  std::map<std::string, std::vector<std::string>> out;
  auto listed = client.list_prefix(keys.schedule()).value();
  for (const auto& kv : listed.kvs) {
    if (auto at = keys.scheduled_of(kv.key)) {
      out[std::string(at->second)].push_back(std::string(at->first));
    }
  }
  return out;
}

}  // namespace fleet::engine::testing
