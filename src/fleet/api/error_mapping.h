// The one table from fleet's error codes to HTTP statuses (DESIGN.md: "api/ holds the one table").
#pragma once

#include "fleet/api/http_message.h"
#include "fleet/base/error.h"

namespace fleet::api {

// kInvalidArgument 400, kNotFound 404, kAlreadyExists 409, anything else 500.
int http_status(ErrorCode code);

// fleet's error response for `error`. A 500 carries an empty message, as fleet's did (spec §2.2):
// what went wrong inside is for fleetd's log, not for the client.
HttpResponse error_response(const Error& error);

}  // namespace fleet::api
