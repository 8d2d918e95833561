// How to reach etcd: endpoints, TLS material, credentials and timeouts.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace fleet::metrics {
class EtcdMetrics;
}  // namespace fleet::metrics

namespace fleet::etcd {

// The `{}` initializers let callers name only the fields they set (`{.endpoints = urls}`) under
// -Wextra's missing-field-initializers.

struct TlsOptions {
  std::string ca_file{};    // PEM bundle of CAs that sign etcd's certificate; empty: system roots
  std::string cert_file{};  // PEM client certificate, for etcd's --client-cert-auth
  std::string key_file{};   // PEM key of cert_file
};

struct ClientOptions {
  // Client URLs, "http://host:port" or "https://host:port"; the client fails over between them.
  std::vector<std::string> endpoints{};
  TlsOptions tls{};  // used for https endpoints
  // etcd user and password; empty username: no authentication.
  std::string username{};
  std::string password{};
  // Deadline of each request, failover to other endpoints included.
  std::chrono::milliseconds request_timeout{5000};
  // Where requests, watch errors and lag, and keep-alive round trips are counted (fleetd: the
  // process's); null counts nothing. Must outlive the client.
  metrics::EtcdMetrics* metrics = nullptr;
};

}  // namespace fleet::etcd
