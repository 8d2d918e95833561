#include "cmd/fleetctl/testing/driver_under_test.h"

namespace fleet::fleetctl::testing {
namespace {

class EtcdDriver final : public DriverUnderTest {
 public:
  explicit EtcdDriver(const DriverTarget& target)
      : flags_{"--driver=etcd", "--endpoint=" + target.etcd_endpoint,
               "--etcd-key-prefix=" + target.prefix} {}

  std::vector<std::string> flags() const override { return flags_; }

 private:
  std::vector<std::string> flags_;
};

}  // namespace

std::unique_ptr<DriverUnderTest> start_driver(const DriverTarget& target) {
  return std::make_unique<EtcdDriver>(target);
}

}  // namespace fleet::fleetctl::testing
