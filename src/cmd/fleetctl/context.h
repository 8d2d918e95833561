// What a command runs with: its output streams, the options the command line set, and the fleet
// API the global options chose. One per invocation; not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/client/fleet_api.h"

#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {

class SshTunnel;

class Context {
 public:
  // `api` may be null for commands that do not talk to fleet (help, version); `tunnel`, the SSH
  // tunnel it goes through (--tunnel), if any, is kept until after the api is gone.
  Context(std::ostream& out, std::ostream& err, const GlobalOptions& global,
          const CommandOptions& options, std::unique_ptr<client::FleetApi> api,
          std::unique_ptr<SshTunnel> tunnel = nullptr);
  ~Context();

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  const GlobalOptions& global() const { return global_; }
  const CommandOptions& options() const { return options_; }
  client::FleetApi& api() { return *api_; }

  // The machine called `id` as the first call listed the machines (once per invocation, as the
  // original caches them for legends); nullptr when it is not present or listing failed.
  const schema::Machine* machine(std::string_view id);

  // One line on stderr with --debug (or FLEETCTL_DEBUG).
  void debug(std::string_view message);

 private:
  std::ostream& out_;
  std::ostream& err_;
  const GlobalOptions& global_;
  const CommandOptions& options_;
  std::unique_ptr<SshTunnel> tunnel_;
  std::unique_ptr<client::FleetApi> api_;
  std::optional<std::map<std::string, schema::Machine, std::less<>>> machines_;
};

}  // namespace fleet::fleetctl
