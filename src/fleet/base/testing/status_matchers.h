// GoogleTest checks for a Status against the message a user would see.
#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "fleet/base/error.h"

namespace fleet::testing {

// An empty `message` means the status must be OK; otherwise it must be an invalid-argument
// error with exactly that message (the one fleet prints).
inline void expect_invalid_argument(const Status& status, std::string_view message) {
  if (message.empty()) {
    EXPECT_TRUE(status.has_value()) << status.error().message;
    return;
  }
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message, message);
}

}  // namespace fleet::testing
