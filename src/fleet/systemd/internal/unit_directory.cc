#include "fleet/systemd/internal/unit_directory.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleet/unit/unit_file.h"
#include "fleet/unit/unit_name.h"

namespace fleet::systemd::internal {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kDirectoryMode = 0755;
constexpr mode_t kFileMode = 0644;

ErrorCode code_for_errno(int error) {
  switch (error) {
    case EACCES:
    case EPERM:
    case EROFS:
      return ErrorCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
      return ErrorCode::kResourceExhausted;
    default:
      return ErrorCode::kInternal;
  }
}

Error file_error(std::string_view what, const fs::path& path, int error) {
  return Error{code_for_errno(error),
               std::string(what) + " \"" + path.string() + "\": " + std::strerror(error)};
}

// "/run/fleet/units/" and "/run/fleet/./units" both become "/run/fleet/units", so that a unit's
// path compares equal to the directory joined with its name.
fs::path normalized(const fs::path& path) {
  auto normal = path.lexically_normal();
  if (!normal.has_filename() && normal.has_parent_path() && normal != normal.root_path()) {
    normal = normal.parent_path();
  }
  return normal;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(contents).str();
}

}  // namespace

UnitDirectory::UnitDirectory(const fs::path& directory, const fs::path& root)
    : directory_(normalized(directory)),
      local_directory_(root.empty() ? directory_ : normalized(root / directory_.relative_path())) {}

Status UnitDirectory::create() const {
  std::error_code error;
  if (fs::is_directory(local_directory_, error)) return {};
  fs::create_directories(local_directory_, error);
  if (error) return fail(file_error("create unit directory", local_directory_, error.value()));
  // create_directories honours the umask; the directory must be readable by systemd and users.
  if (::chmod(local_directory_.c_str(), kDirectoryMode) != 0) {
    return fail(file_error("set mode of unit directory", local_directory_, errno));
  }
  return {};
}

Result<fs::path> UnitDirectory::path_for(std::string_view name) const {
  if (auto valid = unit::validate_unit_name(name); !valid) {
    return fail(ErrorCode::kInvalidArgument,
                "unit \"" + std::string(name) + "\": " + valid.error().message);
  }
  // validate_unit_name already refuses "/"; this keeps the guarantee should it ever allow more.
  auto path = directory_ / std::string(name);
  if (name.find('/') != std::string_view::npos || name == "." || name == ".." ||
      path.lexically_normal().parent_path() != directory_) {
    return fail(
        ErrorCode::kInvalidArgument,
        "unit \"" + std::string(name) + "\": would be written outside " + directory_.string());
  }
  return path;
}

Status UnitDirectory::write(std::string_view name, std::string_view contents) const {
  if (auto valid = path_for(name); !valid) return fail(valid.error());
  if (auto created = create(); !created) return created;

  auto target = local_directory_ / std::string(name);
  // A dot-name with no unit suffix: list() never mistakes a half-written file for a unit.
  std::string temporary = (local_directory_ / ("." + std::string(name) + ".XXXXXX")).string();
  int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) return fail(file_error("create temporary unit file", temporary, errno));

  int error = 0;
  // mkostemp creates the file 0600; systemd and users read it.
  if (::fchmod(fd, kFileMode) != 0 || !write_all(fd, contents) || ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temporary.c_str(), target.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    return fail(file_error("write unit file", target, error));
  }
  return {};
}

Status UnitDirectory::remove(std::string_view name) const {
  if (auto valid = path_for(name); !valid) return fail(valid.error());
  auto target = local_directory_ / std::string(name);
  if (::unlink(target.c_str()) != 0 && errno != ENOENT) {
    return fail(file_error("remove unit file", target, errno));
  }
  return {};
}

Result<std::map<std::string, unit::UnitHash>> UnitDirectory::list() const {
  std::map<std::string, unit::UnitHash> files;
  std::error_code error;
  fs::directory_iterator entry(local_directory_, error);
  if (error == std::errc::no_such_file_or_directory) return files;
  for (; !error && entry != fs::directory_iterator(); entry.increment(error)) {
    auto name = entry->path().filename().string();
    if (name.starts_with('.') || !unit::validate_unit_name(name)) continue;
    // Only regular files: load() writes nothing else, and a symlink could point anywhere.
    std::error_code type_error;
    if (entry->is_symlink(type_error) || !entry->is_regular_file(type_error)) continue;

    unit::UnitHash hash;
    if (auto contents = read_file(entry->path())) {
      if (auto parsed = unit::UnitFile::parse(*contents, name)) hash = parsed->hash();
    }
    files.emplace(std::move(name), hash);
  }
  if (error) return fail(file_error("list unit directory", local_directory_, error.value()));
  return files;
}

}  // namespace fleet::systemd::internal
