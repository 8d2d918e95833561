// An HTTP/1.1 server (Boost.Beast on Asio) that hands every request to one Handler: it accepts on
// the listeners it is given, keeps connections alive, answers `Expect: 100-continue`, and stamps
// every response, its own errors included, with the Server header.
//
// Requests the server itself refuses get fleet's JSON error (spec §2.2) and a closed connection:
// 413 for a body over the limit, 400 for a request it cannot parse.
//
// Handlers run on the server's threads and may block (an etcd write); a connection's requests are
// handled one at a time, in order. A streamed response (HttpResponse::stream) holds its thread
// until its producer returns, which it is asked to do when the client goes or the server stops.
// Destroying the server stops accepting, drops open connections once the handler calls in progress
// return, and removes the unix socket files the listeners created.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fleet/api/http_message.h"
#include "fleet/api/listeners.h"
#include "fleet/base/error.h"

namespace fleet::api {

// TLS on the TCP listeners; unix sockets stay plain, as their file mode decides who connects.
struct ServerTls {
  std::string cert_file{};  // PEM certificate chain; empty: no TLS
  // Its PEM private key, unencrypted: nobody is there to type a passphrase.
  std::string key_file{};
  // PEM roots a client's certificate must chain to; a client without one is refused at the
  // handshake. Empty: clients are not asked for a certificate.
  std::string client_ca_file{};

  bool enabled() const { return !cert_file.empty(); }
  bool operator==(const ServerTls&) const = default;
};

struct HttpServerOptions {
  std::string server_header{};  // "fleetd/0.1.0"
  ServerTls tls{};
  size_t body_limit = 1 << 20;
  size_t threads = 16;
  // A connection idle this long (or this slow to send a request) is closed.
  std::chrono::seconds idle_timeout{300};
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // kInternal when a listener's socket cannot be adopted; kInvalidArgument naming the file when
  // a TLS file cannot be used (or the key does not match the certificate). `handler` must be
  // thread-safe.
  static Result<std::unique_ptr<HttpServer>> start(std::vector<Listener> listeners, Handler handler,
                                                   HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace fleet::api
