// Files built into the binary by cmake/embed_files.cmake: the dashboard's (dashboard/), which
// fleetd serves with nothing installed beside it.
#pragma once

#include <span>
#include <string_view>

namespace fleet::api::internal {

struct EmbeddedFile {
  std::string_view name;   // relative to the embedded directory: "app.js"
  std::string_view bytes;  // the file as it was at build time
  std::string_view etag;   // quoted, changes with the bytes: "\"3f2a...\""
};

// dashboard/'s files, in the order the build lists them (generated dashboard_files.cc).
std::span<const EmbeddedFile> dashboard_files();

}  // namespace fleet::api::internal
