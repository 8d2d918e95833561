#include "fleet/client/event_stream.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fleet::client {
namespace {

std::vector<ServerEvent> parse(const std::vector<std::string>& pieces) {
  EventStreamParser parser;
  std::vector<ServerEvent> events;
  for (const auto& piece : pieces) {
    parser.feed(piece, [&](const ServerEvent& event) {
      events.push_back(event);
      return true;
    });
  }
  return events;
}

TEST(EventStreamParser, ReadsEventsWhateverPiecesTheyArriveIn) {
  const std::string body =
      ": keep-alive\n\nevent: unit\ndata: {\"name\":\"a\"}\n\n"
      "event: state\ndata: {\"name\":\"a\"}\nid: 7\n\n";
  const std::vector<ServerEvent> expected = {{"unit", "{\"name\":\"a\"}", ""},
                                             {"state", "{\"name\":\"a\"}", "7"}};
  EXPECT_EQ(parse({body}), expected);
  std::vector<std::string> bytes;
  for (char c : body) bytes.emplace_back(1, c);
  EXPECT_EQ(parse(bytes), expected);
}

TEST(EventStreamParser, FollowsTheSseRulesForLinesAndFields) {
  const std::vector<ServerEvent> expected = {{"message", "one\ntwo", ""}, {"reset", "x", "9"}};
  EXPECT_EQ(parse({"data:one\r\ndata: two\r\nretry: 10\r\n\r\nid\n\nevent: reset\nid: 9\ndata: x\n"
                   "\nevent: cut"}),
            expected)
      << "no colon space, CRLF, unknown fields, an event without data, an unfinished one";
}

TEST(EventStreamParser, StopsWhenTheCallerDoes) {
  EventStreamParser parser;
  int seen = 0;
  EXPECT_FALSE(parser.feed("data: a\n\ndata: b\n\n", [&](const ServerEvent&) {
    ++seen;
    return false;
  }));
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace fleet::client
