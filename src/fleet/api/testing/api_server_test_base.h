// A GoogleTest suite base for the API as a client sees it: the real HTTP server (api_server.h) on
// a unix socket of its own, over RegistryBackend on the suite's real etcd, and a plain HTTP/1.1
// client to call it with. Each test has its own key prefix and socket.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>  // before Asio (see http_server.cc)
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <gtest/gtest.h>

#include "fleet/api/api_server.h"
#include "fleet/api/registry_backend.h"
#include "fleet/etcd/testing/etcd_test_base.h"
#include "fleet/schema/json.h"

#include "fixtures/eventually.h"
#include "fixtures/temp_dir.h"

namespace fleet::api::testing {

inline const std::string kUnitJson =
    R"({"options":[{"section":"Service","name":"ExecStart","value":"/bin/web"}]})";

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  // The message of fleet's error body.
  std::string message() const {
    auto error = schema::decode_error_body(body);
    return error ? error->message : "<not an error body: " + body + ">";
  }
};

// A keep-alive HTTP/1.1 connection to a unix socket or a TCP port.
template <class Protocol>
class Connection {
 public:
  explicit Connection(typename Protocol::endpoint endpoint) : socket_(io_) {
    socket_.connect(endpoint);
  }

  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "fleet");
    for (const auto& [name, value] : headers) request.insert(name, value);
    request.body() = body;
    request.prepare_payload();
    boost::system::error_code ec;
    http::write(socket_, request, ec);
    // A server refusing a body it will not read answers and closes before the body is sent; the
    // answer is there to read all the same.
    if (ec && ec != boost::asio::error::broken_pipe && ec != boost::asio::error::connection_reset) {
      throw boost::system::system_error(ec);
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(method == "HEAD");
    http::read(socket_, buffer_, parser);
    auto response = parser.release();
    Reply reply{static_cast<int>(response.result_int()), {}, std::move(response.body())};
    for (const auto& field : response) {
      reply.headers[std::string(field.name_string())] = std::string(field.value());
    }
    return reply;
  }

 private:
  boost::asio::io_context io_;
  typename Protocol::socket socket_;
  boost::beast::flat_buffer buffer_;
};

using UnixConnection = Connection<boost::asio::local::stream_protocol>;

class ApiServerTestBase : public etcd::testing::EtcdTestBase {
 protected:
  void SetUp() override {
    using namespace std::chrono_literals;
    EtcdTestBase::SetUp();
    registry_ = std::make_unique<registry::Registry>(*client_, registry::Keys(prefix_));
    backend_ = std::make_unique<RegistryBackend>(*registry_);
    ASSERT_TRUE(fleet::testing::eventually([&] { return backend_->ready(); }, 10s));
    lease_ = client_->lease_grant(60).value().id;
    start_server(100);
  }

  void TearDown() override {
    attached_ = {};
    server_.reset();
  }

  void start_server(int token_limit, const std::vector<config::ListenAddress>& tcp = {},
                    size_t body_limit = 1 << 20) {
    attached_ = {};
    server_.reset();
    auto server = ApiServer::start(
        {.listen = {.socket_activation = false, .unix_socket = socket_path_, .tcp = tcp},
         .version = "9.8.7",
         .body_limit = body_limit});
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    ASSERT_TRUE(server_->failures().empty()) << server_->failures()[0].message;
    attach(token_limit);
  }

  void attach(int token_limit) {
    attached_ = server_->attach(Router(*backend_, {.token_limit = token_limit}),
                                [this] { return registered_.load() && backend_->ready(); });
  }

  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    UnixConnection connection{boost::asio::local::stream_protocol::endpoint(socket_path_)};
    return connection.call(method, target, body, headers);
  }

  Reply put(const std::string& name, const std::string& body) {
    return call("PUT", "/fleet/v1/units/" + name, body, {{"Content-Type", "application/json"}});
  }

  // What an agent publishes for a unit it runs.
  void report(const std::string& unit, const std::string& machine, bool launched) {
    auto record = registry_->unit(unit).value().value();
    ASSERT_TRUE(registry_->publish_state(
        unit, machine,
        registry::UnitStateRecord{record.hash, "loaded", launched ? "active" : "inactive",
                                  launched ? "running" : "dead", launched},
        lease_));
  }

  void register_machine(const std::string& id, registry::Metadata metadata = {}) {
    ASSERT_TRUE(registry_->register_machine(
        registry::MachineRecord{id, "10.0.0." + id.substr(1), std::move(metadata), "0.1.0", {}},
        lease_));
  }

  std::vector<std::string> unit_names(const std::string& query = "") {
    std::vector<std::string> names;
    std::string target = "/fleet/v1/units" + query;
    while (true) {
      auto page = schema::decode_unit_page(call("GET", target).body).value();
      for (const auto& unit : page.units) names.push_back(unit.name);
      if (page.next_page_token.empty()) return names;
      target = "/fleet/v1/units?nextPageToken=" + page.next_page_token;
    }
  }

  fleet::testing::TempDir dir_{"api-server-test"};
  const std::string socket_path_ = (dir_.path() / "fleet.sock").string();
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<RegistryBackend> backend_;
  etcd::LeaseId lease_ = 0;
  std::atomic<bool> registered_{true};
  std::unique_ptr<ApiServer> server_;
  ApiServer::Attachment attached_;
};

}  // namespace fleet::api::testing
