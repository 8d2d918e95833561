// HttpFleetApi against a scripted server: the requests it sends (paths, queries, bodies, media
// type), how it reads pages and errors, and its transport's contract (timeouts, keep-alive, TLS
// verification). The end-to-end tests against fleetd's real API are in src/cmd/fleetctl.
#include "fleet/client/http_fleet_api.h"

#include <chrono>

#include <gtest/gtest.h>

#include "fleet/client/testing/scripted_server.h"
#include "fleet/schema/json.h"

#include "fixtures/temp_dir.h"
#include "fixtures/test_pki.h"

namespace fleet::client {
namespace {

using namespace std::chrono_literals;
using testing::RecordedRequest;
using testing::ScriptedResponse;
using testing::ScriptedServer;

std::string error_body(int code, std::string_view message) {
  return schema::encode(schema::ErrorBody{code, std::string(message)});
}

std::unique_ptr<HttpFleetApi> open_api(const std::string& endpoint, HttpApiOptions options = {}) {
  options.endpoint = endpoint;
  auto api = HttpFleetApi::open(options);
  EXPECT_TRUE(api) << api.error().message;
  return api ? std::move(*api) : nullptr;
}

std::vector<std::string> targets(const ScriptedServer& server) {
  std::vector<std::string> seen;
  for (const auto& request : server.requests())
    seen.push_back(request.method + " " + request.target);
  return seen;
}

TEST(HttpFleetApi, ListsFollowEveryPage) {
  ScriptedServer server(ScriptedServer::Kind::kUnix, [](const RecordedRequest& request) {
    if (request.target == "/fleet/v1/units") {
      return ScriptedResponse{.body = schema::encode(schema::UnitPage{
                                  .units = {{.name = "a.service", .desired_state = "launched"}},
                                  .next_page_token = "ZAACAA=="})};
    }
    if (request.target == "/fleet/v1/units?nextPageToken=ZAACAA%3D%3D") {
      return ScriptedResponse{.body =
                                  schema::encode(schema::UnitPage{.units = {{.name = "b.service"}},
                                                                  .next_page_token = "ZAADAA=="})};
    }
    // A full last page still has a token; the page after it is empty.
    return ScriptedResponse{.body = "{}"};
  });
  auto api = open_api(server.endpoint());
  auto units = api->units();
  ASSERT_TRUE(units) << units.error().message;
  ASSERT_EQ(units->size(), 2u);
  EXPECT_EQ((*units)[0].name, "a.service");
  EXPECT_EQ((*units)[0].desired_state, "launched");
  EXPECT_EQ((*units)[1].name, "b.service");
  EXPECT_EQ(targets(server),
            (std::vector<std::string>{"GET /fleet/v1/units",
                                      "GET /fleet/v1/units?nextPageToken=ZAACAA%3D%3D",
                                      "GET /fleet/v1/units?nextPageToken=ZAADAA%3D%3D"}));
}

TEST(HttpFleetApi, StatesAreFilteredByTheServer) {
  const schema::UnitState state{"web@1.service", std::string(40, 'a'), "m1", "loaded", "active",
                                "running"};
  ScriptedServer server(ScriptedServer::Kind::kUnix, [&](const RecordedRequest& request) {
    if (request.target.find("nextPageToken") != std::string::npos) {
      return ScriptedResponse{.body = schema::encode(schema::UnitStatePage{.states = {state}})};
    }
    return ScriptedResponse{
        .body = schema::encode(schema::UnitStatePage{.states = {state}, .next_page_token = "t"})};
  });
  auto api = open_api(server.endpoint());
  auto states = api->unit_states({.unit_name = "web@1.service", .machine_id = "m1"});
  ASSERT_TRUE(states) << states.error().message;
  EXPECT_EQ(*states, (std::vector<schema::UnitState>{state, state}));
  auto all = api->unit_states();
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(targets(server),
            (std::vector<std::string>{
                "GET /fleet/v1/state?machineID=m1&unitName=web%401.service",
                "GET /fleet/v1/state?machineID=m1&unitName=web%401.service&nextPageToken=t",
                "GET /fleet/v1/state", "GET /fleet/v1/state?nextPageToken=t"}));
}

TEST(HttpFleetApi, MachinesAndOneUnit) {
  ScriptedServer server(ScriptedServer::Kind::kTcp, [](const RecordedRequest& request) {
    if (request.target == "/prefix/fleet/v1/machines") {
      return ScriptedResponse{.body = R"({"machines":[{"id":"m1","primaryIP":"10.0.0.1",)"
                                      R"("metadata":{"region":"eu"}}]})"};
    }
    if (request.target == "/prefix/fleet/v1/units/x%5Cx2d.mount") {
      return ScriptedResponse{.body = R"({"name":"x\\x2d.mount","currentState":"launched",)"
                                      R"("machineID":"m1","desiredState":"launched"})"};
    }
    return ScriptedResponse{.status = 404, .body = error_body(404, "unit does not exist")};
  });
  auto api = open_api(server.endpoint() + "/prefix/");
  auto machines = api->machines();
  ASSERT_TRUE(machines) << machines.error().message;
  EXPECT_EQ(*machines, (std::vector<schema::Machine>{{"m1", "10.0.0.1", {{"region", "eu"}}}}));

  auto unit = api->unit("x\\x2d.mount");
  ASSERT_TRUE(unit) << unit.error().message;
  ASSERT_TRUE(*unit);
  EXPECT_EQ((*unit)->current_state, "launched");
  EXPECT_EQ((*unit)->machine_id, "m1");

  auto missing = api->unit("nope.service");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(*missing);
}

TEST(HttpFleetApi, WritesArePutsAndDeletes) {
  ScriptedServer server(ScriptedServer::Kind::kUnix, [](const RecordedRequest& request) {
    if (request.method == "DELETE") {
      if (request.target == "/fleet/v1/units/gone.service") {
        return ScriptedResponse{.status = 404, .body = error_body(404, "unit does not exist")};
      }
      return ScriptedResponse{.status = 204};
    }
    if (request.body.find("options") != std::string::npos) return ScriptedResponse{.status = 201};
    return ScriptedResponse{.status = 204};
  });
  auto api = open_api(server.endpoint());
  const schema::Unit hello{.name = "hello.service",
                           .options = {{"Service", "ExecStart", "/bin/hello"}},
                           .desired_state = "loaded",
                           .current_state = "inactive",
                           .machine_id = "m1"};
  EXPECT_TRUE(api->create_unit(hello));
  EXPECT_TRUE(api->set_desired_state("hello.service", unit::DesiredState::kLaunched));
  EXPECT_TRUE(api->destroy_unit("hello.service"));
  auto gone = api->destroy_unit("gone.service");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(gone.error().message, "unit does not exist");

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/fleet/v1/units/hello.service");
  EXPECT_EQ(requests[0].content_type, "application/json");
  auto created = schema::decode_unit(requests[0].body);
  ASSERT_TRUE(created) << requests[0].body;
  EXPECT_EQ(*created, (schema::Unit{.name = "hello.service",
                                    .options = {{"Service", "ExecStart", "/bin/hello"}},
                                    .desired_state = "loaded"}))
      << "what the server derives is not sent: " << requests[0].body;
  EXPECT_EQ(requests[1].method + " " + requests[1].target, "PUT /fleet/v1/units/hello.service");
  EXPECT_EQ(requests[1].content_type, "application/json");
  auto desired = schema::decode_unit(requests[1].body);
  ASSERT_TRUE(desired) << requests[1].body;
  EXPECT_EQ(*desired, (schema::Unit{.name = "hello.service", .desired_state = "launched"}));
  EXPECT_EQ(requests[2].method + " " + requests[2].target, "DELETE /fleet/v1/units/hello.service");
  EXPECT_EQ(requests[2].body, "");
}

TEST(HttpFleetApi, ErrorsCarryTheServersCodeAndMessage) {
  ScriptedServer server(ScriptedServer::Kind::kUnix, [](const RecordedRequest& request) {
    if (request.target.starts_with("/fleet/v1/units/missing")) {
      return ScriptedResponse{
          .status = 409, .body = error_body(409, "unit does not exist and options field empty")};
    }
    if (request.target.starts_with("/fleet/v1/units/web@")) {
      return ScriptedResponse{.status = 400,
                              .body = error_body(400, "cannot activate template \"web@.service\"")};
    }
    if (request.target == "/fleet/v1/machines") {
      return ScriptedResponse{
          .status = 503, .body = error_body(503, "fleet server unable to communicate with etcd")};
    }
    return ScriptedResponse{.body = "not json"};
  });
  auto api = open_api(server.endpoint());
  const std::tuple<Status, ErrorCode, std::string> cases[] = {
      {api->set_desired_state("missing.service", unit::DesiredState::kLoaded),
       ErrorCode::kAlreadyExists, "unit does not exist and options field empty"},
      {api->set_desired_state("web@.service", unit::DesiredState::kLaunched),
       ErrorCode::kInvalidArgument, "cannot activate template \"web@.service\""},
  };
  for (const auto& [status, code, message] : cases) {
    ASSERT_FALSE(status) << message;
    EXPECT_EQ(status.error().code, code);
    EXPECT_EQ(status.error().message, message);
  }
  auto machines = api->machines();
  ASSERT_FALSE(machines);
  EXPECT_EQ(machines.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(machines.error().message, "fleet server unable to communicate with etcd");

  auto units = api->units();
  ASSERT_FALSE(units);
  EXPECT_EQ(units.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(units.error().message.starts_with("unreadable answer from the fleet API at " +
                                                server.endpoint() + " to GET /fleet/v1/units: "))
      << units.error().message;
}

TEST(HttpFleetApi, StopsWhenTheServerRepeatsAPageToken) {
  ScriptedServer server(ScriptedServer::Kind::kUnix, [](const RecordedRequest&) {
    return ScriptedResponse{.body = R"({"machines":[{"id":"m1"}],"nextPageToken":"same"})"};
  });
  auto machines = open_api(server.endpoint())->machines();
  ASSERT_FALSE(machines);
  EXPECT_EQ(machines.error().message, "the fleet API at " + server.endpoint() +
                                          " returned page token same twice for /fleet/v1/machines");
}

TEST(HttpFleetApi, AnUnreachableEndpointSaysWhereAndWhatToCheck) {
  fleet::testing::TempDir dir("http-api-test");
  const std::string endpoint = "unix://" + (dir.path() / "fleet.sock").string();
  auto machines = open_api(endpoint)->machines();
  ASSERT_FALSE(machines);
  EXPECT_EQ(machines.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(machines.error().message,
            "cannot connect to the fleet API at " + endpoint +
                " (No such file or directory): check that fleetd is running and serves its API "
                "there, or --endpoint");
}

TEST(HttpFleetApi, ARequestEndsAtItsTimeout) {
  ScriptedServer server(ScriptedServer::Kind::kUnix,
                        [](const RecordedRequest&) { return ScriptedResponse{.silent = true}; });
  auto api = open_api(server.endpoint(), {.request_timeout = 200ms});
  const auto start = std::chrono::steady_clock::now();
  auto units = api->units();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(units);
  EXPECT_EQ(units.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(units.error().message,
            "the fleet API at " + server.endpoint() +
                " did not answer within 0.2s: check that fleetd is healthy, or allow more time "
                "with --request-timeout");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
}

TEST(HttpFleetApi, KeepsTheConnectionAndReconnectsWhenTheServerDroppedIt) {
  bool drop = false;
  ScriptedServer server(ScriptedServer::Kind::kUnix, [&drop](const RecordedRequest&) {
    return ScriptedResponse{.body = "{}", .close_after = drop};
  });
  auto api = open_api(server.endpoint());
  ASSERT_TRUE(api->machines());
  ASSERT_TRUE(api->machines());
  EXPECT_EQ(server.connections(), 1);

  drop = true;
  ASSERT_TRUE(api->machines());
  auto after_drop = api->machines();
  ASSERT_TRUE(after_drop) << after_drop.error().message;
  // The third answer came on the first connection, which the server then closed; the fourth
  // request found it closed and went out again on a second one.
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests().size(), 4u) << "the server saw each request once";
}

class HttpFleetApiTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fleet::testing::TempDir("http-api-tls");
    pki_ = fleet::testing::make_test_pki(dir_->path());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static ScriptedServer::Handler empty_pages() {
    return [](const RecordedRequest&) { return ScriptedResponse{.body = "{}"}; };
  }

  static Status list(const std::string& endpoint, const TlsSettings& tls) {
    auto api = open_api(endpoint, {.tls = tls});
    auto machines = api->machines();
    if (!machines) return fail(machines.error());
    return {};
  }

  static inline fleet::testing::TempDir* dir_ = nullptr;
  static inline fleet::testing::TlsFiles pki_;
};

TEST_F(HttpFleetApiTls, VerifiesTheServerAgainstTheCaFile) {
  ScriptedServer server(ScriptedServer::Kind::kTls, empty_pages(), pki_);
  EXPECT_TRUE(list(server.endpoint(), {.ca_file = pki_.ca_file}));
  EXPECT_TRUE(list("https://localhost:" + std::to_string(server.port()), {.ca_file = pki_.ca_file}))
      << "the certificate names localhost too";
}

TEST_F(HttpFleetApiTls, RefusesAServerItCannotVerify) {
  ScriptedServer server(ScriptedServer::Kind::kTls, empty_pages(), pki_);
  auto system_store = list(server.endpoint(), {});
  ASSERT_FALSE(system_store) << "the test CA is in no system store";
  EXPECT_EQ(system_store.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(system_store.error().message.starts_with("TLS handshake with the fleet API at " +
                                                       server.endpoint() +
                                                       " failed (certificate verify failed: "))
      << system_store.error().message;
  EXPECT_TRUE(system_store.error().message.ends_with(
      "): check --ca-file, --cert-file and --key-file, or the endpoint's certificate "
      "(--insecure-skip-verify skips verifying it)"))
      << system_store.error().message;

  EXPECT_TRUE(list(server.endpoint(), {.insecure_skip_verify = true})) << "the explicit way out";
}

TEST_F(HttpFleetApiTls, RefusesACertificateForAnotherAddress) {
  // The certificate is for 127.0.0.1 and localhost; 127.0.0.2 is loopback too.
  ScriptedServer server(ScriptedServer::Kind::kTls, empty_pages(), pki_, "127.0.0.2");
  auto mismatch = list(server.endpoint(), {.ca_file = pki_.ca_file});
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("certificate verify failed: IP address mismatch"),
            std::string::npos)
      << mismatch.error().message;
}

TEST_F(HttpFleetApiTls, PresentsTheClientCertificate) {
  ScriptedServer server(ScriptedServer::Kind::kTls, empty_pages(), pki_, "127.0.0.1",
                        /*require_client_cert=*/true);
  EXPECT_TRUE(list(server.endpoint(), {.ca_file = pki_.ca_file,
                                       .cert_file = pki_.client_cert_file,
                                       .key_file = pki_.client_key_file}));
  auto without = list(server.endpoint(), {.ca_file = pki_.ca_file});
  ASSERT_FALSE(without) << "the server asks for a client certificate";
  EXPECT_EQ(without.error().code, ErrorCode::kUnavailable);
}

TEST_F(HttpFleetApiTls, UnusableTlsFilesFailAtOpen) {
  const std::pair<TlsSettings, std::string> cases[] = {
      {{.ca_file = "/nonexistent/ca.pem"}, "cannot use TLS file \"/nonexistent/ca.pem\": "},
      {{.cert_file = pki_.client_cert_file},
       "a TLS client certificate needs both its certificate and its key file (got certificate "
       "file \"" +
           pki_.client_cert_file + "\")"},
      {{.cert_file = pki_.client_cert_file, .key_file = pki_.ca_file},
       "cannot use TLS file \"" + pki_.ca_file + "\": "},
  };
  for (const auto& [tls, message] : cases) {
    auto api = HttpFleetApi::open({.endpoint = "https://127.0.0.1:1", .tls = tls});
    ASSERT_FALSE(api) << message;
    EXPECT_EQ(api.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(api.error().message.starts_with(message)) << api.error().message;
  }
  EXPECT_TRUE(HttpFleetApi::open(
      {.endpoint = "http://127.0.0.1:1", .tls = {.ca_file = "/nonexistent/ca.pem"}}))
      << "TLS files matter to https endpoints only";
}

TEST(HttpFleetApi, StatusAndJournalUseTheExtensionAPI) {
  ScriptedServer server(ScriptedServer::Kind::kUnix, [](const RecordedRequest& request) {
    if (request.target.ends_with("/status")) return ScriptedResponse{.body = "Active: active\n"};
    if (request.target.find("/journal?lines=5") != std::string::npos) {
      return ScriptedResponse{.body = "line 1\nline 2\n"};
    }
    return ScriptedResponse{.status = 404,
                            .body = error_body(404, "Unit x.service does not exist.")};
  });
  auto api = open_api(server.endpoint());
  auto status = api->unit_status("a.service");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->output, "Active: active\n");
  EXPECT_EQ(status->exit_status, 0);

  std::string journal;
  auto read = api->unit_journal("a@b.service", {.lines = 5, .follow = true, .output = "cat"},
                                [&](std::string_view piece) {
                                  journal.append(piece);
                                  return true;
                                });
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(journal, "line 1\nline 2\n");

  auto missing = api->unit_journal("x.service", {}, [](std::string_view) { return true; });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "Unit x.service does not exist.");

  EXPECT_EQ(targets(server),
            (std::vector<std::string>{
                "GET /fleet/x1/units/a.service/status",
                "GET /fleet/x1/units/a@b.service/journal?lines=5&follow=true&output=cat",
                "GET /fleet/x1/units/x.service/journal?lines=10&follow=false&output=short"}));
}

}  // namespace
}  // namespace fleet::client
