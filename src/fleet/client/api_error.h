// How an HTTP answer of the fleet API becomes an Error: the code its status stands for (the
// inverse of the server's table, spec §2.2) and the message of fleet's error body
// {"error":{"code":404,"message":"unit does not exist"}}, so the HTTP driver reports exactly
// what the etcd driver reports for the same failure.
#pragma once

#include <string_view>

#include "fleet/base/error.h"

namespace fleet::client {

// 400 and 415 kInvalidArgument, 401 kUnauthenticated, 403 kPermissionDenied, 404 kNotFound,
// 405 and 501 kUnimplemented, 409 kAlreadyExists (the API's PUT conflicts), 412
// kFailedPrecondition, 429 kResourceExhausted, 500 kInternal, 502 and 503 kUnavailable, 504
// kDeadlineExceeded; other 4xx kFailedPrecondition, other 5xx kInternal, anything else kUnknown.
ErrorCode error_code_of_status(int status);

// The Error for a failure `status` (with its `reason` phrase) from the API at `endpoint`: the
// body's message when it is fleet's error body with a message; otherwise (an empty 500, a
// proxy's page) `fleet API at <endpoint> answered 502 Bad Gateway`.
Error error_of_response(int status, std::string_view reason, std::string_view body,
                        std::string_view endpoint);

}  // namespace fleet::client
