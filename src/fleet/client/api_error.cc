#include "fleet/client/api_error.h"

#include <string>

#include "fleet/schema/json.h"

namespace fleet::client {

ErrorCode error_code_of_status(int status) {
  switch (status) {
    case 400:
    case 415:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 405:
    case 501:
      return ErrorCode::kUnimplemented;
    case 409:
      return ErrorCode::kAlreadyExists;
    case 412:
      return ErrorCode::kFailedPrecondition;
    case 429:
      return ErrorCode::kResourceExhausted;
    case 500:
      return ErrorCode::kInternal;
    case 502:
    case 503:
      return ErrorCode::kUnavailable;
    case 504:
      return ErrorCode::kDeadlineExceeded;
    default:
      break;
  }
  if (status >= 400 && status < 500) return ErrorCode::kFailedPrecondition;
  if (status >= 500 && status < 600) return ErrorCode::kInternal;
  return ErrorCode::kUnknown;
}

Error error_of_response(int status, std::string_view reason, std::string_view body,
                        std::string_view endpoint) {
  const ErrorCode code = error_code_of_status(status);
  if (auto decoded = schema::decode_error_body(body); decoded && !decoded->message.empty()) {
    return {code, decoded->message};
  }
  std::string message =
      "fleet API at " + std::string(endpoint) + " answered " + std::to_string(status);
  if (!reason.empty()) message += " " + std::string(reason);
  return {code, std::move(message)};
}

}  // namespace fleet::client
