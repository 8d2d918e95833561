#include "fleet/config/config_file.h"

#include <map>
#include <optional>

#include "fleet/config/config.h"
#include "fleet/config/internal/options.h"
#include "fleet/config/internal/text.h"

namespace fleet::config {
namespace {

using internal::kWhitespace;
using internal::quote;
using internal::trim;

constexpr std::string_view kCommentMarkers = "#;";

// The text's lines, trimmed, with their 1-based numbers; a leading byte order mark is skipped.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    if (rest_.starts_with(kByteOrderMark)) rest_.remove_prefix(kByteOrderMark.size());
  }

  bool done() const { return done_; }
  int number() const { return number_; }

  std::string_view next_physical() {
    ++number_;
    auto newline = rest_.find('\n');
    auto line = rest_.substr(0, newline);
    if (newline == std::string_view::npos) {
      done_ = true;
      rest_ = {};
    } else {
      rest_.remove_prefix(newline + 1);
      done_ = rest_.empty();
    }
    return trim(line);
  }

 private:
  std::string_view rest_;
  int number_ = 0;
  bool done_ = false;
};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The unquoted part of a value: up to a comment marker that follows white space.
std::string_view strip_comment(std::string_view value) {
  for (std::size_t i = 1; i < value.size(); ++i) {
    if (kCommentMarkers.find(value[i]) != std::string_view::npos &&
        kWhitespace.find(value[i - 1]) != std::string_view::npos) {
      return trim(value.substr(0, i));
    }
  }
  return trim(value);
}

// nullopt: a quote opens the value and never closes.
std::optional<std::string_view> unquote(std::string_view text) {
  auto value = trim(text);
  if (value.empty() || (value.front() != '"' && value.front() != '\'')) {
    return strip_comment(value);
  }
  auto close = value.find(value.front(), 1);
  if (close == std::string_view::npos) return std::nullopt;
  auto after = trim(value.substr(close + 1));
  if (after.empty() || kCommentMarkers.find(after.front()) != std::string_view::npos) {
    return value.substr(1, close - 1);
  }
  // Quotes that do not wrap the whole value belong to it: `"a", "b"` is a list for etcd_servers.
  return strip_comment(value);
}

}  // namespace

Result<ConfigFile> parse_config_text(std::string_view text, std::string_view source_name) {
  ConfigFile file{.source = std::string(source_name), .entries = {}, .warnings = {}};
  std::map<std::string, int, std::less<>> first_line_of;
  LineReader reader(text);
  while (!reader.done()) {
    std::string line(reader.next_physical());
    const int number = reader.number();
    const std::string where = file.source + " line " + std::to_string(number) + ": ";
    auto error = [&](const std::string& problem) {
      return fail(ErrorCode::kInvalidArgument, where + problem);
    };
    if (line.empty() || kCommentMarkers.find(line.front()) != std::string::npos) continue;
    while (line.ends_with('\\')) {
      line.pop_back();
      if (reader.done()) return error("a '\\' at the end of the last line");
      line += reader.next_physical();
    }
    if (line.empty()) continue;
    if (line.front() == '[') {
      return error("sections are not supported: " + quote(line) +
                   "; write options at the top level, outside any [section]");
    }
    auto equals = line.find('=');
    if (equals == std::string::npos) return error("expected key=value, got " + quote(line));
    auto raw_key = trim(std::string_view(line).substr(0, equals));
    if (raw_key.empty()) return error("missing key before '='");
    if (raw_key.find_first_of(kWhitespace) != std::string_view::npos) {
      return error("invalid key " + quote(raw_key));
    }
    auto key = lowercase(raw_key);
    const auto* option = internal::find_option(key);
    if (option == nullptr) {
      // The original ignored it silently: a misspelt key then left its option at the default.
      auto closest = internal::closest_option(key);
      return error("unknown key " + quote(raw_key) +
                   (closest.empty() ? std::string("; remove it, fleetd has no such option")
                                    : "; did you mean " + quote(closest) + "?"));
    }
    auto value = unquote(std::string_view(line).substr(equals + 1));
    if (!value) {
      if (internal::is_secret(key)) return error(key + ": unterminated quote");
      return error(key + ": unterminated quote in " + quote(trim(line.substr(equals + 1))));
    }
    // Checked on a scratch Config so a bad value is reported here, with its line.
    Config scratch;
    std::vector<std::string> notes;
    if (auto set = option->set(scratch, *value, notes); !set) {
      return error(key + ": " + set.error().message);
    }
    if (auto [first, inserted] = first_line_of.try_emplace(key, number); !inserted) {
      file.warnings.push_back(where + key + " repeats line " + std::to_string(first->second) +
                              ", the later value wins");
    }
    file.entries.push_back({.key = key, .value = std::string(*value), .line = number});
  }
  return file;
}

Result<ConfigFile> read_config_file(const std::string& path) {
  auto text = internal::read_small_file(path, "unable to use config file", kMaxConfigFileSize);
  if (!text) return fail(text.error());
  return parse_config_text(*text, path);
}

}  // namespace fleet::config
