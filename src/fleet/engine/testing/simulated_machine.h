// A machine as the engine sees it, for tests and benchmarks of the engine: a presence key on a
// lease of its own, no agent, no systemd.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "fleet/etcd/lease_session.h"
#include "fleet/registry/registry.h"

namespace fleet::engine::testing {

class SimulatedMachine {
 public:
  SimulatedMachine(registry::Registry& registry, std::string id, int64_t ttl_seconds,
                   registry::Metadata metadata = {})
      : id_(std::move(id)) {
    auto session = etcd::LeaseSession::start(registry.client(), {.ttl_seconds = ttl_seconds});
    EXPECT_TRUE(session.has_value()) << session.error().message;
    if (!session) return;
    session_ = std::move(*session);
    auto registered = registry.register_machine({id_, "10.0.0.1", std::move(metadata), "test", {}},
                                                session_->id());
    EXPECT_TRUE(registered.has_value()) << registered.error().message;
  }
  // Stops the keep-alives, as when the machine dies: its presence expires after the TTL.
  void kill() { session_.reset(); }
  const std::string& id() const { return id_; }

 private:
  std::string id_;
  std::unique_ptr<etcd::LeaseSession> session_;
};

}  // namespace fleet::engine::testing
