// A GoogleTest suite base that shares one real etcd across the suite's tests and gives each test
// a client and a key prefix of its own.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "fleet/etcd/client.h"

#include "fixtures/etcd_server.h"

namespace fleet::etcd::testing {

class EtcdTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new fleet::testing::EtcdServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    auto client = Client::connect({.endpoints = {server_->endpoint()}});
    ASSERT_TRUE(client.has_value()) << client.error().message;
    client_ = std::move(*client);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = std::string("/test/") + info->name() + "/";
  }

  std::string key(const std::string& name) const { return prefix_ + name; }

  static fleet::testing::EtcdServer* server_;
  std::unique_ptr<Client> client_;
  std::string prefix_;
};

inline fleet::testing::EtcdServer* EtcdTestBase::server_ = nullptr;

}  // namespace fleet::etcd::testing
