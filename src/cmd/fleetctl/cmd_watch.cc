// fleetctl watch: unit, state and machine changes, printed as fleetd's event stream
// (GET /fleet/x1/events) sends them, until interrupted (decisions.md "Added").
#include <chrono>
#include <csignal>
#include <ctime>
#include <thread>

#include <nlohmann/json.hpp>

#include "fleet/schema/json.h"

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/printer.h"

namespace fleet::fleetctl {
namespace {

volatile std::sig_atomic_t interrupted = 0;

// Ctrl-C ends a watch as its way out, not as a failure: exit 0 once the stream is let go.
class InterruptGuard {
 public:
  InterruptGuard() {
    interrupted = 0;
    struct sigaction on_interrupt = {};
    on_interrupt.sa_handler = [](int) { interrupted = 1; };
    sigemptyset(&on_interrupt.sa_mask);
    sigaction(SIGINT, &on_interrupt, &saved_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &saved_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction saved_ = {};
};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The event as one line: what changed, in list-units' and list-machines' words.
std::string human_line(const client::ServerEvent& event, bool full) {
  const auto document = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  const bool removed = document.is_object() && document.value("deleted", false);
  std::string line = event.type + " ";
  if (event.type == "unit") {
    auto unit = schema::decode_unit(event.data);
    if (!unit) return line + event.data;
    line += unit->name;
    if (removed) return line + " destroyed";
    line += " desired=" + unit->desired_state;
    if (!unit->current_state.empty()) line += " current=" + unit->current_state;
    if (!unit->machine_id.empty()) line += " machine=" + machine_id_legend(unit->machine_id, full);
    return line;
  }
  if (event.type == "state") {
    auto state = schema::decode_unit_state(event.data);
    if (!state) return line + event.data;
    line += state->name + "@" + machine_id_legend(state->machine_id, full);
    if (removed) return line + " gone";
    return line + " " + state->systemd_active_state + "/" + state->systemd_sub_state;
  }
  if (event.type == "machine") {
    auto machine = schema::decode_machine(event.data);
    if (!machine) return line + event.data;
    line += machine_id_legend(machine->id, full);
    if (!machine->primary_ip.empty()) line += " " + machine->primary_ip;
    return line + (removed ? " gone" : " present");
  }
  if (event.type == "reset") {
    return "reset: fleetd could not replay every change missed; list again to catch up";
  }
  return line + event.data;
}

// {"event":"unit","id":"42","data":{...}}: the event as sent, one JSON document a line.
std::string json_line(const client::ServerEvent& event) {
  nlohmann::ordered_json line;
  line["event"] = event.type;
  if (!event.id.empty()) line["id"] = event.id;
  auto data = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  line["data"] = data.is_discarded() ? nlohmann::json(event.data) : data;
  return line.dump();
}

// Waits `pause`, or less when interrupted.
void pause_unless_interrupted(std::chrono::milliseconds pause) {
  const auto until = std::chrono::steady_clock::now() + pause;
  while (!interrupted && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int run(Context& context, const std::vector<std::string>& args) {
  if (!args.empty()) {
    context.err() << "watch takes no arguments\n";
    return 1;
  }
  const auto& options = context.options();
  if (options.output != "text" && options.output != "json") {
    context.err() << "Invalid output \"" << options.output << "\": use \"text\" or \"json\"\n";
    return 1;
  }
  InterruptGuard guard;
  client::EventsRequest request{.types = options.types};
  bool connected = false;
  std::chrono::milliseconds backoff{500};
  while (true) {
    bool opened = false;
    auto streamed = context.api().watch_events(request, [&](const client::ServerEvent* event) {
      opened = true;
      if (interrupted) return false;
      if (event == nullptr) return true;
      context.out() << (options.output == "json"
                            ? json_line(*event)
                            : utc_now() + " " + human_line(*event, options.full))
                    << std::endl;
      // Only the last event of a revision carries it: resuming there misses nothing.
      if (!event->id.empty()) request.since = std::stoll(event->id);
      return static_cast<bool>(context.out());
    });
    if (interrupted) return 0;
    if (!context.out()) return 1;
    if (!connected && !opened) {
      context.err() << streamed.error().message << "\n";
      return 1;
    }
    connected = true;
    if (opened) backoff = std::chrono::milliseconds(500);
    // The stream is meant to last: a fleetd restarting or a network blink ends it, and a new
    // one resumes from the last revision printed.
    context.err() << "WARNING: the event stream ended ("
                  << (streamed ? "closed by fleetd" : streamed.error().message)
                  << "); reconnecting\n";
    pause_unless_interrupted(backoff);
    if (interrupted) return 0;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void declare_flags(FlagSet& set, CommandOptions& options) {
  set.add_string("types", 0, &options.types,
                 "Event types to print, separated by commas: unit, state, machine (default: all)");
  set.set_completion("types", {ValueCompletion::Kind::kChoiceList, {"unit", "state", "machine"}});
  set.add_bool("full", 'l', &options.full, "Do not ellipsize machine IDs");
  options.output = "text";
  set.add_string("output", 0, &options.output,
                 "Output format: \"text\" (a line per change) or \"json\" (a JSON document per "
                 "line: {\"event\":TYPE,\"id\":REVISION,\"data\":OBJECT}, data as the API shows "
                 "the unit, state or machine, with \"deleted\":true for a removal)");
  set.set_completion("output", {ValueCompletion::Kind::kChoices, {"text", "json"}});
}

}  // namespace

const Command kWatchCommand = {
    .name = "watch",
    .summary = "Print unit, state and machine changes as they happen",
    .usage = "[--types=unit,state,machine] [-l|--full] [--output=text|json]",
    .description =
        "Follows fleetd's event stream and prints one line per change, until interrupted:\n"
        "\tTIME unit NAME desired=STATE [current=STATE] [machine=ID]  (or: destroyed)\n"
        "\tTIME state NAME@MACHINE ACTIVE/SUB                        (or: gone)\n"
        "\tTIME machine ID IP present|gone\n"
        "When the connection drops it reconnects and resumes after the last change printed; a\n"
        "\"reset\" line says changes were lost (list again). Needs the API driver.\n\n"
        "Follow the units' states alone, as JSON:\n"
        "\tfleetctl watch --types=state --output=json",
    .declare_flags = declare_flags,
    .run = run,
};

}  // namespace fleet::fleetctl
