// Flag, environment and command-line handling, without a cluster: the commands used here fail
// or finish before they would reach one.
#include "cmd/fleetctl/flags.h"

#include <filesystem>
#include <map>
#include <sstream>
#include <utility>

#include <gtest/gtest.h>

#include "cmd/fleetctl/command_line.h"
#include "cmd/fleetctl/commands.h"
#include "cmd/fleetctl/fleetctl.h"
#include "cmd/fleetctl/options.h"

namespace fleet::fleetctl {
namespace {

struct Bound {
  bool full = false;
  bool legend = true;
  std::string fields = "unit";
  int attempts = 0;
  double timeout = 3.0;
  FlagSet set;

  Bound() {
    set.add_bool("full", 'l', &full, "");
    set.add_bool("legend", 'g', &legend, "");
    set.add_string("fields", 'f', &fields, "");
    set.add_int("block-attempts", 'n', &attempts, "");
    set.add_float("request-timeout", 0, &timeout, "");
  }

  Result<std::vector<std::string>> parse(std::vector<std::string> args) {
    return parse_flags(args, {&set});
  }
};

TEST(FlagsTest, ReadsEveryFormPflagAccepts) {
  Bound b;
  auto args = b.parse({"a", "--full", "--fields=unit,hash", "b", "--block-attempts", "3",
                       "--request-timeout=0.5", "--legend=false", "--", "--not-a-flag"});
  ASSERT_TRUE(args.has_value()) << args.error().message;
  EXPECT_EQ(*args, (std::vector<std::string>{"a", "b", "--not-a-flag"}));
  EXPECT_TRUE(b.full);
  EXPECT_FALSE(b.legend);
  EXPECT_EQ(b.fields, "unit,hash");
  EXPECT_EQ(b.attempts, 3);
  EXPECT_EQ(b.timeout, 0.5);
}

TEST(FlagsTest, ShorthandsGroupAndTakeValuesAttachedOrNext) {
  Bound b;
  ASSERT_TRUE(b.parse({"-lg=false", "-n5", "-f", "unit,machine"}).has_value());
  EXPECT_TRUE(b.full);
  EXPECT_FALSE(b.legend);
  EXPECT_EQ(b.attempts, 5);
  EXPECT_EQ(b.fields, "unit,machine");
  Bound c;
  ASSERT_TRUE(c.parse({"-lf=hash", "-"}).has_value());
  EXPECT_TRUE(c.full);
  EXPECT_EQ(c.fields, "hash");
}

TEST(FlagsTest, TheDefaultShownInHelpIsTheValueBefore) {
  Bound b;
  EXPECT_EQ(b.set.find("full")->default_text, "false");
  EXPECT_EQ(b.set.find("request-timeout")->default_text, "3");
  EXPECT_EQ(b.set.find("block-attempts")->default_text, "0");
}

struct ErrorCase {
  std::vector<std::string> args;
  std::string message;
};

class FlagErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(FlagErrorTest, SaysWhatIsWrongAsPflagDoes) {
  Bound b;
  auto args = b.parse(GetParam().args);
  ASSERT_FALSE(args.has_value());
  EXPECT_EQ(args.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(args.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, FlagErrorTest,
    ::testing::Values(
        ErrorCase{{"--bogus"}, "unknown flag: --bogus"},
        ErrorCase{{"-x"}, "unknown shorthand flag: 'x' in -x"},
        ErrorCase{{"-lx"}, "unknown shorthand flag: 'x' in -lx"},
        ErrorCase{{"--fields"}, "flag needs an argument: --fields"},
        ErrorCase{{"-n"}, "flag needs an argument: 'n' in -n"},
        ErrorCase{{"--full=maybe"},
                  "invalid argument \"maybe\" for \"-l, --full\" flag: not a boolean"},
        ErrorCase{{"--block-attempts=two"},
                  "invalid argument \"two\" for \"-n, --block-attempts\" flag: not an integer"},
        ErrorCase{{"--request-timeout", "soon"},
                  "invalid argument \"soon\" for \"--request-timeout\" flag: not a number"},
        // One sign only, as Go's strconv reads numbers.
        ErrorCase{{"--block-attempts=+-2"},
                  "invalid argument \"+-2\" for \"-n, --block-attempts\" flag: not an integer"},
        // Every float flag is a timeout: it must be a finite number.
        ErrorCase{{"--request-timeout=nan"},
                  "invalid argument \"nan\" for \"--request-timeout\" flag: not a number"},
        ErrorCase{{"--request-timeout=-inf"},
                  "invalid argument \"-inf\" for \"--request-timeout\" flag: not a number"}));

using Variables = std::map<std::string, std::string>;

Environment environment_of(Variables variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

TEST(FlagsTest, AnAliasCompletesAsItsFlag) {
  // Several aliases, each added when the flags fill the vector's capacity: add_alias once read
  // the original's completion after the vector had moved it (a use after free under ASan).
  GlobalOptions options;
  FlagSet set;
  add_global_flags(set, options);
  for (auto [alias, flag] :
       {std::pair{"h", "help"}, std::pair{"etcd-keyfile", "key-file"},
        std::pair{"etcd-certfile", "cert-file"}, std::pair{"etcd-cafile", "ca-file"}}) {
    ASSERT_NE(set.find(alias), nullptr) << alias;
    EXPECT_EQ(set.find(alias)->completion.kind, set.find(flag)->completion.kind) << alias;
    EXPECT_EQ(set.find(alias)->completion.choices, set.find(flag)->completion.choices) << alias;
    EXPECT_EQ(set.find(alias)->value, set.find(flag)->value) << alias;
  }
}

TEST(EnvironmentTest, FleetctlVariablesSetWhatTheCommandLineDoesNot) {
  GlobalOptions options;
  FlagSet set;
  add_global_flags(set, options);
  std::vector<std::string> args = {"--driver=API"};
  ASSERT_TRUE(parse_flags(args, {&set}).has_value());
  ASSERT_TRUE(apply_environment(set, environment_of({{"FLEETCTL_ENDPOINT", "http://10.0.0.1:2379"},
                                                     {"FLEETCTL_DRIVER", "etcd"},
                                                     {"FLEETCTL_REQUEST_TIMEOUT", "1.5"},
                                                     {"FLEETCTL_STRICT_HOST_KEY_CHECKING", "false"},
                                                     {"FLEETCTL_ETCD_KEY_PREFIX", ""}})));
  EXPECT_EQ(options.endpoint, "http://10.0.0.1:2379");
  EXPECT_EQ(options.driver, "API") << "the flag wins";
  EXPECT_EQ(options.request_timeout, 1.5);
  EXPECT_FALSE(options.strict_host_key_checking);
  EXPECT_EQ(options.etcd_key_prefix, "/_coreos.com/fleet/") << "empty means unset";
}

TEST(EnvironmentTest, ADeprecatedAliasSharesItsFlagsValue) {
  GlobalOptions options;
  FlagSet set;
  add_global_flags(set, options);
  std::vector<std::string> args = {"--ca-file=/flag/ca.pem"};
  ASSERT_TRUE(parse_flags(args, {&set}).has_value());
  ASSERT_TRUE(apply_environment(set, environment_of({{"FLEETCTL_ETCD_CAFILE", "/env/ca.pem"},
                                                     {"FLEETCTL_ETCD_KEYFILE", "/env/key.pem"}})));
  EXPECT_EQ(options.ca_file, "/flag/ca.pem") << "the alias's variable must not undo the flag";
  EXPECT_EQ(options.key_file, "/env/key.pem");
}

TEST(EnvironmentTest, AnUnreadableValueNamesTheVariable) {
  GlobalOptions options;
  FlagSet set;
  add_global_flags(set, options);
  auto applied = apply_environment(set, environment_of({{"FLEETCTL_SSH_TIMEOUT", "ten"}}));
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().message,
            "invalid value \"ten\" for FLEETCTL_SSH_TIMEOUT: not a number");
}

TEST(CommandLineTest, ReadsWhatToRunWithoutRunningIt) {
  auto line = parse_command_line({"--driver=etcd", "list-m", "--full", "-", "--", "--x"},
                                 environment_of({{"FLEETCTL_ENDPOINT", "http://10.0.0.1:2379"}}));
  EXPECT_EQ(line.action, CommandLine::Action::kRun);
  EXPECT_EQ(line.command, &kListMachinesCommand) << "a prefix no other command has";
  EXPECT_EQ(line.args, (std::vector<std::string>{"-", "--x"}));
  EXPECT_TRUE(line.options.full);
  EXPECT_EQ(line.global.driver, "etcd");
  EXPECT_EQ(line.global.endpoint, "http://10.0.0.1:2379");
  EXPECT_TRUE(line.refusal.empty());

  auto refused = parse_command_line({"list-units", "--nope"}, environment_of({}));
  EXPECT_EQ(refused.action, CommandLine::Action::kRefuse);
  EXPECT_EQ(refused.refusal,
            "Error: unknown flag: --nope\nRun 'fleetctl help list-units' for usage.\n");
}

// fleetctl::run without a cluster.
struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome fleetctl(const std::vector<std::string>& args, Variables variables = {}) {
  std::ostringstream out, err;
  int status = run(args, out, err, environment_of(std::move(variables)));
  return {status, out.str(), err.str()};
}

TEST(RunTest, HelpInEveryFormListsTheCommandsAndTheVersion) {
  for (auto args :
       std::vector<std::vector<std::string>>{{}, {"help"}, {"--help"}, {"-h"}, {"--h"}}) {
    auto result = fleetctl(args);
    EXPECT_EQ(result.status, 0);
    EXPECT_TRUE(result.out.starts_with("NAME:\n\tfleetctl - fleetctl is a command-line interface"))
        << result.out;
    EXPECT_NE(result.out.find("VERSION:\n\t" + std::string(version()) + "\n"), std::string::npos);
    EXPECT_NE(result.out.find("\tlist-unit-files\tList the units that exist in the cluster.\n"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("\t--endpoint=unix:///var/run/fleet.sock\t"), std::string::npos);
    EXPECT_EQ(result.err, "");
  }
}

TEST(RunTest, CommandHelpShowsItsOptionsAndTheGlobalOnes) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"help", "start"}, {"start", "--help"}}) {
    auto result = fleetctl(args);
    EXPECT_EQ(result.status, 0);
    EXPECT_TRUE(result.out.starts_with("NAME:\n\tfleetctl start - Instruct systemd to start"))
        << result.out;
    EXPECT_NE(result.out.find("USAGE:\n\tfleetctl start [--no-block|--block-attempts=N] "
                              "[--replace] UNIT...\n"),
              std::string::npos);
    EXPECT_NE(result.out.find("OPTIONS:\n\t--block-attempts=0\t"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("GLOBAL OPTIONS:\n"), std::string::npos);
  }
  auto list = fleetctl({"help", "list-units"});
  EXPECT_NE(list.out.find("OPTIONS:\n\t-l, --full=false\t\t\tDo not ellipsize fields on output\n"),
            std::string::npos)
      << list.out;
  auto unknown = fleetctl({"help", "bogus"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.err, "Unrecognized command: bogus\n");
}

TEST(RunTest, VersionInEveryForm) {
  const std::string line = "fleetctl version " + std::string(version()) + "\n";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"version"}, {"--version"}, {"-v"}, {"vers"}, {"--endpoint", "x", "version"}}) {
    auto result = fleetctl(args);
    EXPECT_EQ(result.status, 0);
    EXPECT_EQ(result.out, line);
  }
}

TEST(RunTest, CommandsMatchByUniquePrefix) {
  EXPECT_EQ(find_command("list-m", nullptr), &kListMachinesCommand);
  EXPECT_EQ(find_command("list-unit-f", nullptr), &kListUnitFilesCommand);
  EXPECT_EQ(find_command("list-units", nullptr), &kListUnitsCommand) << "exact beats prefix";
  std::vector<std::string_view> candidates;
  EXPECT_EQ(find_command("ver", &candidates), nullptr);
  EXPECT_EQ(candidates, (std::vector<std::string_view>{"verify", "version"}));

  auto ambiguous = fleetctl({"ver"});
  EXPECT_EQ(ambiguous.status, 1);
  EXPECT_EQ(ambiguous.err,
            "Error: unknown command \"ver\" for \"fleetctl\"\n\nDid you mean one of these?\n"
            "\tverify\n\tversion\n\nRun 'fleetctl help' for usage.\n");
}

TEST(RunTest, UnknownCommandsAndFlagsExitOneWithAHint) {
  auto command = fleetctl({"frobnicate"});
  EXPECT_EQ(command.status, 1);
  EXPECT_EQ(command.err,
            "Error: unknown command \"frobnicate\" for \"fleetctl\"\nRun 'fleetctl help' for "
            "usage.\n");
  auto flag = fleetctl({"list-units", "--bogus"});
  EXPECT_EQ(flag.status, 1);
  EXPECT_EQ(flag.err, "Error: unknown flag: --bogus\nRun 'fleetctl help list-units' for usage.\n");
  auto not_here = fleetctl({"cat", "--no-block", "x"});
  EXPECT_EQ(not_here.status, 1) << "--no-block is not a flag of cat";
}

TEST(RunTest, TheDefaultIsTheApiOnFleetsSocket) {
  if (std::filesystem::exists("/var/run/fleet.sock")) {
    GTEST_SKIP() << "a fleetd serves this host: its answer would be a different test";
  }
  auto result = fleetctl({"list-units"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "Error retrieving list of units from repository: cannot connect to the fleet API at "
            "unix:///var/run/fleet.sock (No such file or directory): check that fleetd is running "
            "and serves its API there, or --endpoint\n");
}

TEST(RunTest, DriverMistakesAreReportedBeforeAnyRequest) {
  auto bogus = fleetctl({"--driver=bogus", "list-units"});
  EXPECT_EQ(bogus.status, 1);
  EXPECT_EQ(bogus.err, "Unable to initialize client: unrecognized driver \"bogus\"\n");
  // ssh itself says why on stderr (here: the name does not resolve); fleetctl says what failed.
  auto tunnel = fleetctl({"--driver=etcd", "--tunnel=bastion.invalid", "list-units"});
  EXPECT_EQ(tunnel.status, 1);
  EXPECT_EQ(tunnel.err,
            "Unable to initialize client: the SSH tunnel through bastion.invalid failed (ssh "
            "exited with 255): check --tunnel, --ssh-username and the bastion's host key\n");
}

TEST(RunTest, TheEnvironmentChoosesTheDriverUnlessAFlagDoes) {
  auto from_env = fleetctl({"submit"}, {{"FLEETCTL_DRIVER", "bogus"}});
  EXPECT_EQ(from_env.err, "Unable to initialize client: unrecognized driver \"bogus\"\n");
  auto flag_wins = fleetctl({"--driver=etcd", "submit"}, {{"FLEETCTL_DRIVER", "bogus"}});
  EXPECT_EQ(flag_wins.err, "No units given\nRun 'fleetctl help submit' for usage.\n");
  EXPECT_EQ(flag_wins.status, 1) << "decisions.md fix 1";
}

TEST(RunTest, SigningIsRefusedWithExitTwo) {
  auto sign = fleetctl({"--driver=etcd", "start", "--sign", "x.service"});
  EXPECT_EQ(sign.status, 2);
  EXPECT_EQ(sign.err,
            "WARNING: The signed/verified units feature is DEPRECATED and cannot be used.\n");
  EXPECT_EQ(fleetctl({"verify", "x.service"}).status, 2);
}

}  // namespace
}  // namespace fleet::fleetctl
