#include "cmd/fleetctl/driver.h"

#include <algorithm>
#include <chrono>

#include "fleet/api/registry_service.h"
#include "fleet/client/http_fleet_api.h"
#include "fleet/etcd/client.h"
#include "fleet/etcd/endpoints.h"
#include "fleet/registry/registry.h"

#include "cmd/fleetctl/ssh_tunnel.h"

namespace fleet::fleetctl {
namespace {

// A timeout flag (seconds, finite: FlagValue refuses others) as milliseconds. Past 10^9 s (31
// years) it saturates, so `--request-timeout=1e300` means "as long as it takes" rather than an
// int64 overflow in the conversion, or later in a deadline.
std::chrono::milliseconds milliseconds_of(double seconds) {
  constexpr double kLongest = 1e9;
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::clamp(seconds, -kLongest, kLongest) * 1000));
}

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

Result<std::unique_ptr<client::FleetApi>> open_etcd(const GlobalOptions& options,
                                                    std::unique_ptr<SshTunnel>& tunnel) {
  if (options.insecure_skip_verify) {
    return fail(ErrorCode::kInvalidArgument,
                "--insecure-skip-verify applies to the fleet API (--driver=API) only; the etcd "
                "driver always verifies etcd's certificate");
  }
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
  if (!options.tunnel.empty()) {
    // etcd is reached through the bastion; an https endpoint's certificate must then name
    // 127.0.0.1, the tunnel's local end.
    std::vector<std::string> remotes;
    for (const auto& parsed : *endpoints) remotes.push_back(parsed.authority);
    auto opened = SshTunnel::open(ssh_settings(options, 22, false), remotes);
    if (!opened) return fail(opened.error());
    tunnel = std::move(*opened);
    for (size_t i = 0; i < endpoints->size(); ++i) {
      client_options.endpoints.push_back(((*endpoints)[i].tls ? "https://" : "http://") +
                                         tunnel->local(i));
    }
  } else {
    for (const auto& parsed : *endpoints) client_options.endpoints.push_back(parsed.url);
  }
  client_options.tls = {options.ca_file, options.cert_file, options.key_file};
  client_options.request_timeout = milliseconds_of(options.request_timeout);
  auto client = etcd::Client::connect(client_options);
  if (!client) return fail(client.error());
  return std::unique_ptr<client::FleetApi>(
      std::make_unique<EtcdApi>(std::move(*client), options.etcd_key_prefix));
}

Result<std::unique_ptr<client::FleetApi>> open_http(const GlobalOptions& options,
                                                    std::ostream& warnings,
                                                    std::unique_ptr<SshTunnel>& tunnel) {
  client::HttpApiOptions http;
  http.endpoint = options.endpoint;
  // --request-timeout bounds API requests too (decisions.md fix 4); 0 or less: no bound.
  http.request_timeout.reset();
  if (options.request_timeout > 0) {
    http.request_timeout =
        std::max(std::chrono::milliseconds(1), milliseconds_of(options.request_timeout));
  }
  http.tls = {options.ca_file, options.cert_file, options.key_file, options.insecure_skip_verify};
  if (!options.tunnel.empty()) {
    auto endpoint = client::parse_api_endpoint(options.endpoint);
    if (!endpoint) return fail(endpoint.error());
    const bool socket = endpoint->transport == client::ApiEndpoint::Transport::kUnix;
    const std::string remote = socket ? endpoint->socket_path
                               : endpoint->host.find(':') == std::string::npos
                                   ? endpoint->host + ":" + endpoint->port
                                   : "[" + endpoint->host + "]:" + endpoint->port;
    auto opened = SshTunnel::open(ssh_settings(options, 22, false), {remote});
    if (!opened) return fail(opened.error());
    tunnel = std::move(*opened);
    http.dial = tunnel->local(0);
  }
  auto api = client::HttpFleetApi::open(http);
  if (!api) return fail(api.error());
  if ((*api)->endpoint().others_ignored) {
    warnings << "WARNING: multiple endpoints provided but only the first ("
             << (*api)->endpoint().url << ") is used\n";
  }
  return std::unique_ptr<client::FleetApi>(std::move(*api));
}

}  // namespace

Result<Connection> open_api(const GlobalOptions& options, std::ostream& warnings) {
  Connection connection;
  Result<std::unique_ptr<client::FleetApi>> api =
      fail(ErrorCode::kInvalidArgument, "unrecognized driver \"" + options.driver + "\"");
  if (options.driver == kDriverEtcd || !options.experimental_api) {
    api = open_etcd(options, connection.tunnel);
  } else if (options.driver == kDriverApi) {
    api = open_http(options, warnings, connection.tunnel);
  }
  if (!api) return fail(api.error());
  connection.api = std::move(*api);
  return connection;
}

}  // namespace fleet::fleetctl
