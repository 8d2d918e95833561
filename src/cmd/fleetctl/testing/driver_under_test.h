// How the fleetctl under test reaches fleet. Each fleetctl end-to-end test binary links exactly
// one definition of start_driver, so the same test bodies (fleetctl_test.cc) check both drivers:
//   etcd_driver_under_test.cc  --driver=etcd, straight to etcd (fleetctl_etcd_test)
//   api_driver_under_test.cc   the default API driver, to fleetd's real HTTP API server on a unix
//                              socket, serving the same etcd prefix (fleetctl_api_test)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fleet/registry/registry.h"

namespace fleet::fleetctl::testing {

class DriverUnderTest {
 public:
  virtual ~DriverUnderTest() = default;
  // The global flags that select it, e.g. {"--driver=etcd", "--endpoint=http://...", ...}.
  virtual std::vector<std::string> flags() const = 0;
};

// Where fleet's state is: a real etcd at `etcd_endpoint`, under `prefix`, which `registry` reads
// and writes (it outlives the driver).
struct DriverTarget {
  std::string etcd_endpoint;
  std::string prefix;
  registry::Registry& registry;
};

// Ready to serve when it returns (a test failure is recorded when it could not get there).
std::unique_ptr<DriverUnderTest> start_driver(const DriverTarget& target);

}  // namespace fleet::fleetctl::testing
