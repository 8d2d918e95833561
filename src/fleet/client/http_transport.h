// One HTTP/1.1 connection to the fleet API endpoint (TCP, TLS or a unix socket), over which
// requests go one at a time. Boost.Beast stays behind this header.
//
// Contract:
// - Connects lazily, on the first request, and keeps the connection while the server does
//   (keep-alive). A request that finds a kept connection closed by the server is sent once more
//   on a new one; the API's PUT and DELETE are idempotent, so this is safe.
// - `timeout` bounds each whole request: resolving, connecting, the TLS handshake, sending and
//   reading the answer (decisions.md fix 4). A request past it fails with kDeadlineExceeded and
//   the connection is dropped.
// - TLS always verifies the server's certificate and name (against the CA file when given, the
//   system store otherwise); only `insecure_skip_verify` turns that off.
// - Failures to get an answer are kUnavailable (or kDeadlineExceeded) with a message naming the
//   endpoint and what to check. Any HTTP status is an answer: interpreting it is the caller's job.
//
// Not thread-safe: one request at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "fleet/base/error.h"
#include "fleet/client/endpoint.h"

namespace fleet::client {

struct TlsSettings {
  std::string ca_file{};    // PEM roots to verify the server with; empty: the system's store
  std::string cert_file{};  // PEM client certificate (with key_file), for servers that ask
  std::string key_file{};
  bool insecure_skip_verify = false;  // accept any server certificate: for tests only

  friend bool operator==(const TlsSettings&, const TlsSettings&) = default;
};

struct HttpRequest {
  enum class Method { kGet, kPut, kDelete };

  Method method = Method::kGet;
  std::string target{};  // path and query, already escaped: "/fleet/v1/units?nextPageToken=..."
  std::string body{};    // sent as application/json when not empty
};

struct HttpResponse {
  int status = 0;
  std::string reason{};  // "Not Found"
  std::string body{};
};

class HttpTransport {
 public:
  // Bodies larger than this are refused: a page of fleet's API is far smaller.
  static constexpr size_t kMaxBodyBytes = size_t{64} * 1024 * 1024;

  // `timeout`: nullopt for none. Reads the TLS files now (for https endpoints), so a missing or
  // unusable one is kInvalidArgument here rather than on the first request.
  static Result<std::unique_ptr<HttpTransport>> create(
      ApiEndpoint endpoint, std::optional<std::chrono::milliseconds> timeout,
      const TlsSettings& tls);

  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request);

  const ApiEndpoint& endpoint() const;

 private:
  struct Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace fleet::client
