// fleetd's UnitInspector: runs the command itself when the unit's machine is this one, otherwise
// relays the request to that machine's fleetd at the api_address its machine record publishes,
// and passes the answer (streamed, for journals) back unchanged.
//
// Thread-safe: each relay opens its own connection.
#pragma once

#include <chrono>
#include <string>

#include "fleet/api/unit_inspection.h"
#include "fleet/client/http_transport.h"
#include "fleet/registry/registry.h"

namespace fleet::api {

class RelayingInspector : public UnitInspector {
 public:
  // `registry` must outlive the inspector. With `tls` (its cert_file set: this fleetd's own
  // api_tls_* files) other fleetds are reached over https, verified against tls.ca_file, with
  // this fleetd's certificate as the client certificate their api_tls_cafile asks for; without,
  // over plain http. `connect_timeout` bounds reaching the other fleetd and its answer's headers
  // (a `systemctl status` there included), not a journal's body.
  RelayingInspector(registry::Registry& registry, std::string machine_id,
                    client::TlsSettings tls = {},
                    std::chrono::milliseconds connect_timeout = std::chrono::seconds(30));

  HttpResponse inspect(const UnitInspection& inspection) override;

 private:
  HttpResponse relay(const UnitInspection& inspection);

  registry::Registry& registry_;
  const std::string machine_id_;
  const client::TlsSettings tls_;
  const std::chrono::milliseconds connect_timeout_;
};

}  // namespace fleet::api
