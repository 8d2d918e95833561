// Percent-encoding of what goes into a request URL (RFC 3986), so unit names with `@`, `\` or
// spaces and base64 page tokens with `=` reach the server as they are.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fleet::client {

// One path segment: everything but unreserved characters, ':' and '@' is escaped, so
// "web@1.service" stays readable and "a/b" cannot add a segment.
std::string escape_path_segment(std::string_view text);

// A query name or value: everything but unreserved characters is escaped ("=" -> "%3D").
std::string escape_query_component(std::string_view text);

// The text `%XX` sequences stand for; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace fleet::client
