// Spec §2.5-2.6 row by row, against the router alone: a fake backend stands in for etcd, so what
// is tested here is the HTTP face (paths, methods, statuses, messages, pagination). The PUT
// algorithm's registry side is registry_service_test.cc's, and conformance_test.cc runs both
// together over a socket.
#include "fleet/api/router.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fleet/schema/json.h"

namespace fleet::api {
namespace {

using Json = nlohmann::json;

// Answers from plain lists, and remembers what it was asked to change.
class FakeBackend : public Backend {
 public:
  Result<Listing<schema::Unit>> units(Slice slice) override {
    if (failure) return fail(*failure);
    return cut(units_, slice);
  }
  Result<std::optional<schema::Unit>> unit(std::string_view name) override {
    if (failure) return fail(*failure);
    asked_for = std::string(name);
    for (const auto& unit : units_) {
      if (unit.name == name) return std::optional<schema::Unit>(unit);
    }
    return std::optional<schema::Unit>();
  }
  Result<PutOutcome> put_unit(const schema::Unit& unit) override {
    put = unit;
    return put_result;
  }
  Status destroy_unit(std::string_view name) override {
    if (failure) return fail(*failure);
    auto it = std::find_if(units_.begin(), units_.end(), [&](auto& u) { return u.name == name; });
    if (it == units_.end()) return fail(ErrorCode::kNotFound, "unit does not exist");
    units_.erase(it);
    return {};
  }
  Result<Listing<schema::UnitState>> unit_states(const client::UnitStateFilter& filter,
                                                 Slice slice) override {
    if (failure) return fail(*failure);
    state_filter = filter;
    std::vector<schema::UnitState> matching;
    for (const auto& state : states_) {
      if ((filter.unit_name.empty() || state.name == filter.unit_name) &&
          (filter.machine_id.empty() || state.machine_id == filter.machine_id)) {
        matching.push_back(state);
      }
    }
    return cut(matching, slice);
  }
  Result<std::optional<schema::UnitState>> unit_state(std::string_view name) override {
    if (failure) return fail(*failure);
    for (const auto& state : states_) {
      if (state.name == name) return std::optional<schema::UnitState>(state);
    }
    return std::optional<schema::UnitState>();
  }
  Result<Listing<schema::Machine>> machines(Slice slice) override {
    if (failure) return fail(*failure);
    return cut(machines_, slice);
  }
  Status set_machine_metadata(std::string_view machine, std::string_view key,
                              std::string_view value) override {
    if (metadata_failure) return fail(*metadata_failure);
    metadata_set.push_back(std::string(machine) + "/" + std::string(key) + "=" +
                           std::string(value));
    return {};
  }

  template <class T>
  static Listing<T> cut(const std::vector<T>& all, Slice slice) {
    Listing<T> listing{.items = {}, .total = all.size()};
    for (size_t i = slice.offset; i < all.size() && listing.items.size() < slice.limit; ++i) {
      listing.items.push_back(all[i]);
    }
    return listing;
  }

  std::vector<schema::Unit> units_ = {{.name = "a.service",
                                       .options = {{"Service", "ExecStart", "/bin/a"}},
                                       .desired_state = "launched",
                                       .current_state = "launched",
                                       .machine_id = "m1"},
                                      {.name = "b.service",
                                       .options = {{"Service", "ExecStart", "/bin/b"}},
                                       .desired_state = "inactive",
                                       .current_state = "inactive"}};
  std::vector<schema::UnitState> states_ = {
      {"a.service", std::string(40, 'a'), "m1", "loaded", "active", "running"},
      {"a.service", std::string(40, 'a'), "m2", "loaded", "failed", "failed"},
      {"b.service", std::string(40, 'b'), "m2", "loaded", "inactive", "dead"}};
  std::vector<schema::Machine> machines_ = {{"m1", "10.0.0.1", {{"region", "eu"}}},
                                            {"m2", "10.0.0.2", {}}};

  std::optional<Error> failure;           // every read and delete fails with it
  std::optional<Error> metadata_failure;  // set_machine_metadata fails with it
  Result<PutOutcome> put_result = PutOutcome::kCreated;
  std::optional<schema::Unit> put;
  std::string asked_for;
  client::UnitStateFilter state_filter;
  std::vector<std::string> metadata_set;
};

HttpRequest request(std::string method, std::string target, std::string body = "",
                    HttpHeaders headers = {}) {
  return {std::move(method), std::move(target), std::move(headers), std::move(body)};
}

HttpRequest put_json(std::string target, std::string body) {
  return request("PUT", std::move(target), std::move(body), {{"Content-Type", "application/json"}});
}

// The message of fleet's error body, checking its shape on the way.
std::string error_message(const HttpResponse& response) {
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  auto body = schema::decode_error_body(response.body);
  EXPECT_TRUE(body.has_value()) << response.body;
  if (!body) return "<not an error body>";
  EXPECT_EQ(body->code, response.status);
  return body->message;
}

class RouterTest : public ::testing::Test {
 protected:
  HttpResponse handle(const HttpRequest& request) { return router_.handle(request); }

  FakeBackend backend_;
  Router router_{backend_, {.token_limit = 100}};
};

struct ErrorRow {
  std::string label;
  HttpRequest request;
  int status;
  std::string message;
};

class RouterErrorTest : public RouterTest, public ::testing::WithParamInterface<ErrorRow> {};

TEST_P(RouterErrorTest, AnswersWithFleetsStatusAndMessage) {
  auto response = handle(GetParam().request);
  EXPECT_EQ(response.status, GetParam().status) << response.body;
  EXPECT_EQ(error_message(response), GetParam().message);
}

const std::string kItemMethods = "only GET, PUT and DELETE supported against this resource";
const std::string kGetOnly = "only GET supported against this resource";

INSTANTIATE_TEST_SUITE_P(
    Spec, RouterErrorTest,
    ::testing::Values(
        // §2.1: paths
        ErrorRow{"root", request("GET", "/"), 405, ""},
        ErrorRow{"bare_prefix", request("GET", "/fleet/v1"), 405, ""},
        ErrorRow{"bare_legacy_prefix", request("POST", "/v1-alpha"), 405, ""},
        ErrorRow{"prefix_slash", request("GET", "/fleet/v1/"), 404, ""},
        ErrorRow{"unknown_resource", request("GET", "/fleet/v1/jobs"), 404, ""},
        ErrorRow{"outside_the_api", request("GET", "/fleet/v2/units"), 404, ""},
        ErrorRow{"prefix_lookalike", request("GET", "/fleet/v1units"), 404, ""},
        // Still 404s, as in fleet, but saying why.
        ErrorRow{"units_trailing_slash", request("GET", "/fleet/v1/units/"), 404,
                 "unit name cannot be empty"},
        ErrorRow{"units_nested", request("GET", "/fleet/v1/units/a.service/x"), 404,
                 "unit name cannot contain \"/\""},
        ErrorRow{"escaped_slash_is_nested", request("GET", "/fleet/v1/units/a%2Fb.service"), 404,
                 "unit name cannot contain \"/\""},
        ErrorRow{"dot_segments_are_nested", request("PUT", "/fleet/v1/units/../x.service"), 404,
                 "unit name cannot contain \"/\""},
        ErrorRow{"machine_item", request("GET", "/fleet/v1/machines/m1"), 404, ""},
        ErrorRow{"machines_trailing_slash", request("GET", "/fleet/v1/machines/"), 404, ""},
        ErrorRow{"state_nested", request("GET", "/fleet/v1/state/a.service/m1"), 404,
                 "unit name cannot contain \"/\""},
        ErrorRow{"discovery_slash", request("GET", "/fleet/v1/discovery/"), 404, ""},
        ErrorRow{"bad_escape", request("GET", "/fleet/v1/units/%zz"), 400,
                 "invalid URL escape \"%zz\""},
        // §2.5 discovery, decisions.md fix 5
        ErrorRow{"discovery_post", request("POST", "/fleet/v1/discovery"), 405,
                 "only HTTP GET supported against this resource"},
        // §2.5 units
        ErrorRow{"units_post", request("POST", "/fleet/v1/units"), 405, kGetOnly},
        ErrorRow{"units_delete", request("DELETE", "/v1-alpha/units"), 405, kGetOnly},
        ErrorRow{"unit_missing", request("GET", "/fleet/v1/units/none.service"), 404,
                 "unit does not exist"},
        ErrorRow{"unit_patch", request("PATCH", "/fleet/v1/units/a.service"), 405, kItemMethods},
        ErrorRow{"unit_head", request("HEAD", "/fleet/v1/units/a.service"), 405, kItemMethods},
        ErrorRow{"unit_delete_missing", request("DELETE", "/fleet/v1/units/none.service"), 404,
                 "unit does not exist"},
        // §2.5 PUT steps 1-2, §2.3
        ErrorRow{"put_without_content_type", request("PUT", "/fleet/v1/units/a.service", "{}"), 415,
                 "expected 1 Content-Type, got 0"},
        ErrorRow{
            "put_two_content_types",
            request("PUT", "/fleet/v1/units/a.service", "{}",
                    {{"Content-Type", "application/json"}, {"content-type", "application/json"}}),
            415, "expected 1 Content-Type, got 2"},
        ErrorRow{
            "put_text",
            request("PUT", "/fleet/v1/units/a.service", "{}", {{"Content-Type", "text/plain"}}),
            415, "only acceptable Content-Type is application/json"},
        ErrorRow{"put_json_lookalike",
                 request("PUT", "/fleet/v1/units/a.service", "{}",
                         {{"Content-Type", "application/jsonp"}}),
                 415, "only acceptable Content-Type is application/json"},
        ErrorRow{"put_empty_body", put_json("/fleet/v1/units/a.service", ""), 400,
                 "unable to decode body: EOF"},
        ErrorRow{"put_wrong_type", put_json("/fleet/v1/units/a.service", R"({"name":5})"), 400,
                 "unable to decode body: \"name\" must be a string"},
        ErrorRow{"put_other_name", put_json("/fleet/v1/units/a.service", R"({"name":"b.service"})"),
                 400,
                 "name in URL \"a.service\" differs from unit name in request body \"b.service\""},
        // §2.5 state
        ErrorRow{"state_post", request("POST", "/fleet/v1/state"), 405, kGetOnly},
        ErrorRow{"state_item_delete", request("DELETE", "/fleet/v1/state/a.service"), 405,
                 kGetOnly},
        ErrorRow{"state_missing", request("GET", "/fleet/v1/state/none.service"), 404,
                 "unit state does not exist"},
        // §2.5 machines
        ErrorRow{"machines_put", request("PUT", "/fleet/v1/machines"), 405,
                 "only GET and PATCH supported against this resource"},
        ErrorRow{"patch_not_a_list", request("PATCH", "/fleet/v1/machines", "{}"), 400,
                 "expected a JSON array"},
        ErrorRow{"patch_bad_op",
                 request("PATCH", "/fleet/v1/machines",
                         R"([{"op":"move","path":"/m1/metadata/a","value":{"value":"1"}}])"),
                 400, "invalid op: expect add, remove, or replace"},
        ErrorRow{"patch_bad_path",
                 request("PATCH", "/fleet/v1/machines",
                         R"([{"op":"add","path":"/m1/meta/a","value":{"value":"1"}}])"),
                 400, "machine metadata path invalid"},
        ErrorRow{"patch_bad_key",
                 request("PATCH", "/fleet/v1/machines",
                         R"([{"op":"add","path":"/m1/metadata/a b","value":{"value":"1"}}])"),
                 400, "machine metadata path invalid"},
        ErrorRow{
            "patch_add_without_value",
            request("PATCH", "/fleet/v1/machines", R"([{"op":"add","path":"/m1/metadata/a"}])"),
            400, "invalid value: add and replace require a value"},
        ErrorRow{"patch_bare_value",
                 request("PATCH", "/fleet/v1/machines",
                         R"([{"op":"add","path":"/m1/metadata/a","value":"1"}])"),
                 400, R"([0]."value": expected a JSON object)"},
        // §2.6 tokens, on every list
        ErrorRow{"token_of_another_limit", request("GET", "/fleet/v1/units?nextPageToken=EwBMLg=="),
                 400, "token limit must be 100"},
        ErrorRow{"two_tokens",
                 request("GET", "/fleet/v1/state?nextPageToken=ZAACAA==&nextPageToken=ZAADAA=="),
                 400, "too many values for page token"},
        ErrorRow{"page_zero", request("GET", "/fleet/v1/machines?nextPageToken=ZAAAAA%3D%3D"), 400,
                 "token page must be greater than zero"},
        ErrorRow{"token_not_base64", request("GET", "/fleet/v1/units?nextPageToken=ZAACAA"), 400,
                 "illegal base64 data at input byte 4"},
        ErrorRow{"token_too_short", request("GET", "/v1-alpha/state?nextPageToken=ZAA="), 400,
                 "unexpected EOF"}),
    [](const auto& info) { return info.param.label; });

TEST_F(RouterTest, EveryPathWorksUnderBothPrefixes) {
  for (std::string prefix : {"/fleet/v1", "/v1-alpha"}) {
    for (std::string path :
         {"/discovery", "/units", "/units/a.service", "/state", "/state/a.service", "/machines"}) {
      EXPECT_EQ(handle(request("GET", prefix + path)).status, 200) << prefix + path;
    }
  }
}

TEST_F(RouterTest, ListsAnswerPagesOfTheTokenLimitInFleetsJson) {
  auto response = handle(request("GET", "/fleet/v1/units"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(schema::decode_unit_page(response.body).value(),
            (schema::UnitPage{backend_.units_, ""}));
  EXPECT_EQ(schema::decode_machine_page(handle(request("GET", "/fleet/v1/machines")).body).value(),
            (schema::MachinePage{backend_.machines_, ""}));

  backend_.units_.clear();
  EXPECT_EQ(handle(request("GET", "/fleet/v1/units")).body, "{}") << "an empty page";
}

TEST_F(RouterTest, PagesFollowTheirTokensToTheEnd) {
  Router router(backend_, {.token_limit = 2});
  backend_.units_.resize(5);
  for (size_t i = 0; i < backend_.units_.size(); ++i) {
    backend_.units_[i].name = "u" + std::to_string(i) + ".service";
  }
  std::vector<std::string> seen;
  std::vector<std::string> tokens;
  std::string target = "/fleet/v1/units";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = schema::decode_unit_page(router.handle(request("GET", target)).body).value();
    for (const auto& unit : page.units) seen.push_back(unit.name);
    if (page.next_page_token.empty()) break;
    tokens.push_back(page.next_page_token);
    target = "/fleet/v1/units?nextPageToken=" + page.next_page_token;
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(tokens, (std::vector<std::string>{"AgACAA==", "AgADAA=="}));

  backend_.units_.resize(4);
  auto full = schema::decode_unit_page(
      router.handle(request("GET", "/fleet/v1/units?nextPageToken=AgACAA==")).body);
  EXPECT_EQ(full->units.size(), 2u);
  EXPECT_EQ(full->next_page_token, "AgADAA==") << "a full last page points to one more";
  EXPECT_EQ(router.handle(request("GET", "/fleet/v1/units?nextPageToken=AgADAA==")).body, "{}");
}

TEST_F(RouterTest, StateFiltersReachTheBackendBeforePaging) {
  auto response = handle(request("GET", "/fleet/v1/state?machineID=m2&unitName=x&unitName=y"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(backend_.state_filter.machine_id, "m2");
  EXPECT_EQ(backend_.state_filter.unit_name, "x") << "the first value is used";

  Router router(backend_, {.token_limit = 1});
  auto page = schema::decode_unit_state_page(
                  router.handle(request("GET", "/fleet/v1/state?machineID=m2")).body)
                  .value();
  ASSERT_EQ(page.states.size(), 1u);
  EXPECT_EQ(page.states[0].name, "a.service");
  EXPECT_EQ(page.next_page_token, "AQACAA==") << "two states on m2 at one per page";

  auto one = handle(request("GET", "/fleet/v1/state/b.service"));
  EXPECT_EQ(schema::decode_unit_state(one.body).value(), backend_.states_[2]);
}

TEST_F(RouterTest, GetOfAUnitDecodesItsNameFromThePath) {
  auto response = handle(request("GET", "/fleet/v1/units/a.service"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(schema::decode_unit(response.body).value(), backend_.units_[0]);
  handle(request("GET", "/fleet/v1/units/web%40x.service"));
  EXPECT_EQ(backend_.asked_for, "web@x.service");
}

TEST_F(RouterTest, PutAnswersWhatTheBackendDid) {
  const std::string body =
      R"({"desiredState":"launched","options":[{"section":"Service","name":"ExecStart",)"
      R"("value":"/bin/a"}],"currentState":"ignored"})";
  auto created = handle(request("PUT", "/fleet/v1/units/a.service", body,
                                {{"content-type", "application/json; charset=utf-8"}}));
  EXPECT_EQ(created.status, 201);
  EXPECT_TRUE(created.body.empty());
  ASSERT_TRUE(backend_.put.has_value());
  EXPECT_EQ(backend_.put->name, "a.service") << "taken from the URL";
  EXPECT_EQ(backend_.put->desired_state, "launched");
  EXPECT_EQ(backend_.put->options.size(), 1u);

  backend_.put_result = PutOutcome::kReplaced;
  EXPECT_EQ(handle(put_json("/fleet/v1/units/a.service", body)).status, 201);
  backend_.put_result = PutOutcome::kUpdated;
  EXPECT_EQ(handle(put_json("/fleet/v1/units/a.service", R"({"name":"a.service"})")).status, 204);

  struct Refusal {
    Error error;
    int status;
    std::string message;
  };
  for (const auto& [error, status, message] : std::vector<Refusal>{
           {{ErrorCode::kAlreadyExists, "unit does not exist and options field empty"},
            409,
            "unit does not exist and options field empty"},
           {{ErrorCode::kAlreadyExists, "must provide DesiredState to update existing unit"},
            409,
            "must provide DesiredState to update existing unit"},
           {{ErrorCode::kInvalidArgument, "unit name must contain \".\""},
            400,
            "unit name must contain \".\""},
           {{ErrorCode::kInvalidArgument, "cannot activate template \"x@.service\""},
            400,
            "cannot activate template \"x@.service\""},
           {{ErrorCode::kUnavailable, "etcd http://127.0.0.1:2379 unreachable"}, 500, ""}}) {
    backend_.put_result = fail(error);
    auto response = handle(put_json("/fleet/v1/units/a.service", body));
    EXPECT_EQ(response.status, status) << error.message;
    EXPECT_EQ(error_message(response), message);
  }
  EXPECT_EQ(handle(put_json("/fleet/v1/units/a.service", "null")).status, 500)
      << "null is an empty unit, handed on";
}

TEST_F(RouterTest, DeleteAnswersNoContent) {
  auto response = handle(request("DELETE", "/fleet/v1/units/a.service"));
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(handle(request("GET", "/fleet/v1/units/a.service")).status, 404);
}

TEST_F(RouterTest, BackendFailuresAre500sWithAnEmptyMessage) {
  backend_.failure = Error{ErrorCode::kUnavailable, "etcd unreachable"};
  for (std::string target : {"/fleet/v1/units", "/fleet/v1/units/a.service", "/fleet/v1/state",
                             "/fleet/v1/state/a.service", "/fleet/v1/machines"}) {
    auto response = handle(request("GET", target));
    EXPECT_EQ(response.status, 500) << target;
    EXPECT_EQ(error_message(response), "") << target;
  }
  EXPECT_EQ(handle(request("DELETE", "/fleet/v1/units/a.service")).status, 500);
}

TEST_F(RouterTest, PatchChecksEveryOpBeforeApplyingAnyInOrder) {
  const std::string valid = R"({"op":"add","path":"/m1/metadata/region","value":{"value":"us"}})";
  auto refused = handle(
      request("PATCH", "/fleet/v1/machines", "[" + valid + R"(,{"op":"remove","path":"/m1/x"}])"));
  EXPECT_EQ(refused.status, 400);
  EXPECT_TRUE(backend_.metadata_set.empty()) << "nothing applied";

  auto applied = handle(
      request("PATCH", "/fleet/v1/machines",
              "[" + valid +
                  R"(,{"op":"remove","path":"/m2/metadata/disk"},)"
                  R"({"op":"replace","path":"/gone/metadata/a.b-c_1","value":{"value":"x"}}])"));
  EXPECT_EQ(applied.status, 204);
  EXPECT_TRUE(applied.body.empty());
  EXPECT_EQ(backend_.metadata_set,
            (std::vector<std::string>{"m1/region=us", "m2/disk=", "gone/a.b-c_1=x"}))
      << "remove stores an empty value; the machine need not be present";

  auto not_json = handle(request("PATCH", "/fleet/v1/machines", "[{"));
  EXPECT_EQ(not_json.status, 400);
  EXPECT_TRUE(error_message(not_json).starts_with("invalid JSON: ")) << not_json.body;
  EXPECT_EQ(handle(request("PATCH", "/fleet/v1/machines", "[]")).status, 204);
  EXPECT_EQ(handle(request("PATCH", "/fleet/v1/machines", "null")).status, 204);

  backend_.metadata_failure = Error{ErrorCode::kUnavailable, "etcd unreachable"};
  auto failed = handle(request("PATCH", "/fleet/v1/machines", "[" + valid + "]"));
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(error_message(failed), "etcd unreachable") << "PATCH tells what failed";
}

TEST_F(RouterTest, DiscoveryDescribesEveryRouteWithTheRootUrlTheClientUsed) {
  auto response = handle(request("GET", "/v1-alpha/discovery", "", {{"Host", "10.0.0.1:49153"}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  auto document = Json::parse(response.body);
  EXPECT_EQ(document["kind"], "discovery#restDescription");
  EXPECT_EQ(document["id"], "fleet:v1");
  EXPECT_EQ(document["rootUrl"], "http://10.0.0.1:49153/");
  EXPECT_EQ(document["servicePath"], "fleet/v1/");

  std::set<std::string> routes;
  for (const auto& [name, resource] : document["resources"].items()) {
    for (const auto& [verb, method] : resource["methods"].items()) {
      routes.insert(method["httpMethod"].get<std::string>() + " " +
                    method["path"].get<std::string>());
      for (const char* ref : {"request", "response"}) {
        if (method.contains(ref)) {
          EXPECT_TRUE(document["schemas"].contains(method[ref]["$ref"])) << name << "." << verb;
        }
      }
    }
  }
  EXPECT_EQ(routes, (std::set<std::string>{"GET machines", "PATCH machines", "GET units",
                                           "GET units/{unitName}", "PUT units/{unitName}",
                                           "DELETE units/{unitName}", "GET state",
                                           "GET state/{unitName}"}));
  for (const char* entity :
       {"Unit", "UnitOption", "UnitState", "Machine", "UnitPage", "UnitStatePage", "MachinePage"}) {
    EXPECT_TRUE(document["schemas"].contains(entity)) << entity;
  }

  auto placeholder = Json::parse(handle(request("GET", "/fleet/v1/discovery")).body);
  EXPECT_EQ(placeholder["rootUrl"], "$ENDPOINT/") << "no Host: fleet's placeholder";
}

TEST_F(RouterTest, TokenLimitIsClampedToTheTokensField) {
  Router huge(backend_, {.token_limit = 1'000'000});
  EXPECT_EQ(huge.handle(request("GET", "/fleet/v1/units?nextPageToken=__8BAA==")).status, 200)
      << "limit 65535";
}

// The x1 routes (unit_inspection.h) up to the inspector, which records what it was asked to run.
class RecordingInspector : public UnitInspector {
 public:
  HttpResponse inspect(const UnitInspection& inspection) override {
    asked.push_back(inspection);
    HttpResponse response{.status = 200, .headers = {{"X-Fleet-Exit-Status", "3"}}};
    response.body = "status of " + inspection.unit + " on " + inspection.machine_id + "\n";
    return response;
  }

  std::vector<UnitInspection> asked;
};

class InspectionRouterTest : public RouterTest {
 protected:
  InspectionRouterTest() {
    backend_.units_.push_back(
        {.name = "g.service",
         .options = {{"Service", "ExecStart", "/bin/g"}, {"X-Fleet", "Global", "true"}},
         .desired_state = "launched"});
    backend_.states_.push_back(
        {"g.service", std::string(40, 'c'), "m1", "loaded", "active", "running"});
    backend_.states_.push_back(
        {"g.service", std::string(40, 'c'), "m2", "loaded", "active", "running"});
  }

  RecordingInspector inspector_;
  Router inspecting_{backend_, {.token_limit = 100, .inspector = &inspector_}};
};

TEST_F(InspectionRouterTest, RefusesWhatCannotBeRun) {
  const std::vector<ErrorRow> rows = {
      {"unknown unit", request("GET", "/fleet/x1/units/zz.service/status"), 404,
       "Unit zz.service does not exist."},
      {"inactive status", request("GET", "/fleet/x1/units/b.service/status"), 409,
       "Unit b.service does not appear to be loaded."},
      {"inactive journal", request("GET", "/fleet/x1/units/b.service/journal"), 409,
       "Unit b.service does not appear to be running."},
      {"global journal", request("GET", "/fleet/x1/units/g.service/journal"), 400,
       "Unable to retrieve journal of global unit g.service."},
      {"bad name", request("GET", "/fleet/x1/units/noext/status"), 400,
       "unit name must contain \".\""},
      {"lines not a number", request("GET", "/fleet/x1/units/a.service/journal?lines=ten"), 400,
       "lines must be a number from 0 to 100000, got \"ten\""},
      {"lines too many", request("GET", "/fleet/x1/units/a.service/journal?lines=100001"), 400,
       "lines must be a number from 0 to 100000, got \"100001\""},
      {"lines negative", request("GET", "/fleet/x1/units/a.service/journal?lines=-1"), 400,
       "lines must be a number from 0 to 100000, got \"-1\""},
      {"follow", request("GET", "/fleet/x1/units/a.service/journal?follow=yes"), 400,
       "follow must be true or false, got \"yes\""},
      {"output an option", request("GET", "/fleet/x1/units/a.service/journal?output=--all"), 400,
       "unknown journal output mode \"--all\""},
      {"method", request("POST", "/fleet/x1/units/a.service/status"), 405, ""},
      {"other verb", request("GET", "/fleet/x1/units/a.service/logs"), 404, ""},
      {"not under v1", request("GET", "/fleet/v1/units/a.service/status"), 404, ""},
  };
  for (const auto& row : rows) {
    auto response = inspecting_.handle(row.request);
    EXPECT_EQ(response.status, row.status) << row.label << ": " << response.body;
    if (!row.message.empty()) {
      EXPECT_EQ(error_message(response), row.message) << row.label;
    }
  }
  EXPECT_TRUE(inspector_.asked.empty());
}

TEST_F(InspectionRouterTest, RunsOnTheScheduledMachine) {
  auto response = inspecting_.handle(
      request("GET", "/fleet/x1/units/a.service/journal?lines=25&follow=true&output=json-pretty"));
  EXPECT_EQ(response.status, 200);
  ASSERT_EQ(inspector_.asked.size(), 1u);
  const auto& asked = inspector_.asked.front();
  EXPECT_EQ(asked.machine_id, "m1");
  EXPECT_EQ(asked.argv(),
            (std::vector<std::string>{"journalctl", "--unit", "a.service", "--no-pager", "-n", "25",
                                      "--output", "json-pretty", "-f"}));
  EXPECT_EQ(asked.target(),
            "/fleet/x1/units/a.service/journal?machineID=m1&lines=25"
            "&follow=true&output=json-pretty");
}

TEST_F(InspectionRouterTest, AGivenMachineIsRunOnWithoutLookingUp) {
  auto response =
      inspecting_.handle(request("GET", "/fleet/x1/units/other.service/status?machineID=m2"));
  EXPECT_EQ(response.status, 200);
  ASSERT_EQ(inspector_.asked.size(), 1u);
  EXPECT_EQ(inspector_.asked.front().machine_id, "m2");
  EXPECT_EQ(
      inspector_.asked.front().argv(),
      (std::vector<std::string>{"systemctl", "status", "-l", "--no-pager", "--", "other.service"}));
}

TEST_F(InspectionRouterTest, AGlobalUnitsStatusComesFromEachMachine) {
  auto response = inspecting_.handle(request("GET", "/fleet/x1/units/g.service/status"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "status of g.service on m1\n\nstatus of g.service on m2\n");
  EXPECT_EQ(response.header("X-Fleet-Exit-Status"), "3");
}

TEST_F(RouterTest, InspectionRoutesNeedAnInspector) {
  EXPECT_EQ(handle(request("GET", "/fleet/x1/units/a.service/status")).status, 501);
}

class RecordingFeed : public EventFeed {
 public:
  HttpResponse open(const EventQuery& query) override {
    asked = query;
    return HttpResponse::empty(200);
  }
  std::optional<EventQuery> asked;
};

TEST_F(RouterTest, EventsReachTheFeedWithTheirQuery) {
  RecordingFeed feed;
  Router router(backend_, {.token_limit = 100, .events = &feed});
  ASSERT_EQ(router.handle(request("GET", "/fleet/x1/events?types=state,machine&since=12")).status,
            200);
  ASSERT_TRUE(feed.asked);
  EXPECT_EQ(feed.asked->since, 12);
  EXPECT_FALSE(feed.asked->wants(EventKind::kUnit));
  EXPECT_TRUE(feed.asked->wants(EventKind::kState));
  EXPECT_TRUE(feed.asked->wants(EventKind::kMachine));

  HttpRequest resumed = request("GET", "/fleet/x1/events?since=12");
  resumed.headers = {{"last-event-id", "40"}};
  ASSERT_EQ(router.handle(resumed).status, 200);
  EXPECT_EQ(feed.asked->since, 40) << "the header is newer than the URL";
  EXPECT_EQ(feed.asked->kinds, kAllEventKinds);

  ASSERT_EQ(router.handle(request("GET", "/fleet/x1/events")).status, 200);
  EXPECT_EQ(feed.asked->since, std::nullopt);
  EXPECT_EQ(router.handle(request("POST", "/fleet/x1/events")).status, 405);
}

TEST_F(RouterTest, EventQueriesThatDoNotParseAre400s) {
  RecordingFeed feed;
  Router router(backend_, {.token_limit = 100, .events = &feed});
  for (const char* target : {"/fleet/x1/events?since=x", "/fleet/x1/events?since=-1",
                             "/fleet/x1/events?types=unit,jobs", "/fleet/x1/events?types=unit,"}) {
    auto response = router.handle(request("GET", target));
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(response.header("Content-Type"), kJsonMediaType) << target;
  }
  HttpRequest bad_header = request("GET", "/fleet/x1/events");
  bad_header.headers = {{"Last-Event-ID", "12abc"}};
  EXPECT_EQ(router.handle(bad_header).status, 400);
  EXPECT_FALSE(feed.asked);
}

TEST_F(RouterTest, EventsWithoutAFeedAre501) {
  EXPECT_EQ(handle(request("GET", "/fleet/x1/events")).status, 501);
}

}  // namespace
}  // namespace fleet::api
