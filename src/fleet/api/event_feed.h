// fleet's event stream (decisions.md "Added"), GET /fleet/x1/events: unit, state and machine
// changes pushed as server-sent events while they happen. This header is what the router needs
// (the query and the feed's interface); registry_event_feed.h is the feed fleetd runs.
//
// On the wire (text/event-stream), one event per change, in etcd revision order:
//   event: unit                      unit | state | machine
//   data: {"desiredState":...}       the JSON of GET /fleet/v1/units/<name>, of an item of
//                                    /fleet/v1/state or of /fleet/v1/machines; a removal adds
//                                    "deleted":true
//   id: 1234                         the etcd revision, on the last event of that revision only:
//                                    one transaction changes several units at one revision, and a
//                                    client resuming from an id must have seen all of it
// `: keep-alive` comment lines keep an idle stream open through proxies. When the changes after
// the client's revision are gone from etcd's history, the stream sends `event: reset` (data
// {"revision":N}, id N): re-list, then follow on from here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "fleet/api/http_message.h"
#include "fleet/api/request_target.h"
#include "fleet/base/error.h"

namespace fleet::api {

enum class EventKind : unsigned { kUnit = 1, kState = 2, kMachine = 4 };
inline constexpr unsigned kAllEventKinds = 7;

// "unit", "state", "machine": the SSE event name.
std::string_view event_name(EventKind kind);

struct EventQuery {
  // Changes after this etcd revision are replayed first (Last-Event-ID, else ?since=); nullopt:
  // only changes from now on.
  std::optional<int64_t> since{};
  unsigned kinds = kAllEventKinds;  // ?types=unit,state: a mask of EventKind

  bool wants(EventKind kind) const { return (kinds & static_cast<unsigned>(kind)) != 0; }
};

// kInvalidArgument naming the parameter or header that does not parse.
Result<EventQuery> parse_event_query(const HttpRequest& request, const RequestTarget& target);

class EventFeed {
 public:
  virtual ~EventFeed() = default;
  // The stream for `query` (HttpResponse::stream), or fleet's JSON error: 503 while the feed
  // serves as many streams as it may.
  virtual HttpResponse open(const EventQuery& query) = 0;
};

}  // namespace fleet::api
