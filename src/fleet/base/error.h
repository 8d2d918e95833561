// Error values shared by every fleet library.
//
// Recoverable failures (I/O, bad input, a lost race) are returned as Result<T>, never thrown.
// Codes follow gRPC's canonical set so etcd's statuses map one to one and api/ can keep the single
// table that turns them into HTTP statuses. Messages name the object and the way out, e.g.
//   unit "web@1.service" line 7: unknown [X-Fleet] key "MachineOff"
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace fleet {

enum class ErrorCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,  // a guarded write lost its compare: re-read and retry
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,  // etcd or D-Bus unreachable: retry later
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ... as gRPC spells them.
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kUnknown;
  std::string message;

  // "NOT_FOUND: unit does not exist"
  std::string to_string() const;
};

template <class T>
using Result = tl::expected<T, Error>;

// Result of an operation that yields nothing but may fail.
using Status = Result<void>;

// Lets a function returning Result<T> write `return fail(ErrorCode::kNotFound, "...");`.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

}  // namespace fleet
