#include "fleet/client/api_error.h"

#include <gtest/gtest.h>

namespace fleet::client {
namespace {

TEST(ErrorCodeOfStatus, MapsEveryStatusTheApiUses) {
  const std::pair<int, ErrorCode> cases[] = {
      {400, ErrorCode::kInvalidArgument},
      {415, ErrorCode::kInvalidArgument},
      {401, ErrorCode::kUnauthenticated},
      {403, ErrorCode::kPermissionDenied},
      {404, ErrorCode::kNotFound},
      {405, ErrorCode::kUnimplemented},
      {409, ErrorCode::kAlreadyExists},
      {412, ErrorCode::kFailedPrecondition},
      {429, ErrorCode::kResourceExhausted},
      {500, ErrorCode::kInternal},
      {501, ErrorCode::kUnimplemented},
      {502, ErrorCode::kUnavailable},
      {503, ErrorCode::kUnavailable},
      {504, ErrorCode::kDeadlineExceeded},
      {418, ErrorCode::kFailedPrecondition},
      {599, ErrorCode::kInternal},
      {302, ErrorCode::kUnknown},
      {200, ErrorCode::kUnknown},
  };
  for (const auto& [status, code] : cases) {
    EXPECT_EQ(error_code_of_status(status), code) << status;
  }
}

TEST(ErrorOfResponse, TakesTheMessageOfFleetsErrorBody) {
  struct Case {
    int status;
    std::string_view reason;
    std::string_view body;
    ErrorCode code;
    std::string_view message;
  };
  const Case cases[] = {
      {404, "Not Found", R"({"error":{"code":404,"message":"unit does not exist"}})",
       ErrorCode::kNotFound, "unit does not exist"},
      {409, "Conflict",
       R"({"error":{"code":409,"message":"must provide DesiredState to update existing unit"}})",
       ErrorCode::kAlreadyExists, "must provide DesiredState to update existing unit"},
      {400, "Bad Request",
       R"({"error":{"code":400,"message":"cannot activate template \"web@.service\""}})",
       ErrorCode::kInvalidArgument, "cannot activate template \"web@.service\""},
      {503, "Service Unavailable",
       R"({"error":{"code":503,"message":"fleet server unable to communicate with etcd"}})",
       ErrorCode::kUnavailable, "fleet server unable to communicate with etcd"},
      // The status decides the code, whatever the body claims.
      {400, "Bad Request", R"({"error":{"code":500,"message":"x"}})", ErrorCode::kInvalidArgument,
       "x"},
      // fleet's 500s carry an empty message; a proxy's page is no error body at all.
      {500, "Internal Server Error", R"({"error":{"code":500,"message":""}})", ErrorCode::kInternal,
       "fleet API at unix:///s answered 500 Internal Server Error"},
      {502, "Bad Gateway", "<html>bad gateway</html>", ErrorCode::kUnavailable,
       "fleet API at unix:///s answered 502 Bad Gateway"},
      {404, "", "", ErrorCode::kNotFound, "fleet API at unix:///s answered 404"},
  };
  for (const auto& c : cases) {
    const Error error = error_of_response(c.status, c.reason, c.body, "unix:///s");
    EXPECT_EQ(error.code, c.code) << c.body;
    EXPECT_EQ(error.message, c.message) << c.body;
  }
}

}  // namespace
}  // namespace fleet::client
