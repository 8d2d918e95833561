#include "common/workload.h"

namespace fleet::bench {

std::vector<unit::UnitFile> template_bodies() {
  std::vector<unit::UnitFile> bodies;
  for (int t = 0; t < kTemplates; ++t) {
    bodies.push_back(unit::UnitFile::parse("[Unit]\nDescription=app " + std::to_string(t) +
                                           "\n\n[Service]\nExecStart=/usr/bin/sleep infinity\n")
                         .value());
  }
  return bodies;
}

std::string instance_name(int i) {
  return "app" + std::to_string(i % kTemplates) + "@" + std::to_string(i) + ".service";
}

}  // namespace fleet::bench
