#include "fleet/api/error_mapping.h"

namespace fleet::api {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    default:
      return 500;
  }
}

HttpResponse error_response(const Error& error) {
  const int status = http_status(error.code);
  return HttpResponse::error(status, status == 500 ? std::string() : error.message);
}

}  // namespace fleet::api
