#include "cmd/fleetctl/completion.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>

#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/fleetctl.h"
#include "fixtures/run_command.h"
#include "fixtures/temp_dir.h"

namespace fleet::fleetctl {
namespace {

constexpr std::string_view kDistributedCopy = FLEET_SOURCE_DIR "/dist/bash-completion/fleetctl";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of `name="..."` in the script.
std::string variable(const std::string& script, const std::string& name) {
  const std::string head = name + "=\"";
  auto start = script.find(head);
  if (start == std::string::npos) return "";
  start += head.size();
  return script.substr(start, script.find('"', start) - start);
}

TEST(Completion, OffersEveryCommandAndItsFlags) {
  const std::string script = bash_completion_script();
  const std::string commands_line = " " + variable(script, "_fleetctl_commands") + " ";
  for (const Command* command : commands()) {
    EXPECT_NE(commands_line.find(" " + std::string(command->name) + " "), std::string::npos)
        << command->name;
    CommandOptions options;
    FlagSet flags;
    if (command->declare_flags) command->declare_flags(flags, options);
    for (const auto& flag : flags.flags()) {
      EXPECT_NE(script.find("--" + flag.name), std::string::npos)
          << command->name << " " << flag.name;
    }
  }
  EXPECT_NE(variable(script, "_fleetctl_global_flags").find("--insecure-skip-verify"),
            std::string::npos);
}

TEST(Completion, TheDistributedCopyIsCurrent) {
  EXPECT_EQ(read_file(std::string(kDistributedCopy)), bash_completion_script())
      << "regenerate it: fleetctl completion bash > dist/bash-completion/fleetctl";
}

TEST(Completion, TheCommandPrintsTheScript) {
  const auto no_environment = [](const std::string&) { return std::nullopt; };
  std::ostringstream out, err;
  EXPECT_EQ(run({"completion", "bash"}, out, err, no_environment), 0);
  EXPECT_EQ(out.str(), bash_completion_script());
  out.str("");
  EXPECT_EQ(run({"completion", "zsh"}, out, err, no_environment), 1);
  EXPECT_EQ(err.str(), "Provide the shell to complete for: fleetctl completion bash\n");
  EXPECT_EQ(out.str(), "");
}

// What bash offers for the command line `line` (cursor at its end), one per line, sorted.
class CompletionInBash : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(script_path()) << bash_completion_script();
    std::filesystem::create_directory(dir_.path() / "units");
    std::ofstream(dir_.path() / "units" / "hello.service") << "[Service]\nExecStart=/bin/true\n";
    std::ofstream(dir_.path() / "units" / "help.txt") << "\n";
  }

  std::string offered(const std::string& line) {
    auto result = fleet::testing::run_command(
        {"bash", "-c",
         "cd \"$1/units\" && source \"$1/fleetctl.bash\" && "
         // bash's own default word breaks: '=' and ':' split words in COMP_WORDS.
         "COMP_WORDBREAKS=$' \\t\\n\"\\'@><=;|&(:' && COMP_LINE=\"$2\" && "
         "COMP_POINT=${#COMP_LINE} && _fleetctl && printf '%s\\n' \"${COMPREPLY[@]}\" | sort",
         "bash", dir_.path().string(), line});
    EXPECT_EQ(result.exit_code, 0) << line << ": " << result.output;
    return result.output;
  }

  std::string script_path() const { return (dir_.path() / "fleetctl.bash").string(); }

  fleet::testing::TempDir dir_{"completion-test"};
};

TEST_F(CompletionInBash, CompletesCommandsByPrefix) {
  std::string all;
  std::vector<std::string> names;
  for (const Command* command : commands()) names.emplace_back(command->name);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) all += name + "\n";
  EXPECT_EQ(offered("fleetctl "), all);
  EXPECT_EQ(offered("fleetctl list-u"), "list-unit-files\nlist-units\n");
  EXPECT_EQ(offered("fleetctl --endpoint unix:///run/x.sock --driver=etcd li"),
            "list-machines\nlist-unit-files\nlist-units\n")
      << "a global flag's value is not the command";
  EXPECT_EQ(offered("fleetctl help res"), "restart\n");
  EXPECT_EQ(offered("fleetctl completion "), "bash\n");
}

TEST_F(CompletionInBash, CompletesFlagsAndTheirValues) {
  EXPECT_EQ(offered("fleetctl list-units --f"), "--fields=\n--full\n");
  EXPECT_EQ(offered("fleetctl list-m --no"), "--no-legend\n") << "list-m is list-machines";
  EXPECT_EQ(offered("fleetctl --insec"), "--insecure-skip-verify\n");
  EXPECT_EQ(offered("fleetctl list-units --output="), "json\ntable\n");
  EXPECT_EQ(offered("fleetctl list-units --output j"), "json\n");
  EXPECT_EQ(offered("fleetctl list-units --fields=unit,ma"), "unit,machine\n");
  EXPECT_EQ(offered("fleetctl list-unit-files --fields=t"), "target\ntmachine\n");
  EXPECT_EQ(offered("fleetctl --driver "), "API\netcd\n");
  EXPECT_EQ(offered("fleetctl --driver=e"), "etcd\n");
  EXPECT_EQ(offered("fleetctl --ca-file=hel"), "hello.service\nhelp.txt\n");
}

TEST_F(CompletionInBash, CompletesLocalUnitFilesAndRegistryUnits) {
  EXPECT_EQ(offered("fleetctl start hello"), "hello.service\n");
  EXPECT_EQ(offered("fleetctl submit he"), "hello.service\nhelp.txt\n");

  // A stand-in fleetctl: records how it was asked and lists two units.
  const std::string fake = (dir_.path() / "fake-fleetctl").string();
  const std::string asked = (dir_.path() / "asked").string();
  std::ofstream(fake) << "#!/bin/bash\necho \"$*\" > " << asked
                      << "\nprintf 'a.service\\nb.service\\nother.service\\n'\n";
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  EXPECT_EQ(offered(fake + " --endpoint=unix:///run/x.sock stop "),
            "a.service\nb.service\n"
            "other.service\n");
  EXPECT_EQ(offered(fake + " destroy o"), "other.service\n");
  EXPECT_EQ(read_file(asked), "--request-timeout=2 list-unit-files --no-legend --fields=unit\n");
  offered(fake + " --driver etcd restart ");
  EXPECT_EQ(read_file(asked),
            "--request-timeout=2 --driver etcd list-unit-files --no-legend --fields=unit\n")
      << "the global flags typed reach the listing";
}

}  // namespace
}  // namespace fleet::fleetctl
