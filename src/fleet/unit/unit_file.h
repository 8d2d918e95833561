// A systemd unit file as fleet sees it: ordered sections of ordered `Name=Value` options, parsed
// with the original's (go-systemd's) rules and written back in the canonical form whose SHA1 is
// the unit's identity (spec §3.1, §3.2).
//
// Example:
//   auto file = UnitFile::parse(text, "web@1.service");
//   if (!file) return fail(file.error());
//   std::cout << file->hash().short_hex();  // "e55c0ae"
//
// A value type: copies are independent; not synchronised.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/unit/unit_hash.h"

namespace fleet::unit {

// One option with the section it belongs to: the API's UnitOption.
struct UnitOption {
  std::string section;
  std::string name;
  std::string value;

  friend bool operator==(const UnitOption&, const UnitOption&) = default;
};

// One `Name=Value` line of a section.
struct UnitEntry {
  std::string name;
  std::string value;

  friend bool operator==(const UnitEntry&, const UnitEntry&) = default;
};

// A section and its options in file order. Never empty: a section without options vanishes.
struct UnitSection {
  std::string name;
  std::vector<UnitEntry> entries;

  friend bool operator==(const UnitSection&, const UnitSection&) = default;
};

class UnitFile {
 public:
  // systemd's LINE_MAX: a line may hold at most this many bytes counting its newline.
  static constexpr size_t kMaxLineLength = 2048;
  // The most a unit may take, by size(). A unit's options are one etcd value, and etcd refuses a
  // request over 1.5 MiB (its default --max-request-bytes): this leaves room for the key and the
  // rest of the transaction, and is hundreds of times what a real unit file takes.
  static constexpr size_t kMaxSize = 1 << 20;
  // Framing per option in size(): the protobuf record fleet stores (registry/records.h) spends at
  // most this on an option's tags and lengths (varints of up to 4 bytes: any option under 256 MiB).
  static constexpr size_t kOptionOverhead = 20;

  UnitFile() = default;

  // Parses unit-file text. `unit_name` only labels errors. kInvalidArgument naming the unit, the
  // line and the problem, e.g. `unit "web@1.service" line 7: line too long (max 2048 bytes)`.
  //
  // Rules (go-systemd's deserializer): `#`/`;` lines are comments, continued by a trailing `\`;
  // text before the first `[Section]` is ignored; `Name=Value` with both trimmed; a value line
  // ending in `\` continues on the next line, the value keeping the `\` and a newline; a blank
  // line ends a continued value; repeated options are all kept; a section repeated later in the
  // file adds to its first appearance. Two deliberate differences keep serialize() and parse()
  // inverse: a continued value at the end of the file ends as if the file had a final newline,
  // and white space after a final `\` (which stops it continuing) is kept in the value.
  static Result<UnitFile> parse(std::string_view text, std::string_view unit_name = {});

  // Groups `options` by section in order of first appearance, as the API's option list maps to
  // a unit. No validation: see validate_unit() in fleet_options.h.
  static UnitFile from_options(std::span<const UnitOption> options);

  // Appends an option to `section` (created at the end when new).
  void add(std::string_view section, std::string name, std::string value);

  const std::vector<UnitSection>& sections() const { return sections_; }
  bool empty() const { return sections_.empty(); }

  // The section called `name`, or nullptr.
  const UnitSection* find_section(std::string_view name) const;
  // Every value of `name` in `section`, in file order.
  std::vector<std::string_view> values(std::string_view section, std::string_view name) const;
  // The first Description= of [Unit], or "" (what list-unit-files shows).
  std::string_view description() const;

  // All options, section by section: the order the API returns them in.
  std::vector<UnitOption> options() const;

  // Canonical form (spec §3.2): `[Section]\n` then `Name=Value\n` per option, sections separated
  // by one blank line, nothing else. "" for a unit without options.
  std::string serialize() const;
  // SHA1 of serialize().
  UnitHash hash() const;

  // An upper bound of what storing the unit costs: each option's section, name and value, plus
  // kOptionOverhead (sections are stored with every option, not once as in the text).
  size_t size() const;

  friend bool operator==(const UnitFile&, const UnitFile&) = default;

 private:
  std::vector<UnitSection> sections_;
  // Position of each section in sections_, so that units with many sections parse in linear time.
  std::map<std::string, size_t, std::less<>> section_index_;
};

// What fleet requires of a unit before it stores it, so that the file an agent writes says what
// the options say and etcd takes it in one request. kInvalidArgument naming the unit and the
// first problem:
//  - size() over UnitFile::kMaxSize;
//  - a section, name or value that is not UTF-8 (systemd skips such lines) or holds a control
//    character other than tab: systemd ends a line at NUL and \r as well as at \n, so any of them
//    would start a line of the caller's choosing. A value may hold \n only right after a
//    backslash, where it continues the value (the form parse() gives continued lines);
//  - a canonical text that does not read back as the same options, white space around names and
//    values aside: a line too long, a name holding "=" or starting with "#", ";" or "[", a value
//    ending in a backslash that would swallow the next line, a section name holding "]".
Status check_storable(const UnitFile& file, std::string_view unit_name);

}  // namespace fleet::unit
