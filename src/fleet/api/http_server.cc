#include "fleet/api/http_server.h"

#include <atomic>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>  // before Asio: 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fleet::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

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

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// Loaded once at start, so a bad file stops fleetd instead of failing every handshake.
Result<std::optional<ssl::context>> tls_context(const ServerTls& tls) {
  if (!tls.enabled()) return std::optional<ssl::context>();
  std::optional<ssl::context> context(std::in_place, ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  std::string file;
  try {
    // OpenSSL would otherwise ask a terminal for an encrypted key's passphrase, and wait.
    context->set_password_callback(
        [](size_t, ssl::context::password_purpose) { return std::string(); });
    file = tls.cert_file;
    context->use_certificate_chain_file(tls.cert_file);
    file = tls.key_file;
    context->use_private_key_file(tls.key_file, ssl::context::pem);
    if (!tls.client_ca_file.empty()) {
      file = tls.client_ca_file;
      context->load_verify_file(tls.client_ca_file);
      context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      // Tells clients which CA to pick a certificate for; they may hold several.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
        SSL_CTX_set_client_CA_list(native, names);
      }
    }
  } catch (const boost::system::system_error& e) {
    return fail(ErrorCode::kInvalidArgument,
                "API TLS: cannot use " + quoted(file) + ": " + e.code().message());
  }
  return context;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Handler handler, HttpServerOptions options, std::optional<ssl::context> tls)
      : tls(std::move(tls)), handler(std::move(handler)), options(std::move(options)) {}

  // Destroyed last: the TLS streams in io's coroutine frames use it until io destroys them.
  std::optional<ssl::context> tls;
  // Destroyed after everything below: connections and acceptors live in coroutine frames that
  // the io_context owns and destroys.
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
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    error_code ec;
    co_await http::async_write(stream, wire, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  // A streamed body, sent chunked as the producer writes it. The producer blocks, so this writes
  // synchronously, on this connection's thread; the connection closes afterwards.
  template <class Stream>
  void stream_reply(Stream& stream, HttpResponse&& response, unsigned version) const {
    http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
    head.set(http::field::server, options.server_header);
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.chunked(true);
    head.keep_alive(false);
    const int fd = beast::get_lowest_layer(stream).socket().native_handle();
    error_code ec;
    http::response_serializer<http::empty_body> serializer{head};
    http::write_header(stream, serializer, ec);
    if (ec) return;
    response.stream([&](std::string_view piece) {
      if (stopping) return false;
      if (piece.empty()) {
        char byte;
        // A peer that closed reads as end of file; one that is still there has nothing to say.
        return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
      }
      asio::write(stream, http::make_chunk(asio::buffer(piece.data(), piece.size())), ec);
      return !ec;
    });
    if (!ec) asio::write(stream, http::make_chunk_last(), ec);
  }

  // Serves one connection: a beast::basic_stream, or a TlsStream after its handshake.
  template <class Stream>
  asio::awaitable<void> serve(Stream stream) const {
    auto& transport = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    error_code ec;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      transport.expires_after(options.idle_timeout);
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
      transport.expires_never();  // the handler's time is the handler's business
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
    // No TLS close_notify: waiting for the peer's would hold the connection, and every answer
    // is delimited by its length or last chunk, so a truncation cannot be mistaken for an end.
    transport.socket().shutdown(asio::socket_base::shutdown_send, ec);
  }

  // The handshake, bounded like a request, then HTTP. A client the handshake refuses (no
  // certificate, one from another CA, plain HTTP) gets no HTTP answer at all.
  asio::awaitable<void> serve_tls(TlsStream stream) const {
    auto& transport = beast::get_lowest_layer(stream);
    transport.expires_after(options.idle_timeout);
    error_code ec;
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      error_code ignored;
      const auto peer = transport.socket().remote_endpoint(ignored);
      // A peer that connects and goes (a port probe) is no news; a refused one is.
      const bool probe = ec == asio::error::eof || ec == ssl::error::stream_truncated ||
                         ec == asio::error::connection_reset;
      spdlog::log(probe ? spdlog::level::debug : spdlog::level::warn,
                  "event=api_tls_refused peer={}:{} error=\"{}\"", peer.address().to_string(),
                  peer.port(), ec.message());
      transport.socket().close(ignored);
      co_return;
    }
    co_await serve(std::move(stream));
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
      beast::basic_stream<Protocol> stream(std::move(socket));
      if constexpr (std::is_same_v<Protocol, asio::ip::tcp>) {
        if (tls) {
          asio::co_spawn(executor, serve_tls(TlsStream(std::move(stream), *tls)), asio::detached);
          continue;
        }
      }
      asio::co_spawn(executor, serve(std::move(stream)), asio::detached);
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
  auto tls = tls_context(options.tls);
  if (!tls) {
    // Nobody will serve the socket files these listeners made.
    for (const auto& listener : listeners) {
      if (!listener.socket_file().empty()) unlink(listener.socket_file().c_str());
    }
    return fail(tls.error());
  }
  auto impl = std::make_unique<Impl>(std::move(handler), std::move(options), std::move(*tls));
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
