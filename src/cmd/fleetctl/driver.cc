#include "cmd/fleetctl/driver.h"

#include <chrono>

#include "fleet/api/registry_service.h"
#include "fleet/etcd/client.h"
#include "fleet/etcd/endpoints.h"
#include "fleet/registry/registry.h"

namespace fleet::fleetctl {
namespace {

// What a RegistryService works on, owned. A base of EtcdApi so that it is built before, and
// outlives, the service that uses it.
struct EtcdConnection {
  EtcdConnection(std::unique_ptr<etcd::Client> owned, std::string prefix)
      : client(std::move(owned)), registry(*client, registry::Keys(std::move(prefix))) {}

  std::unique_ptr<etcd::Client> client;
  registry::Registry registry;
};

class EtcdApi final : private EtcdConnection, public api::RegistryService {
 public:
  EtcdApi(std::unique_ptr<etcd::Client> client, std::string prefix)
      : EtcdConnection(std::move(client), std::move(prefix)), RegistryService(registry) {}
};

Result<std::unique_ptr<client::FleetApi>> open_etcd(const GlobalOptions& options) {
  std::string endpoint = options.endpoint;
  if (!options.experimental_api && endpoint == kDefaultEndpoint) {
    // The deprecated --experimental-api=false meant "etcd, at its old default addresses".
    endpoint = std::string(kDefaultEtcdEndpoint) + ",http://127.0.0.1:4001";
  } else if (endpoint == kDefaultEndpoint) {
    endpoint = kDefaultEtcdEndpoint;
  }
  auto endpoints = etcd::parse_endpoints(endpoint);
  if (!endpoints) return fail(endpoints.error());
  etcd::ClientOptions client_options;
  for (const auto& parsed : *endpoints) client_options.endpoints.push_back(parsed.url);
  client_options.tls = {options.ca_file, options.cert_file, options.key_file};
  client_options.request_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(options.request_timeout * 1000));
  auto client = etcd::Client::connect(client_options);
  if (!client) return fail(client.error());
  return std::unique_ptr<client::FleetApi>(
      std::make_unique<EtcdApi>(std::move(*client), options.etcd_key_prefix));
}

}  // namespace

Result<std::unique_ptr<client::FleetApi>> open_api(const GlobalOptions& options) {
  if (!options.tunnel.empty()) {
    return fail(ErrorCode::kUnimplemented, "--tunnel is not supported yet by this fleetctl");
  }
  if (options.driver == kDriverEtcd || !options.experimental_api) return open_etcd(options);
  if (options.driver == kDriverApi) {
    return fail(ErrorCode::kUnimplemented,
                "the fleet HTTP API (--driver=API, endpoint " + options.endpoint +
                    ") is not served by fleetd yet; use --driver=etcd --endpoint=<etcd URLs> "
                    "until it is");
  }
  return fail(ErrorCode::kInvalidArgument, "unrecognized driver \"" + options.driver + "\"");
}

}  // namespace fleet::fleetctl
