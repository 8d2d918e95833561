// The directory fleet writes unit files into (spec §5.7 Load/Unload), seen from two sides: the
// path systemd knows a file by, and the path this process writes it at (the same unless a
// systemd_root prefix says systemd lives in another root, as a test machine does).
//
// Stateless apart from its two paths; safe to use from several threads (writes are atomic
// renames, so a reader sees a whole old or a whole new file).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "fleet/base/error.h"
#include "fleet/unit/unit_hash.h"

namespace fleet::systemd::internal {

class UnitDirectory {
 public:
  // `directory` is absolute, as systemd sees it; `root` is prepended for our own file operations.
  UnitDirectory(const std::filesystem::path& directory, const std::filesystem::path& root);

  // Creates the directory (and its parents) with mode 0755 when missing.
  Status create() const;

  // The path systemd knows unit `name` by. kInvalidArgument when `name` is not a valid unit name
  // (unit::validate_unit_name) or would name anything but a file directly in the directory.
  Result<std::filesystem::path> path_for(std::string_view name) const;

  // Replaces unit `name`'s file with `contents`, mode 0644, atomically (temporary file + rename).
  Status write(std::string_view name, std::string_view contents) const;
  // Removes unit `name`'s file; a file already gone is fine.
  Status remove(std::string_view name) const;

  // Every file in the directory named like a unit of any systemd type, with the hash of its
  // contents. A file that cannot be read or parsed is listed with the empty hash ("no hash
  // known"): it then differs from every desired hash, so the agent rewrites or unloads it
  // instead of keeping a file it cannot account for. A missing directory lists nothing.
  Result<std::map<std::string, unit::UnitHash>> list() const;

  const std::filesystem::path& directory() const { return directory_; }
  // Where this process finds the directory.
  const std::filesystem::path& local_directory() const { return local_directory_; }

 private:
  std::filesystem::path directory_;
  std::filesystem::path local_directory_;
};

}  // namespace fleet::systemd::internal
