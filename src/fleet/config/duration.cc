#include "fleet/config/duration.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "fleet/config/internal/text.h"

namespace fleet::config {
namespace {

using internal::quote;

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|

std::uint64_t unit_nanoseconds(std::string_view unit) {
  static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
      {"\xCE\xBCs", 1'000},  // U+03BC Greek small letter mu
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  };
  for (const auto& [name, nanoseconds] : kUnits) {
    if (name == unit) return nanoseconds;
  }
  return 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Go's leadingInt: false on overflow past 1<<63.
bool leading_int(std::string_view& text, std::uint64_t& value) {
  value = 0;
  while (!text.empty() && is_digit(text.front())) {
    if (value > kMaxMagnitude / 10) return false;
    value = value * 10 + static_cast<std::uint64_t>(text.front() - '0');
    if (value > kMaxMagnitude) return false;
    text.remove_prefix(1);
  }
  return true;
}

// Go's leadingFraction: digits past what fits are consumed and ignored.
void leading_fraction(std::string_view& text, std::uint64_t& value, double& scale) {
  value = 0;
  scale = 1;
  bool overflow = false;
  while (!text.empty() && is_digit(text.front())) {
    auto digit = static_cast<std::uint64_t>(text.front() - '0');
    text.remove_prefix(1);
    if (overflow) continue;
    if (value > (kMaxMagnitude - 1) / 10) {
      overflow = true;
      continue;
    }
    value = value * 10 + digit;
    scale *= 10;
  }
}

}  // namespace

Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  const std::string invalid = "invalid duration " + quote(text);
  auto rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return std::chrono::nanoseconds(0);
  if (rest.empty()) return fail(ErrorCode::kInvalidArgument, invalid);
  std::uint64_t total = 0;
  while (!rest.empty()) {
    if (rest.front() != '.' && !is_digit(rest.front())) {
      return fail(ErrorCode::kInvalidArgument, invalid);
    }
    auto before = rest.size();
    std::uint64_t whole = 0;
    if (!leading_int(rest, whole)) return fail(ErrorCode::kInvalidArgument, invalid);
    bool has_whole = rest.size() != before;
    std::uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      before = rest.size();
      leading_fraction(rest, fraction, scale);
      has_fraction = rest.size() != before;
    }
    if (!has_whole && !has_fraction) return fail(ErrorCode::kInvalidArgument, invalid);
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && rest[unit_length] != '.' && !is_digit(rest[unit_length])) {
      ++unit_length;
    }
    if (unit_length == 0) return fail(ErrorCode::kInvalidArgument, invalid + ": missing unit");
    auto unit_name = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    auto unit = unit_nanoseconds(unit_name);
    if (unit == 0) {
      return fail(ErrorCode::kInvalidArgument, invalid + ": unknown unit " + quote(unit_name));
    }
    if (whole > kMaxMagnitude / unit) return fail(ErrorCode::kInvalidArgument, invalid);
    whole *= unit;
    if (fraction > 0) {
      whole += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(unit) / scale));
      if (whole > kMaxMagnitude) return fail(ErrorCode::kInvalidArgument, invalid);
    }
    total += whole;
    if (total > kMaxMagnitude) return fail(ErrorCode::kInvalidArgument, invalid);
  }
  if (negative) {
    // -(1<<63) is representable; computed without overflowing the positive side.
    return std::chrono::nanoseconds(-static_cast<std::int64_t>(total - 1) - 1);
  }
  if (total > kMaxMagnitude - 1) return fail(ErrorCode::kInvalidArgument, invalid);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

std::string format_go_duration(std::chrono::milliseconds duration) {
  auto count = duration.count();
  if (count == 0) return "0s";
  std::string sign = count < 0 ? "-" : "";
  // Magnitude in unsigned arithmetic so the most negative value has one too.
  auto magnitude = count < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(count)
                             : static_cast<std::uint64_t>(count);
  if (magnitude < 1000) return sign + std::to_string(magnitude) + "ms";
  std::string seconds = std::to_string(magnitude / 1000 % 60);
  if (auto millis = magnitude % 1000; millis != 0) {
    std::string digits = std::to_string(millis + 1000).substr(1);  // zero-padded to 3
    digits.erase(digits.find_last_not_of('0') + 1);
    seconds += "." + digits;
  }
  auto minutes = magnitude / 60'000;
  std::string out = seconds + "s";
  if (minutes > 0) {
    out = std::to_string(minutes % 60) + "m" + out;
    if (auto hours = minutes / 60; hours > 0) out = std::to_string(hours) + "h" + out;
  }
  return sign + out;
}

Result<std::chrono::milliseconds> parse_seconds(std::string_view text) {
  const auto invalid = [&] {
    return fail(ErrorCode::kInvalidArgument, "invalid number of seconds " + quote(text));
  };
  auto digits = text;
  // strconv.ParseFloat takes a leading '+', std::from_chars does not.
  bool plus = !digits.empty() && digits.front() == '+';
  if (plus) digits.remove_prefix(1);
  if (digits.empty() || digits.front() == '+' || (plus && digits.front() == '-')) return invalid();
  double seconds = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(seconds)) {
    return invalid();
  }
  double millis = std::round(seconds * 1000);
  // Past 2^62 ms (146 million years) the conversion below would overflow.
  if (std::fabs(millis) > static_cast<double>(std::int64_t{1} << 62)) return invalid();
  return std::chrono::milliseconds(static_cast<std::int64_t>(millis));
}

std::string format_seconds(std::chrono::milliseconds duration) {
  auto count = duration.count();
  std::string sign = count < 0 ? "-" : "";
  auto magnitude = count < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(count)
                             : static_cast<std::uint64_t>(count);
  std::string digits = std::to_string(magnitude % 1000 + 1000).substr(1);
  auto last = digits.find_last_not_of('0');
  digits.erase(last == std::string::npos ? 1 : last + 1);
  return sign + std::to_string(magnitude / 1000) + "." + digits;
}

}  // namespace fleet::config
