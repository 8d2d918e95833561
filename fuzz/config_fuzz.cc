// libFuzzer target for fleet.conf, the file an operator hands fleetd: the line reader, quoting,
// continuations and every option's value parser.
//
// Invariants checked beyond "no crash": a file that does not parse is refused with an error that
// names the file and the line (spec: a bad config stops fleetd with a message naming the key);
// one that parses lists each key in lower case, with a line number inside the file.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fleet/config/config_file.h"

namespace {

constexpr std::string_view kSource = "fuzz.conf";

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "config_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

// libFuzzer's entry point; libFuzzer fixes its name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = fleet::config::parse_config_text(text, kSource);
  if (!file) {
    if (file.error().code != fleet::ErrorCode::kInvalidArgument) broken("not kInvalidArgument");
    if (!std::string_view(file.error().message).starts_with("fuzz.conf line ")) {
      broken("an error that does not name the file and line");
    }
    return 0;
  }
  const auto lines = 1 + std::count(text.begin(), text.end(), '\n');
  for (const auto& entry : file->entries) {
    if (entry.line < 1 || entry.line > lines) broken("an entry's line is outside the file");
    if (std::any_of(entry.key.begin(), entry.key.end(),
                    [](unsigned char c) { return std::isupper(c) != 0; })) {
      broken("a key not in lower case");
    }
  }
  return 0;
}
