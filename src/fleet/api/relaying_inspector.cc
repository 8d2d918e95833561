#include "fleet/api/relaying_inspector.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "fleet/api/local_command.h"
#include "fleet/client/endpoint.h"
#include "fleet/client/http_transport.h"

namespace fleet::api {
namespace {

// The headers of the other fleetd's answer that mean something to the client.
bool passed_on(std::string_view name) {
  auto same = [&](std::string_view wanted) {
    return name.size() == wanted.size() &&
           std::equal(name.begin(), name.end(), wanted.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  };
  return same("Content-Type") || same(kExitStatusHeader);
}

HttpResponse unreachable(const std::string& machine, const std::string& why) {
  return HttpResponse::error(503, "cannot reach machine " + machine + ": " + why);
}

}  // namespace

RelayingInspector::RelayingInspector(registry::Registry& registry, std::string machine_id,
                                     client::TlsSettings tls,
                                     std::chrono::milliseconds connect_timeout)
    : registry_(registry),
      machine_id_(std::move(machine_id)),
      tls_(std::move(tls)),
      connect_timeout_(connect_timeout) {}

HttpResponse RelayingInspector::inspect(const UnitInspection& inspection) {
  if (inspection.machine_id != machine_id_) return relay(inspection);
  if (inspection.kind == UnitInspection::Kind::kStatus) return run_to_end(inspection.argv());
  return run_streamed(inspection.argv());
}

HttpResponse RelayingInspector::relay(const UnitInspection& inspection) {
  const std::string& id = inspection.machine_id;
  auto machine = registry_.machine(id);
  if (!machine) return unreachable(id, machine.error().message);
  if (!*machine) return unreachable(id, "it is not registered (its fleetd is not running)");
  const std::string& address = (*machine)->api_address;
  if (address.empty()) {
    return unreachable(id,
                       "its fleetd publishes no API address to relay to; set api_listen in its "
                       "fleet.conf to a TCP address other fleetds can reach");
  }
  const bool tls = !tls_.cert_file.empty();
  auto endpoint = client::parse_api_endpoint((tls ? "https://" : "http://") + address);
  if (!endpoint) return unreachable(id, endpoint.error().message);
  auto created = client::HttpTransport::create(std::move(*endpoint), connect_timeout_, tls_);
  if (!created) return unreachable(id, created.error().message);
  std::shared_ptr<client::HttpTransport> transport = std::move(*created);

  auto answer = transport->open_stream({.target = inspection.target()});
  if (!answer) return unreachable(id, answer.error().message);
  HttpResponse response{.status = answer->status};
  for (auto& [name, value] : answer->headers) {
    if (passed_on(name)) response.headers.emplace_back(std::move(name), std::move(value));
  }
  if (answer->status != 200) {
    response.body = std::move(answer->body);
    return response;
  }
  if (inspection.kind == UnitInspection::Kind::kStatus) {
    auto read = transport->read_stream([&](std::string_view piece) {
      response.body.append(piece);
      return true;
    });
    if (!read) return unreachable(id, read.error().message);
    return response;
  }
  response.stream = [transport](const BodyWriter& write) { (void)transport->read_stream(write); };
  return response;
}

}  // namespace fleet::api
