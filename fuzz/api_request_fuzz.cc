// libFuzzer target for fleet's API v1 request handling: the router (fleet/api/router.h), request
// targets and page tokens, Content-Type checks, the JSON of unit bodies and PATCH operations, and
// the x1 inspection routes, driven with HTTP requests as a client could send them.
//
// The input is one or more HTTP/1.1 requests back to back: a request line ("PUT /fleet/v1/units/
// a.service HTTP/1.1"), header lines, a blank line, then a body of Content-Length bytes (the rest
// of the input without that header). Several requests run in order against one backend, so a
// PUT can be followed by the GET, DELETE or PATCH that reads or changes what it wrote.
//
// Invariants checked beyond "no crash", for every response:
//   - it is 2xx or 4xx: input alone never causes a 5xx (the backend below never fails);
//   - a 4xx is fleet's JSON error body {"error":{"code":N,"message":"..."}} with N the status;
//   - a 4xx leaves the backend as it was (no unit put or destroyed, no metadata set), and a GET
//     changes nothing whatever its answer;
//   - a 200 declared JSON is JSON; a 201 or 204 has no body;
//   - after a successful PUT of a unit a GET of the same target finds it, after a DELETE it does
//     not.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fleet/api/backend.h"
#include "fleet/api/http_message.h"
#include "fleet/api/router.h"
#include "fleet/api/unit_inspection.h"
#include "fleet/schema/schema.h"
#include "fleet/unit/desired_state.h"
#include "fleet/unit/fleet_options.h"
#include "fleet/unit/unit_file.h"
#include "fleet/unit/unit_name.h"

namespace {

using fleet::ErrorCode;
using fleet::Result;
using fleet::Status;
using fleet::api::HttpRequest;
using fleet::api::HttpResponse;
namespace schema = fleet::schema;

// Requests per input: enough for a write and the reads that check it.
constexpr size_t kMaxRequests = 16;
// A small page, so a handful of units, states or machines spans several pages.
constexpr int kTokenLimit = 2;

[[noreturn]] void broken(const char* what, const HttpRequest& request,
                         const HttpResponse& response) {
  std::fprintf(stderr, "api_request_fuzz: %s\n  request: %s %s\n  response: %d %s\n", what,
               request.method.c_str(), request.target.c_str(), response.status,
               response.body.substr(0, 512).c_str());
  std::abort();
}

template <class T>
fleet::api::Listing<T> slice_of(const std::vector<T>& all, fleet::api::Slice slice) {
  fleet::api::Listing<T> listing{.items = {}, .total = all.size()};
  if (slice.offset >= all.size()) return listing;
  const size_t count = std::min(slice.limit, all.size() - slice.offset);
  auto first = all.begin() + static_cast<std::ptrdiff_t>(slice.offset);
  listing.items.assign(first, first + static_cast<std::ptrdiff_t>(count));
  return listing;
}

Status invalid(std::string message) {
  return fleet::fail(ErrorCode::kInvalidArgument, std::move(message));
}

// An in-memory fake of fleet::api::Backend, for this fuzz target only (fleet allows fakes for
// pure-logic tests such as this one; everything else runs on a real etcd). It holds a few units,
// states and machines, and checks a PUT as RegistryService::put_unit does (names, desired states,
// options, templates, spec §2.5's conflicts). It never fails on its own: every error it returns
// is the client's (kInvalidArgument, kNotFound, kAlreadyExists), so any 5xx is the router's.
// `writes()` counts the calls that changed something.
class FuzzBackend final : public fleet::api::Backend {
 public:
  FuzzBackend() {
    add_unit("hello.service", "launched", "launched", "m1");
    add_unit("web@.service", "inactive", "inactive", "");
    add_unit("web@1.service", "loaded", "loaded", "m2");
    add_unit("global.service", "launched", "", "", /*global=*/true);
    states_ = {state("global.service", "m1"), state("global.service", "m2"),
               state("hello.service", "m1"), state("web@1.service", "m2")};
    machines_ = {{"m1", "10.0.0.1", {{"region", "eu"}}},
                 {"m2", "10.0.0.2", {}},
                 {"m3", "10.0.0.3", {{"disk", "ssd"}}}};
  }

  int writes() const { return writes_; }

  Result<fleet::api::Listing<schema::Unit>> units(fleet::api::Slice slice) override {
    std::vector<schema::Unit> all;
    for (const auto& [name, unit] : units_) all.push_back(unit);
    return slice_of(all, slice);
  }

  Result<std::optional<schema::Unit>> unit(std::string_view name) override {
    auto found = units_.find(name);
    if (found == units_.end()) return std::optional<schema::Unit>();
    return found->second;
  }

  Result<fleet::api::PutOutcome> put_unit(const schema::Unit& unit) override {
    if (auto valid = fleet::unit::validate_unit_name(unit.name); !valid) {
      return fleet::fail(valid.error());
    }
    std::optional<fleet::unit::DesiredState> desired;
    if (!unit.desired_state.empty()) {
      desired = fleet::unit::parse_desired_state(unit.desired_state);
      if (!desired) return fleet::fail(invalid("invalid desiredState").error());
    }
    auto existing = units_.find(unit.name);
    const bool replaces = existing != units_.end() && !unit.options.empty() &&
                          fleet::unit::UnitFile::from_options(unit.options).hash() !=
                              fleet::unit::UnitFile::from_options(existing->second.options).hash();
    if (existing == units_.end() || replaces) {
      if (unit.options.empty()) {
        return fleet::fail(ErrorCode::kAlreadyExists,
                           "unit does not exist and options field empty");
      }
      const auto state = desired.value_or(fleet::unit::DesiredState::kInactive);
      auto body = fleet::unit::UnitFile::from_options(unit.options);
      if (auto valid = fleet::unit::validate_unit(body, unit.name); !valid) {
        return fleet::fail(valid.error());
      }
      if (auto activatable = check_activatable(unit.name, state); !activatable) {
        return fleet::fail(activatable.error());
      }
      schema::Unit stored{.name = unit.name,
                          .options = unit.options,
                          .desired_state = std::string(fleet::unit::to_string(state)),
                          .current_state = "inactive",
                          .machine_id = {}};
      units_[unit.name] = std::move(stored);
      ++writes_;
      return replaces ? fleet::api::PutOutcome::kReplaced : fleet::api::PutOutcome::kCreated;
    }
    if (!desired) {
      return fleet::fail(ErrorCode::kAlreadyExists,
                         "must provide DesiredState to update existing unit");
    }
    if (auto activatable = check_activatable(unit.name, *desired); !activatable) {
      return fleet::fail(activatable.error());
    }
    existing->second.desired_state = std::string(fleet::unit::to_string(*desired));
    ++writes_;
    return fleet::api::PutOutcome::kUpdated;
  }

  Status destroy_unit(std::string_view name) override {
    auto found = units_.find(name);
    if (found == units_.end()) return fleet::fail(ErrorCode::kNotFound, "unit does not exist");
    units_.erase(found);
    ++writes_;
    return {};
  }

  Result<fleet::api::Listing<schema::UnitState>> unit_states(
      const fleet::client::UnitStateFilter& filter, fleet::api::Slice slice) override {
    std::vector<schema::UnitState> matching;
    for (const auto& state : states_) {
      if (!filter.unit_name.empty() && state.name != filter.unit_name) continue;
      if (!filter.machine_id.empty() && state.machine_id != filter.machine_id) continue;
      matching.push_back(state);
    }
    return slice_of(matching, slice);
  }

  Result<std::optional<schema::UnitState>> unit_state(std::string_view name) override {
    for (const auto& state : states_) {
      if (state.name == name) return state;
    }
    return std::optional<schema::UnitState>();
  }

  Result<fleet::api::Listing<schema::Machine>> machines(fleet::api::Slice slice) override {
    return slice_of(machines_, slice);
  }

  Status set_machine_metadata(std::string_view machine, std::string_view key,
                              std::string_view value) override {
    for (auto& present : machines_) {
      if (present.id != machine) continue;
      if (value.empty()) {
        present.metadata.erase(std::string(key));
      } else {
        present.metadata[std::string(key)] = std::string(value);
      }
    }
    ++writes_;
    return {};
  }

 private:
  static Status check_activatable(std::string_view name, fleet::unit::DesiredState desired) {
    auto info = fleet::unit::parse_unit_name(name);
    if (desired != fleet::unit::DesiredState::kInactive && info && info->is_template()) {
      return invalid("cannot activate template \"" + std::string(name) + "\"");
    }
    return {};
  }

  static schema::UnitState state(std::string name, std::string machine) {
    return {.name = std::move(name),
            .hash = std::string(40, 'a'),
            .machine_id = std::move(machine),
            .systemd_load_state = "loaded",
            .systemd_active_state = "active",
            .systemd_sub_state = "running"};
  }

  void add_unit(std::string name, std::string desired, std::string current, std::string machine,
                bool global = false) {
    std::vector<schema::UnitOption> options = {{"Service", "ExecStart", "/bin/true"}};
    if (global) options.push_back({"X-Fleet", "Global", "true"});
    units_[name] = {.name = name,
                    .options = std::move(options),
                    .desired_state = std::move(desired),
                    .current_state = std::move(current),
                    .machine_id = std::move(machine)};
  }

  std::map<std::string, schema::Unit, std::less<>> units_;
  std::vector<schema::UnitState> states_;
  std::vector<schema::Machine> machines_;
  int writes_ = 0;
};

// Answers every x1 inspection at once, as if the command had run on the machine.
class FuzzInspector final : public fleet::api::UnitInspector {
 public:
  HttpResponse inspect(const fleet::api::UnitInspection& inspection) override {
    if (inspection.machine_id.empty()) std::abort();  // the router's contract
    HttpResponse response;
    response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                        {std::string(fleet::api::kExitStatusHeader), "0"}};
    response.body = inspection.unit + " on " + inspection.machine_id + "\n";
    return response;
  }
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// One line off the front of `input`, without its "\n" or "\r\n".
std::string_view take_line(std::string_view& input) {
  const size_t end = input.find('\n');
  std::string_view line = input.substr(0, end);
  input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The next request of the input (see the top of the file), or nullopt once it is used up.
std::optional<HttpRequest> take_request(std::string_view& input) {
  if (input.empty()) return std::nullopt;
  HttpRequest request;
  std::string_view line = take_line(input);
  const size_t space = line.find(' ');
  request.method = std::string(line.substr(0, space));
  if (space != std::string_view::npos) {
    std::string_view rest = line.substr(space + 1);
    request.target = std::string(rest.substr(0, rest.find(' ')));
  }
  std::optional<size_t> length;
  while (!input.empty()) {
    line = take_line(input);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (!length && same_name(name, "Content-Length")) {
      size_t parsed = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (error == std::errc() && end == value.data() + value.size()) length = parsed;
    }
    request.headers.emplace_back(std::move(name), std::string(value));
  }
  const size_t body = std::min(length.value_or(input.size()), input.size());
  request.body = std::string(input.substr(0, body));
  input.remove_prefix(body);
  return request;
}

// fleet's error body, with `code` the response's status.
bool is_error_body(const HttpResponse& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.size() != 1 || !json.contains("error")) return false;
  const auto& error = json["error"];
  return error.is_object() && error.size() == 2 && error.contains("code") &&
         error["code"].is_number_integer() && error["code"].get<int64_t>() == response.status &&
         error.contains("message") && error["message"].is_string();
}

bool declares_json(const HttpResponse& response) {
  return response.header("Content-Type").starts_with(fleet::api::kJsonMediaType);
}

void check(const HttpRequest& request, const HttpResponse& response, int writes_before,
           int writes_after) {
  const int status = response.status;
  if (status >= 500) broken("a 5xx caused by the request alone", request, response);
  if (status != 200 && status != 201 && status != 204 && status < 400) {
    broken("a status that is neither success nor an error", request, response);
  }
  if (status >= 400) {
    if (!declares_json(response))
      broken("an error that is not application/json", request, response);
    if (!is_error_body(response)) broken("an error body not in fleet's shape", request, response);
    if (writes_after != writes_before) broken("a refused request wrote", request, response);
  }
  if (request.method == "GET" && writes_after != writes_before) {
    broken("a GET wrote", request, response);
  }
  if ((status == 201 || status == 204) && !response.body.empty()) {
    broken("a 201 or 204 with a body", request, response);
  }
  if (status == 200 && declares_json(response) && !nlohmann::json::accept(response.body)) {
    broken("a 200 declared JSON that is not", request, response);
  }
}

// A unit written or destroyed must read back so through the same target.
void check_read_back(const fleet::api::Router& router, const HttpRequest& request,
                     const HttpResponse& response) {
  const bool put = request.method == "PUT" && (response.status == 201 || response.status == 204);
  const bool destroyed = request.method == "DELETE" && response.status == 204;
  if (!put && !destroyed) return;
  HttpResponse read = router.handle({.method = "GET", .target = request.target});
  if (put && read.status != 200) broken("a unit just put cannot be read", request, read);
  if (destroyed && read.status != 404) broken("a unit just deleted can be read", request, read);
}

}  // namespace

// libFuzzer's entry point; libFuzzer fixes its name.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzBackend backend;
  FuzzInspector inspector;
  const fleet::api::Router router(backend, {.token_limit = kTokenLimit, .inspector = &inspector});
  for (size_t n = 0; n < kMaxRequests; ++n) {
    auto request = take_request(input);
    if (!request) break;
    const int before = backend.writes();
    HttpResponse response = router.handle(*request);
    check(*request, response, before, backend.writes());
    check_read_back(router, *request, response);
  }
  return 0;
}
