#include "fleet/etcd/types.h"

namespace fleet::etcd {

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  // Increment the last byte that is not 0xff, dropping the 0xff bytes after it.
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  // Every byte was 0xff (or the prefix was empty): "\0" means "to the end of the keyspace".
  return std::string(1, '\0');
}

}  // namespace fleet::etcd
