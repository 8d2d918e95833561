#include "fleet/client/http_fleet_api.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include <strings.h>

#include "fleet/client/api_error.h"
#include "fleet/client/url_encoding.h"
#include "fleet/schema/json.h"

namespace fleet::client {
namespace {

using Method = HttpRequest::Method;

constexpr std::string_view kRoot = "/fleet/v1/";
constexpr std::string_view kExtensionRoot = "/fleet/x1/";
// fleetd's header with the exit status of `systemctl status` (fleet/api/unit_inspection.h).
constexpr std::string_view kExitStatusHeader = "X-Fleet-Exit-Status";

std::string unit_path(std::string_view name) { return "units/" + escape_path_segment(name); }

// "a=1&b=2" of the parameters that have a value.
std::string query_of(std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  std::string query;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    if (!query.empty()) query.push_back('&');
    query += escape_query_component(name) + "=" + escape_query_component(value);
  }
  return query;
}

}  // namespace

Result<std::unique_ptr<HttpFleetApi>> HttpFleetApi::open(const HttpApiOptions& options) {
  auto endpoint = parse_api_endpoint(options.endpoint);
  if (!endpoint) return fail(endpoint.error());
  if (!options.dial.empty() && endpoint->transport == ApiEndpoint::Transport::kUnix) {
    endpoint->socket_path = options.dial;
  } else if (!options.dial.empty()) {
    const auto colon = options.dial.rfind(':');
    endpoint->dial_host = options.dial.substr(0, colon);
    endpoint->dial_port = options.dial.substr(colon + 1);
  }
  auto transport =
      HttpTransport::create(std::move(*endpoint), options.request_timeout, options.tls);
  if (!transport) return fail(transport.error());
  return std::unique_ptr<HttpFleetApi>(new HttpFleetApi(std::move(*transport)));
}

HttpFleetApi::HttpFleetApi(std::unique_ptr<HttpTransport> transport)
    : transport_(std::move(transport)) {}

Result<std::string> HttpFleetApi::call(Method method, const std::string& path,
                                       std::initializer_list<int> expected, std::string body) {
  auto response = transport_->send({method, std::string(kRoot) + path, std::move(body)});
  if (!response) return fail(response.error());
  if (std::find(expected.begin(), expected.end(), response->status) != expected.end()) {
    return std::move(response->body);
  }
  return fail(
      error_of_response(response->status, response->reason, response->body, endpoint().url));
}

template <class Page, class Item>
Result<std::vector<Item>> HttpFleetApi::list_all(const std::string& path, const std::string& query,
                                                 Result<Page> (*decode)(std::string_view),
                                                 std::vector<Item> Page::*items) {
  std::vector<Item> all;
  std::string token;
  for (;;) {
    std::string target = path;
    std::string parameters = query;
    if (!token.empty()) {
      parameters += (parameters.empty() ? "" : "&") + query_of({{"nextPageToken", token}});
    }
    if (!parameters.empty()) target += "?" + parameters;
    auto body = call(Method::kGet, target, {200});
    if (!body) return fail(body.error());
    auto page = decode(*body);
    if (!page) {
      return fail(ErrorCode::kInternal, "unreadable answer from the fleet API at " +
                                            endpoint().url + " to GET " + std::string(kRoot) +
                                            target + ": " + page.error().message);
    }
    auto& listed = (*page).*items;
    all.insert(all.end(), std::make_move_iterator(listed.begin()),
               std::make_move_iterator(listed.end()));
    if (page->next_page_token.empty()) return all;
    // A server handing out the same page again would keep a client here forever.
    if (page->next_page_token == token) {
      return fail(ErrorCode::kInternal, "the fleet API at " + endpoint().url +
                                            " returned page token " + token + " twice for " +
                                            std::string(kRoot) + path);
    }
    token = std::move(page->next_page_token);
  }
}

Result<std::vector<schema::Machine>> HttpFleetApi::machines() {
  return list_all("machines", "", schema::decode_machine_page, &schema::MachinePage::machines);
}

Result<std::vector<schema::Unit>> HttpFleetApi::units() {
  return list_all("units", "", schema::decode_unit_page, &schema::UnitPage::units);
}

Result<std::optional<schema::Unit>> HttpFleetApi::unit(std::string_view name) {
  const std::string path = unit_path(name);
  auto body = call(Method::kGet, path, {200});
  if (!body) {
    if (body.error().code == ErrorCode::kNotFound) return std::optional<schema::Unit>();
    return fail(body.error());
  }
  auto unit = schema::decode_unit(*body);
  if (!unit) {
    return fail(ErrorCode::kInternal, "unreadable answer from the fleet API at " + endpoint().url +
                                          " to GET " + std::string(kRoot) + path + ": " +
                                          unit.error().message);
  }
  return std::optional<schema::Unit>(std::move(*unit));
}

Result<std::vector<schema::UnitState>> HttpFleetApi::unit_states(const UnitStateFilter& filter) {
  return list_all("state",
                  query_of({{"machineID", filter.machine_id}, {"unitName", filter.unit_name}}),
                  schema::decode_unit_state_page, &schema::UnitStatePage::states);
}

Status HttpFleetApi::put_unit(const schema::Unit& unit) {
  auto put = call(Method::kPut, unit_path(unit.name), {201, 204}, schema::encode(unit));
  if (!put) return fail(put.error());
  return {};
}

Status HttpFleetApi::create_unit(const schema::Unit& unit) {
  // What the server derives is not for the client to send.
  schema::Unit request = unit;
  request.current_state.clear();
  request.machine_id.clear();
  return put_unit(request);
}

Status HttpFleetApi::set_desired_state(std::string_view name, unit::DesiredState state) {
  schema::Unit request;
  request.name = std::string(name);
  request.desired_state = std::string(unit::to_string(state));
  return put_unit(request);
}

Status HttpFleetApi::destroy_unit(std::string_view name) {
  auto deleted = call(Method::kDelete, unit_path(name), {200, 204});
  if (!deleted) return fail(deleted.error());
  return {};
}

Result<UnitStatusOutput> HttpFleetApi::unit_status(std::string_view name) {
  auto response =
      transport_->send({Method::kGet, std::string(kExtensionRoot) + unit_path(name) + "/status"});
  if (!response) return fail(response.error());
  if (response->status != 200) {
    return fail(
        error_of_response(response->status, response->reason, response->body, endpoint().url));
  }
  UnitStatusOutput status{.output = std::move(response->body), .exit_status = 0};
  for (const auto& [header, value] : response->headers) {
    if (strcasecmp(header.c_str(), kExitStatusHeader.data()) == 0)
      status.exit_status = std::atoi(value.c_str());
  }
  return status;
}

Status HttpFleetApi::stream(const std::string& target,
                            const std::function<bool(std::string_view)>& on_piece) {
  auto response = transport_->open_stream({Method::kGet, target});
  if (!response) return fail(response.error());
  if (response->status != 200) {
    return fail(
        error_of_response(response->status, response->reason, response->body, endpoint().url));
  }
  return transport_->read_stream(on_piece);
}

Status HttpFleetApi::unit_journal(std::string_view name, const JournalRequest& request,
                                  const std::function<bool(std::string_view)>& on_piece) {
  return stream(std::string(kExtensionRoot) + unit_path(name) + "/journal?" +
                    query_of({{"lines", std::to_string(request.lines)},
                              {"follow", request.follow ? "true" : "false"},
                              {"output", request.output}}),
                on_piece);
}

Status HttpFleetApi::watch_events(const EventsRequest& request,
                                  const std::function<bool(const ServerEvent*)>& on_event) {
  const std::string since = request.since ? std::to_string(*request.since) : "";
  const std::string query = query_of({{"types", request.types}, {"since", since}});
  const std::string target =
      std::string(kExtensionRoot) + "events" + (query.empty() ? "" : "?" + query);
  EventStreamParser parser;
  return stream(target, [&](std::string_view piece) {
    if (piece.empty()) return on_event(nullptr);
    return parser.feed(piece, [&](const ServerEvent& event) { return on_event(&event); });
  });
}

}  // namespace fleet::client
