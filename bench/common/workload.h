// The units the cluster benchmarks submit: instances app<t>@<i>.service of kTemplates templates,
// each a plain long-running service, so every benchmark measures the same workload.
#pragma once

#include <string>
#include <vector>

#include "fleet/unit/unit_file.h"

namespace fleet::bench {

inline constexpr int kTemplates = 10;

// The template bodies, by t in [0, kTemplates).
std::vector<unit::UnitFile> template_bodies();

// Unit i's name, "app<i % kTemplates>@<i>.service"; its body is template_bodies()[i % kTemplates].
std::string instance_name(int i);

}  // namespace fleet::bench
