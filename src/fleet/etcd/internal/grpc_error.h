// Turning gRPC statuses from etcd into fleet errors that say where and what to do.
#pragma once

#include <string_view>

#include <grpcpp/grpcpp.h>

#include "fleet/base/error.h"

namespace fleet::etcd::internal {

// Maps `status` (not OK) from a call to `endpoint_url` doing `what` ("put", "watch", ...).
// Codes map one to one; kUnavailable messages say the endpoint is unreachable and what to check.
Error from_grpc(const grpc::Status& status, std::string_view endpoint_url, std::string_view what);

// True when another endpoint may succeed where this one failed.
bool worth_another_endpoint(const grpc::Status& status);

// True when etcd refused the call for a missing or expired auth token.
bool is_auth_token_error(const grpc::Status& status);

}  // namespace fleet::etcd::internal
