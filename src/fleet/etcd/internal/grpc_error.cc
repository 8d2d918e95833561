#include "fleet/etcd/internal/grpc_error.h"

#include <string>

namespace fleet::etcd::internal {

Error from_grpc(const grpc::Status& status, std::string_view endpoint_url, std::string_view what) {
  auto code = static_cast<ErrorCode>(status.error_code());
  std::string message = "etcd " + std::string(endpoint_url) + " " + std::string(what) + ": ";
  if (code == ErrorCode::kUnavailable) {
    message += "unreachable (" + status.error_message() +
               "); check that etcd is running there and that fleet's etcd endpoints list it";
  } else if (code == ErrorCode::kDeadlineExceeded) {
    message += "no answer in time (" + status.error_message() +
               "); etcd may be overloaded or without quorum, or the request timeout too short";
  } else {
    message += status.error_message();
  }
  return Error{code, std::move(message)};
}

bool worth_another_endpoint(const grpc::Status& status) {
  // etcd answers UNAVAILABLE for "no leader" and "not capable", gRPC for a dead connection.
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

bool is_auth_token_error(const grpc::Status& status) {
  const auto& message = status.error_message();
  return message.find("invalid auth token") != std::string::npos ||
         message.find("user name is empty") != std::string::npos;
}

}  // namespace fleet::etcd::internal
