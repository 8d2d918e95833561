// /fleet/x1/events (event_feed.h): the query, then the feed's stream.
#include <charconv>
#include <string>

#include "fleet/api/event_feed.h"
#include "fleet/api/internal/routes.h"

namespace fleet::api {
namespace {

Result<int64_t> parse_revision(std::string_view text, std::string_view what) {
  int64_t revision = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), revision);
  if (error != std::errc() || end != text.data() + text.size() || revision < 0) {
    return fail(ErrorCode::kInvalidArgument, std::string(what) +
                                                 " must be an etcd revision (a number), not \"" +
                                                 std::string(text) + "\"");
  }
  return revision;
}

}  // namespace

std::string_view event_name(EventKind kind) {
  switch (kind) {
    case EventKind::kUnit:
      return "unit";
    case EventKind::kState:
      return "state";
    case EventKind::kMachine:
      return "machine";
  }
  return "";
}

Result<EventQuery> parse_event_query(const HttpRequest& request, const RequestTarget& target) {
  EventQuery query;
  // A browser's EventSource sends Last-Event-ID when it reconnects to the URL it was given, whose
  // ?since= is then older: the header wins.
  const auto last_id = request.header_values("Last-Event-ID");
  if (!last_id.empty() && !last_id.front().empty()) {
    auto revision = parse_revision(last_id.front(), "Last-Event-ID");
    if (!revision) return fail(revision.error());
    query.since = *revision;
  } else if (auto since = target.first("since"); !since.empty()) {
    auto revision = parse_revision(since, "since");
    if (!revision) return fail(revision.error());
    query.since = *revision;
  }
  if (auto types = target.first("types"); !types.empty()) {
    query.kinds = 0;
    size_t start = 0;
    while (start <= types.size()) {
      const size_t comma = std::min(types.find(',', start), types.size());
      const std::string_view word = types.substr(start, comma - start);
      bool known = false;
      for (EventKind kind : {EventKind::kUnit, EventKind::kState, EventKind::kMachine}) {
        if (word == event_name(kind)) {
          query.kinds |= static_cast<unsigned>(kind);
          known = true;
        }
      }
      if (!known) {
        return fail(ErrorCode::kInvalidArgument,
                    "types: unknown event type \"" + std::string(word) +
                        "\" (use unit, state and machine, separated by commas)");
      }
      start = comma + 1;
    }
  }
  return query;
}

namespace internal {

HttpResponse serve_events(const RouteContext& context) {
  if (context.request.method != "GET") return HttpResponse::error(405, "");
  auto query = parse_event_query(context.request, context.target);
  if (!query) return HttpResponse::error(400, query.error().message);
  if (context.events == nullptr) {
    return HttpResponse::error(501, "this fleetd does not serve an event stream");
  }
  return context.events->open(*query);
}

}  // namespace internal
}  // namespace fleet::api
