// A small HTTP server for the client's tests: it answers each request as the test's handler says
// and records what it received, over a unix socket, TCP or TLS. It plays fleetd where a test needs
// answers the real server would not give on demand (a second page, a 503, silence, a dropped
// connection, a certificate of another name).
//
// Example:
//   ScriptedServer server(ScriptedServer::Kind::kUnix, [](const RecordedRequest& request) {
//     return ScriptedResponse{.status = 404, .body = R"({"error":{"code":404,"message":"x"}})"};
//   });
//   auto api = HttpFleetApi::open({.endpoint = server.endpoint()});
//
// Serves from a thread of its own until destroyed; the handler runs on that thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fixtures/test_pki.h"

namespace fleet::client::testing {

struct RecordedRequest {
  std::string method{};  // "GET"
  std::string target{};  // "/fleet/v1/units?nextPageToken=ZAACAA%3D%3D"
  std::string content_type{};
  std::string body{};
};

struct ScriptedResponse {
  int status = 200;
  std::string body{};  // sent as application/json when not empty
  // Never answer: the client is left waiting (for timeout tests).
  bool silent = false;
  // Close the connection after answering without announcing it, as a server whose keep-alive
  // timer ran out does.
  bool close_after = false;
};

class ScriptedServer {
 public:
  enum class Kind { kUnix, kTcp, kTls };
  using Handler = std::function<ScriptedResponse(const RecordedRequest&)>;

  // Listens at once: on a fresh socket file (kUnix) or on `address` port 0. kTls serves
  // tls.server_cert_file and, when `require_client_cert`, asks for a client certificate signed
  // by tls.ca_file.
  ScriptedServer(Kind kind, Handler handler, const fleet::testing::TlsFiles& tls = {},
                 const std::string& address = "127.0.0.1", bool require_client_cert = false);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  // "unix:///.../api.sock", "http://127.0.0.1:<port>" or "https://127.0.0.1:<port>".
  std::string endpoint() const;
  std::string socket_path() const;
  int port() const;

  std::vector<RecordedRequest> requests() const;
  // Connections accepted so far.
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleet::client::testing
