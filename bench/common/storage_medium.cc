#include "common/storage_medium.h"

#include <linux/magic.h>
#include <sys/vfs.h>

namespace fleet::bench {

std::string storage_medium(const std::filesystem::path& dir) {
  struct statfs info {};
  if (::statfs(dir.c_str(), &info) != 0) return "unknown";
  return info.f_type == TMPFS_MAGIC ? "tmpfs" : "disk";
}

}  // namespace fleet::bench
