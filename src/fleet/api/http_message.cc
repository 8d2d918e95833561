#include "fleet/api/http_message.h"

#include <algorithm>
#include <cctype>

#include "fleet/schema/json.h"

namespace fleet::api {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::vector<std::string_view> HttpRequest::header_values(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) values.emplace_back(value);
  }
  return values;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  return {status, {{"Content-Type", std::string(kJsonMediaType)}}, std::move(body)};
}

HttpResponse HttpResponse::error(int status, std::string message) {
  return json(status, schema::encode(schema::ErrorBody{status, std::move(message)}));
}

HttpResponse HttpResponse::empty(int status) { return {status, {}, {}}; }

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) return value;
  }
  return {};
}

}  // namespace fleet::api
