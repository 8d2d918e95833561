#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "fleet/api/api_server.h"
#include "fleet/api/dashboard_route.h"
#include "fleet/api/internal/embedded_files.h"
#include "fleet/api/testing/api_server_test_base.h"

#include "fixtures/temp_dir.h"

namespace fleet::api {
namespace {

HttpResponse get(const std::string& target, HttpHeaders headers = {}) {
  return serve_dashboard({.method = "GET", .target = target, .headers = std::move(headers)});
}

TEST(DashboardRouteTest, ClaimsTheRootAndItsFilesOnly) {
  for (const char* target : {"/", "/?from=bookmark", "/dashboard/app.js", "/dashboard/nope"}) {
    EXPECT_TRUE(is_dashboard_request({.method = "GET", .target = target})) << target;
  }
  for (const char* target : {"/fleet/v1/units", "/v1-alpha", "/nowhere", "/dashboard", "/metrics",
                             "/fleet/x1/events", "/dashboardx/app.js"}) {
    EXPECT_FALSE(is_dashboard_request({.method = "GET", .target = target})) << target;
  }
}

TEST(DashboardRouteTest, ServesEachFileWithItsMediaTypeAndValidators) {
  for (const auto& [target, type, content] :
       {std::tuple{"/", "text/html; charset=utf-8", "<script src=\"/dashboard/app.js\""},
        std::tuple{"/dashboard/index.html", "text/html; charset=utf-8", "<table id=\"units\">"},
        std::tuple{"/dashboard/app.js", "text/javascript; charset=utf-8", "/fleet/x1/events"},
        std::tuple{"/dashboard/style.css", "text/css; charset=utf-8", "#journal-text"}}) {
    HttpResponse response = get(target);
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.header("Content-Type"), type) << target;
    EXPECT_NE(response.body.find(content), std::string::npos) << target;
    EXPECT_EQ(response.header("Cache-Control"), "no-cache") << target;
    EXPECT_EQ(response.header("X-Content-Type-Options"), "nosniff") << target;
    EXPECT_TRUE(response.header("ETag").starts_with("\"")) << target;
  }
  EXPECT_NE(get("/").header("ETag"), get("/dashboard/app.js").header("ETag"));
}

TEST(DashboardRouteTest, EmbedsTheSourceFilesByteForByte) {
  const auto files = internal::dashboard_files();
  ASSERT_EQ(files.size(), 3u);
  for (const auto& file : files) {
    std::ifstream in(std::string(FLEET_DASHBOARD_DIR) + "/" + std::string(file.name),
                     std::ios::binary);
    std::ostringstream source;
    source << in.rdbuf();
    EXPECT_EQ(file.bytes, source.str()) << file.name;
  }
}

TEST(DashboardRouteTest, AnswersNotModifiedToAMatchingIfNoneMatch) {
  const std::string etag(get("/dashboard/app.js").header("ETag"));
  for (const std::string& condition : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    HttpResponse response = get("/dashboard/app.js", {{"If-None-Match", condition}});
    EXPECT_EQ(response.status, 304) << condition;
    EXPECT_TRUE(response.body.empty()) << condition;
    EXPECT_EQ(response.header("ETag"), etag) << condition;
  }
  EXPECT_EQ(get("/dashboard/app.js", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(get("/", {{"If-None-Match", etag}}).status, 200) << "another file's tag";
}

TEST(DashboardRouteTest, RefusesUnknownFilesAndOtherMethodsAsTheApiDoes) {
  for (const char* target : {"/dashboard/", "/dashboard/nope.js", "/dashboard/../index.html"}) {
    HttpResponse response = get(target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.header("Content-Type"), kJsonMediaType) << target;
  }
  HttpResponse refused = serve_dashboard({.method = "POST", .target = "/"});
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.header("Allow"), "GET, HEAD");
  EXPECT_EQ(refused.header("Content-Type"), kJsonMediaType);
}

// The real server, which has no router yet: what fleetd serves before its machine registers.
TEST(DashboardServerTest, ServesThePageWhileTheApiAnswers503) {
  fleet::testing::TempDir dir("dashboard-test");
  const std::string socket = (dir.path() / "fleet.sock").string();
  auto server = ApiServer::start(
      {.listen = {.socket_activation = false, .unix_socket = socket}, .version = "9.8.7"});
  ASSERT_TRUE(server.has_value()) << server.error().message;
  testing::UnixConnection connection{boost::asio::local::stream_protocol::endpoint(socket)};

  auto page = connection.call("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.header("Server"), "fleetd/9.8.7");
  EXPECT_EQ(page.body, get("/").body);

  auto head = connection.call("HEAD", "/dashboard/app.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("Content-Length"), std::to_string(get("/dashboard/app.js").body.size()));

  auto cached =
      connection.call("GET", "/dashboard/style.css", "",
                      {{"If-None-Match", std::string(get("/dashboard/style.css").header("ETag"))}});
  EXPECT_EQ(cached.status, 304);

  EXPECT_EQ(connection.call("GET", "/fleet/v1/units").status, 503);
  EXPECT_EQ(connection.call("GET", "/nowhere").status, 503);
}

}  // namespace
}  // namespace fleet::api
