#include "fleet/client/testing/scripted_server.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "fixtures/temp_dir.h"

namespace fleet::client::testing {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;
using Tcp = net::ip::tcp;
using Local = net::local::stream_protocol;
using TlsStream = beast::ssl_stream<Tcp::socket>;

Tcp::socket& lowest_layer(Tcp::socket& socket) { return socket; }
Tcp::socket& lowest_layer(TlsStream& stream) { return beast::get_lowest_layer(stream); }
Local::socket& lowest_layer(Local::socket& socket) { return socket; }

// What the sessions share. The io_context is declared first so that it is destroyed last, after
// everything that uses it.
struct ServerState {
  using Kind = ScriptedServer::Kind;
  using Handler = ScriptedServer::Handler;

  ServerState(Kind kind_in, Handler handler_in) : kind(kind_in), handler(std::move(handler_in)) {}

  ScriptedResponse answer(const RecordedRequest& request) {
    {
      std::lock_guard lock(mutex);
      requests.push_back(request);
    }
    return handler(request);
  }

  net::io_context io;
  Kind kind;
  Handler handler;
  fleet::testing::TempDir dir{"scripted-server"};
  std::optional<ssl::context> tls;
  std::optional<Local::acceptor> unix_acceptor;
  std::optional<Tcp::acceptor> tcp_acceptor;
  std::vector<std::shared_ptr<void>> silent;  // sessions kept open without an answer
  std::atomic<int> connections{0};
  mutable std::mutex mutex;
  std::vector<RecordedRequest> requests;  // guarded by mutex
  std::thread thread;
};

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, ServerState& server) : stream_(std::move(stream)), server_(server) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code error) {
                                if (!error) self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = this->shared_from_this()](error_code error, size_t) {
                       if (!error) self->respond();
                     });
  }

  void respond() {
    auto scripted =
        server_.answer({std::string(request_.method_string()), std::string(request_.target()),
                        std::string(request_[http::field::content_type]), request_.body()});
    if (scripted.silent) {
      server_.silent.push_back(this->shared_from_this());
      return;
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(scripted.status));
    response_.set(http::field::server, "fleetd/test");
    if (!scripted.body.empty()) {
      response_.set(http::field::content_type, "application/json");
      response_.body() = scripted.body;
    }
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    const bool keep = request_.keep_alive() && !scripted.close_after;
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), keep](error_code error, size_t) {
                        if (!error && keep) {
                          self->read();
                        } else {
                          error_code ignored;
                          lowest_layer(self->stream_).close(ignored);
                        }
                      });
  }

  Stream stream_;
  ServerState& server_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

template <class Acceptor>
void accept(Acceptor& acceptor, ServerState& server) {
  acceptor.async_accept([&acceptor, &server](error_code error, auto socket) {
    if (error) return;
    ++server.connections;
    using Socket = decltype(socket);
    if constexpr (std::is_same_v<Socket, Tcp::socket>) {
      if (server.kind == ServerState::Kind::kTls) {
        std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *server.tls), server)
            ->start();
      } else {
        std::make_shared<Session<Tcp::socket>>(std::move(socket), server)->start();
      }
    } else {
      std::make_shared<Session<Socket>>(std::move(socket), server)->start();
    }
    accept(acceptor, server);
  });
}

}  // namespace

struct ScriptedServer::Impl : ServerState {
  using ServerState::ServerState;
};

ScriptedServer::ScriptedServer(Kind kind, Handler handler, const fleet::testing::TlsFiles& tls,
                               const std::string& address, bool require_client_cert)
    : impl_(std::make_unique<Impl>(kind, std::move(handler))) {
  if (kind == Kind::kUnix) {
    impl_->unix_acceptor.emplace(impl_->io, Local::endpoint(socket_path()));
    accept(*impl_->unix_acceptor, *impl_);
  } else {
    if (kind == Kind::kTls) {
      auto& context = impl_->tls.emplace(ssl::context::tls_server);
      context.use_certificate_chain_file(tls.server_cert_file);
      context.use_private_key_file(tls.server_key_file, ssl::context::pem);
      if (require_client_cert) {
        context.load_verify_file(tls.ca_file);
        context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      }
    }
    impl_->tcp_acceptor.emplace(impl_->io, Tcp::endpoint(net::ip::make_address(address), 0));
    accept(*impl_->tcp_acceptor, *impl_);
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

ScriptedServer::~ScriptedServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string ScriptedServer::socket_path() const { return (impl_->dir.path() / "api.sock"); }

int ScriptedServer::port() const {
  return impl_->tcp_acceptor ? impl_->tcp_acceptor->local_endpoint().port() : 0;
}

std::string ScriptedServer::endpoint() const {
  switch (impl_->kind) {
    case Kind::kUnix:
      return "unix://" + socket_path();
    case Kind::kTcp:
      return "http://" + impl_->tcp_acceptor->local_endpoint().address().to_string() + ":" +
             std::to_string(port());
    case Kind::kTls:
      break;
  }
  return "https://" + impl_->tcp_acceptor->local_endpoint().address().to_string() + ":" +
         std::to_string(port());
}

std::vector<RecordedRequest> ScriptedServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

int ScriptedServer::connections() const { return impl_->connections; }

}  // namespace fleet::client::testing
