// Bad input to the real API server over a real etcd (issue 7): oversized bodies and units, unit
// names that try path traversal or odd bytes, options that would write lines of their own into the
// unit file, page tokens asking for another page size, bad desired states, and JSON that is
// malformed, mistyped or nested without end. Each gets a 4xx with fleet's JSON error saying what is
// wrong, and etcd is left exactly as it was.
//
// Nothing here checks the disk: the API server writes no files but its socket. Units reach disk
// only through the agents, which write what etcd holds, so an unchanged etcd covers it.
#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fleet/api/testing/api_server_test_base.h"
#include "fleet/registry/records.h"
#include "fleet/unit/unit_file.h"

namespace fleet::api {
namespace {

using ::testing::Eq;
using ::testing::HasSubstr;
using testing::kUnitJson;
using ::testing::Matcher;
using testing::Reply;
using ::testing::StartsWith;

// etcd's default --max-request-bytes: the largest request it takes.
constexpr size_t kEtcdRequestLimit = 1536 * 1024;

struct Request {
  std::string method;
  std::string target;
  std::string body;
};

Request request(std::string method, std::string target, std::string body = "") {
  return {std::move(method), std::move(target), std::move(body)};
}

Request put_request(const std::string& name, std::string body) {
  return request("PUT", "/fleet/v1/units/" + name, std::move(body));
}

// A unit body with one option.
std::string one_option(const std::string& section, const std::string& name,
                       const std::string& value) {
  return nlohmann::json{{"options", {{{"section", section}, {"name", name}, {"value", value}}}}}
      .dump();
}

// A unit body of `count` Environment= options of `length` bytes each, all of `fill`.
std::string many_options(size_t count, size_t length, char fill = 'x') {
  nlohmann::json options = nlohmann::json::array();
  for (size_t i = 0; i < count; ++i) {
    options.push_back(
        {{"section", "Service"}, {"name", "Environment"}, {"value", std::string(length, fill)}});
  }
  return nlohmann::json{{"options", options}}.dump();
}

std::string nested(size_t depth) {
  return R"({"x":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

struct Refusal {
  std::string label;
  Request request;
  int status;
  Matcher<std::string> message;
};

// Everything under the test's prefix with the revision it was written at, and the store's
// revision: equal before and after a request means it wrote nothing, under the prefix or outside.
struct EtcdSnapshot {
  etcd::Revision revision = 0;
  std::map<std::string, std::pair<std::string, etcd::Revision>> kvs;

  bool operator==(const EtcdSnapshot&) const = default;
};

void PrintTo(const EtcdSnapshot& snapshot, std::ostream* out) {
  *out << "revision " << snapshot.revision << ", keys:";
  for (const auto& [key, value] : snapshot.kvs) *out << " " << key << "@" << value.second;
}

class BadInputTest : public testing::ApiServerTestBase {
 protected:
  void SetUp() override {
    ApiServerTestBase::SetUp();
    // Refusals of updates and replacements need a unit to refuse them for.
    ASSERT_EQ(put("exists.service", kUnitJson).status, 201);
  }

  EtcdSnapshot snapshot() {
    auto listed = client_->list_prefix(prefix_);
    EXPECT_TRUE(listed.has_value()) << listed.error().message;
    EtcdSnapshot snapshot{listed->revision, {}};
    for (const auto& kv : listed->kvs) snapshot.kvs[kv.key] = {kv.value, kv.mod_revision};
    return snapshot;
  }

  Reply send(const Request& request) {
    if (request.method != "PUT") return call(request.method, request.target, request.body);
    return call("PUT", request.target, request.body, {{"Content-Type", "application/json"}});
  }

  // Sends each request and expects its refusal, in fleet's error body and with etcd untouched.
  void expect_refused(const std::vector<Refusal>& refusals) {
    for (const auto& refusal : refusals) {
      SCOPED_TRACE(refusal.label);
      const EtcdSnapshot before = snapshot();
      const Reply reply = send(refusal.request);
      EXPECT_EQ(reply.status, refusal.status) << reply.body.substr(0, 300);
      EXPECT_EQ(reply.header("Content-Type"), "application/json");
      expect_error_body(reply.body, refusal.status, refusal.message);
      EXPECT_EQ(snapshot(), before) << "the refused request wrote to etcd";
    }
  }

  // Exactly {"error":{"code":status,"message":"..."}}.
  static void expect_error_body(const std::string& body, int status,
                                const Matcher<std::string>& message) {
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(json.is_object() && json.size() == 1 && json.contains("error")) << body;
    const auto& error = json["error"];
    ASSERT_TRUE(error.is_object() && error.size() == 2) << body;
    EXPECT_EQ(error.value("code", 0), status);
    ASSERT_TRUE(error["message"].is_string()) << body;
    EXPECT_THAT(error["message"].get<std::string>(), message);
  }
};

TEST_F(BadInputTest, BodiesAndUnitsStayUnderWhatEtcdTakesInOneRequest) {
  EXPECT_LT(ApiServerOptions{}.body_limit, kEtcdRequestLimit) << "fleetd's default body limit";
  EXPECT_LT(unit::UnitFile::kMaxSize + 64 * 1024, kEtcdRequestLimit)
      << "a unit and its transaction's keys";
  const size_t body_limit = ApiServerOptions{}.body_limit;
  const std::string line_too_long = "unit \"big.service\" line 2: line too long (max 2048 bytes)";
  expect_refused({
      {"body over the limit",
       put_request("big.service", one_option("Service", "X", std::string(body_limit, 'x'))), 413,
       Eq("request body exceeds the limit of 1048576 bytes")},
      {"body under the limit, one value past a line",
       put_request("big.service", one_option("Service", "X", std::string(body_limit - 100, 'x'))),
       400, Eq(line_too_long)},
      {"replacing with it",
       put_request("exists.service", one_option("Service", "X", std::string(3000, 'x'))), 400,
       Eq("unit \"exists.service\" line 2: line too long (max 2048 bytes)")},
  });

  // A server taking larger bodies still keeps units to what etcd stores in one request.
  start_server(100, {}, /*body_limit=*/4 << 20);
  const std::string too_large = many_options(600, 2000);
  ASSERT_LT(too_large.size(), size_t{4 << 20});
  expect_refused({
      {"unit over the maximum", put_request("big.service", too_large), 400,
       Eq("unit \"big.service\" takes 1222800 bytes, more than the 1048576 a unit may take")},
      {"replacing with one", put_request("exists.service", too_large), 400,
       Eq("unit \"exists.service\" takes 1222800 bytes, more than the 1048576 a unit may take")},
  });
}

// The stored body (registry/records.h) never outgrows the size the API limits.
TEST(UnitSizeTest, BoundsTheStoredBody) {
  for (const auto& options : std::vector<std::vector<unit::UnitOption>>{
           {{"Service", "ExecStart", "/bin/true"}},
           {{"", "", ""}, {"", "", ""}},
           std::vector<unit::UnitOption>(512, {"S", "K", std::string(2026, 'x')}),
           std::vector<unit::UnitOption>(3,
                                         {std::string(300, 's'), "K", std::string(200000, 'v')})}) {
    auto body = unit::UnitFile::from_options(options);
    EXPECT_LE(registry::encode_body(body).size(), body.size());
  }
}

// Registry::create_units stores a batch's bodies in one transaction: concurrent creates that the
// API commits together must not make one larger than etcd takes.
TEST_F(BadInputTest, LargeUnitsSentAtOnceAreAllCreated) {
  constexpr int kClients = 8;
  // 500 options of 2000 bytes: a megabyte a unit, two of them past etcd's limit.
  std::vector<std::string> bodies;
  for (int i = 0; i < kClients; ++i) bodies.push_back(many_options(500, 2000, 'a' + i));
  ASSERT_LT(bodies[0].size(), ApiServerOptions{}.body_limit);
  std::vector<int> statuses(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(
        [&, i] { statuses[i] = put("big" + std::to_string(i) + ".service", bodies[i]).status; });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(statuses, std::vector<int>(kClients, 201));
  EXPECT_EQ(unit_names().size(), static_cast<size_t>(kClients + 1));
}

TEST_F(BadInputTest, MalformedUnitNames) {
  const Matcher<std::string> slash = Eq("unit name cannot contain \"/\"");
  const std::string longest = std::string(247, 'a') + ".service";
  const Matcher<std::string> too_long = Eq("unit name exceeds maximum length (255)");
  expect_refused({
      {"dot segments", put_request("../x.service", kUnitJson), 404, slash},
      {"escaped dot segments", put_request("..%2Fx.service", kUnitJson), 404, slash},
      {"escaped dot segments, lower case", put_request("..%2fx.service", kUnitJson), 404, slash},
      {"a slash", put_request("a/b.service", kUnitJson), 404, slash},
      {"a trailing slash", put_request("a.service/", kUnitJson), 404, slash},
      {"empty", put_request("", kUnitJson), 404, Eq("unit name cannot be empty")},
      {"NUL", put_request("a%00.service", kUnitJson), 400,
       Eq("invalid character '\\x00' in unit name")},
      {"NUL before the suffix", put_request("a.service%00", kUnitJson), 400,
       Eq("invalid unit type: \"service\\x00\"")},
      {"control byte", put_request("a%01.service", kUnitJson), 400,
       Eq("invalid character '\\x01' in unit name")},
      {"newline", put_request("a%0Ab.service", kUnitJson), 400,
       Eq("invalid character '\\n' in unit name")},
      {"space", put_request("a%20b.service", kUnitJson), 400,
       Eq("invalid character ' ' in unit name")},
      {"not UTF-8", put_request("a%FF.service", kUnitJson), 400,
       Eq("invalid character '\xEF\xBF\xBD' in unit name")},
      {"one past systemd's maximum", put_request("a" + longest, kUnitJson), 400, too_long},
      {"very long", put_request(std::string(5000, 'a') + ".service", kUnitJson), 400, too_long},
      {"longer than a request line may be",
       put_request(std::string(20000, 'a') + ".service", kUnitJson), 400,
       StartsWith("malformed HTTP request: ")},
      {"no suffix", put_request("web", kUnitJson), 400, Eq("unit name must contain \".\"")},
      {"dot at the end", put_request("web.", kUnitJson), 400, Eq("unit name cannot end in \".\"")},
      {"unknown suffix", put_request("web.exe", kUnitJson), 400, Eq("invalid unit type: \"exe\"")},
      {"leading @", put_request("@x.service", kUnitJson), 400,
       Eq("unit name cannot start in \"@\"")},
      {"bad name on the update path", put_request("a%00.service", R"({"desiredState":"launched"})"),
       400, Eq("invalid character '\\x00' in unit name")},
      // The body's name must be the URL's, so it meets the same checks.
      {"body names another unit", put_request("x.service", R"({"name":"../x.service"})"), 400,
       Eq("name in URL \"x.service\" differs from unit name in request body \"../x.service\"")},
      {"body name with a space", put_request("a%20b.service", R"({"name":"a b.service"})"), 400,
       Eq("invalid character ' ' in unit name")},
      // A read of a name that cannot exist is a miss, as spec §2.5 has it.
      {"GET with NUL", request("GET", "/fleet/v1/units/a%00.service"), 404,
       Eq("unit does not exist")},
      {"DELETE with NUL", request("DELETE", "/fleet/v1/units/a%00.service"), 404,
       Eq("unit does not exist")},
      {"DELETE dot segments", request("DELETE", "/fleet/v1/units/..%2Fexists.service"), 404, slash},
      {"state of dot segments", request("GET", "/fleet/v1/state/..%2Fx.service"), 404, slash},
  });
  EXPECT_EQ(put(longest, kUnitJson).status, 201) << "systemd's longest name";
}

TEST_F(BadInputTest, OptionsThatWouldWriteLinesOfTheirOwn) {
  const std::string exec = "unit \"x.service\" option \"ExecStart\" in section \"Service\"";
  const std::string reads_back =
      " would read back from the unit file as something else: a name may not hold \"=\" or start "
      "with \"#\", \";\" or \"[\", a section name may not hold \"]\", and a value ending in \"\\\" "
      "continues onto the next line";
  auto exec_start = [](const std::string& value) {
    return one_option("Service", "ExecStart", value);
  };
  expect_refused({
      {"newline in a value",
       put_request("x.service", exec_start("/bin/true\nExecStartPre=/bin/evil")), 400,
       Eq(exec + ": the value holds the control character '\\n' without a \"\\\" before it")},
      {"carriage return in a value",
       put_request("x.service", exec_start("/bin/true\rExecStartPre=/bin/evil")), 400,
       Eq(exec + ": the value holds the control character '\\r'")},
      {"NUL in a value",
       put_request("x.service", R"({"options":[{"section":"Service","name":"ExecStart",)"
                                R"("value":"/bin/true\u0000x"}]})"),
       400, Eq(exec + ": the value holds the control character '\\x00'")},
      {"escape in a value", put_request("x.service", exec_start("\x1b[2J")), 400,
       Eq(exec + ": the value holds the control character '\\x1b'")},
      {"newline in a name", put_request("x.service", one_option("Service", "A\nB", "c")), 400,
       Eq("unit \"x.service\" option \"A\\nB\" in section \"Service\": the name holds the "
          "control character '\\n'")},
      {"newline in a section", put_request("x.service", one_option("Service]\n[Unit", "A", "c")),
       400,
       Eq("unit \"x.service\" option \"A\" in section \"Service]\\n[Unit\": the section name "
          "holds the control character '\\n'")},
      {"control byte in a section", put_request("x.service", one_option("Serv\x01ice", "A", "c")),
       400, HasSubstr("the section name holds the control character '\\x01'")},
      {"equals sign in a name",
       put_request("x.service", one_option("Service", "ExecStartPre=/bin/evil #", "c")), 400,
       Eq("unit \"x.service\" option \"ExecStartPre=/bin/evil #\" in section \"Service\"" +
          reads_back)},
      {"value that swallows the next option",
       put_request("x.service",
                   R"({"options":[{"section":"Service","name":"ExecStart","value":"a \\"},)"
                   R"({"section":"Service","name":"User","value":"nobody"}]})"),
       400, Eq(exec + reads_back)},
      {"bracket in a section", put_request("x.service", one_option("A]B", "K", "v")), 400,
       Eq("unit \"x.service\" line 1: found garbage after section name \"A\": \"B]\"")},
      {"replacing with a newline",
       put_request("exists.service", exec_start("/bin/true\nExecStartPre=/bin/evil")), 400,
       Eq("unit \"exists.service\" option \"ExecStart\" in section \"Service\": the value holds "
          "the control character '\\n' without a \"\\\" before it")},
  });
  // What systemd reads back as written is kept: tabs, and newlines that continue a line.
  EXPECT_EQ(put("x.service", exec_start("/bin/echo\ta \\\n  b")).status, 201);
}

TEST_F(BadInputTest, PageTokensCannotAskForAnotherPageSize) {
  expect_refused({
      {"the largest page", request("GET", "/fleet/v1/units?nextPageToken=__8BAA=="), 400,
       Eq("token limit must be 100")},
      {"a page of one", request("GET", "/fleet/v1/units?nextPageToken=AQABAA=="), 400,
       Eq("token limit must be 100")},
      {"page zero", request("GET", "/fleet/v1/units?nextPageToken=ZAAAAA=="), 400,
       Eq("token page must be greater than zero")},
      {"not base64", request("GET", "/fleet/v1/units?nextPageToken=%00"), 400,
       Eq("illegal base64 data at input byte 0")},
      {"two tokens",
       request("GET", "/fleet/v1/units?nextPageToken=ZAACAA==&nextPageToken=ZAACAA=="), 400,
       Eq("too many values for page token")},
      {"states", request("GET", "/fleet/v1/state?nextPageToken=__8BAA=="), 400,
       Eq("token limit must be 100")},
      {"machines", request("GET", "/fleet/v1/machines?nextPageToken=__8BAA=="), 400,
       Eq("token limit must be 100")},
  });
}

TEST_F(BadInputTest, BadDesiredStates) {
  const auto bad_state =
      Eq("invalid desiredState \"running\": expected inactive, loaded or launched");
  expect_refused({
      {"creating", put_request("x.service", R"({"desiredState":"running",)" + kUnitJson.substr(1)),
       400, bad_state},
      {"updating", put_request("exists.service", R"({"desiredState":"running"})"), 400, bad_state},
      {"not a string", put_request("exists.service", R"({"desiredState":2})"), 400,
       Eq("unable to decode body: \"desiredState\" must be a string")},
  });
}

TEST_F(BadInputTest, MalformedJson) {
  const auto invalid_json = StartsWith("unable to decode body: invalid JSON: ");
  const auto too_deep = Eq("unable to decode body: invalid JSON: nested deeper than 64 levels");
  expect_refused({
      {"empty", put_request("x.service", ""), 400, Eq("unable to decode body: EOF")},
      {"cut short", put_request("x.service", "{\"options\":["), 400, invalid_json},
      {"trailing garbage", put_request("x.service", kUnitJson + "}"), 400, invalid_json},
      {"not UTF-8", put_request("x.service", "{\"name\":\"\xFF\"}"), 400, invalid_json},
      {"a number too large", put_request("x.service", R"({"x":1e999999})"), 400, invalid_json},
      {"an array", put_request("x.service", "[]"), 400,
       Eq("unable to decode body: expected a JSON object")},
      {"a string", put_request("x.service", R"("x")"), 400,
       Eq("unable to decode body: expected a JSON object")},
      {"name not a string", put_request("x.service", R"({"name":["x.service"]})"), 400,
       Eq("unable to decode body: \"name\" must be a string")},
      {"options not an array", put_request("x.service", R"({"options":{"section":"Service"}})"),
       400, Eq("unable to decode body: \"options\" must be an array")},
      {"option value not a string", put_request("x.service", R"({"options":[{"value":1}]})"), 400,
       Eq("unable to decode body: \"options\"[0]: \"value\" must be a string")},
      // Go's decoder takes a key's last value, and so does fleetd: it is the one checked.
      {"name given twice",
       put_request("x.service", R"({"name":"x.service","name":"../x.service"})"), 400,
       Eq("name in URL \"x.service\" differs from unit name in request body \"../x.service\"")},
      {"nested past the limit", put_request("x.service", nested(65)), 400, too_deep},
      {"a megabyte of brackets", put_request("x.service", std::string((1 << 20) - 1, '[')), 400,
       too_deep},
      {"metadata patch nested past the limit", request("PATCH", "/fleet/v1/machines", nested(65)),
       400, Eq("invalid JSON: nested deeper than 64 levels")},
  });
  EXPECT_EQ(call("GET", "/fleet/v1/units").status, 200) << "and the server is still there";
}

}  // namespace
}  // namespace fleet::api
