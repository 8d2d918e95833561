// FleetApi over fleet's HTTP API v1 (spec §2): what `fleetctl --driver=API` talks to.
//
// Each call is one or more requests under <endpoint>/fleet/v1/: lists follow nextPageToken to
// the last page; create_unit and set_desired_state are PUT /units/<name> (spec §2.5), destroy is
// DELETE; unit_states' filter becomes GET /state's machineID and unitName parameters. Current
// states and machine IDs are the server's. A failure status becomes the Error of the API's error
// body (api_error.h), so both drivers report the same codes and messages.
//
// Example:
//   auto api = client::HttpFleetApi::open({.endpoint = "unix:///var/run/fleet.sock"});
//   if (!api) return fail(api.error());
//   auto units = (*api)->units();
//
// Not thread-safe (as FleetApi allows): one call at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/client/fleet_api.h"
#include "fleet/client/http_transport.h"

namespace fleet::client {

struct HttpApiOptions {
  std::string endpoint{};  // as --endpoint: only the first of a comma-separated list is used
  // Bounds each request (decisions.md fix 4); nullopt: none.
  std::optional<std::chrono::milliseconds> request_timeout = std::chrono::seconds(3);
  TlsSettings tls{};  // for https endpoints
  // When set, what connections dial instead of the endpoint: the local end of an SSH tunnel
  // (fleetctl --tunnel), "HOST:PORT" for an http(s) endpoint or a socket path for a unix one.
  std::string dial{};
};

class HttpFleetApi final : public FleetApi {
 public:
  // Parses the endpoint (parse_api_endpoint's errors) and reads the TLS files; connects on the
  // first call. endpoint().others_ignored tells whether the caller should warn.
  static Result<std::unique_ptr<HttpFleetApi>> open(const HttpApiOptions& options);

  const ApiEndpoint& endpoint() const { return transport_->endpoint(); }

  // FleetApi
  Result<std::vector<schema::Machine>> machines() override;
  Result<std::vector<schema::Unit>> units() override;
  Result<std::optional<schema::Unit>> unit(std::string_view name) override;
  Result<std::vector<schema::UnitState>> unit_states(const UnitStateFilter& filter = {}) override;
  Status create_unit(const schema::Unit& unit) override;
  Status set_desired_state(std::string_view name, unit::DesiredState state) override;
  Status destroy_unit(std::string_view name) override;
  Result<UnitStatusOutput> unit_status(std::string_view name) override;
  Status unit_journal(std::string_view name, const JournalRequest& request,
                      const std::function<bool(std::string_view)>& on_piece) override;
  Status watch_events(const EventsRequest& request,
                      const std::function<bool(const ServerEvent*)>& on_event) override;

 private:
  explicit HttpFleetApi(std::unique_ptr<HttpTransport> transport);

  // The body of a request to /fleet/v1/<path>, or the Error its status stands for when it is
  // not one of `expected`.
  Result<std::string> call(HttpRequest::Method method, const std::string& path,
                           std::initializer_list<int> expected, std::string body = {});

  // Every item of a paged list at /fleet/v1/<path>?<query>, page after page.
  template <class Page, class Item>
  Result<std::vector<Item>> list_all(const std::string& path, const std::string& query,
                                     Result<Page> (*decode)(std::string_view),
                                     std::vector<Item> Page::*items);

  Status put_unit(const schema::Unit& unit);
  // A streamed GET of `target` (x1's journal and events), its body passed to `on_piece`.
  Status stream(const std::string& target, const std::function<bool(std::string_view)>& on_piece);

  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace fleet::client
