// Reads a text/event-stream body (server-sent events, as GET /fleet/x1/events sends them; see
// fleet/api/event_feed.h) into events, whatever pieces it arrives in.
//
// Example:
//   EventStreamParser parser;
//   parser.feed(piece, [&](const ServerEvent& event) { print(event.type, event.data); });
//
// Comment lines (`: keep-alive`) and fields other than event, data and id are skipped; an event
// with no data is not one. Not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace fleet::client {

struct ServerEvent {
  std::string type{};  // the `event:` field; "message" when none was given
  std::string data{};  // `data:` lines, joined by "\n"
  std::string id{};    // this event's `id:` field, "" when it had none

  friend bool operator==(const ServerEvent&, const ServerEvent&) = default;
};

class EventStreamParser {
 public:
  // Parses `piece`, calling `on_event` for each event it completes; stops early, leaving the
  // rest unread, when `on_event` returns false, and returns false then.
  bool feed(std::string_view piece, const std::function<bool(const ServerEvent&)>& on_event);

 private:
  // Applies one line (without its end); true unless `on_event` asked to stop.
  bool line(std::string_view text, const std::function<bool(const ServerEvent&)>& on_event);

  std::string partial_;  // a line whose end has not arrived
  ServerEvent event_;
  bool has_data_ = false;
};

}  // namespace fleet::client
