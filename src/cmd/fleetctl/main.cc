// fleetctl's entry point: everything happens in fleetctl::run.
#include <iostream>
#include <string>
#include <vector>

#include "cmd/fleetctl/fleetctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return fleet::fleetctl::run(args, std::cout, std::cerr);
}
