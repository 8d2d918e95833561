#include "fleet/config/internal/text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

namespace fleet::config::internal {

std::string_view trim(std::string_view text, std::string_view junk) {
  auto first = text.find_first_not_of(junk);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(junk);
  return text.substr(first, last - first + 1);
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", byte);
          out += hex;
        } else {
          out += c;  // UTF-8 passes through: a metadata value may well be non-ASCII
        }
    }
  }
  out += '"';
  return out;
}

Result<std::string> read_small_file(const std::string& path, std::string_view what,
                                    std::size_t max_size) {
  auto prefix = std::string(what) + " " + path + ": ";
  auto from_errno = [&](int error) {
    auto code = error == ENOENT || error == ENOTDIR ? ErrorCode::kNotFound
                : error == EACCES || error == EPERM ? ErrorCode::kPermissionDenied
                                                    : ErrorCode::kInternal;
    return fail(code, prefix + std::strerror(error));
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return from_errno(errno);
  if (S_ISDIR(info.st_mode)) return fail(ErrorCode::kInvalidArgument, prefix + "is a directory");
  // /proc files report size 0, so the size is checked again after reading.
  if (static_cast<std::size_t>(info.st_size) > max_size) {
    return fail(ErrorCode::kInvalidArgument,
                prefix + "larger than " + std::to_string(max_size) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return from_errno(errno != 0 ? errno : EIO);
  std::string content;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > max_size) {
      return fail(ErrorCode::kInvalidArgument,
                  prefix + "larger than " + std::to_string(max_size) + " bytes");
    }
  }
  if (in.bad()) return from_errno(EIO);
  return content;
}

}  // namespace fleet::config::internal
