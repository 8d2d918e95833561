#include "fleet/api/http_server.h"

#include <atomic>
#include <optional>
#include <thread>
#include <utility>  // before Asio: 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fleet::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

HttpRequest to_request(http::request<http::string_body>&& in) {
  HttpRequest request;
  request.method = std::string(in.method_string());
  request.target = std::string(in.target());
  for (const auto& field : in) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(in.body());
  return request;
}

// A response to HEAD keeps its headers, Content-Length included, and drops its body (RFC 9110
// §9.3.2), as Go's server did.
http::response<http::string_body> to_wire(HttpResponse&& in, unsigned version, bool keep_alive,
                                          bool head, const std::string& server_header) {
  http::response<http::string_body> out{static_cast<http::status>(in.status), version};
  out.set(http::field::server, server_header);
  for (auto& [name, value] : in.headers) out.insert(name, value);
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  if (head) out.body().clear();
  return out;
}

// A request the parser refused: the connection cannot be resynchronised, so answer and close.
std::optional<HttpResponse> refusal(const error_code& ec, size_t body_limit) {
  if (ec == http::error::body_limit) {
    return HttpResponse::error(
        413, "request body exceeds the limit of " + std::to_string(body_limit) + " bytes");
  }
  if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return HttpResponse::error(400, "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;  // the peer went away or timed out: nobody to answer
}

}  // namespace

struct HttpServer::Impl {
  Impl(Handler handler, HttpServerOptions options)
      : handler(std::move(handler)), options(std::move(options)) {}

  // Declared first, destroyed last: connections and acceptors live in coroutine frames that the
  // io_context owns and destroys.
  asio::io_context io;
  const Handler handler;
  const HttpServerOptions options;
  std::vector<std::string> socket_files;
  std::vector<std::thread> threads;
  // Set when the server goes: streaming producers, which io.stop() cannot interrupt, see it at
  // their next write or probe and return, so the threads can be joined.
  std::atomic<bool> stopping = false;

  HttpResponse call_handler(const HttpRequest& request) const {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      spdlog::error("event=api_handler_threw method={} target=\"{}\" error=\"{}\"", request.method,
                    request.target, e.what());
      return HttpResponse::error(500, "");
    }
  }

  template <class Stream>
  asio::awaitable<error_code> reply(Stream& stream, HttpResponse response, unsigned version,
                                    bool keep_alive, bool head = false) const {
    auto wire = to_wire(std::move(response), version, keep_alive, head, options.server_header);
    // A client that stops reading must not hold the connection forever.
    stream.expires_after(options.idle_timeout);
    error_code ec;
    co_await http::async_write(stream, wire, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  // A streamed body, sent chunked as the producer writes it. The producer blocks, so this writes
  // synchronously, on this connection's thread; the connection closes afterwards.
  template <class Protocol>
  void stream_reply(beast::basic_stream<Protocol>& stream, HttpResponse&& response,
                    unsigned version) const {
    http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
    head.set(http::field::server, options.server_header);
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.chunked(true);
    head.keep_alive(false);
    auto& socket = stream.socket();
    error_code ec;
    http::response_serializer<http::empty_body> serializer{head};
    http::write_header(socket, serializer, ec);
    if (ec) return;
    response.stream([&](std::string_view piece) {
      if (stopping) return false;
      if (piece.empty()) {
        char byte;
        // A peer that closed reads as end of file; one that is still there has nothing to say.
        return recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
      }
      asio::write(socket, http::make_chunk(asio::buffer(piece.data(), piece.size())), ec);
      return !ec;
    });
    if (!ec) asio::write(socket, http::make_chunk_last(), ec);
  }

  template <class Protocol>
  asio::awaitable<void> serve(beast::basic_stream<Protocol> stream) const {
    beast::flat_buffer buffer;
    error_code ec;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      stream.expires_after(options.idle_timeout);
      co_await http::async_read_header(stream, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        co_await http::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!ec && !parser.is_done()) {
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) {
        if (auto refused = refusal(ec, options.body_limit)) {
          co_await reply(stream, std::move(*refused), 11, false);
        }
        break;
      }
      stream.expires_never();  // the handler's time is the handler's business
      const unsigned version = parser.get().version();
      const bool keep_alive = parser.get().keep_alive();
      const bool head = parser.get().method() == http::verb::head;
      HttpResponse response = call_handler(to_request(parser.release()));
      if (response.stream) {
        stream_reply(stream, std::move(response), version);
        break;
      }
      if (co_await reply(stream, std::move(response), version, keep_alive, head) || !keep_alive) {
        break;
      }
    }
    stream.socket().shutdown(Protocol::socket::shutdown_send, ec);
  }

  template <class Protocol>
  asio::awaitable<void> accept(asio::basic_socket_acceptor<Protocol> acceptor) {
    asio::steady_timer pause(io);
    while (true) {
      error_code ec;
      // Each connection on a strand of its own: its coroutine and its stream's timer never run
      // at once on two threads.
      auto socket = co_await acceptor.async_accept(asio::make_strand(io),
                                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // Out of descriptors, most likely: let connections close before accepting again.
        spdlog::warn("event=api_accept_failed error=\"{}\"", ec.message());
        pause.expires_after(std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, serve(beast::basic_stream<Protocol>(std::move(socket))),
                     asio::detached);
    }
  }

  Status adopt(Listener listener) {
    try {
      if (listener.kind() == Listener::Kind::kUnix) {
        asio::local::stream_protocol::acceptor acceptor(io);
        acceptor.assign(asio::local::stream_protocol(), listener.fd());
        listener.release();
        asio::co_spawn(io, accept(std::move(acceptor)), asio::detached);
      } else {
        sockaddr_storage bound{};
        socklen_t length = sizeof(bound);
        getsockname(listener.fd(), reinterpret_cast<sockaddr*>(&bound), &length);
        asio::ip::tcp::acceptor acceptor(io);
        acceptor.assign(bound.ss_family == AF_INET6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4(),
                        listener.fd());
        listener.release();
        asio::co_spawn(io, accept(std::move(acceptor)), asio::detached);
      }
    } catch (const boost::system::system_error& e) {
      return fail(ErrorCode::kInternal,
                  "cannot serve on " + listener.address() + ": " + e.code().message());
    }
    if (!listener.socket_file().empty()) socket_files.push_back(listener.socket_file());
    return {};
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::start(std::vector<Listener> listeners,
                                                      Handler handler, HttpServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(handler), std::move(options));
  for (auto& listener : listeners) {
    if (auto adopted = impl->adopt(std::move(listener)); !adopted) return fail(adopted.error());
  }
  const size_t threads = std::max<size_t>(1, impl->options.threads);
  for (size_t i = 0; i < threads; ++i) {
    impl->threads.emplace_back([io = &impl->io] { io->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  impl_->stopping = true;
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  const auto socket_files = impl_->socket_files;
  impl_.reset();  // closes the acceptors and connections
  for (const auto& path : socket_files) unlink(path.c_str());
}

}  // namespace fleet::api
