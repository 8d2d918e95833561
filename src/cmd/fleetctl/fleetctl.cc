#include "cmd/fleetctl/fleetctl.h"

#include "cmd/fleetctl/command_line.h"
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/driver.h"
#include "cmd/fleetctl/help.h"

namespace fleet::fleetctl {

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Environment& environment) {
  CommandLine line = parse_command_line(args, environment);
  switch (line.action) {
    case CommandLine::Action::kRootHelp:
      out << root_help();
      return 0;
    case CommandLine::Action::kVersion:
      out << "fleetctl version " << version() << "\n";
      return 0;
    case CommandLine::Action::kCommandHelp:
      out << command_help(*line.command);
      return 0;
    case CommandLine::Action::kRefuse:
      err << line.refusal;
      return 1;
    case CommandLine::Action::kSignDeprecated:
      err << "WARNING: The signed/verified units feature is DEPRECATED and cannot be used.\n";
      return 2;
    case CommandLine::Action::kRun:
      break;
  }
  Connection connection;
  if (line.command->uses_api) {
    auto opened = open_api(line.global, err);
    if (!opened) {
      err << "Unable to initialize client: " << opened.error().message << "\n";
      return 1;
    }
    connection = std::move(*opened);
  }
  Context context(out, err, line.global, line.options, std::move(connection.api),
                  std::move(connection.tunnel));
  return line.command->run(context, line.args);
}

}  // namespace fleet::fleetctl
