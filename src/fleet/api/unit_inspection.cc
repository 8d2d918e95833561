#include "fleet/api/unit_inspection.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "fleet/client/url_encoding.h"

namespace fleet::api {
namespace {

// journalctl's output modes: anything else would reach journalctl as an option it rejects, or
// worse, as one it accepts.
constexpr std::array<std::string_view, 15> kOutputModes = {"short",         "short-full",
                                                           "short-iso",     "short-iso-precise",
                                                           "short-precise", "short-monotonic",
                                                           "short-unix",    "verbose",
                                                           "export",        "json",
                                                           "json-pretty",   "json-sse",
                                                           "json-seq",      "cat",
                                                           "with-unit"};

Result<int> parse_lines(std::string_view text) {
  int lines = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), lines);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || lines < 0 ||
      lines > UnitInspection::kMaxLines) {
    return fail(ErrorCode::kInvalidArgument, "lines must be a number from 0 to " +
                                                 std::to_string(UnitInspection::kMaxLines) +
                                                 ", got \"" + std::string(text) + "\"");
  }
  return lines;
}

Result<bool> parse_follow(std::string_view text) {
  if (text == "true") return true;
  if (text == "false" || text.empty()) return false;
  return fail(ErrorCode::kInvalidArgument,
              "follow must be true or false, got \"" + std::string(text) + "\"");
}

}  // namespace

std::vector<std::string> UnitInspection::argv() const {
  // "--": a unit name may start with "-" (-H.service), which systemctl would take for an option.
  if (kind == Kind::kStatus) return {"systemctl", "status", "-l", "--no-pager", "--", unit};
  std::vector<std::string> args = {"journalctl",          "--unit",   unit,  "--no-pager", "-n",
                                   std::to_string(lines), "--output", output};
  if (follow) args.emplace_back("-f");
  return args;
}

std::string UnitInspection::target() const {
  std::string path = "/fleet/x1/units/" + client::escape_path_segment(unit);
  std::string query = "?machineID=" + client::escape_query_component(machine_id);
  if (kind == Kind::kStatus) return path + "/status" + query;
  return path + "/journal" + query + "&lines=" + std::to_string(lines) +
         "&follow=" + (follow ? "true" : "false") +
         "&output=" + client::escape_query_component(output);
}

Result<UnitInspection> parse_unit_inspection(UnitInspection::Kind kind, std::string unit,
                                             const RequestTarget& target) {
  UnitInspection inspection{.kind = kind, .unit = std::move(unit)};
  inspection.machine_id = std::string(target.first("machineID"));
  if (kind == UnitInspection::Kind::kStatus) return inspection;
  if (auto lines = target.first("lines"); !lines.empty()) {
    auto parsed = parse_lines(lines);
    if (!parsed) return fail(parsed.error());
    inspection.lines = *parsed;
  }
  auto follow = parse_follow(target.first("follow"));
  if (!follow) return fail(follow.error());
  inspection.follow = *follow;
  if (auto output = target.first("output"); !output.empty()) {
    if (std::find(kOutputModes.begin(), kOutputModes.end(), output) == kOutputModes.end()) {
      return fail(ErrorCode::kInvalidArgument,
                  "unknown journal output mode \"" + std::string(output) + "\"");
    }
    inspection.output = std::string(output);
  }
  return inspection;
}

}  // namespace fleet::api
