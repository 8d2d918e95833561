// Small text and file helpers shared by the config library's parsers and readers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "fleet/base/error.h"

namespace fleet::config::internal {

// ASCII white space, which is all a config line or /proc file holds between tokens.
inline constexpr std::string_view kWhitespace = " \t\r\n\v\f";

std::string_view trim(std::string_view text, std::string_view junk = kWhitespace);

// `text` in double quotes for messages, with `"`, `\` and control bytes escaped (\n, \t, \xNN),
// so a stray byte in a config value is visible in the log line that reports it.
std::string quote(std::string_view text);

// The whole of a small file: kNotFound when it is missing, kPermissionDenied when it cannot be
// read, kInvalidArgument when it is a directory or larger than `max_size`, kInternal otherwise.
// Each message names the file and starts with `what` ("config file /etc/fleet/fleet.conf: ...").
Result<std::string> read_small_file(const std::string& path, std::string_view what,
                                    std::size_t max_size);

}  // namespace fleet::config::internal
