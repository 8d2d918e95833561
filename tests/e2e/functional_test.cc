// The original's functional suite (spec 7.2) replayed against our fleetd in 3 real systemd
// machines, driven as a user drives it: the real bin/fleetctl with FLEETCTL_ENDPOINT set, asserting
// what it prints, its exit code, and what systemd inside the machines does. Not replayed here: the
// SSH rows (TestKnownHostsVerification, TestUnitSSHActions, TestTunnelScheduleBatchUnits), and the
// rows that need a fourth machine or a machine replaced (dynamic_cluster_test.cc).
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cluster_harness.h"
#include "fixtures/eventually.h"
#include "fixtures/run_command.h"
#include "fixtures/temp_dir.h"

namespace fleet::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr auto kDeadline = 20s;
const std::string kFleetctl = FLEET_BINARY_DIR "/bin/fleetctl";

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.exit_code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A table row: cells separated by the tabwriter's one or more tabs.
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, '\t');) {
    if (!cell.empty()) cells.push_back(cell);
  }
  return cells;
}

std::string service(const std::string& description, const std::string& fleet_section = "",
                    const std::string& extra_unit = "") {
  return "[Unit]\nDescription=" + description + "\n" + extra_unit +
         "\n[Service]\nExecStart=/bin/sleep infinity\n" +
         (fleet_section.empty() ? "" : "\n[X-Fleet]\n" + fleet_section);
}

class FunctionalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harness_ =
        new ClusterHarness(three_fleetd_machines({{0, {{"metadata", "disk=ssd,hostname=m0"}}},
                                                  {1, {{"metadata", "hostname=m1"}}},
                                                  {2, {{"metadata", "hostname=m2"}}}}));
  }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }

  void SetUp() override { dir_ = std::make_unique<TempDir>("fleet-functional"); }

  ClusterHarness& h() { return *harness_; }
  const std::filesystem::path& dir() { return dir_->path(); }
  std::string id(size_t m) { return h().cluster().machines()[m].machine_id; }

  // A unit file in this test's directory; returns its path.
  std::string file(const std::string& name, const std::string& text) {
    write_file(dir() / name, text);
    return (dir() / name).string();
  }
  std::string path(const std::string& name) { return (dir() / name).string(); }

  // Runs bin/fleetctl with FLEETCTL_ENDPOINT naming machine `m`'s API socket.
  Result fleetctl(const std::vector<std::string>& args, size_t m = 0,
                  std::chrono::milliseconds timeout = 30s) {
    const auto out = dir() / ".stdout";
    const auto err = dir() / ".stderr";
    std::vector<std::string> argv = {
        "sh", "-c", "o=$1; e=$2; shift 2; exec \"$@\" >\"$o\" 2>\"$e\"", "sh", out.string(),
        err.string(),
        // Line-buffered: what it printed survives a timeout.
        // status and journal through fleetd even where the test runs with an ssh-agent.
        "stdbuf", "-oL", "-eL", "env", "FLEETCTL_INSPECT_VIA=fleetd",
        "FLEETCTL_ENDPOINT=" + h().cluster().fleet_endpoint(m), kFleetctl};
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = run_command(argv, timeout);
    return {run.timed_out ? -1 : run.exit_code, read_file(out), read_file(err)};
  }

  // fleetctl that must succeed.
  Result ok(const std::vector<std::string>& args, size_t m = 0) {
    auto r = fleetctl(args, m);
    EXPECT_EQ(r.exit_code, 0) << join_command(args) << "\n" << r;
    return r;
  }

  // Rows of `list-unit-files --no-legend --full --fields=...`.
  std::vector<std::vector<std::string>> table(const std::string& command,
                                              const std::string& fields) {
    auto r = fleetctl({command, "--no-legend", "--full", "--fields=" + fields});
    EXPECT_EQ(r.exit_code, 0) << r;
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : lines_of(r.out)) rows.push_back(cells_of(line));
    return rows;
  }

  // Units (of those starting with `prefix`) in `list-unit-files`.
  std::vector<std::string> unit_files(const std::string& prefix) {
    std::vector<std::string> names;
    for (const auto& row : table("list-unit-files", "unit")) {
      if (!row.empty() && row[0].starts_with(prefix)) names.push_back(row[0]);
    }
    return names;
  }

  // unit -> machine index of list-unit-files' target ("-": none, "global").
  std::map<std::string, std::string> targets(const std::string& prefix) {
    std::map<std::string, std::string> out;
    for (const auto& row : table("list-unit-files", "unit,target")) {
      if (row.size() != 2 || !row[0].starts_with(prefix)) continue;
      auto machine = row[1].substr(0, row[1].find('/'));
      auto index = h().index_of(machine);
      out[row[0]] = index ? "m" + std::to_string(*index) : row[1];
    }
    return out;
  }

  // Rows (unit, machine index, active, sub) of list-units for units starting with `prefix`.
  std::vector<std::vector<std::string>> units(const std::string& prefix) {
    std::vector<std::vector<std::string>> out;
    for (auto row : table("list-units", "unit,machine,active,sub")) {
      if (row.size() != 4 || !row[0].starts_with(prefix)) continue;
      auto index = h().index_of(row[1].substr(0, row[1].find('/')));
      row[1] = index ? "m" + std::to_string(*index) : row[1];
      out.push_back(row);
    }
    return out;
  }

  // Machines whose systemd runs `name` (is-active == active).
  std::set<size_t> active_on(const std::string& name) {
    std::set<size_t> machines;
    for (size_t m = 0; m < h().size(); ++m) {
      if (h().systemd_state(m, name) == "active") machines.insert(m);
    }
    return machines;
  }

  bool eventually_active_on(const std::string& name, const std::set<size_t>& machines) {
    return eventually([&] { return active_on(name) == machines; }, kDeadline, 200ms);
  }

  // Destroys units (blocking), for clean-up at the end of a test.
  void destroy(const std::vector<std::string>& names) {
    std::vector<std::string> args = {"destroy"};
    args.insert(args.end(), names.begin(), names.end());
    auto r = fleetctl(args);
    EXPECT_EQ(r.exit_code, 0) << r;
  }

  struct HttpReply {
    std::string status;        // "204"
    std::string content_type;  // "" when the reply has none
  };
  // An HTTP request to machine 0's API socket, with a JSON body unless `body` is empty.
  HttpReply api(const std::string& method, const std::string& target,
                const std::string& body = "") {
    auto socket = h().cluster().fleet_endpoint(0).substr(std::string("unix://").size());
    std::vector<std::string> argv = {
        "curl",          "-s",   "-o", "/dev/null", "-w", "%{http_code} %{content_type}",
        "--unix-socket", socket, "-X", method};
    if (!body.empty())
      argv.insert(argv.end(), {"-H", "Content-Type: application/json", "-d", body});
    argv.push_back("http://fleet" + target);
    auto out = run_command(argv).output;
    const auto space = out.find(' ');
    if (space == std::string::npos) return {out, ""};
    return {out.substr(0, space), out.substr(space + 1)};
  }
  // PATCH /fleet/v1/machines through machine 0's socket; returns the HTTP status.
  std::string patch_machines(const std::string& body) {
    return api("PATCH", "/fleet/v1/machines", body).status;
  }
  std::string set_metadata(size_t m, const std::string& op, const std::string& key,
                           const std::string& value = "") {
    std::string body = R"([{"op":")" + op + R"(","path":"/)" + id(m) + "/metadata/" + key + "\"";
    if (!value.empty()) body += R"(,"value":{"value":")" + value + "\"}";
    return patch_machines(body + "}]");
  }

  // The full machine IDs list-machines shows through machine `via`; nullopt when it fails.
  std::optional<std::set<std::string>> listed_machines(size_t via) {
    auto r = fleetctl({"list-machines", "--no-legend", "--full", "--fields=machine"}, via);
    if (r.exit_code != 0) return std::nullopt;
    auto lines = lines_of(r.out);
    return std::set<std::string>(lines.begin(), lines.end());
  }
  // Every machine's ID, but `except`'s.
  std::set<std::string> machine_ids(std::optional<size_t> except = std::nullopt) {
    std::set<std::string> ids;
    for (size_t m = 0; m < h().size(); ++m) {
      if (m != except) ids.insert(id(m));
    }
    return ids;
  }

  // systemctl stop fleet.service in machine m: returns once fleetd has exited.
  void stop_fleet(size_t m) {
    auto r = h().cluster().exec(m, {"systemctl", "stop", "fleet.service"}, 120s);
    ASSERT_TRUE(r.ok()) << r.output;
  }
  // `systemctl VERB fleet.service` (start, restart) in machine m; returns once list-machines
  // through it shows every machine.
  void start_fleet(size_t m, const std::string& verb = "start") {
    auto r = h().cluster().exec(m, {"systemctl", verb, "fleet.service"}, 60s);
    ASSERT_TRUE(r.ok()) << r.output << h().fleetd_log(m);
    EXPECT_TRUE(eventually([&] { return listed_machines(m) == machine_ids(); }, kDeadline, 250ms))
        << "every machine is back";
  }
  // What the fleetd running in machine m now has logged (not earlier runs).
  std::string fleetd_journal(size_t m) {
    return h()
        .cluster()
        .exec(m, {"journalctl", "--merge", "--no-pager", "-o", "cat",
                  "_PID=" + h().main_pid(m, "fleet.service")})
        .output;
  }
  // fleet.service's ActiveState and Result ("inactive success" after a clean stop).
  std::string fleet_service_outcome(size_t m) {
    auto show = h().cluster().exec(
        m, {"systemctl", "show", "--property=ActiveState", "--property=Result", "fleet.service"});
    std::map<std::string, std::string> values;
    for (const auto& line : lines_of(show.output)) {
      const auto equals = line.find('=');
      if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
    }
    return values["ActiveState"] + " " + values["Result"];
  }

  static ClusterHarness* harness_;
  std::unique_ptr<TempDir> dir_;
};

ClusterHarness* FunctionalTest::harness_ = nullptr;

// ---- client basics ------------------------------------------------------------------------------

// TestFleetctlWithEnv: FLEETCTL_ENDPOINT alone reaches fleetd; any machine's API answers.
TEST_F(FunctionalTest, FleetctlWithEnv) {
  for (size_t m = 0; m < h().size(); ++m) {
    auto r = ok({"list-machines", "--full"}, m);
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 4u) << r;
    EXPECT_EQ(cells_of(lines[0]), (std::vector<std::string>{"MACHINE", "IP", "METADATA"}));
    for (size_t i = 0; i < h().size(); ++i) {
      const auto& machine = h().cluster().machines()[i];
      std::vector<std::string> want = {
          machine.machine_id, machine.address,
          i == 0 ? "disk=ssd,hostname=m0" : "hostname=m" + std::to_string(i)};
      EXPECT_THAT(lines, ::testing::Contains(::testing::ResultOf(cells_of, want))) << r;
    }
  }
  // Short legend: the first 8 characters of the ID and "...".
  auto r = ok({"list-machines", "--no-legend", "--fields=machine"});
  auto lines = lines_of(r.out);
  std::set<std::string> shown(lines.begin(), lines.end());
  std::set<std::string> want;
  for (const auto& machine : h().cluster().machines()) {
    want.insert(machine.machine_id.substr(0, 8) + "...");
  }
  EXPECT_EQ(shown, want) << r;
}

// TestClientVersionFlag, TestClientVersionHelpOutput, TestClientHelpFlag.
TEST_F(FunctionalTest, ClientVersionAndHelp) {
  auto version = ok({"version"});
  ASSERT_TRUE(version.out.starts_with("fleetctl version ")) << version;
  EXPECT_EQ(lines_of(version.out).size(), 1u) << version;
  EXPECT_EQ(version.err, "");
  EXPECT_EQ(ok({"--version"}).out, version.out);
  const auto number =
      version.out.substr(std::string("fleetctl version ").size(), version.out.size() - 1 - 17);
  ASSERT_FALSE(number.empty());

  auto help = ok({"help"});
  EXPECT_THAT(help.out, HasSubstr(number)) << help;
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {}}) {
    auto r = ok(args);
    EXPECT_FALSE(r.out.empty()) << join_command(args);
    EXPECT_THAT(r.out, HasSubstr("list-unit-files")) << join_command(args);
  }
  auto start_help = ok({"help", "start"});
  EXPECT_THAT(start_help.out, HasSubstr("--block-attempts")) << start_help;
}

TEST_F(FunctionalTest, UsageErrorsExitOneWithAHint) {
  auto command = fleetctl({"frobnicate"});
  EXPECT_EQ(command.exit_code, 1) << command;
  EXPECT_THAT(command.err, HasSubstr("unknown command \"frobnicate\"")) << command;
  EXPECT_THAT(command.err, HasSubstr("Run 'fleetctl help' for usage.")) << command;
  EXPECT_EQ(command.out, "");

  auto flag = fleetctl({"list-units", "--frobnicate"});
  EXPECT_EQ(flag.exit_code, 1) << flag;
  EXPECT_THAT(flag.err, HasSubstr("unknown flag: --frobnicate")) << flag;
  EXPECT_THAT(flag.err, HasSubstr("Run 'fleetctl help list-units' for usage.")) << flag;

  for (const std::string verb : {"submit", "load", "start", "stop", "unload", "destroy"}) {
    auto r = fleetctl({verb});
    EXPECT_EQ(r.exit_code, 1) << verb << "\n" << r;
    EXPECT_EQ(r.err, "No units given\nRun 'fleetctl help " + verb + "' for usage.\n") << verb;
  }

  auto fields = fleetctl({"list-unit-files", "--fields=unit,bogus"});
  EXPECT_EQ(fields.exit_code, 1) << fields;
  EXPECT_THAT(fields.err, HasSubstr("Invalid key in output format: \"bogus\"")) << fields;

  auto verify = fleetctl({"verify", "x.service"});
  EXPECT_EQ(verify.exit_code, 2) << verify;
  EXPECT_THAT(verify.err,
              HasSubstr("WARNING: The signed/verified units feature is DEPRECATED and cannot be "
                        "used."));
}

TEST_F(FunctionalTest, UnknownUnitsAndMissingFiles) {
  for (const std::string verb : {"stop", "unload", "destroy", "restart"}) {
    auto r = fleetctl({verb, "nosuch-unit.service"});
    EXPECT_EQ(r.exit_code, 0) << verb << "\n" << r;
    EXPECT_EQ(r.err, "Units not found in registry\n") << verb;
  }
  for (const std::string verb : {"submit", "load", "start"}) {
    auto r = fleetctl({verb, path("nosuch-file.service")});
    EXPECT_EQ(r.exit_code, 1) << verb << "\n" << r;
    EXPECT_THAT(r.err,
                HasSubstr("unable to find Unit(nosuch-file.service) in Registry or on filesystem"))
        << verb;
  }
  auto cat = fleetctl({"cat", "nosuch-unit.service"});
  EXPECT_EQ(cat.exit_code, 1) << cat;
  EXPECT_THAT(cat.err, HasSubstr("Unit nosuch-unit.service not found")) << cat;
  auto cat_two = fleetctl({"cat", "a.service", "b.service"});
  EXPECT_EQ(cat_two.exit_code, 1) << cat_two;
  EXPECT_THAT(cat_two.err, HasSubstr("One unit file must be provided")) << cat_two;
  EXPECT_TRUE(unit_files("nosuch").empty());
}

TEST_F(FunctionalTest, StopOfAnInactiveUnitFails) {
  ok({"submit", file("stopinactive.service", service("stop inactive"))});
  auto r = fleetctl({"stop", "stopinactive.service"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(r.err, "Unable to stop unit stopinactive.service in state inactive\n") << r;
  destroy({"stopinactive.service"});
}

TEST_F(FunctionalTest, StartingATemplateFails) {
  ok({"submit", file("tmplonly@.service", service("template"))});
  auto r = fleetctl({"start", "--block-attempts=2", "tmplonly@.service"});
  EXPECT_EQ(r.exit_code, 1) << r;
  destroy({"tmplonly@.service"});
  EXPECT_TRUE(unit_files("tmplonly").empty());
}

// ---- unit lifecycles (TestUnitSubmit, TestUnitLoad, TestUnitStart, TestUnitRunnable) -----------

std::vector<std::string> instances(const std::string& prefix, int n) {
  std::vector<std::string> names;
  for (int i = 1; i <= n; ++i) names.push_back(prefix + "@" + std::to_string(i) + ".service");
  return names;
}

TEST_F(FunctionalTest, UnitSubmit) {
  file("usubmit@.service", service("submit %i"));
  auto names = instances("usubmit", 9);
  std::vector<std::string> args = {"submit"};
  for (const auto& name : names) args.push_back(path(name));
  for (int round = 0; round < 2; ++round) {
    auto r = ok(args);
    std::string created;
    for (const auto& name : names) created += "Unit " + name + " inactive\n";
    EXPECT_EQ(r.out, created);
    EXPECT_EQ(unit_files("usubmit@"), names) << "round " << round;
    for (const auto& row : table("list-unit-files", "unit,dstate,state,target")) {
      if (row[0].starts_with("usubmit@")) {
        EXPECT_EQ(row, (std::vector<std::string>{row[0], "inactive", "inactive", "-"}));
      }
    }
    auto destroyed = ok({"destroy", names[0], names[1], names[2], names[3], names[4], names[5],
                         names[6], names[7], names[8]});
    std::string want;
    for (const auto& name : names) want += "Destroyed " + name + "\n";
    EXPECT_EQ(destroyed.out, want);
    EXPECT_TRUE(unit_files("usubmit@").empty());
  }
}

TEST_F(FunctionalTest, UnitLoad) {
  file("uload@.service", service("load %i"));
  auto names = instances("uload", 6);
  std::vector<std::string> args = {"load"};
  for (const auto& name : names) args.push_back(path(name));
  for (int round = 0; round < 2; ++round) {
    auto r = ok(args);
    // As the original: each created unit first reports inactive, then where it is loaded.
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2 * names.size()) << r;
    for (size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(lines[i], "Unit " + names[i] + " inactive");
      EXPECT_THAT(r.out, HasSubstr("Unit " + names[i] + " loaded on "));
    }
    auto rows = units("uload@");
    ASSERT_EQ(rows.size(), names.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i][0], names[i]) << "list-units is sorted by name";
      EXPECT_EQ(rows[i][2], "inactive");
      EXPECT_EQ(rows[i][3], "dead");
    }
    auto unloaded = ok({"unload", names[0], names[1], names[2], names[3], names[4], names[5]});
    EXPECT_THAT(unloaded.err, HasSubstr("Successfully unloaded units [")) << unloaded;
    EXPECT_TRUE(eventually([&] { return units("uload@").empty(); }, kDeadline, 200ms));
    for (const auto& row : table("list-unit-files", "unit,dstate,state")) {
      if (row[0].starts_with("uload@")) {
        EXPECT_EQ(row[1], "inactive") << row[0];
      }
    }
    destroy(names);
  }
}

TEST_F(FunctionalTest, UnitStartAndStop) {
  file("ustart@.service", service("start %i"));
  auto names = instances("ustart", 3);
  for (int round = 0; round < 2; ++round) {
    auto r = ok({"start", path(names[0]), path(names[1]), path(names[2])});
    for (const auto& name : names) {
      EXPECT_THAT(r.out, HasSubstr("Unit " + name + " launched on ")) << r;
      EXPECT_EQ(active_on(name).size(), 1u) << name << " active on one machine once start returns";
    }
    auto rows = units("ustart@");
    ASSERT_EQ(rows.size(), 3u);
    for (const auto& row : rows) {
      EXPECT_EQ(row[2], "active");
      EXPECT_EQ(row[3], "running");
    }
    // Least loaded first: three units on three machines.
    std::set<std::string> machines;
    for (const auto& [unit, target] : targets("ustart@")) machines.insert(target);
    EXPECT_EQ(machines.size(), 3u);

    auto stopped = ok({"stop", names[0], names[1], names[2]});
    EXPECT_THAT(stopped.err, HasSubstr("Successfully stopped units [" + names[0] + " " + names[1] +
                                       " " + names[2] + "]."))
        << stopped;
    for (const auto& name : names) EXPECT_TRUE(active_on(name).empty()) << name;
    destroy(names);
    EXPECT_TRUE(eventually([&] { return units("ustart@").empty(); }, kDeadline, 200ms));
  }
}

// The default tables with examples/hello.service, whose hash spec 3.2 gives (e55c0ae).
TEST_F(FunctionalTest, DefaultTablesShowWhatTheOriginalShows) {
  const std::string hello =
      read_file(std::filesystem::path(FLEET_SOURCE_DIR) / "examples" / "hello.service");
  ASSERT_FALSE(hello.empty());
  ok({"submit", file("tables-hello.service", hello)});
  auto files = lines_of(ok({"list-unit-files"}).out);
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(cells_of(files[0]),
            (std::vector<std::string>{"UNIT", "HASH", "DSTATE", "STATE", "TARGET"}));
  EXPECT_THAT(files, ::testing::Contains(::testing::ResultOf(
                         cells_of, std::vector<std::string>{"tables-hello.service", "e55c0ae",
                                                            "inactive", "inactive", "-"})));
  EXPECT_THAT(table("list-unit-files", "unit,hash,desc,global"),
              ::testing::Contains(std::vector<std::string>{
                  "tables-hello.service", "e55c0aeb44ba0b68004ceb8a200e685194448b45", "Hello World",
                  "false"}));

  ok({"start", "tables-hello.service"});
  auto on = active_on("tables-hello.service");
  ASSERT_EQ(on.size(), 1u);
  const auto& machine = h().cluster().machines()[*on.begin()];
  const std::string legend = machine.machine_id.substr(0, 8) + ".../" + machine.address;
  files = lines_of(ok({"list-unit-files"}).out);
  EXPECT_THAT(files, ::testing::Contains(::testing::ResultOf(
                         cells_of, std::vector<std::string>{"tables-hello.service", "e55c0ae",
                                                            "launched", "launched", legend})));
  auto units = lines_of(ok({"list-units"}).out);
  ASSERT_FALSE(units.empty());
  EXPECT_EQ(cells_of(units[0]), (std::vector<std::string>{"UNIT", "MACHINE", "ACTIVE", "SUB"}));
  EXPECT_THAT(units, ::testing::Contains(::testing::ResultOf(
                         cells_of, std::vector<std::string>{"tables-hello.service", legend,
                                                            "active", "running"})));
  EXPECT_THAT(table("list-units", "unit,load,hash"),
              ::testing::Contains(std::vector<std::string>{
                  "tables-hello.service", "loaded", "e55c0aeb44ba0b68004ceb8a200e685194448b45"}));
  destroy({"tables-hello.service"});
}

// --replace is refused when the command would not keep the unit's desired state (spec 1.4).
TEST_F(FunctionalTest, ReplaceRefusedInTheWrongState) {
  ok({"load", file("replwrong.service", service("old"))});
  file("replwrong.service", service("new"));
  auto r = fleetctl({"submit", "--replace", path("replwrong.service")});
  EXPECT_THAT(r.err, HasSubstr("Warning: can not replace Unit(replwrong.service) in state "
                               "'loaded', use the appropriate command"))
      << r;
  EXPECT_EQ(ok({"cat", "replwrong.service"}).out, service("old"));
  destroy({"replwrong.service"});
}

TEST_F(FunctionalTest, EndpointFlagAndUnreachableEndpoint) {
  auto flag = ok({"--endpoint=" + h().cluster().fleet_endpoint(2), "list-machines", "--no-legend"});
  EXPECT_EQ(lines_of(flag.out).size(), 3u) << flag;
  auto gone = fleetctl({"--endpoint=unix:///nonexistent/fleet.sock", "list-machines"});
  EXPECT_EQ(gone.exit_code, 1) << gone;
  EXPECT_FALSE(gone.err.empty()) << gone;
  EXPECT_EQ(gone.out, "") << gone;
}

// ---- --replace (TestUnitSubmitReplace, TestUnitLoadReplace, TestUnitStartReplace) --------------

class ReplaceTest : public FunctionalTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(ReplaceTest, ChangedLocalFileReplacesTheRegistryCopy) {
  const std::string verb = GetParam();
  const std::string prefix = "repl" + verb;
  auto names = instances(prefix, 3);
  for (const auto& name : names) file(name, service("old " + name));
  std::vector<std::string> args = {verb};
  for (const auto& name : names) args.push_back(path(name));
  ok(args);
  for (const auto& name : names) EXPECT_THAT(ok({"cat", name}).out, HasSubstr("old " + name));

  // Same files again, with --replace: nothing to do.
  auto again = args;
  again.insert(again.begin() + 1, "--replace");
  auto same = ok(again);
  for (const auto& name : names) {
    EXPECT_THAT(same.out, HasSubstr("Found same Unit(" + name + ") in Registry, nothing to do"))
        << same;
  }
  // Changed files without --replace: a warning, the registry copy stays.
  for (const auto& name : names) file(name, service("new " + name));
  auto warned = ok(args);
  EXPECT_THAT(warned.err,
              HasSubstr("WARNING: Unit " + names[0] + " in registry differs from local unit file"))
      << warned;
  EXPECT_THAT(ok({"cat", names[0]}).out, HasSubstr("old " + names[0]));

  // --replace: the new text everywhere, and (started) the new version is what systemd runs.
  ok(again);
  for (const auto& name : names) {
    EXPECT_EQ(ok({"cat", name}).out, service("new " + name)) << name;
    if (verb == "start") {
      ASSERT_TRUE(eventually(
          [&] {
            auto on = active_on(name);
            return on.size() == 1 &&
                   h().cluster()
                           .exec(*on.begin(), {"systemctl", "show", "-P", "Description", name})
                           .output == "new " + name + "\n";
          },
          kDeadline, 200ms))
          << name << " restarted with the new text";
    }
  }
  std::string want = verb == "submit" ? "inactive" : verb == "load" ? "loaded" : "launched";
  for (const auto& row : table("list-unit-files", "unit,dstate,state")) {
    if (row[0].starts_with(prefix)) {
      EXPECT_EQ(row[1], want) << row[0];
      EXPECT_TRUE(eventually(
          [&] {
            for (const auto& r : table("list-unit-files", "unit,state")) {
              if (r[0] == row[0]) return r[1] == want;
            }
            return false;
          },
          kDeadline, 200ms))
          << row[0];
    }
  }
  destroy(names);
}

INSTANTIATE_TEST_SUITE_P(Verbs, ReplaceTest, ::testing::Values("submit", "load", "start"));

// ---- TestUnitRestart ----------------------------------------------------------------------------

TEST_F(FunctionalTest, UnitRestart) {
  file("urestart@.service", service("restart %i"));
  auto names = instances("urestart", 2);
  ok({"start", path(names[0]), path(names[1])});
  for (int round = 0; round < 2; ++round) {
    std::map<std::string, std::pair<size_t, std::string>> before;
    for (const auto& name : names) {
      auto on = active_on(name);
      ASSERT_EQ(on.size(), 1u) << name;
      before[name] = {*on.begin(), h().main_pid(*on.begin(), name)};
    }
    ok({"restart", names[0], names[1]});
    for (const auto& name : names) {
      const auto [m, pid] = before[name];
      EXPECT_TRUE(eventually(
          [&, m = m, pid = pid] {
            return h().systemd_state(m, name) == "active" && h().main_pid(m, name) != pid;
          },
          kDeadline, 200ms))
          << name << " runs a new process on the same machine";
    }
    // restart/stop cycle: a stopped (loaded) unit is started by restart.
    ok({"stop", names[0], names[1]});
    for (const auto& name : names) EXPECT_TRUE(active_on(name).empty()) << name;
    ok({"restart", names[0], names[1]});
    for (const auto& name : names) EXPECT_TRUE(eventually_active_on(name, {before[name].first}));
  }
  ok({"unload", names[0], names[1]});
  auto inactive = fleetctl({"restart", names[0]});
  EXPECT_THAT(inactive.err, HasSubstr("Unable to restart unit " + names[0] + " in state inactive"))
      << inactive;
  destroy(names);
}

// ---- TestUnitCat --------------------------------------------------------------------------------

TEST_F(FunctionalTest, UnitCatPrintsTheNormalisedUnit) {
  const std::string canonical = service("cat me", "MachineMetadata=hostname=m1\n");
  ok({"submit", file("ucat.service", canonical)});
  EXPECT_EQ(ok({"cat", "ucat.service"}).out, canonical);

  ok({"submit", file("ucatmessy.service",
                     "# a comment\n[Unit]\nDescription=messy\n\n\n; another\n[Service]\n"
                     "ExecStart=/bin/sleep \\\n  infinity\nEnvironment=A=1\nEnvironment=B=2\n")});
  EXPECT_EQ(ok({"cat", "ucatmessy.service"}).out,
            "[Unit]\nDescription=messy\n\n[Service]\nExecStart=/bin/sleep \\\n  infinity\n"
            "Environment=A=1\nEnvironment=B=2\n");
  destroy({"ucat.service", "ucatmessy.service"});
}

// ---- TestListUnitFilesOrder
// ----------------------------------------------------------------------

TEST_F(FunctionalTest, ListUnitFilesOrder) {
  std::vector<std::string> names;
  std::vector<std::string> args = {"submit"};
  // Submitted in an order that is not the names' order.
  for (int i = 20; i >= 1; --i) {
    names.push_back("order" + std::to_string(i) + ".service");
    args.push_back(file(names.back(), service("order")));
  }
  ok(args);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(unit_files("order"), names);
  std::vector<std::string> destroy_args = {"destroy"};
  destroy_args.insert(destroy_args.end(), names.begin(), names.end());
  ok(destroy_args);
  EXPECT_TRUE(unit_files("order").empty());
}

// ---- scheduling ---------------------------------------------------------------------------------

// TestScheduleConditionMachineID: full and short machine IDs.
TEST_F(FunctionalTest, ScheduleConditionMachineID) {
  std::vector<std::string> args = {"start"};
  for (size_t m = 0; m < h().size(); ++m) {
    const auto machine = m == 1 ? id(m).substr(0, 8) : id(m);
    args.push_back(file("mid" + std::to_string(m) + ".service",
                        service("pinned", "MachineID=" + machine + "\n")));
  }
  ok(args);
  for (size_t m = 0; m < h().size(); ++m) {
    EXPECT_EQ(active_on("mid" + std::to_string(m) + ".service"), std::set<size_t>{m});
  }
  EXPECT_EQ(targets("mid"),
            (std::map<std::string, std::string>{
                {"mid0.service", "m0"}, {"mid1.service", "m1"}, {"mid2.service", "m2"}}));
  destroy({"mid0.service", "mid1.service", "mid2.service"});
}

// TestScheduleMachineOf: pairs land together.
TEST_F(FunctionalTest, ScheduleMachineOf) {
  std::vector<std::string> args = {"start"};
  for (int i = 1; i <= 3; ++i) {
    const auto n = std::to_string(i);
    args.push_back(file("ping" + n + ".service", service("ping")));
    args.push_back(
        file("pong" + n + ".service", service("pong", "MachineOf=ping" + n + ".service\n")));
  }
  ok(args);
  auto where = targets("p");
  for (int i = 1; i <= 3; ++i) {
    const auto n = std::to_string(i);
    ASSERT_TRUE(where.contains("ping" + n + ".service"));
    EXPECT_EQ(where["pong" + n + ".service"], where["ping" + n + ".service"]) << n;
    EXPECT_EQ(active_on("pong" + n + ".service"), active_on("ping" + n + ".service"));
  }
  destroy({"ping1.service", "pong1.service", "ping2.service", "pong2.service", "ping3.service",
           "pong3.service"});
}

// TestScheduleMachineOf's second half: stopping fleet on the pair's machine takes that machine out
// of list-machines within agent_ttl and moves the pair together; fleetd started again there stops
// its old copies (they are no longer scheduled there).
TEST_F(FunctionalTest, MachineOfPairMovesTogetherWhenFleetStops) {
  ok({"start", file("mvping.service", service("ping")),
      file("mvpong.service", service("pong", "MachineOf=mvping.service\n"))});
  auto on = active_on("mvping.service");
  ASSERT_EQ(on.size(), 1u);
  const size_t m = *on.begin();
  ASSERT_EQ(active_on("mvpong.service"), on);
  const size_t via = (m + 1) % h().size();  // fleetctl talks to a machine that stays

  stop_fleet(m);
  EXPECT_TRUE(eventually([&] { return listed_machines(via) == machine_ids(m); }, kDeadline, 250ms))
      << "the stopped machine leaves list-machines";
  std::optional<size_t> moved;
  EXPECT_TRUE(eventually(
      [&] {
        for (size_t n = 0; n < h().size(); ++n) {
          if (n != m && h().systemd_state(n, "mvping.service") == "active" &&
              h().systemd_state(n, "mvpong.service") == "active") {
            moved = n;
            return true;
          }
        }
        return false;
      },
      kDeadline, 250ms))
      << "the pair runs together on another machine";

  start_fleet(m);
  if (moved) {
    EXPECT_TRUE(eventually_active_on("mvping.service", {*moved}));
    EXPECT_TRUE(eventually_active_on("mvpong.service", {*moved}));
  }
  auto r = fleetctl({"destroy", "mvpong.service", "mvping.service"}, via);
  EXPECT_EQ(r.exit_code, 0) << r;
}

// TestSingleNodeConnectivityLoss: units pinned to machine 2 in each state, and a global unit; cut
// off from etcd for agent_ttl + 7 s, machine 2's systemd sees no change (nothing stops, nothing
// restarts), and once reconnected fleet reports the same states as before. Unlike the original's
// single-node run, the engine here lives on on the other machines and, per spec 3.9, unschedules
// the pinned launched unit when machine 2's presence expires and schedules it there again once
// machine 2 is back: that one unit is restarted after the reconnect (the global and the loaded
// unit are not touched).
TEST_F(FunctionalTest, SingleNodeConnectivityLoss) {
  const size_t m = 2;
  file("lost@.service", service("lost", "MachineID=" + id(m) + "\n"));
  ok({"submit", path("lost@inactive.service")});
  ok({"load", path("lost@loaded.service")});
  ok({"start", path("lost@launched.service"),
      file("lostglobal.service", service("global", "Global=true\n"))});
  ASSERT_TRUE(eventually_active_on("lostglobal.service", {0, 1, 2}));
  const std::vector<std::string> names = {"lost@inactive.service", "lost@loaded.service",
                                          "lost@launched.service", "lostglobal.service"};
  auto state = [&] {
    std::vector<std::string> out;
    for (const auto& name : names) {
      out.push_back(h().cluster()
                        .exec(m, {"systemctl", "show", "-P",
                                  "LoadState,ActiveState,UnitFileState,MainPID", name})
                        .output);
    }
    return out;
  };
  const auto before = state();
  const auto files_before = table("list-unit-files", "unit,dstate,state,target");

  h().cluster().disconnect(m);
  // Nothing may change in machine 2's systemd during the whole outage.
  const bool changed = eventually([&] { return state() != before; }, 3s + 7s, 500ms);
  h().cluster().reconnect(m);
  EXPECT_FALSE(changed) << "machine 2's units changed while it was cut off";

  EXPECT_TRUE(eventually(
      [&] { return table("list-unit-files", "unit,dstate,state,target") == files_before; },
      kDeadline, 250ms))
      << "fleet's view converges back";
  auto after = state();
  EXPECT_TRUE(eventually(
      [&] {
        after = state();
        return after[2].ends_with("\nloaded\nactive\nlinked-runtime\n");
      },
      kDeadline, 250ms))
      << after[2];
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[1], before[1]);
  EXPECT_EQ(after[3], before[3]) << "the global unit is not restarted";
  EXPECT_TRUE(eventually([&] { return units("lost").size() == 5; }, kDeadline, 250ms))
      << "loaded, launched and the global unit on 3 machines are reported again";
  for (const auto& name : {names[1], names[3]}) {
    auto journal = h().cluster().exec(m, {"journalctl", "--no-pager", "-u", name});
    EXPECT_THAT(journal.output, ::testing::Not(HasSubstr("Stopping"))) << name;
  }
  destroy(names);
}

// TestScheduleConflicts and TestScheduleMultipleConflicts.
TEST_F(FunctionalTest, ScheduleConflicts) {
  std::vector<std::string> args = {"start", "--no-block"};
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    names.push_back("conflict." + std::to_string(i) + ".service");
    args.push_back(file(names.back(), service("conflict", "Conflicts=conflict.*.service\n")));
  }
  auto r = ok(args);
  EXPECT_THAT(r.out, HasSubstr("Triggered unit conflict.0.service start")) << r;
  std::set<size_t> machines;
  ASSERT_TRUE(eventually(
      [&] {
        machines.clear();
        size_t running = 0;
        for (const auto& name : names) {
          for (auto m : active_on(name)) {
            machines.insert(m);
            ++running;
          }
        }
        return running == 3 && machines.size() == 3;
      },
      kDeadline, 250ms));
  size_t unscheduled = 0;
  for (const auto& [unit, target] : targets("conflict.")) unscheduled += target == "-";
  EXPECT_EQ(unscheduled, 2u);
  destroy(names);

  // Several values on one line, and several lines.
  ok({"start", file("multi-a.service", service("a", "Conflicts=multi-b.service multi-c.service\n")),
      file("multi-b.service",
           service("b", "Conflicts=multi-a.service\nConflicts=multi-c.service\n")),
      file("multi-c.service", service("c"))});
  std::set<std::string> where;
  for (const auto& [unit, target] : targets("multi-")) where.insert(target);
  EXPECT_EQ(where.size(), 3u);
  destroy({"multi-a.service", "multi-b.service", "multi-c.service"});
}

// TestScheduleOneWayConflict: both units can only run on m0 (disk=ssd).
TEST_F(FunctionalTest, ScheduleOneWayConflict) {
  ok({"start", file("oneway-conflicter.service",
                    service("c", "MachineMetadata=disk=ssd\nConflicts=oneway-hello.service\n"))});
  EXPECT_EQ(active_on("oneway-conflicter.service"), std::set<size_t>{0});
  ok({"start", "--no-block",
      file("oneway-hello.service", service("h", "MachineMetadata=disk=ssd\n"))});
  EXPECT_FALSE(
      eventually([&] { return targets("oneway-hello")["oneway-hello.service"] != "-"; }, 3s, 250ms))
      << "hello (no Conflicts) is kept off the conflicting unit's machine";
  destroy({"oneway-conflicter.service"});
  EXPECT_TRUE(eventually_active_on("oneway-hello.service", {0}));
  destroy({"oneway-hello.service"});
}

// TestScheduleReplace: the Replaces unit lands on the replaced unit's machine (dynamic metadata
// steers it there), the replaced unit moves.
TEST_F(FunctionalTest, ScheduleReplace) {
  ok({"start", file("replaced.service", service("old"))});
  auto on = active_on("replaced.service");
  ASSERT_EQ(on.size(), 1u);
  const size_t m = *on.begin();
  ASSERT_EQ(set_metadata(m, "add", "replacehere", "yes"), "204");
  ok({"start",
      file("replacer.service",
           service("new", "MachineMetadata=replacehere=yes\nReplaces=replaced.service\n"))});
  EXPECT_EQ(active_on("replacer.service"), std::set<size_t>{m});
  EXPECT_TRUE(eventually(
      [&] {
        auto now = active_on("replaced.service");
        return now.size() == 1 && *now.begin() != m;
      },
      kDeadline, 250ms))
      << "the replaced unit moves to another machine";
  destroy({"replacer.service", "replaced.service"});
  EXPECT_EQ(set_metadata(m, "remove", "replacehere"), "204");
}

// TestScheduleGlobalUnits.
TEST_F(FunctionalTest, ScheduleGlobalUnits) {
  auto r =
      ok({"start", file("gnormal1.service", service("n1")), file("gnormal2.service", service("n2")),
          file("gglobal.service", service("global", "Global=true\n"))});
  EXPECT_THAT(r.out, HasSubstr("Triggered global unit gglobal.service start")) << r;
  EXPECT_TRUE(eventually_active_on("gglobal.service", {0, 1, 2}));
  EXPECT_TRUE(eventually([&] { return units("g").size() == 5; }, kDeadline, 200ms));
  for (const auto& row : table("list-unit-files", "unit,dstate,state,target,global")) {
    if (row[0] == "gglobal.service") {
      EXPECT_EQ(row,
                (std::vector<std::string>{"gglobal.service", "launched", "-", "global", "true"}));
    }
  }
  std::map<size_t, std::string> pids;
  for (size_t m = 0; m < 3; ++m) pids[m] = h().main_pid(m, "gglobal.service");
  ok({"restart", "gglobal.service"});
  for (size_t m = 0; m < 3; ++m) {
    EXPECT_TRUE(eventually(
        [&] {
          return h().systemd_state(m, "gglobal.service") == "active" &&
                 h().main_pid(m, "gglobal.service") != pids[m];
        },
        kDeadline, 200ms))
        << "restart of a global unit restarts it on machine " << m;
  }
  auto stopped = ok({"stop", "gglobal.service"});
  EXPECT_THAT(stopped.out, HasSubstr("Triggered global unit gglobal.service stop")) << stopped;
  EXPECT_TRUE(eventually_active_on("gglobal.service", {}));
  destroy({"gnormal1.service", "gnormal2.service", "gglobal.service"});
}

// TestScheduleGlobalConflicts: of two conflicting global units the first by name wins everywhere.
TEST_F(FunctionalTest, ScheduleGlobalConflicts) {
  ok({"start",
      file("gconflict-b.service", service("b", "Global=true\nConflicts=gconflict-a.service\n")),
      file("gconflict-a.service", service("a", "Global=true\nConflicts=gconflict-b.service\n"))});
  EXPECT_TRUE(eventually_active_on("gconflict-a.service", {0, 1, 2}));
  EXPECT_EQ(active_on("gconflict-b.service"), std::set<size_t>{});
  destroy({"gconflict-a.service", "gconflict-b.service"});
  // With a gone, b takes every machine.
  ok({"start", path("gconflict-b.service")});
  EXPECT_TRUE(eventually_active_on("gconflict-b.service", {0, 1, 2}));
  destroy({"gconflict-b.service"});
}

// Static MachineMetadata, and TestTemplatesWithSpecifiersInMetadata.
TEST_F(FunctionalTest, ScheduleMachineMetadataWithSpecifiers) {
  ok({"start", file("ssdonly.service", service("ssd", "MachineMetadata=disk=ssd\n"))});
  EXPECT_EQ(active_on("ssdonly.service"), std::set<size_t>{0});

  file("meta@.service", service("meta", "MachineMetadata=hostname=%i\n"));
  ok({"start", path("meta@m1.service"), path("meta@m2.service")});
  EXPECT_EQ(active_on("meta@m1.service"), std::set<size_t>{1});
  EXPECT_EQ(active_on("meta@m2.service"), std::set<size_t>{2});
  auto none = fleetctl({"start", "--block-attempts=2", path("meta@nowhere.service")});
  EXPECT_EQ(none.exit_code, 1) << none;
  EXPECT_THAT(none.err, HasSubstr("meta@nowhere.service")) << none;
  destroy({"ssdonly.service", "meta@m1.service", "meta@m2.service", "meta@nowhere.service"});
}

// Dynamic metadata (PATCH /machines, spec 2.5) moves a MachineMetadata unit; list-machines shows
// it.
TEST_F(FunctionalTest, DynamicMetadataMovesAUnit) {
  ASSERT_EQ(set_metadata(1, "add", "dyn", "here"), "204");
  auto machines = ok({"list-machines", "--full", "--no-legend", "--fields=machine,metadata"});
  EXPECT_THAT(lines_of(machines.out),
              ::testing::Contains(::testing::ResultOf(
                  cells_of, std::vector<std::string>{id(1), "dyn=here,hostname=m1"})))
      << machines;
  ok({"start", file("dynmeta.service", service("dyn", "MachineMetadata=dyn=here\n"))});
  EXPECT_EQ(active_on("dynmeta.service"), std::set<size_t>{1});

  ASSERT_EQ(set_metadata(2, "add", "dyn", "here"), "204");
  ASSERT_EQ(set_metadata(1, "remove", "dyn"), "204");
  EXPECT_TRUE(eventually_active_on("dynmeta.service", {2})) << "moved with the metadata";
  EXPECT_EQ(targets("dynmeta")["dynmeta.service"], "m2");

  destroy({"dynmeta.service"});
  EXPECT_EQ(set_metadata(2, "remove", "dyn"), "204");
}

// TestInstallUnit: [Install] WantedBy makes systemd start the follower with its peer.
TEST_F(FunctionalTest, InstallUnit) {
  ok({"load", file("insthello.service", service("hello")),
      file("instdisc.service", service("discovery", "MachineOf=insthello.service\n",
                                       "BindsTo=insthello.service\nAfter=insthello.service\n") +
                                   "\n[Install]\nWantedBy=insthello.service\n")});
  auto on = active_on("insthello.service");
  EXPECT_TRUE(on.empty());
  auto where = targets("inst");
  ASSERT_NE(where["insthello.service"], "-");
  EXPECT_EQ(where["instdisc.service"], where["insthello.service"]);
  const size_t m = static_cast<size_t>(where["insthello.service"][1] - '0');
  EXPECT_EQ(h().systemd_state(m, "instdisc.service"), "inactive");

  ok({"start", "insthello.service"});
  EXPECT_TRUE(eventually([&] { return h().systemd_state(m, "instdisc.service") == "active"; },
                         kDeadline, 200ms))
      << "started by systemd through WantedBy";
  ok({"stop", "insthello.service"});
  EXPECT_TRUE(eventually([&] { return h().systemd_state(m, "instdisc.service") != "active"; },
                         kDeadline, 200ms))
      << "stopped with its BindsTo peer";
  destroy({"instdisc.service", "insthello.service"});
}

// TestMachinesList, TestMachinesListBadNextPageToken over the API socket.
TEST_F(FunctionalTest, MachinesApi) {
  auto socket = h().cluster().fleet_endpoint(2).substr(std::string("unix://").size());
  auto list = run_command({"curl", "-s", "-w", "\n%{http_code} %{content_type}", "--unix-socket",
                           socket, "http://fleet/fleet/v1/machines"});
  EXPECT_THAT(list.output, HasSubstr("\n200 application/json")) << list.output;
  for (size_t m = 0; m < 3; ++m) EXPECT_THAT(list.output, HasSubstr(id(m)));
  auto bad = api("GET", "/fleet/v1/machines?nextPageToken=EwBMLg==");
  EXPECT_EQ(bad.status, "400");
  EXPECT_THAT(bad.content_type, ::testing::StartsWith("application/json"));
}

// TestMachinesPatchAddModify, TestMachinesPatchDelete, TestMachinesPatchBad: what PATCH sets is
// shown merged with the configured metadata, and removing it leaves the configured metadata only.
TEST_F(FunctionalTest, MachinesPatch) {
  auto metadata = [&] {
    std::map<std::string, std::string> out;
    for (const auto& row : table("list-machines", "machine,metadata")) {
      if (row.size() == 2) out[row[0]] = row[1];
    }
    return out;
  };
  const auto configured = metadata();
  auto entry = [&](const std::string& op, size_t m, const std::string& value) {
    return R"({"op":")" + op + R"(","path":"/)" + id(m) + R"(/metadata/patched")" +
           (value.empty() ? "" : R"(,"value":{"value":")" + value + "\"}") + "}";
  };

  auto added = api("PATCH", "/fleet/v1/machines",
                   "[" + entry("add", 0, "zero") + "," + entry("add", 1, "one") + "]");
  EXPECT_EQ(added.status, "204");
  auto replaced = api("PATCH", "/fleet/v1/machines", "[" + entry("replace", 1, "uno") + "]");
  EXPECT_EQ(replaced.status, "204");
  auto merged = configured;
  merged[id(0)] = "disk=ssd,hostname=m0,patched=zero";
  merged[id(1)] = "hostname=m1,patched=uno";
  EXPECT_EQ(metadata(), merged);

  auto removed = api("PATCH", "/fleet/v1/machines",
                     "[" + entry("remove", 0, "") + "," + entry("remove", 1, "") + "]");
  EXPECT_EQ(removed.status, "204");
  EXPECT_EQ(metadata(), configured);

  for (const auto& bad : {
           "[" + entry("frob", 0, "x") + "]",                                              // bad op
           R"([{"op":"add","path":"/)" + id(0) + R"(/nometa/x","value":{"value":"v"}}])",  // path
           "[" + entry("add", 0, "") + "]",  // no value
       }) {
    auto reply = api("PATCH", "/fleet/v1/machines", bad);
    EXPECT_EQ(reply.status, "400") << bad;
    EXPECT_THAT(reply.content_type, ::testing::StartsWith("application/json")) << bad;
  }
  EXPECT_EQ(metadata(), configured);
}

// TestUnitRunnable: hello.service started on the (otherwise empty) cluster is its one active unit.
TEST_F(FunctionalTest, UnitRunnable) {
  ok({"start", file("hello.service", read_file(std::filesystem::path(FLEET_SOURCE_DIR) /
                                               "examples" / "hello.service"))});
  auto rows = units("");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "hello.service");
  EXPECT_EQ(rows[0][2], "active");
  EXPECT_EQ(rows[0][3], "running");
  destroy({"hello.service"});
}

// TestUnitStatus: status of a loaded unit, which fleetd asks the unit's machine for (no SSH).
TEST_F(FunctionalTest, UnitStatus) {
  ok({"load", file("ustatus.service", service("status"))});
  auto r = fleetctl({"status", "ustatus.service"});
  EXPECT_THAT(r.out, HasSubstr("Loaded: loaded")) << r;
  EXPECT_THAT(r.out, HasSubstr("Active: inactive (dead)")) << r;
  destroy({"ustatus.service"});
}

// TestScheduleCircularReplace. Two units that replace each other and may only run on machine 1:
// Replaces is ignored for such a pair (spec 3.3), so neither pushes the other off and both run
// there. (The original test expected one active unit, but it counted before the second unit had
// started: WaitForNActiveUnits returns on the first poll that sees exactly one.)
TEST_F(FunctionalTest, ScheduleCircularReplace) {
  ok({"start", file("circ0.service",
                    service("0", "MachineMetadata=hostname=m1\nReplaces=circ1.service\n"))});
  ASSERT_EQ(active_on("circ0.service"), std::set<size_t>{1});
  const auto pid = h().main_pid(1, "circ0.service");
  ok({"start", file("circ1.service",
                    service("1", "MachineMetadata=hostname=m1\nReplaces=circ0.service\n"))});
  EXPECT_EQ(active_on("circ1.service"), std::set<size_t>{1});
  EXPECT_EQ(active_on("circ0.service"), std::set<size_t>{1});
  EXPECT_EQ(h().main_pid(1, "circ0.service"), pid) << "circ0 was not pushed off and back";
  EXPECT_EQ(targets("circ"),
            (std::map<std::string, std::string>{{"circ0.service", "m1"}, {"circ1.service", "m1"}}));
  destroy({"circ0.service", "circ1.service"});
}

// TestNodeShutdown: stopping fleet on the machine a unit is pinned to (MachineID=%i) takes the
// machine out of list-machines and the unit's state out of list-units. Unlike the original, the
// unit keeps running there (decisions.md 9: stopping fleetd never stops units; purge_on_shutdown
// restores the original, see ClusterTest.PurgeOnShutdownStopsEveryUnitWhenFleetdStops). Once
// fleetd is back, the unit is reported running there again.
TEST_F(FunctionalTest, NodeShutdown) {
  const size_t m = 1;
  const size_t via = 0;
  file("pin@.service", service("pinned", "MachineID=%i\n"));
  const std::string unit = "pin@" + id(m) + ".service";
  ok({"start", path(unit)});
  ASSERT_EQ(active_on(unit), std::set<size_t>{m});

  stop_fleet(m);
  EXPECT_TRUE(eventually([&] { return listed_machines(via) == machine_ids(m); }, kDeadline, 250ms))
      << "the machine leaves list-machines";
  EXPECT_TRUE(eventually([&] { return units("pin@").empty(); }, kDeadline, 250ms))
      << "its unit's state is purged";
  EXPECT_EQ(h().systemd_state(m, unit), "active") << "decisions.md 9";

  start_fleet(m);
  EXPECT_TRUE(eventually(
      [&] {
        return units("pin@") ==
               std::vector<std::vector<std::string>>{{unit, "m1", "active", "running"}};
      },
      kDeadline, 250ms));
  destroy({unit});
}

// TestDetectMachineId: machine 2 gets machine 0's machine ID (a file bound over its
// /etc/machine-id, as the original rewrote it) and fleetd restarts there. It cannot register: it
// keeps running, refuses to take over machine 0's registration, and answers every request 503, so
// list-machines through it exits 1 with "fleet server unable to communicate with etcd". Unlike the
// original's fleetd, ours tells systemd it is ready only once registered
// (dist/systemd/fleet.service), so fleet.service stays "activating" rather than "active". Then
// machine 0 gets a new ID and restarts: it works under the new ID, its old ID leaves the cluster,
// and so machine 2 registers under it.
TEST_F(FunctionalTest, DetectMachineId) {
  auto& cluster = h().cluster();
  auto bind_machine_id = [&](size_t m, const std::string& machine_id) {
    auto bound = cluster.exec(m, {"sh", "-c",
                                  "echo " + machine_id +
                                      " >/run/test-machine-id && mount --bind "
                                      "/run/test-machine-id /etc/machine-id"});
    ASSERT_TRUE(bound.ok()) << bound.output;
  };
  auto address = [&](size_t m) { return cluster.machines()[m].address; };
  auto machines = [&](size_t via) {
    auto r = fleetctl({"list-machines", "--no-legend", "--full", "--fields=machine,ip"}, via);
    std::set<std::vector<std::string>> rows;
    for (const auto& line : lines_of(r.out)) rows.insert(cells_of(line));
    return r.exit_code == 0 ? rows : std::set<std::vector<std::string>>{};
  };

  ASSERT_NO_FATAL_FAILURE(bind_machine_id(2, id(0)));
  ASSERT_TRUE(cluster.exec(2, {"systemctl", "restart", "--no-block", "fleet.service"}).ok());
  EXPECT_TRUE(eventually(
      [&] {
        return h().fleetd_log(2).find("machine " + id(0) +
                                      " is already registered by another fleetd") !=
               std::string::npos;
      },
      kDeadline, 250ms))
      << h().fleetd_log(2);
  EXPECT_EQ(h().systemd_state(2, "fleet.service"), "activating");
  auto refused = fleetctl({"list-machines", "--no-legend"}, 2);
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("fleet server unable to communicate with etcd")) << refused;
  EXPECT_THAT(machines(0), ::testing::Contains(std::vector<std::string>{id(0), address(0)}))
      << "machine 0 keeps its registration";

  const std::string fresh = "0123456789abcdef0123456789abcdef";
  ASSERT_NO_FATAL_FAILURE(bind_machine_id(0, fresh));
  auto restarted = cluster.exec(0, {"systemctl", "restart", "fleet.service"}, 60s);
  ASSERT_TRUE(restarted.ok()) << restarted.output << h().fleetd_log(0);
  const std::set<std::vector<std::string>> swapped = {
      {fresh, address(0)}, {id(0), address(2)}, {id(1), address(1)}};
  EXPECT_TRUE(eventually([&] { return machines(0) == swapped; }, kDeadline, 250ms))
      << "machine 0 under its new ID; machine 2 under machine 0's old one: "
      << fleetctl({"list-machines", "--full"}, 0);
  EXPECT_TRUE(eventually([&] { return machines(2) == swapped; }, kDeadline, 250ms))
      << h().fleetd_log(2);

  // Each its own ID again: machine 2 first, as it holds machine 0's.
  ASSERT_TRUE(cluster.exec(2, {"umount", "/etc/machine-id"}).ok());
  ASSERT_TRUE(cluster.exec(0, {"umount", "/etc/machine-id"}).ok());
  restarted = cluster.exec(2, {"systemctl", "restart", "fleet.service"}, 60s);
  ASSERT_TRUE(restarted.ok()) << restarted.output << h().fleetd_log(2);
  start_fleet(0, "restart");
  EXPECT_EQ(listed_machines(2), machine_ids());
}

// TestReconfigureServer: on SIGHUP fleetd reloads its configuration, its API keeps answering on
// the listeners it had, and fleet.service stays active. (ClusterTest.SighupReloadsAndSigusr1...
// checks that its units are not disturbed.)
TEST_F(FunctionalTest, ReconfigureServer) {
  const size_t m = 2;
  ASSERT_TRUE(h().cluster().exec(m, {"systemctl", "kill", "-s", "HUP", "fleet.service"}).ok());
  EXPECT_TRUE(
      eventually([&] { return fleetd_journal(m).find("event=reloading") != std::string::npos; },
                 kDeadline, 250ms))
      << h().fleetd_log(m);
  EXPECT_TRUE(eventually([&] { return listed_machines(m) == machine_ids(); }, kDeadline, 250ms));
  EXPECT_TRUE(
      eventually([&] { return fleet_service_outcome(m) == "active success"; }, kDeadline, 250ms))
      << fleet_service_outcome(m);
  EXPECT_THAT(fleetd_journal(m), ::testing::Not(HasSubstr("api_listen_failed")));
}

// TestShutdown: stopping fleet.service is a clean stop.
TEST_F(FunctionalTest, Shutdown) {
  const size_t m = 1;
  stop_fleet(m);
  EXPECT_EQ(fleet_service_outcome(m), "inactive success");
  start_fleet(m);
}

// TestShutdownVsMonitor: cut off from etcd until fleetd has noticed it lost its lease (ours logs
// event=lease_lost where the original's monitor logged "Monitor timed out before successful
// heartbeat"), fleetd still stops cleanly.
TEST_F(FunctionalTest, ShutdownVsMonitor) {
  const size_t m = 1;
  h().cluster().disconnect(m);
  EXPECT_TRUE(
      eventually([&] { return fleetd_journal(m).find("event=lease_lost") != std::string::npos; },
                 kDeadline, 250ms))
      << h().fleetd_log(m);
  stop_fleet(m);
  h().cluster().reconnect(m);
  EXPECT_EQ(fleet_service_outcome(m), "inactive success");
  start_fleet(m);
}

}  // namespace
}  // namespace fleet::testing
