// fleet.conf (spec §4.1): `key=value` lines at the top level, no sections.
//
//   # a comment
//   ; a comment too (INI's other marker, which the original accepted)
//   etcd_servers = ["http://10.0.0.1:2379", "http://10.0.0.2:2379"]
//   metadata="region=us-west,az=us-west-1"   # quotes keep '#' and spaces in a value
//   agent_ttl='30s'
//
// Keys are case-insensitive. A value is taken verbatim between matching "…" or '…' when only a
// comment follows the closing quote; otherwise it is the text up to a '#' or ';' that follows
// white space, trimmed. A line ending in '\' continues on the next (a comment line never does).
// A line that is not key=value, a [section], an unknown key (the original ignored them) or a bad
// value is an error naming the file and line.
//
// Example:
//   auto file = parse_config_text("agent_ttl=30x\n", "/etc/fleet/fleet.conf");
//   // error: /etc/fleet/fleet.conf line 1: agent_ttl: invalid duration "30x": unknown unit "x"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/base/error.h"

namespace fleet::config {

// fleet.conf is a few dozen lines; anything past this is not a config file.
inline constexpr std::size_t kMaxConfigFileSize = 1 << 20;

// One option line: the key in lower case and the value unquoted, as the file spells it.
struct ConfigEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based; the first line of a continued one

  bool operator==(const ConfigEntry&) const = default;
};

struct ConfigFile {
  std::string source;  // the name messages use, normally the path
  // Known options in file order, each already checked to be a valid value. A key may appear
  // more than once; applied in order, the last one wins.
  std::vector<ConfigEntry> entries;
  // `<source> line 7: etcd_servers repeats line 2, the later value wins`.
  std::vector<std::string> warnings;
};

// Parses fleet.conf text. Errors are kInvalidArgument `<source_name> line N: <problem>`:
//   expected key=value, got "…"        sections are not supported: "[fleet]"
//   missing key before '='             invalid key "etcd servers"
//   unknown key "etcd_server"; did you mean "etcd_servers"?
//   <key>: unterminated quote in "…"   <key>: <what the value's parser says>
//   a '\' at the end of the last line
Result<ConfigFile> parse_config_text(std::string_view text, std::string_view source_name);

// Reads and parses the file at `path` (its name in messages). Besides parse_config_text's
// errors: kNotFound `unable to use config file <path>: No such file or directory`,
// kInvalidArgument `... is a directory` or `... larger than 1048576 bytes`,
// kPermissionDenied `... Permission denied`.
Result<ConfigFile> read_config_file(const std::string& path);

}  // namespace fleet::config
