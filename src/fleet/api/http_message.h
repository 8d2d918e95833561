// An HTTP request and response as plain values: what the router reads and writes, free of any
// HTTP library, so every route is testable as a function call (router_test.cc) and the server
// (http_server.h) only converts to and from the wire.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleet::api {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method{};   // "GET", "PUT", ... as sent (methods are case-sensitive)
  std::string target{};   // origin form: "/fleet/v1/units?nextPageToken=ZAACAA%3D%3D"
  HttpHeaders headers{};  // in arrival order; a repeated header appears once per line
  std::string body{};

  // Every value of the header `name` (case-insensitive), in arrival order.
  std::vector<std::string_view> header_values(std::string_view name) const;
};

// Sends one piece of a streamed body; false once the client has gone, so the producer can stop.
// An empty piece sends nothing: it only asks whether the client is still there, which a producer
// waiting for output does now and then.
using BodyWriter = std::function<bool(std::string_view)>;

struct HttpResponse {
  int status = 200;
  HttpHeaders headers{};
  std::string body{};
  // Set for a body of unknown length (a followed journal): the server sends the headers, then
  // calls this, which writes the body piece by piece (chunked) until it returns. Runs on a server
  // thread, which it holds meanwhile.
  std::function<void(const BodyWriter&)> stream{};

  // `body` with Content-Type: application/json.
  static HttpResponse json(int status, std::string body);
  // fleet's error body {"error":{"code":status,"message":message}} (spec §2.2).
  static HttpResponse error(int status, std::string message);
  // No body (201, 204).
  static HttpResponse empty(int status);

  // The first value of the header `name` (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
};

inline constexpr std::string_view kJsonMediaType = "application/json";

}  // namespace fleet::api
