#include "fleet/client/http_transport.h"

#include <array>
#include <charconv>
#include <functional>
#include <limits>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/un.h>

namespace fleet::client {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;
using Tcp = net::ip::tcp;
using Local = net::local::stream_protocol;
using TlsStream = beast::ssl_stream<Tcp::socket>;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// "3s", "0.5s": how --request-timeout was written.
std::string seconds_text(std::chrono::milliseconds timeout) {
  std::array<char, 32> buffer{};
  const double seconds = static_cast<double>(timeout.count()) / 1000.0;
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), seconds);
  return (error == std::errc() ? std::string(buffer.data(), end) : std::to_string(seconds)) + "s";
}

http::verb verb_of(HttpRequest::Method method) {
  switch (method) {
    case HttpRequest::Method::kPut:
      return http::verb::put;
    case HttpRequest::Method::kDelete:
      return http::verb::delete_;
    case HttpRequest::Method::kGet:
      break;
  }
  return http::verb::get;
}

// How a kept-alive connection the server has since closed shows on the next request.
bool closed_by_peer(const error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe ||
         error == ssl::error::stream_truncated;
}

bool is_address(const std::string& host) {
  error_code error;
  net::ip::make_address(host, error);
  return !error;
}

Tcp::socket& lowest_layer(Tcp::socket& socket) { return socket; }
Tcp::socket& lowest_layer(TlsStream& stream) { return beast::get_lowest_layer(stream); }
Local::socket& lowest_layer(Local::socket& socket) { return socket; }

Result<std::optional<ssl::context>> tls_context(const ApiEndpoint& endpoint,
                                                const TlsSettings& settings) {
  if (endpoint.transport != ApiEndpoint::Transport::kTls) return std::optional<ssl::context>();
  if (settings.cert_file.empty() != settings.key_file.empty()) {
    return fail(
        ErrorCode::kInvalidArgument,
        "a TLS client certificate needs both its certificate and its key file (got " +
            (settings.cert_file.empty() ? "key file " + quoted(settings.key_file)
                                        : "certificate file " + quoted(settings.cert_file)) +
            ")");
  }
  std::optional<ssl::context> context(std::in_place, ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  std::string_view using_file;
  try {
    using_file = settings.ca_file;
    if (settings.ca_file.empty()) {
      context->set_default_verify_paths();
    } else {
      context->load_verify_file(settings.ca_file);
    }
    if (!settings.cert_file.empty()) {
      using_file = settings.cert_file;
      context->use_certificate_chain_file(settings.cert_file);
      using_file = settings.key_file;
      context->use_private_key_file(settings.key_file, ssl::context::pem);
    }
  } catch (const boost::system::system_error& e) {
    const std::string what = using_file.empty() ? "the system's CA store" : quoted(using_file);
    return fail(ErrorCode::kInvalidArgument, "cannot use TLS file " + what + ": " + e.what());
  }
  return context;
}

}  // namespace

struct HttpTransport::Impl {
  // What one request read back.
  struct Answer {
    HttpResponse response;
    bool keep_alive = false;
  };

  Impl(ApiEndpoint endpoint_in, std::optional<std::chrono::milliseconds> timeout_in,
       std::optional<ssl::context> tls_in, bool verify_in)
      : endpoint(std::move(endpoint_in)),
        timeout(timeout_in),
        tls(std::move(tls_in)),
        verify(verify_in) {}

  // Runs the operation just started until it calls back (setting `done`) or the deadline
  // passes; then `cancel` makes it call back (aborted) so nothing is left pending. False when
  // the deadline passed.
  bool finish(const bool& done, const std::function<void()>& cancel) {
    io.restart();
    if (deadline) {
      io.run_until(*deadline);
    } else {
      io.run();
    }
    if (done) return true;
    cancel();
    io.restart();
    io.run();
    return false;
  }

  template <class Socket>
  std::function<void()> closer(Socket& socket) {
    return [&socket] {
      error_code ignored;
      lowest_layer(socket).close(ignored);
    };
  }

  Status connect() {
    if (endpoint.transport == ApiEndpoint::Transport::kUnix) {
      Local::socket socket(io);
      error_code error;
      bool done = false;
      socket.async_connect(Local::endpoint(endpoint.socket_path), [&](error_code e) {
        error = e;
        done = true;
      });
      if (!finish(done, closer(socket))) return timed_out();
      if (error) return unreachable(error.message());
      stream.emplace<Local::socket>(std::move(socket));
      return {};
    }
    auto socket = connect_tcp();
    if (!socket) return fail(socket.error());
    if (endpoint.transport == ApiEndpoint::Transport::kTcp) {
      stream.emplace<Tcp::socket>(std::move(*socket));
      return {};
    }
    auto& tls_stream = stream.emplace<TlsStream>(std::move(*socket), *tls);
    if (auto shaken = handshake(tls_stream); !shaken) {
      disconnect();
      return shaken;
    }
    return {};
  }

  Result<Tcp::socket> connect_tcp() {
    Tcp::resolver resolver(io);
    Tcp::resolver::results_type addresses;
    error_code error;
    bool done = false;
    const bool tunnelled = !endpoint.dial_host.empty();
    resolver.async_resolve(tunnelled ? endpoint.dial_host : endpoint.host,
                           tunnelled ? endpoint.dial_port : endpoint.port,
                           [&](error_code e, Tcp::resolver::results_type found) {
                             error = e;
                             addresses = std::move(found);
                             done = true;
                           });
    if (!finish(done, [&] { resolver.cancel(); })) return timed_out();
    if (error) {
      return fail(ErrorCode::kUnavailable, "cannot resolve " + quoted(endpoint.host) +
                                               " for the fleet API at " + endpoint.url + " (" +
                                               error.message() + "): check --endpoint");
    }
    Tcp::socket socket(io);
    done = false;
    net::async_connect(socket, addresses, [&](error_code e, const Tcp::endpoint&) {
      error = e;
      done = true;
    });
    if (!finish(done, closer(socket))) return timed_out();
    if (error) return unreachable(error.message());
    return socket;
  }

  Status handshake(TlsStream& tls_stream) {
    SSL* ssl = tls_stream.native_handle();
    const bool address = is_address(endpoint.host);
    // SNI carries names only (RFC 6066).
    if (!address) SSL_set_tlsext_host_name(ssl, endpoint.host.c_str());
    if (verify) {
      tls_stream.set_verify_mode(ssl::verify_peer);
      // OpenSSL's own name check, so a mismatch reads "hostname mismatch" in the error.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (address) {
        X509_VERIFY_PARAM_set1_ip_asc(param, endpoint.host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, endpoint.host.c_str(), endpoint.host.size());
      }
    } else {
      tls_stream.set_verify_mode(ssl::verify_none);
    }
    error_code error;
    bool done = false;
    tls_stream.async_handshake(ssl::stream_base::client, [&](error_code e) {
      error = e;
      done = true;
    });
    if (!finish(done, closer(tls_stream))) return timed_out();
    if (!error) return {};
    const long verified = SSL_get_verify_result(ssl);
    const std::string why =
        verify && verified != X509_V_OK
            ? std::string("certificate verify failed: ") + X509_verify_cert_error_string(verified)
            : error.message();
    return fail(ErrorCode::kUnavailable,
                "TLS handshake with the fleet API at " + endpoint.url + " failed (" + why +
                    "): check --ca-file, --cert-file and --key-file, or the endpoint's "
                    "certificate (--insecure-skip-verify skips verifying it)");
  }

  template <class Stream>
  Result<Answer> exchange(Stream& open, const Request& message, bool& peer_closed) {
    error_code error;
    bool done = false;
    http::async_write(open, message, [&](error_code e, size_t) {
      error = e;
      done = true;
    });
    if (!finish(done, closer(open))) return timed_out();
    if (error) {
      peer_closed = closed_by_peer(error);
      return lost(error.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    done = false;
    http::async_read(open, buffer, parser, [&](error_code e, size_t) {
      error = e;
      done = true;
    });
    if (!finish(done, closer(open))) return timed_out();
    if (error) {
      peer_closed = closed_by_peer(error);
      if (error.category() == http::make_error_code(http::error::bad_version).category() &&
          !peer_closed) {
        return fail(ErrorCode::kUnavailable, "the fleet API at " + endpoint.url +
                                                 " sent an invalid HTTP answer (" +
                                                 error.message() + "): check --endpoint");
      }
      return lost(error.message());
    }
    auto& response = parser.get();
    Answer answer;
    answer.response.status = static_cast<int>(response.result_int());
    answer.response.reason = std::string(response.reason());
    answer.response.body = std::move(response.body());
    for (const auto& field : response) {
      answer.response.headers.emplace_back(std::string(field.name_string()),
                                           std::string(field.value()));
    }
    answer.keep_alive = response.keep_alive();
    return answer;
  }

  Result<HttpResponse> send(const HttpRequest& request) {
    const Request message = prepare(request);
    const bool reused = !std::holds_alternative<std::monostate>(stream);
    bool peer_closed = false;
    auto answer = attempt(message, peer_closed);
    if (!answer && reused && peer_closed) answer = attempt(message, peer_closed);
    if (!answer) return fail(answer.error());
    return std::move(answer->response);
  }

  // Starts the deadline of `request` and builds its message.
  Request prepare(const HttpRequest& request) {
    deadline.reset();
    if (timeout) deadline = Clock::now() + *timeout;
    Request message{verb_of(request.method), endpoint.base_path + request.target, 11};
    message.set(http::field::host, endpoint.host_header());
    message.set(http::field::user_agent, "fleet-client");
    message.set(http::field::accept, "application/json");
    if (!request.body.empty()) {
      message.set(http::field::content_type, "application/json");
      message.body() = request.body;
    }
    message.prepare_payload();
    return message;
  }

  // Calls `operation(open_stream)` on the connection; kInternal when there is none.
  template <class Operation>
  Status on_connection(Operation&& operation) {
    return std::visit(
        [&](auto& open) -> Status {
          if constexpr (std::is_same_v<std::decay_t<decltype(open)>, std::monostate>) {
            return fail(ErrorCode::kInternal, "no connection");
          } else {
            return operation(open);
          }
        },
        stream);
  }

  Result<HttpResponse> open_stream(const HttpRequest& request) {
    const Request message = prepare(request);
    disconnect();
    if (auto connected = connect(); !connected) return fail(connected.error());
    streaming = std::make_unique<StreamParser>();
    // A followed journal has no end; Boost 1.74 compares a Content-Length with an unset
    // (boost::none) limit wrongly, so "no limit" is the largest one.
    streaming->body_limit(std::numeric_limits<std::uint64_t>::max());
    HttpResponse response;
    auto opened = on_connection([&](auto& open) -> Status {
      error_code error;
      bool done = false;
      http::async_write(open, message, [&](error_code e, size_t) {
        error = e;
        done = true;
      });
      if (!finish(done, closer(open))) return timed_out();
      if (error) return lost(error.message());
      done = false;
      http::async_read_header(open, buffer, *streaming, [&](error_code e, size_t) {
        error = e;
        done = true;
      });
      if (!finish(done, closer(open))) return timed_out();
      if (error) return lost(error.message());
      return {};
    });
    if (!opened) {
      disconnect();
      return fail(opened.error());
    }
    const auto& head = streaming->get();
    response.status = static_cast<int>(head.result_int());
    response.reason = std::string(head.reason());
    for (const auto& field : head) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (response.status != 200) {
      auto read = read_pieces(
          [&](std::string_view piece) {
            response.body.append(piece);
            return response.body.size() < kMaxBodyBytes;
          },
          /*bounded=*/true);
      if (!read) return fail(read.error());
    }
    return response;
  }

  // Reads the open stream's body piece by piece; `bounded` keeps the request's deadline.
  Status read_pieces(const std::function<bool(std::string_view)>& on_piece, bool bounded) {
    if (!streaming) return fail(ErrorCode::kInternal, "no answer is open for reading");
    if (!bounded) deadline.reset();
    auto result = on_connection([&](auto& open) -> Status {
      std::array<char, 16 * 1024> piece;
      while (!streaming->is_done()) {
        streaming->get().body().data = piece.data();
        streaming->get().body().size = piece.size();
        error_code error;
        bool done = false;
        http::async_read_some(open, buffer, *streaming, [&](error_code e, size_t) {
          error = e;
          done = true;
        });
        if (bounded) {
          if (!finish(done, closer(open))) return timed_out();
        } else {
          io.restart();
          while (!done) {
            io.run_for(std::chrono::seconds(1));
            if (!done && !on_piece({})) {
              closer(open)();
              io.restart();
              io.run();
              return {};
            }
          }
        }
        if (error && error != http::error::need_buffer) return lost(error.message());
        const size_t got = piece.size() - streaming->get().body().size;
        if (got > 0 && !on_piece(std::string_view(piece.data(), got))) return {};
      }
      return {};
    });
    streaming.reset();
    disconnect();
    return result;
  }

  Result<Answer> attempt(const Request& message, bool& peer_closed) {
    peer_closed = false;
    if (std::holds_alternative<std::monostate>(stream)) {
      if (auto connected = connect(); !connected) return fail(connected.error());
    }
    auto answer = std::visit(
        [&](auto& open) -> Result<Answer> {
          if constexpr (std::is_same_v<std::decay_t<decltype(open)>, std::monostate>) {
            return fail(ErrorCode::kInternal, "no connection");
          } else {
            return exchange(open, message, peer_closed);
          }
        },
        stream);
    if (!answer || !answer->keep_alive) disconnect();
    return answer;
  }

  void disconnect() {
    std::visit(
        [](auto& open) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(open)>, std::monostate>) {
            error_code ignored;
            lowest_layer(open).close(ignored);
          }
        },
        stream);
    stream.emplace<std::monostate>();
    buffer.consume(buffer.size());
  }

  tl::unexpected<Error> timed_out() {
    disconnect();
    return fail(ErrorCode::kDeadlineExceeded,
                "the fleet API at " + endpoint.url + " did not answer within " +
                    seconds_text(*timeout) +
                    ": check that fleetd is healthy, or allow more time with --request-timeout");
  }

  tl::unexpected<Error> unreachable(const std::string& why) const {
    return fail(ErrorCode::kUnavailable,
                "cannot connect to the fleet API at " + endpoint.url + " (" + why +
                    "): check that fleetd is running and serves its API there, or --endpoint");
  }

  tl::unexpected<Error> lost(const std::string& why) const {
    return fail(ErrorCode::kUnavailable,
                "lost the connection to the fleet API at " + endpoint.url + " (" + why + ")");
  }

  ApiEndpoint endpoint;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<ssl::context> tls;  // https endpoints only
  bool verify = true;
  net::io_context io;
  // The connection the server kept alive, if any.
  std::variant<std::monostate, Tcp::socket, TlsStream, Local::socket> stream;
  beast::flat_buffer buffer;
  std::optional<Clock::time_point> deadline;  // of the request under way
  using StreamParser = http::response_parser<http::buffer_body>;
  // The answer open_stream() opened, until read_stream() has read it.
  std::unique_ptr<StreamParser> streaming;
};

Result<std::unique_ptr<HttpTransport>> HttpTransport::create(
    ApiEndpoint endpoint, std::optional<std::chrono::milliseconds> timeout,
    const TlsSettings& tls) {
  auto context = tls_context(endpoint, tls);
  if (!context) return fail(context.error());
  if (endpoint.transport == ApiEndpoint::Transport::kUnix) {
    // sockaddr_un's limit: checked here, as asio would throw when dialling.
    if (endpoint.socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return fail(ErrorCode::kInvalidArgument,
                  "socket path of endpoint " + quoted(endpoint.url) + " is too long");
    }
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::make_unique<Impl>(
      std::move(endpoint), timeout, std::move(*context), !tls.insecure_skip_verify)));
}

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpTransport::~HttpTransport() = default;

namespace {

// Boost reports some failures by throwing (allocation, a closed descriptor); they are errors of
// this request, not of the program: the connection is dropped and the error names the endpoint.
template <class Impl, class Call>
auto guarded(Impl& impl, std::string_view what, Call call) -> decltype(call()) {
  try {
    return call();
  } catch (const std::exception& e) {
    impl.disconnect();
    return fail(ErrorCode::kInternal, std::string(what) + " the fleet API at " + impl.endpoint.url +
                                          " failed: " + e.what());
  }
}

}  // namespace

Result<HttpResponse> HttpTransport::send(const HttpRequest& request) {
  return guarded(*impl_, "request to", [&] { return impl_->send(request); });
}

Result<HttpResponse> HttpTransport::open_stream(const HttpRequest& request) {
  return guarded(*impl_, "request to", [&] { return impl_->open_stream(request); });
}

Status HttpTransport::read_stream(const std::function<bool(std::string_view)>& on_piece) {
  return guarded(*impl_, "reading from",
                 [&] { return impl_->read_pieces(on_piece, /*bounded=*/false); });
}

const ApiEndpoint& HttpTransport::endpoint() const { return impl_->endpoint; }

}  // namespace fleet::client
