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
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  std::vector<std::pair<std::string, std::string>> headers{};  // in arrival order
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

  // For bodies of unknown length (fleet's x1 journals), in two steps. open_stream() sends
  // `request` on a new connection and reads the answer's status and headers within `timeout`;
  // a 200's body is left for read_stream(), any other answer's is read whole into `body`.
  Result<HttpResponse> open_stream(const HttpRequest& request);
  // Passes the body of the 200 that open_stream() opened to `on_piece` as it arrives, with no
  // timeout, until the server ends it or `on_piece` returns false; then closes the connection.
  // `on_piece` also gets an empty piece after each second of silence, so the caller can stop.
  Status read_stream(const std::function<bool(std::string_view)>& on_piece);

  const ApiEndpoint& endpoint() const;

 private:
  struct Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace fleet::client
