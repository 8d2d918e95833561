// fleetd's entry point: parse the command line and hand over to the daemon.
#include <iostream>
#include <string>
#include <vector>

#include "cmd/fleetd/daemon.h"
#include "cmd/fleetd/flags.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto flags = fleet::fleetd::parse_flags(args);
  if (!flags) {
    std::cerr << flags.error().message << "\n" << fleet::fleetd::usage();
    return 1;
  }
  if (flags->help) {
    std::cout << fleet::fleetd::usage();
    return 0;
  }
  if (flags->version) {
    std::cout << "fleetd version " << FLEET_VERSION << "\n";
    return 0;
  }
  return fleet::fleetd::run_daemon(*flags);
}
