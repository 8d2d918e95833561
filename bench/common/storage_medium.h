// Where a directory lives, for benchmark output: etcd fsyncs every commit, so the medium of its
// data directory bounds every figure measured through it.
#pragma once

#include <filesystem>
#include <string>

namespace fleet::bench {

// "tmpfs", "disk", or "unknown" when the directory cannot be examined.
std::string storage_medium(const std::filesystem::path& dir);

}  // namespace fleet::bench
