// The API as a client sees it: the real HTTP server on a unix socket, over RegistryBackend on a
// real etcd (spec §2), with a simulated machine where a machine is needed. One etcd per suite;
// every test has its own key prefix and socket.
#include <chrono>
#include <iostream>
#include <map>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "fleet/api/testing/api_server_test_base.h"

#include "fixtures/eventually.h"

namespace fleet::api {
namespace {

namespace asio = boost::asio;
using fleet::testing::eventually;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

using testing::Connection;
using testing::kUnitJson;
using testing::UnixConnection;

using ConformanceTest = testing::ApiServerTestBase;

TEST_F(ConformanceTest, UnitLifecycleReadsItsOwnWrites) {
  auto created = put("web.service", kUnitJson);
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body, "");

  auto fetched = call("GET", "/fleet/v1/units/web.service");
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.header("Content-Type"), "application/json");
  EXPECT_EQ(schema::decode_unit(fetched.body).value(),
            (schema::Unit{.name = "web.service",
                          .options = {{"Service", "ExecStart", "/bin/web"}},
                          .desired_state = "inactive",
                          .current_state = "inactive"}));

  EXPECT_EQ(put("web.service", R"({"desiredState":"launched"})").status, 204);
  EXPECT_EQ(schema::decode_unit(call("GET", "/fleet/v1/units/web.service").body)->desired_state,
            "launched")
      << "a GET right after the PUT sees it";
  EXPECT_EQ(put("web.service", kUnitJson).message(),
            "must provide DesiredState to update existing unit");
  EXPECT_EQ(put("web.service", kUnitJson).status, 409);

  auto replaced = put("web.service", R"({"options":[{"section":"Service","name":"ExecStart",)"
                                     R"("value":"/bin/web --v2"}]})");
  EXPECT_EQ(replaced.status, 201) << "new options replace the unit";
  auto after = schema::decode_unit(call("GET", "/fleet/v1/units/web.service").body).value();
  EXPECT_EQ(after.options[0].value, "/bin/web --v2");
  EXPECT_EQ(after.desired_state, "inactive");

  EXPECT_EQ(call("DELETE", "/fleet/v1/units/web.service").status, 204);
  EXPECT_EQ(call("GET", "/fleet/v1/units/web.service").status, 404) << "gone at once";
  auto again = call("DELETE", "/fleet/v1/units/web.service");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(again.message(), "unit does not exist");
}

TEST_F(ConformanceTest, EveryWriteIsVisibleToTheNextRead) {
  for (int i = 0; i < 20; ++i) {
    const std::string name = "rw" + std::to_string(i) + ".service";
    ASSERT_EQ(put(name, kUnitJson).status, 201);
    ASSERT_EQ(call("GET", "/fleet/v1/units/" + name).status, 200) << name;
    ASSERT_EQ(put(name, R"({"desiredState":"loaded"})").status, 204);
    ASSERT_EQ(schema::decode_unit(call("GET", "/fleet/v1/units/" + name).body)->desired_state,
              "loaded");
    ASSERT_EQ(call("DELETE", "/fleet/v1/units/" + name).status, 204);
    ASSERT_EQ(call("GET", "/fleet/v1/units/" + name).status, 404) << name;
  }
  EXPECT_EQ(call("GET", "/fleet/v1/units").body, "{}");
}

TEST_F(ConformanceTest, PutRefusesWhatSpecAndDecisionsRefuse) {
  struct Case {
    std::string name;
    std::string body;
    int status;
    std::string message;
  };
  ASSERT_EQ(put("exists.service", kUnitJson).status, 201);
  ASSERT_EQ(put("tmpl@.service", kUnitJson).status, 201);
  for (
      const auto& [name, body, status, message] : std::vector<Case>{
          {"new.service", "{}", 409, "unit does not exist and options field empty"},
          {"web", kUnitJson, 400, "unit name must contain \".\""},
          {"web.bogus", kUnitJson, 400, "invalid unit type: \"bogus\""},
          {"we$b.service", kUnitJson, 400, "invalid character '$' in unit name"},
          {"new.service", R"({"name":"other.service"})", 400,
           "name in URL \"new.service\" differs from unit name in request body \"other.service\""},
          {"new.service", "{", 400, ""},
          {"pinned.service",
           R"({"options":[{"section":"X-Fleet","name":"MachineID","value":"m1"},)"
           R"({"section":"X-Fleet","name":"Global","value":"true"}]})",
           400, "MachineID cannot be used with Global"},
          // decisions.md fix 5: a bad desired state is a 400 on the create path...
          {"new.service",
           R"({"desiredState":"running","options":[{"section":"Service","name":"A","value":"b"}]})",
           400, "invalid desiredState \"running\": expected inactive, loaded or launched"},
          // ... and on the update path.
          {"exists.service", R"({"desiredState":"running"})", 400,
           "invalid desiredState \"running\": expected inactive, loaded or launched"},
          // ... and replacing validates the options.
          {"exists.service",
           R"({"options":[{"section":"X-Fleet","name":"MachineID","value":"m1"},)"
           R"({"section":"X-Fleet","name":"Conflicts","value":"x*"}]})",
           400, "MachineID cannot be used with Conflicts"},
          {"tmpl@.service", R"({"desiredState":"launched"})", 400,
           "cannot activate template \"tmpl@.service\""}}) {
    auto reply = put(name, body);
    EXPECT_EQ(reply.status, status) << name << " " << body << ": " << reply.body;
    if (!message.empty()) {
      EXPECT_EQ(reply.message(), message) << name << " " << body;
    }
  }
  EXPECT_THAT(put("new.service", "{").message(), HasSubstr("unable to decode body: "));

  auto text =
      call("PUT", "/fleet/v1/units/new.service", kUnitJson, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(text.message(), "only acceptable Content-Type is application/json");
  EXPECT_EQ(call("PUT", "/fleet/v1/units/new.service", kUnitJson).status, 415);
  EXPECT_EQ(unit_names(), (std::vector<std::string>{"exists.service", "tmpl@.service"}))
      << "nothing refused was stored";
}

TEST_F(ConformanceTest, ListsPageAtTheTokenLimit) {
  attach(2);
  for (auto name : {"e.service", "b.service", "d.service", "a.service", "c.service"}) {
    ASSERT_EQ(put(name, kUnitJson).status, 201);
  }
  auto first = schema::decode_unit_page(call("GET", "/fleet/v1/units").body).value();
  EXPECT_EQ(first.units.size(), 2u);
  EXPECT_EQ(first.next_page_token, "AgACAA==");
  EXPECT_EQ(unit_names(), (std::vector<std::string>{"a.service", "b.service", "c.service",
                                                    "d.service", "e.service"}));

  auto limit = call("GET", "/fleet/v1/units?nextPageToken=ZAACAA==");
  EXPECT_EQ(limit.status, 400);
  EXPECT_EQ(limit.message(), "token limit must be 2");
  EXPECT_EQ(call("GET", "/fleet/v1/units?nextPageToken=EwBMLg==").message(),
            "token limit must be 2");
  EXPECT_EQ(call("GET", "/fleet/v1/units?nextPageToken=AgAAAA==").message(),
            "token page must be greater than zero");
  EXPECT_EQ(call("GET", "/fleet/v1/units?nextPageToken=AgACAA==&nextPageToken=AgADAA==").message(),
            "too many values for page token");
  EXPECT_EQ(call("GET", "/fleet/v1/units?nextPageToken=AgAEAA==").body, "{}") << "past the end";

  ASSERT_EQ(call("DELETE", "/fleet/v1/units/e.service").status, 204);
  auto full_last =
      schema::decode_unit_page(call("GET", "/fleet/v1/units?nextPageToken=AgACAA==").body);
  EXPECT_EQ(full_last->next_page_token, "AgADAA==") << "an exactly full last page has a token";
}

TEST_F(ConformanceTest, ListsPageWithTheDefaultLimitToo) {
  std::vector<registry::NewUnit> units;
  for (int i = 0; i < 250; ++i) {
    units.push_back({"u" + std::to_string(1000 + i) + ".service",
                     unit::UnitFile::parse("[Service]\nExecStart=/bin/true\n").value(),
                     unit::DesiredState::kInactive});
  }
  for (const auto& created : registry_->create_units(units)) ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(eventually([&] { return unit_names().size() == 250; }, 10s));
  auto second =
      schema::decode_unit_page(call("GET", "/fleet/v1/units?nextPageToken=ZAACAA==").body);
  EXPECT_EQ(second->units.front().name, "u1100.service");
  EXPECT_EQ(second->next_page_token, "ZAADAA==");
}

TEST_F(ConformanceTest, CurrentStateFollowsTheTargetMachinesReport) {
  register_machine("m1");
  ASSERT_EQ(put("web.service", R"({"desiredState":"launched",)" + kUnitJson.substr(1)).status, 201);
  auto record = registry_->unit("web.service").value().value();
  ASSERT_TRUE(registry_->write_schedule({{"web.service", "", "m1", {record.hash, record.desired}}},
                                        etcd::Compare::absent(key("no-such-key"))));
  report("web.service", "m1", /*launched=*/true);
  auto launched = [&] {
    auto unit = schema::decode_unit(call("GET", "/fleet/v1/units/web.service").body);
    return unit && unit->machine_id == "m1" && unit->current_state == "launched";
  };
  EXPECT_TRUE(eventually(launched, 10s)) << call("GET", "/fleet/v1/units/web.service").body;
  auto listed = schema::decode_unit_page(call("GET", "/fleet/v1/units").body)->units.at(0);
  EXPECT_EQ(listed.machine_id, "m1");
  EXPECT_EQ(listed.current_state, "launched");

  ASSERT_EQ(put("log.service", R"({"desiredState":"launched","options":[{"section":"X-Fleet",)"
                               R"("name":"Global","value":"true"}]})")
                .status,
            201);
  auto global = schema::decode_unit(call("GET", "/fleet/v1/units/log.service").body).value();
  EXPECT_EQ(global.current_state, "");
  EXPECT_EQ(global.machine_id, "");
  auto page = schema::decode_unit_page(call("GET", "/fleet/v1/units").body).value();
  EXPECT_EQ(page.units.at(0).name, "log.service");
  EXPECT_EQ(page.units.at(0).current_state, "inactive") << "global, listed";
}

TEST_F(ConformanceTest, StatesSortFilterPageAndGetOne) {
  attach(2);
  for (auto name : {"x.path", "x.path.path"}) ASSERT_EQ(put(name, kUnitJson).status, 201);
  report("x.path.path", "m1", false);
  report("x.path", "m2", true);
  report("x.path", "m1", false);
  auto all_states = [&](const std::string& query) {
    std::vector<std::string> seen;
    std::string target = "/fleet/v1/state" + query;
    while (true) {
      auto page = schema::decode_unit_state_page(call("GET", target).body).value();
      for (const auto& state : page.states) seen.push_back(state.name + "@" + state.machine_id);
      if (page.next_page_token.empty()) return seen;
      target = "/fleet/v1/state" + query + (query.empty() ? "?" : "&") +
               "nextPageToken=" + page.next_page_token;
    }
  };
  EXPECT_TRUE(eventually([&] { return all_states("").size() == 3; }, 10s));
  EXPECT_EQ(all_states(""), (std::vector<std::string>{"x.path@m1", "x.path@m2", "x.path.path@m1"}));
  EXPECT_EQ(all_states("?machineID=m1"), (std::vector<std::string>{"x.path@m1", "x.path.path@m1"}));
  EXPECT_EQ(all_states("?unitName=x.path"), (std::vector<std::string>{"x.path@m1", "x.path@m2"}));
  EXPECT_EQ(all_states("?unitName=x.path&machineID=m2"), (std::vector<std::string>{"x.path@m2"}));

  auto one = schema::decode_unit_state(call("GET", "/fleet/v1/state/x.path").body).value();
  EXPECT_EQ(one.machine_id, "m1");
  EXPECT_EQ(one.systemd_load_state, "loaded");
  EXPECT_EQ(one.hash, registry_->unit("x.path").value()->hash.hex());
  auto missing = call("GET", "/fleet/v1/state/none.service");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.message(), "unit state does not exist");
  EXPECT_EQ(call("POST", "/fleet/v1/state").status, 405);
}

TEST_F(ConformanceTest, MachinesShowMetadataThatPatchChanges) {
  register_machine("m2", {{"region", "eu"}, {"disk", "hdd"}});
  register_machine("m1");
  auto machines = [&] {
    return schema::decode_machine_page(call("GET", "/fleet/v1/machines").body).value().machines;
  };
  EXPECT_TRUE(eventually([&] { return machines().size() == 2; }, 10s));
  EXPECT_EQ(machines(),
            (std::vector<schema::Machine>{
                {"m1", "10.0.0.1", {}}, {"m2", "10.0.0.2", {{"disk", "hdd"}, {"region", "eu"}}}}));

  auto patched = call("PATCH", "/fleet/v1/machines",
                      R"([{"op":"add","path":"/m2/metadata/rack","value":{"value":"7"}},)"
                      R"({"op":"replace","path":"/m2/metadata/disk","value":{"value":"ssd"}},)"
                      R"({"op":"remove","path":"/m2/metadata/region"}])");
  EXPECT_EQ(patched.status, 204) << patched.body;
  EXPECT_EQ(machines()[1].metadata,
            (std::map<std::string, std::string>{{"disk", "ssd"}, {"rack", "7"}}))
      << "a GET right after the PATCH sees it";

  EXPECT_EQ(call("PATCH", "/fleet/v1/machines", R"([{"op":"add","path":"/m1/x"}])").message(),
            "machine metadata path invalid");
  EXPECT_EQ(call("PUT", "/fleet/v1/machines").message(),
            "only GET and PATCH supported against this resource");
  EXPECT_EQ(call("GET", "/fleet/v1/machines/m1").status, 404);
}

TEST_F(ConformanceTest, EveryResponseCarriesTheServerHeaderUnderBothPrefixes) {
  for (const auto& [method, target, status] :
       std::vector<std::tuple<std::string, std::string, int>>{{"GET", "/fleet/v1/units", 200},
                                                              {"GET", "/v1-alpha/units", 200},
                                                              {"GET", "/v1-alpha/machines", 200},
                                                              {"GET", "/v1-alpha/state", 200},
                                                              {"GET", "/fleet/v1/discovery", 200},
                                                              {"GET", "/v1-alpha/discovery", 200},
                                                              {"POST", "/fleet/v1/discovery", 405},
                                                              {"GET", "/", 200},  // dashboard
                                                              {"GET", "/fleet/v1", 405},
                                                              {"GET", "/nowhere", 404},
                                                              {"HEAD", "/fleet/v1/units", 405}}) {
    auto reply = call(method, target);
    EXPECT_EQ(reply.status, status) << method << " " << target;
    EXPECT_EQ(reply.header("Server"), "fleetd/9.8.7") << method << " " << target;
  }
  auto discovery = call("GET", "/fleet/v1/discovery");
  auto document = nlohmann::json::parse(discovery.body);
  EXPECT_EQ(document["id"], "fleet:v1");
  EXPECT_EQ(document["rootUrl"], "http://fleet/") << "the Host the client sent";
}

TEST_F(ConformanceTest, Answers503UntilTheMachineIsRegistered) {
  registered_ = false;
  // Not `/`: the dashboard loads and shows this 503 itself (dashboard_test.cc).
  for (std::string target : {"/fleet/v1/units", "/fleet/v1/discovery", "/nowhere"}) {
    auto reply = call("GET", target);
    EXPECT_EQ(reply.status, 503) << target;
    EXPECT_EQ(reply.message(), "fleet server unable to communicate with etcd");
    EXPECT_EQ(reply.header("Server"), "fleetd/9.8.7");
  }
  registered_ = true;
  EXPECT_EQ(call("GET", "/fleet/v1/units").status, 200);

  attached_ = {};  // what a reload does before the next configuration attaches
  EXPECT_EQ(call("GET", "/fleet/v1/units").status, 503);
  attach(100);
  EXPECT_EQ(call("GET", "/fleet/v1/units").status, 200) << "the same listener serves again";
}

TEST_F(ConformanceTest, RefusesABodyOverTheLimit) {
  start_server(100, {}, /*body_limit=*/4096);
  auto big = put("big.service", R"({"options":[{"section":"Service","name":"X","value":")" +
                                    std::string(5000, 'x') + R"("}]})");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.header("Content-Type"), "application/json");
  EXPECT_EQ(big.message(), "request body exceeds the limit of 4096 bytes");
  EXPECT_EQ(big.header("Server"), "fleetd/9.8.7");
  EXPECT_EQ(put("small.service", kUnitJson).status, 201);
}

TEST_F(ConformanceTest, KeepsAConnectionAliveAcrossRequests) {
  UnixConnection connection{asio::local::stream_protocol::endpoint(socket_path_)};
  EXPECT_EQ(connection
                .call("PUT", "/fleet/v1/units/a.service", kUnitJson,
                      {{"Content-Type", "application/json"}})
                .status,
            201);
  EXPECT_EQ(connection.call("GET", "/fleet/v1/units/a.service").status, 200);
  EXPECT_EQ(connection.call("GET", "/fleet/v1/nowhere").status, 404);
  auto head = connection.call("HEAD", "/fleet/v1/units/a.service");
  EXPECT_EQ(head.status, 405);
  EXPECT_NE(head.header("Content-Length"), "0") << "the length of the body it leaves out";
  EXPECT_EQ(connection.call("DELETE", "/fleet/v1/units/a.service").status, 204)
      << "no body of the HEAD's answer left on the connection";
}

TEST_F(ConformanceTest, ServesTcpAddressesBesidesTheSocket) {
  start_server(100, {{"127.0.0.1", 0}});
  ASSERT_EQ(server_->addresses().size(), 2u);
  const std::string& tcp = server_->addresses()[1];
  const auto port = static_cast<uint16_t>(std::stoi(tcp.substr(tcp.rfind(':') + 1)));
  Connection<asio::ip::tcp> connection(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  auto reply = connection.call("GET", "/fleet/v1/units");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Server"), "fleetd/9.8.7");
}

TEST_F(ConformanceTest, RemovesItsSocketWhenItStops) {
  ASSERT_EQ(access(socket_path_.c_str(), F_OK), 0);
  attached_ = {};
  server_.reset();
  EXPECT_EQ(access(socket_path_.c_str(), F_OK), -1);
}

// Server side: the router and backend alone, as the HTTP server calls them, on 10,000 units.
TEST_F(ConformanceTest, ListingTenThousandUnitsTakesMilliseconds) {
  constexpr int kUnits = 10'000;
  register_machine("m1");
  std::vector<registry::NewUnit> units;
  for (int i = 0; i < kUnits; ++i) {
    units.push_back({"unit" + std::to_string(100000 + i) + ".service",
                     unit::UnitFile::parse("[Unit]\nDescription=unit " + std::to_string(i) +
                                           "\n\n[Service]\nExecStart=/bin/sleep 1000\n")
                         .value(),
                     unit::DesiredState::kLaunched});
  }
  for (const auto& created : registry_->create_units(units)) ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(eventually([&] { return backend_->units({0, 0})->total == kUnits; }, 60s));

  auto time_ms = [](auto&& work) {
    auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  const HttpRequest first{.method = "GET", .target = "/fleet/v1/units"};
  Router paged(*backend_, {.token_limit = 100});
  double one_page = time_ms([&] { EXPECT_EQ(paged.handle(first).status, 200); });
  // What a client paging through all of them costs the server: the handler calls alone.
  size_t listed = 0;
  double all_pages = 0;
  std::string target = "/fleet/v1/units";
  while (true) {
    HttpResponse response;
    all_pages += time_ms([&] { response = paged.handle({.method = "GET", .target = target}); });
    auto page = schema::decode_unit_page(response.body).value();
    listed += page.units.size();
    if (page.next_page_token.empty()) break;
    target = "/fleet/v1/units?nextPageToken=" + page.next_page_token;
  }
  Router whole(*backend_, {.token_limit = kUnits});
  size_t bytes = 0;
  double one_big_page = time_ms([&] { bytes = whole.handle(first).body.size(); });
  EXPECT_EQ(listed, static_cast<size_t>(kUnits));

  std::cout << "GET /units, " << kUnits << " units, server side: one page of 100 " << one_page
            << " ms; all 100 pages " << all_pages << " ms; one page of all " << one_big_page
            << " ms (" << bytes << " bytes)\n";
  RecordProperty("one_page_ms", std::to_string(one_page));
  RecordProperty("all_pages_ms", std::to_string(all_pages));
  RecordProperty("one_big_page_ms", std::to_string(one_big_page));
  // Loose bounds, for a loaded test machine: they catch a read that goes to etcd or scans
  // everything per page, not jitter.
  EXPECT_LT(one_page, 50);
  EXPECT_LT(one_big_page, 500);
}

}  // namespace
}  // namespace fleet::api
