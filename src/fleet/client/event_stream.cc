#include "fleet/client/event_stream.h"

namespace fleet::client {

bool EventStreamParser::feed(std::string_view piece,
                             const std::function<bool(const ServerEvent&)>& on_event) {
  while (!piece.empty()) {
    const size_t end = piece.find('\n');
    if (end == std::string_view::npos) {
      partial_.append(piece);
      return true;
    }
    partial_.append(piece.substr(0, end));
    piece.remove_prefix(end + 1);
    std::string text = std::move(partial_);
    partial_.clear();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (!line(text, on_event)) return false;
  }
  return true;
}

bool EventStreamParser::line(std::string_view text,
                             const std::function<bool(const ServerEvent&)>& on_event) {
  if (text.empty()) {
    ServerEvent event = std::move(event_);
    event_ = {};
    const bool complete = has_data_;
    has_data_ = false;
    if (!complete) return true;
    if (event.type.empty()) event.type = "message";
    return on_event(event);
  }
  if (text.front() == ':') return true;
  const size_t colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (field == "event") {
    event_.type = value;
  } else if (field == "data") {
    if (has_data_) event_.data += '\n';
    event_.data += value;
    has_data_ = true;
  } else if (field == "id") {
    event_.id = value;
  }
  return true;
}

}  // namespace fleet::client
