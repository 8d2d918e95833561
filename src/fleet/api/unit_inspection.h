// fleet's extension API x1 (decisions.md "Added": fleetctl status/journal without SSH): what
// `systemctl status` and `journalctl` say about a unit on the machine that runs it. Any fleetd
// answers; the router (router.h) picks the machine from the schedule and a UnitInspector runs the
// command there, on this machine or through that machine's fleetd.
//
//   GET /fleet/x1/units/<name>/status
//   GET /fleet/x1/units/<name>/journal?lines=N&follow=true|false&output=MODE
//
// Both take `machineID=<id>` to name the machine themselves: a relaying fleetd sends it, so the
// fleetd it relays to runs the command rather than choosing (and relaying) again.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/api/http_message.h"
#include "fleet/api/request_target.h"
#include "fleet/base/error.h"

namespace fleet::api {

struct UnitInspection {
  enum class Kind { kStatus, kJournal };

  static constexpr int kDefaultLines = 10;
  // journalctl reads this many lines into memory before printing them.
  static constexpr int kMaxLines = 100'000;

  Kind kind = Kind::kStatus;
  std::string unit{};
  int lines = kDefaultLines;
  bool follow = false;
  std::string output = "short";
  std::string machine_id{};  // "" lets the receiving fleetd choose from the schedule

  // The command on the unit's machine, as an argument vector (never through a shell).
  std::vector<std::string> argv() const;
  // The x1 request target that asks another fleetd for this inspection on machine_id.
  std::string target() const;
};

// Parses the query of an x1 request for `unit` (already validated); kInvalidArgument names the
// bad parameter.
Result<UnitInspection> parse_unit_inspection(UnitInspection::Kind kind, std::string unit,
                                             const RequestTarget& target);

// The response header carrying the exit status of `systemctl status`.
inline constexpr std::string_view kExitStatusHeader = "X-Fleet-Exit-Status";

class UnitInspector {
 public:
  virtual ~UnitInspector() = default;
  // Runs `inspection` on its machine_id (never empty here) and answers the client: 200 with the
  // command's output (a stream for journals), or fleet's JSON error when the machine cannot be
  // reached.
  virtual HttpResponse inspect(const UnitInspection& inspection) = 0;
};

}  // namespace fleet::api
