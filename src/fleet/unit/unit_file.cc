#include "fleet/unit/unit_file.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "fleet/unit/internal/quote.h"
#include "fleet/unit/internal/utf8.h"

namespace fleet::unit {
namespace {

using internal::decode_rune;
using internal::is_space;
using internal::quote;
using internal::trim_space;

bool is_comment_start(char32_t rune) { return rune == U'#' || rune == U';'; }

// Where systemd would lose text: it reads a line into a LINE_MAX buffer. Both \n and \r end a
// line here, as they do for systemd (and for the original's check).
std::optional<size_t> first_long_line(std::string_view text) {
  size_t line = 1;
  size_t length = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (c == '\n') ++line;
      length = 0;
    } else if (++length >= UnitFile::kMaxLineLength) {
      return line;
    }
  }
  return std::nullopt;
}

// Trims the value, but not the white space after a final backslash: that white space is what
// keeps the backslash from continuing the line, so without it the canonical text would read back
// as a different unit. (go-systemd keeps the newline after a continued value that a blank line
// ended for the same reason.)
std::string finish_value(std::string_view raw) {
  auto value = internal::trim_left_space(raw);
  auto trimmed = internal::trim_right_space(value);
  return std::string(trimmed.ends_with('\\') ? value : trimmed);
}

// A one-pass reader over the text, following go-systemd's lexer state by state.
class Parser {
 public:
  Parser(std::string_view text, std::string_view unit_name) : text_(text), unit_name_(unit_name) {}

  Result<UnitFile> run() {
    if (auto line = first_long_line(text_)) {
      return error_on(*line,
                      "line too long (max " + std::to_string(UnitFile::kMaxLineLength) + " bytes)");
    }
    while (pos_ < text_.size()) {
      auto next = decode_rune(text_.substr(pos_));
      if (next.rune == U'[') {
        auto status = read_section_header();
        if (!status) return fail(status.error());
      } else if (is_comment_start(next.rune)) {
        skip_comment();
      } else if (section_ && !is_space(next.rune)) {
        auto status = read_option();
        if (!status) return fail(status.error());
      } else {
        // White space between options, or anything before the first section header.
        pos_ += next.size;
      }
    }
    return std::move(file_);
  }

 private:
  // The rest of the line, without its \n. (Like go-systemd, drops a \r only at the end of the
  // file: a \r before \n stays, and so keeps a backslash before it from continuing the line.)
  std::string_view read_line() {
    auto newline = text_.find('\n', pos_);
    if (newline == std::string_view::npos) {
      auto rest = text_.substr(pos_);
      pos_ = text_.size();
      if (rest.ends_with('\r')) rest.remove_suffix(1);
      return rest;
    }
    auto line = text_.substr(pos_, newline - pos_);
    pos_ = newline + 1;
    return line;
  }

  // At `#` or `;`: skips the comment and the lines its trailing backslashes continue.
  void skip_comment() {
    for (;;) {
      auto line = read_line();
      if (line.ends_with(' ')) line.remove_suffix(1);
      if (!line.ends_with('\\')) return;
    }
  }

  // At `[`: the name runs to the next `]`, across lines if need be, as in go-systemd.
  Status read_section_header() {
    size_t open = pos_;
    auto close = text_.find(']', open + 1);
    if (close == std::string_view::npos) {
      return error_at(open, "unable to find end of section: \"]\" is missing");
    }
    auto name = text_.substr(open + 1, close - open - 1);
    pos_ = close + 1;
    auto garbage = trim_space(read_line());
    if (!garbage.empty()) {
      return error_at(close,
                      "found garbage after section name " + quote(name) + ": " + quote(garbage));
    }
    section_ = std::string(name);
    return {};
  }

  // At the first character of an option name. (go-systemd reads the name rune by rune and so
  // turns invalid UTF-8 into U+FFFD; bytes are kept as they are here, so that a name written
  // back is never longer than the line it came from.)
  Status read_option() {
    size_t start = pos_;
    auto stop = text_.find_first_of("=\n\r", pos_);
    auto name =
        trim_space(text_.substr(start, stop == std::string_view::npos ? stop : stop - start));
    if (stop == std::string_view::npos || text_[stop] != '=') {
      auto what = stop == std::string_view::npos ? "end of file" : "newline encountered";
      return error_at(start, std::string("unexpected ") + what + " while parsing option name " +
                                 quote(name) + ": options are written Name=Value");
    }
    pos_ = stop + 1;
    std::string value;
    for (;;) {
      auto line = read_line();
      if (trim_space(line).empty()) break;
      value += line;
      if (!line.ends_with('\\')) break;
      value += '\n';
    }
    file_.add(*section_, std::string(name), finish_value(value));
    return {};
  }

  size_t line_of(size_t offset) const {
    return 1 + static_cast<size_t>(std::count(text_.begin(), text_.begin() + offset, '\n'));
  }

  tl::unexpected<Error> error_at(size_t offset, std::string_view problem) const {
    return error_on(line_of(offset), problem);
  }

  tl::unexpected<Error> error_on(size_t line, std::string_view problem) const {
    std::string message;
    if (!unit_name_.empty()) message = "unit " + quote(unit_name_) + " ";
    message += "line " + std::to_string(line) + ": ";
    message += problem;
    return fail(ErrorCode::kInvalidArgument, std::move(message));
  }

  std::string_view text_;
  std::string_view unit_name_;
  size_t pos_ = 0;
  std::optional<std::string> section_;  // none until the first header
  UnitFile file_;
};

}  // namespace

Result<UnitFile> UnitFile::parse(std::string_view text, std::string_view unit_name) {
  return Parser(text, unit_name).run();
}

UnitFile UnitFile::from_options(std::span<const UnitOption> options) {
  UnitFile file;
  for (const auto& option : options) file.add(option.section, option.name, option.value);
  return file;
}

void UnitFile::add(std::string_view section, std::string name, std::string value) {
  auto it = section_index_.find(section);
  if (it == section_index_.end()) {
    it = section_index_.emplace(std::string(section), sections_.size()).first;
    sections_.push_back(UnitSection{std::string(section), {}});
  }
  sections_[it->second].entries.push_back(UnitEntry{std::move(name), std::move(value)});
}

const UnitSection* UnitFile::find_section(std::string_view name) const {
  auto it = section_index_.find(name);
  return it == section_index_.end() ? nullptr : &sections_[it->second];
}

std::vector<std::string_view> UnitFile::values(std::string_view section,
                                               std::string_view name) const {
  std::vector<std::string_view> out;
  if (const auto* found = find_section(section)) {
    for (const auto& entry : found->entries) {
      if (entry.name == name) out.push_back(entry.value);
    }
  }
  return out;
}

std::string_view UnitFile::description() const {
  auto found = values("Unit", "Description");
  return found.empty() ? std::string_view() : found.front();
}

std::vector<UnitOption> UnitFile::options() const {
  std::vector<UnitOption> out;
  for (const auto& section : sections_) {
    for (const auto& entry : section.entries) {
      out.push_back(UnitOption{section.name, entry.name, entry.value});
    }
  }
  return out;
}

std::string UnitFile::serialize() const {
  std::string out;
  for (const auto& section : sections_) {
    if (!out.empty()) out += '\n';
    out += '[';
    out += section.name;
    out += "]\n";
    for (const auto& entry : section.entries) {
      out += entry.name;
      out += '=';
      out += entry.value;
      out += '\n';
    }
  }
  return out;
}

UnitHash UnitFile::hash() const { return UnitHash::of(serialize()); }

size_t UnitFile::size() const {
  size_t total = 0;
  for (const auto& section : sections_) {
    for (const auto& entry : section.entries) {
      total += section.name.size() + entry.name.size() + entry.value.size() + kOptionOverhead;
    }
  }
  return total;
}

namespace {

// A section or option name as messages show it: quoted, and cut short, as it may be anything.
std::string shown(std::string_view text) {
  constexpr size_t kShown = 64;
  return quote(text.substr(0, kShown)) + (text.size() > kShown ? "..." : "");
}

std::string option_label(const UnitOption& option) {
  return "option " + shown(option.name) + " in section " + shown(option.section);
}

// The first byte of `text` that may not be there, as a message part; nullopt when all may.
std::optional<std::string> bad_character(std::string_view text, bool continued_lines) {
  for (size_t at = 0; at < text.size();) {
    auto decoded = decode_rune(text.substr(at));
    if (decoded.rune == internal::kRuneError && decoded.size == 1) return "is not valid UTF-8";
    const char32_t rune = decoded.rune;
    const bool continues = rune == U'\n' && continued_lines && at > 0 && text[at - 1] == '\\';
    if (rune < 0x20 && rune != U'\t' && !continues) {
      std::string problem = "holds the control character " + internal::quote_rune(rune);
      if (rune == U'\n' && continued_lines) problem += " without a \"\\\" before it";
      return problem;
    }
    at += decoded.size;
  }
  return std::nullopt;
}

bool same_option(const UnitOption& given, const UnitOption& read) {
  return given.section == read.section && trim_space(given.name) == read.name &&
         trim_space(given.value) == trim_space(read.value);
}

}  // namespace

Status check_storable(const UnitFile& file, std::string_view unit_name) {
  auto invalid = [&](const std::string& problem) {
    return fail(ErrorCode::kInvalidArgument, "unit " + quote(unit_name) + " " + problem);
  };
  if (const size_t size = file.size(); size > UnitFile::kMaxSize) {
    return invalid("takes " + std::to_string(size) + " bytes, more than the " +
                   std::to_string(UnitFile::kMaxSize) + " a unit may take");
  }
  const std::vector<UnitOption> given = file.options();
  for (const auto& option : given) {
    if (auto bad = bad_character(option.section, false)) {
      return invalid(option_label(option) + ": the section name " + *bad);
    }
    if (auto bad = bad_character(option.name, false)) {
      return invalid(option_label(option) + ": the name " + *bad);
    }
    if (auto bad = bad_character(option.value, true)) {
      return invalid(option_label(option) + ": the value " + *bad);
    }
  }
  auto reread = UnitFile::parse(file.serialize(), unit_name);
  if (!reread) return fail(reread.error());
  const std::vector<UnitOption> read = reread->options();
  const auto differs =
      std::mismatch(given.begin(), given.end(), read.begin(), read.end(), same_option).first;
  if (differs == given.end() && read.size() == given.size()) return {};
  const UnitOption& culprit = differs == given.end() ? given.back() : *differs;
  return invalid(
      option_label(culprit) +
      " would read back from the unit file as something else: a name may not hold "
      "\"=\" or start with \"#\", \";\" or \"[\", a section name may not hold \"]\", and "
      "a value ending in \"\\\" continues onto the next line");
}

}  // namespace fleet::unit
