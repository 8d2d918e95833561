#include "fleet/api/request_target.h"

#include <optional>

namespace fleet::api {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and, in a query, '+' as a space); nullopt at the first malformed escape,
// whose position goes to `bad_at`.
std::optional<std::string> unescape(std::string_view text, bool plus_is_space,
                                    size_t* bad_at = nullptr) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int high = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        if (bad_at) *bad_at = i;
        return std::nullopt;
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string_view> RequestTarget::values(std::string_view key) const {
  std::vector<std::string_view> found;
  for (const auto& [name, value] : query) {
    if (name == key) found.emplace_back(value);
  }
  return found;
}

std::string_view RequestTarget::first(std::string_view key) const {
  for (const auto& [name, value] : query) {
    if (name == key) return value;
  }
  return {};
}

Result<RequestTarget> parse_request_target(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      auto path_at = target.find_first_of("/?", scheme.size());
      target = path_at == std::string_view::npos ? "/" : target.substr(path_at);
      break;
    }
  }
  if (auto fragment = target.find('#'); fragment != std::string_view::npos) {
    target = target.substr(0, fragment);
  }
  std::string_view raw_path = target;
  std::string_view raw_query;
  if (auto question = target.find('?'); question != std::string_view::npos) {
    raw_path = target.substr(0, question);
    raw_query = target.substr(question + 1);
  }

  RequestTarget parsed;
  size_t bad_at = 0;
  auto path = unescape(raw_path, /*plus_is_space=*/false, &bad_at);
  if (!path) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid URL escape \"" + std::string(raw_path.substr(bad_at, 3)) + "\"");
  }
  parsed.path = std::move(*path);

  while (!raw_query.empty()) {
    auto end = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, end);
    raw_query = end == std::string_view::npos ? std::string_view() : raw_query.substr(end + 1);
    if (pair.empty()) continue;
    auto equals = pair.find('=');
    auto key = unescape(pair.substr(0, equals), /*plus_is_space=*/true);
    auto value = unescape(
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (key && value) parsed.query.emplace_back(std::move(*key), std::move(*value));
  }
  return parsed;
}

}  // namespace fleet::api
