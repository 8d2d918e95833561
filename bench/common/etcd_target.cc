#include "common/etcd_target.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "common/storage_medium.h"

namespace fleet::bench {

EtcdTarget etcd_target(const std::string& endpoints_flag, std::string_view program) {
  EtcdTarget target;
  target.data = "external";
  if (!endpoints_flag.empty()) {
    for (auto& url : CLI::detail::split(endpoints_flag, ',')) target.endpoints.push_back(url);
    return target;
  }
  std::cerr << program << ": starting a private etcd on loopback\n";
  target.server = std::make_unique<testing::EtcdServer>();
  target.endpoints = {target.server->endpoint()};
  target.data = storage_medium(target.server->data_dir());
  return target;
}

}  // namespace fleet::bench
