// Golden tests: what fleetctl prints (tables, messages) and returns, byte for byte, for a fixed
// cluster, against fleetd's real HTTP API server on a real etcd (testing/api_driver_under_test.cc).
// Every expected output was checked by hand against spec §1.5-1.7 and decisions.md before it was
// accepted; a changed output is a changed interface, to be checked the same way.
//
// One file per case, testdata/golden/<case>.txt:
//
//   $ fleetctl <arguments>
//   exit <status>
//   -- stdout --
//   <stdout, byte for byte: TABs are real TABs>
//   -- stderr --
//   <stderr, byte for byte>
//
// A stream that does not end in a newline is followed by a line `\ no newline at end`. The
// arguments are shown without the driver's --endpoint (a temporary socket), and the version
// string as <VERSION> (it changes with every release).
//
// FLEET_UPDATE_GOLDEN=1 rewrites the files from what fleetctl prints instead of comparing; review
// the diff against the spec before keeping it.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/unit/unit_file.h"

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/testing/fleetctl_test_base.h"
#include "fixtures/eventually.h"

namespace fleet::fleetctl {
namespace {

using namespace std::chrono_literals;
using testing::FleetctlTest;
using testing::Outcome;
using unit::DesiredState;

// The cluster: three machines, listed out of ID order; one without an IP, one without metadata.
struct GoldenMachine {
  std::string_view id;
  std::string_view ip;
  registry::Metadata metadata;
};
const GoldenMachine kMachines[] = {
    {"7d0e5b1c2a3f4e6d8c9b0a1f2e3d4c5b", "10.0.0.8", {}},
    {"2c1f8e3a9b7d4c6e8f0a1b2c3d4e5f60", "10.0.0.7", {{"region", "eu"}, {"disk", "ssd"}}},
    {"a41b9c07e5d34f2a8b6c1d0e9f8a7b6c", "", {{"role", "db"}}},
};

constexpr std::string_view kWebTemplate =
    "# comments and blank lines are not stored\n"
    "[Unit]\n"
    "Description=Web server %i\n"
    "\n\n"
    "[Service]\n"
    "ExecStart=/usr/bin/web --port 80%i\n"
    "\n"
    "[X-Fleet]\n"
    "Conflicts=web@*.service\n";

// Units, created out of name order. `machine` empty: not scheduled (or global). Each machine in
// `reports` publishes the unit's systemd state: `active`, with its sub state and whether fleet
// launched it.
struct Report {
  std::string_view machine;
  std::string_view active;
  std::string_view sub;
  bool launched;
};
struct GoldenUnit {
  std::string_view name;
  std::string_view text;
  DesiredState desired;
  std::string_view machine;
  std::vector<Report> reports;
};
const GoldenUnit kUnits[] = {
    {"web@1.service",  // an instance: the template's text under the instance's name
     kWebTemplate,
     DesiredState::kLoaded,
     kMachines[0].id,
     {{kMachines[0].id, "inactive", "dead", false}}},
    {"log.service",  // global: reported by two machines
     "[Service]\nExecStart=/bin/log\n\n[X-Fleet]\nGlobal=true\n",
     DesiredState::kLaunched,
     "",
     {{kMachines[1].id, "active", "running", true}, {kMachines[0].id, "active", "running", true}}},
    {"idle.service", "[Service]\nExecStart=/bin/sleep infinity\n", DesiredState::kInactive, "", {}},
    {"web@.service", kWebTemplate, DesiredState::kInactive, "", {}},
    {"hello.service",
     testing::kHello,
     DesiredState::kLaunched,
     kMachines[1].id,
     {{kMachines[1].id, "active", "running", true}}},
    {"db.service",  // on the machine without an IP, still starting
     "[Unit]\nDescription=Postgres (primary)\n\n[Service]\nExecStart=/usr/bin/postgres\n",
     DesiredState::kLaunched,
     kMachines[2].id,
     {{kMachines[2].id, "activating", "start", true}}},
};

// What the API must show before the cases run: it reads etcd through watches, a moment behind.
constexpr std::string_view kSettledStates =
    "db.service\tlaunched\n"
    "hello.service\tlaunched\n"
    "idle.service\tinactive\n"
    "log.service\t-\n"
    "web@.service\tinactive\n"
    "web@1.service\tloaded\n";

struct GoldenCase {
  std::string_view name;       // the file's name, without .txt
  std::string_view arguments;  // separated by single spaces
  bool cluster = true;         // false: no --endpoint added (help, version, usage errors)
};
const GoldenCase kCases[] = {
    {"no-arguments", "", false},
    {"help", "help", false},
    {"help-list-units", "help list-units", false},
    {"version", "version", false},
    {"version-flag", "--version", false},
    {"unknown-command", "bogus", false},
    {"ambiguous-command", "list", false},
    {"unknown-flag", "list-units --bogus", false},
    {"list-machines", "list-machines"},
    {"list-machines-full", "list-machines --full"},
    {"list-machines-l", "list-machines -l"},
    {"list-machines-fields", "list-machines --fields=ip,machine"},
    {"list-machines-no-legend", "list-machines --no-legend"},
    {"list-machines-prefix", "list-m --fields=machine"},
    {"list-units", "list-units"},
    {"list-units-full", "list-units --full"},
    {"list-units-fields", "list-units --fields=unit,load,active,sub,machine,hash"},
    {"list-units-fields-l", "list-units -l --no-legend --fields=unit,load,active,sub,machine,hash"},
    {"list-unit-files", "list-unit-files"},
    {"list-unit-files-full", "list-unit-files --full"},
    {"list-unit-files-every-field",
     "list-unit-files --fields=unit,hash,dstate,state,target,tmachine,global,desc"},
    {"list-unit-files-no-legend", "list-unit-files --no-legend --fields=unit,global,desc"},
    {"list-unit-files-l", "list-unit-files -l"},
    {"cat", "cat hello"},
    {"cat-instance", "cat web@1.service"},
    {"cat-missing", "cat ghost.service"},
    {"cat-no-unit", "cat"},
    {"cat-two-units", "cat hello db"},
    {"fields-empty", "list-units --fields="},
    {"fields-invalid", "list-machines --fields=machine,x"},
    // Asked before any SSH. (fleetd's answer, --inspect-via=fleetd, needs an inspector the test's
    // API server does not have.)
    {"status-missing", "--inspect-via=ssh status ghost.service"},
    {"stop-missing", "stop ghost.service"},
    {"submit-no-units", "submit"},
    {"stop-no-units", "stop"},
    {"verify", "verify hello"},
};

std::vector<std::string> split(std::string_view arguments) {
  std::vector<std::string> words;
  while (!arguments.empty()) {
    auto space = arguments.find(' ');
    words.emplace_back(arguments.substr(0, space));
    arguments.remove_prefix(space == std::string_view::npos ? arguments.size() : space + 1);
  }
  return words;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string without_version(std::string text) {
  const std::string v(version());
  replace_all(text, "fleetctl version " + v + "\n", "fleetctl version <VERSION>\n");
  replace_all(text, "VERSION:\n\t" + v + "\n", "VERSION:\n\t<VERSION>\n");
  return text;
}

std::string stream(std::string_view heading, const std::string& bytes) {
  std::string text = "-- " + std::string(heading) + " --\n" + without_version(bytes);
  if (!bytes.empty() && !bytes.ends_with('\n')) text += "\n\\ no newline at end\n";
  return text;
}

// The case's file contents for `outcome` (the format in the comment at the top).
std::string render(const GoldenCase& golden, const Outcome& outcome) {
  std::string text = "$ fleetctl";
  if (!golden.arguments.empty()) text += " " + std::string(golden.arguments);
  text += "\nexit " + std::to_string(outcome.status) + "\n";
  return text + stream("stdout", outcome.out) + stream("stderr", outcome.err);
}

const std::filesystem::path kGoldenDir = FLEET_GOLDEN_DIR;

class GoldenTest : public FleetctlTest {
 protected:
  void build_cluster() {
    // Longer than any run of the suite: the machines and states must not expire under it.
    const etcd::LeaseId lease = client_->lease_grant(600).value().id;
    for (const auto& machine : kMachines) {
      ASSERT_TRUE(registry_->register_machine(
          {std::string(machine.id), std::string(machine.ip), machine.metadata, "0.1.0", {}},
          lease));
    }
    for (const auto& golden : kUnits) {
      auto file = unit::UnitFile::parse(golden.text, golden.name);
      ASSERT_TRUE(file) << golden.name << ": " << file.error().message;
      ASSERT_TRUE(registry_->create_unit({std::string(golden.name), *file, golden.desired}));
      if (!golden.machine.empty()) {
        registry::ScheduleWrite write{std::string(golden.name),
                                      "",
                                      std::string(golden.machine),
                                      {file->hash(), golden.desired}};
        ASSERT_TRUE(registry_->write_schedule({write}, etcd::Compare::absent(key("no-such-key"))));
      }
      for (const auto& report : golden.reports) {
        ASSERT_TRUE(registry_->publish_state(golden.name, report.machine,
                                             {file->hash(), "loaded", std::string(report.active),
                                              std::string(report.sub), report.launched},
                                             lease));
      }
    }
    ASSERT_TRUE(eventually_prints({"list-unit-files", "--no-legend", "--fields=unit,state"},
                                  std::string(kSettledStates)));
    ASSERT_TRUE(fleet::testing::eventually(
        [&] {
          return lines({"list-machines", "--no-legend"}) == std::size(kMachines) &&
                 lines({"list-units", "--no-legend"}) == reports();
        },
        10s));
  }

  static size_t reports() {
    size_t count = 0;
    for (const auto& golden : kUnits) count += golden.reports.size();
    return count;
  }

  size_t lines(const std::vector<std::string>& args) {
    const std::string out = fleetctl(args).out;
    return static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  }

  Outcome run_case(const GoldenCase& golden) {
    auto args = split(golden.arguments);
    return golden.cluster ? fleetctl(args) : fleetctl_as_is(args);
  }
};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(GoldenTest, OutputsMatchTheGoldenFiles) {
  build_cluster();
  ASSERT_FALSE(HasFatalFailure());
  const char* update = std::getenv("FLEET_UPDATE_GOLDEN");
  const bool updating = update != nullptr && std::string_view(update) == "1";
  if (updating) std::filesystem::create_directories(kGoldenDir);

  std::set<std::string> cases;
  for (const auto& golden : kCases) {
    const std::string file = std::string(golden.name) + ".txt";
    cases.insert(file);
    const std::string actual = render(golden, run_case(golden));
    const auto path = kGoldenDir / file;
    if (updating) {
      std::ofstream(path, std::ios::binary) << actual;
      continue;
    }
    if (!std::filesystem::exists(path)) {
      ADD_FAILURE() << path << " is missing: FLEET_UPDATE_GOLDEN=1 writes it";
      continue;
    }
    EXPECT_EQ(actual, read(path)) << "case " << golden.name << " (" << path << ")";
  }
  // A file no case writes any more would go on looking like a checked output.
  for (const auto& entry : std::filesystem::directory_iterator(kGoldenDir)) {
    EXPECT_TRUE(cases.contains(entry.path().filename().string()))
        << entry.path() << " belongs to no case";
  }
}

}  // namespace
}  // namespace fleet::fleetctl
