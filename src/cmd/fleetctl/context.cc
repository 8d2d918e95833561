#include "cmd/fleetctl/context.h"

#include "cmd/fleetctl/ssh_tunnel.h"

namespace fleet::fleetctl {

Context::Context(std::ostream& out, std::ostream& err, const GlobalOptions& global,
                 const CommandOptions& options, std::unique_ptr<client::FleetApi> api,
                 std::unique_ptr<SshTunnel> tunnel)
    : out_(out),
      err_(err),
      global_(global),
      options_(options),
      tunnel_(std::move(tunnel)),
      api_(std::move(api)) {}

Context::~Context() = default;

const schema::Machine* Context::machine(std::string_view id) {
  if (!machines_) {
    machines_.emplace();
    // Best effort: a legend without the IP is still a legend.
    if (auto listed = api_->machines()) {
      for (auto& machine : *listed) machines_->emplace(machine.id, std::move(machine));
    } else {
      debug("listing machines for legends failed: " + listed.error().message);
    }
  }
  auto found = machines_->find(id);
  return found == machines_->end() ? nullptr : &found->second;
}

void Context::debug(std::string_view message) {
  if (global_.debug) err_ << "DEBUG: " << message << "\n";
}

}  // namespace fleet::fleetctl
