#include "fleet/unit/fleet_options.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

namespace fleet::unit {
namespace {

using Strings = std::vector<std::string>;

FleetOptions options_of(const std::string& fleet_section,
                        std::string_view unit_name = "u.service") {
  auto file = UnitFile::parse("[X-Fleet]\n" + fleet_section);
  EXPECT_TRUE(file.has_value()) << file.error().message;
  if (!file) return {};
  return parse_fleet_options(*file, unit_name);
}

TEST(SplitMultiValueTest, SplitsOnlyWhollyQuotedValues) {
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"a=b", {"a=b"}},
      {"\"a=b\" \"c=d\"", {"a=b", "c=d"}},
      {"\"a=b c\" \"d\"", {"a=b c", "d"}},
      {"\"a=b\"", {"a=b"}},
      {"\"a=b\"  \"c=d\"", {"a=b", "", "c=d"}},  // each space outside quotes ends a value
      {"\"a\" b \"c\"", {"a", "b", "c"}},
      {"a \"b\"", {"a \"b\""}},  // does not start with a quote: one raw value
      {"\"a\" b", {"\"a\" b"}},  // does not end with a quote
      {"\"", {""}},
      {"", {""}},
  };
  for (const auto& [value, expected] : cases)
    EXPECT_EQ(split_multi_value(value), expected) << value;
}

TEST(ExpandSpecifiersTest, ReplacesNameParts) {
  auto instance = *parse_unit_name("web@8080.service");
  auto plain = *parse_unit_name("db.socket");
  const std::vector<std::tuple<std::string, UnitNameInfo, std::string>> cases = {
      {"%n", instance, "web@8080.service"},
      {"%N", instance, "web@8080"},
      {"%p", instance, "web"},
      {"%i", instance, "8080"},
      {"%p-lb@%i.service", instance, "web-lb@8080.service"},
      {"hostname=%i", instance, "hostname=8080"},
      {"%p.socket", plain, "db.socket"},
      {"%i", plain, ""},
      {"%N", plain, "db"},
      {"100%", instance, "100%"},
      {"%x %%n", instance, "%x %web@8080.service"},
  };
  for (const auto& [value, name, expected] : cases) {
    EXPECT_EQ(expand_specifiers(value, name), expected) << value << " for " << name.full_name;
  }
}

TEST(FleetOptionsTest, ModernKeys) {
  auto options = options_of(
      "MachineID=abc\nMachineOf=db.service\nMachineMetadata=region=us\nConflicts=web*\n"
      "Replaces=old.service\nGlobal=true\n");
  EXPECT_EQ(options.machine_id, "abc");
  EXPECT_EQ(options.machine_of, Strings{"db.service"});
  EXPECT_EQ(options.machine_metadata.at("region"), std::set<std::string>{"us"});
  EXPECT_EQ(options.conflicts, Strings{"web*"});
  EXPECT_EQ(options.replaces, Strings{"old.service"});
  EXPECT_TRUE(options.global);
  EXPECT_TRUE(options.unknown_keys.empty());
}

TEST(FleetOptionsTest, DeprecatedNamesMergeBeforeModernOnes) {
  auto options = options_of(
      "MachineOf=b.service\nX-ConditionMachineOf=a.service\n"
      "MachineMetadata=role=web\nX-ConditionMachineMetadata=region=eu\n"
      "Conflicts=d*\nX-Conflicts=c*\n");
  EXPECT_EQ(options.machine_of, (Strings{"a.service", "b.service"}));
  EXPECT_EQ(options.conflicts, (Strings{"c*", "d*"}));
  EXPECT_EQ(options.machine_metadata.size(), 2u);
  EXPECT_EQ(options.machine_metadata.at("region"), std::set<std::string>{"eu"});
  EXPECT_EQ(options.machine_metadata.at("role"), std::set<std::string>{"web"});
  EXPECT_TRUE(options.unknown_keys.empty());
}

TEST(FleetOptionsTest, MachineIdPrecedenceAndFirstValue) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"", std::nullopt},
      {"MachineID=a\nMachineID=b\n", "a"},
      {"MachineID=\"a\" \"b\"\n", "a"},
      {"X-ConditionMachineID=legacy\nMachineID=modern\n", "modern"},
      {"X-ConditionMachineBootID=boot\nX-ConditionMachineID=legacy\n", "legacy"},
      {"X-ConditionMachineBootID=boot\n", "boot"},
      {"MachineID=\n", ""},  // present though empty: still a required target
  };
  for (const auto& [section, expected] : cases) {
    EXPECT_EQ(options_of(section).machine_id, expected) << section;
  }
}

TEST(FleetOptionsTest, GlobalTakesLastValueAndTruthyWords) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"", false},
      {"Global=true\n", true},
      {"Global=TRUE\n", true},
      {"Global=yes\n", true},
      {"Global=1\n", true},
      {"Global=On\n", true},
      {"Global=t\n", true},
      {"Global=false\n", false},
      {"Global=y\n", false},
      {"Global=\n", false},
      {"Global=true\nGlobal=no\n", false},
      {"Global=no\nGlobal=true\n", true},
  };
  for (const auto& [section, expected] : cases)
    EXPECT_EQ(options_of(section).global, expected) << section;
}

TEST(FleetOptionsTest, MetadataValuesOfOneKeyAccumulate) {
  auto options = options_of(
      "MachineMetadata=\"a=1\" \"b=2\"\nMachineMetadata=a=3\n"
      "MachineMetadata=c=d=e\nMachineMetadata==x\nMachineMetadata=y=\nMachineMetadata=plain\n");
  EXPECT_EQ(options.machine_metadata.size(), 2u);
  EXPECT_EQ(options.machine_metadata.at("a"), (std::set<std::string>{"1", "3"}));
  EXPECT_EQ(options.machine_metadata.at("b"), std::set<std::string>{"2"});
}

TEST(FleetOptionsTest, ConflictsSplitOnWhiteSpace) {
  auto options = options_of(
      "Conflicts=a.service  b*.service\nConflicts=\"c.service\" \"d.service\"\n"
      "X-Conflicts=e.service\tf.service\n");
  EXPECT_EQ(options.conflicts, (Strings{"e.service", "f.service", "a.service", "b*.service",
                                        "c.service", "d.service"}));
  EXPECT_EQ(options_of("Conflicts=\n").conflicts, Strings{});
}

TEST(FleetOptionsTest, ReplacesKeepsEachValue) {
  EXPECT_EQ(options_of("Replaces=a*\nReplaces=\"b\" \"c\"\n").replaces, (Strings{"a*", "b", "c"}));
}

TEST(FleetOptionsTest, UnknownKeysListedOnceInOrder) {
  auto options = options_of("MachineOff=x\nGlobal=true\nWeight=2\nMachineOff=y\nmachineid=z\n");
  EXPECT_EQ(options.unknown_keys, (Strings{"MachineOff", "Weight", "machineid"}));
  EXPECT_EQ(options.machine_id, std::nullopt);
  EXPECT_EQ(unrecognized_requirement_warning("web.service", "MachineOff"),
            "Unit web.service: unrecognized requirement in [X-Fleet] section: \"MachineOff\"");
}

TEST(FleetOptionsTest, SpecifiersExpandedInEveryValue) {
  auto options = options_of(
      "MachineOf=%p.socket\nMachineID=%i\nMachineMetadata=hostname=%i\nConflicts=%p@*\n"
      "Replaces=%N-old\n",
      "web@node1.service");
  EXPECT_EQ(options.machine_of, Strings{"web.socket"});
  EXPECT_EQ(options.machine_id, "node1");
  EXPECT_EQ(options.machine_metadata.at("hostname"), std::set<std::string>{"node1"});
  EXPECT_EQ(options.conflicts, Strings{"web@*"});
  EXPECT_EQ(options.replaces, Strings{"web@node1-old"});
}

TEST(FleetOptionsTest, NoSpecifiersWithoutAUnitName) {
  EXPECT_EQ(options_of("MachineOf=%p.socket\n", "").machine_of, Strings{"%p.socket"});
  EXPECT_EQ(options_of("MachineOf=%p.socket\n", "nodot").machine_of, Strings{"%p.socket"});
}

TEST(FleetOptionsTest, OtherSectionsIgnored) {
  auto file = UnitFile::parse("[Unit]\nMachineID=x\n[Service]\nGlobal=true\n");
  ASSERT_TRUE(file.has_value());
  auto options = parse_fleet_options(*file, "u.service");
  EXPECT_EQ(options.machine_id, std::nullopt);
  EXPECT_FALSE(options.global);
}

struct RuleCase {
  std::string section;
  std::string message;  // "" when allowed
};

std::vector<RuleCase> rule_cases() {
  return {
      {"MachineID=m\nMachineOf=a.service\n", "MachineID cannot be used with Peers"},
      {"X-ConditionMachineID=m\nX-ConditionMachineOf=a.service\n",
       "MachineID cannot be used with Peers"},
      {"MachineID=m\nConflicts=a*\n", "MachineID cannot be used with Conflicts"},
      {"X-ConditionMachineBootID=b\nX-Conflicts=a*\n", "MachineID cannot be used with Conflicts"},
      {"MachineID=m\nGlobal=true\n", "MachineID cannot be used with Global"},
      {"MachineID=m\nReplaces=a*\n", "MachineID cannot be used with Replaces"},
      {"Global=true\nMachineOf=a.service\n", "Global cannot be used with Peers"},
      {"Global=true\nReplaces=a*\n", "Global cannot be used with Replaces"},
      {"Conflicts=a*\nReplaces=b*\n", "Conflicts cannot be used with Replaces"},
      {"MachineOf=web.service\nConflicts=db*\nConflicts=w*\n",
       "unresolvable requirements: peer \"web.service\" matches conflict \"w*\""},
      {"MachineOf=web.service\nReplaces=web.*\n",
       "unresolvable requirements: peer \"web.service\" matches replace \"web.*\""},
      // The peer/glob check comes before the combination rules.
      {"MachineID=m\nMachineOf=a.service\nConflicts=a.service\n",
       "unresolvable requirements: peer \"a.service\" matches conflict \"a.service\""},
      // The first rule in the list wins.
      {"MachineID=m\nGlobal=true\nMachineOf=a.service\nReplaces=x\n",
       "MachineID cannot be used with Peers"},
      {"Global=true\nMachineMetadata=a=b\n", ""},
      {"Global=true\nConflicts=a*\n", ""},
      {"Global=false\nMachineOf=a.service\n", ""},
      {"MachineID=m\nMachineMetadata=a=b\n", ""},
      {"MachineOf=a.service\nConflicts=b*\nMachineMetadata=a=b\n", ""},
      {"MachineOf=a.service\nReplaces=b*\n", ""},
      {"MachineOf=a.service\nConflicts=[\n", ""},  // a malformed glob matches nothing
      {"Conflicts=\nReplaces=a*\n", ""},           // an empty Conflicts= holds no glob
      {"", ""},
  };
}

class CheckRequirementsTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(CheckRequirementsTest, GivesOriginalMessage) {
  SCOPED_TRACE(GetParam().section);
  fleet::testing::expect_invalid_argument(check_requirements(options_of(GetParam().section)),
                                          GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Rules, CheckRequirementsTest, ::testing::ValuesIn(rule_cases()));

TEST(ValidateUnitTest, ChecksCanonicalTextAndRules) {
  auto ok = UnitFile::from_options(std::vector<UnitOption>{{"Service", "ExecStart", "/bin/true"},
                                                           {"X-Fleet", "Conflicts", "%p@*"}});
  EXPECT_TRUE(validate_unit(ok, "web@1.service").has_value());

  auto too_long = UnitFile::from_options(
      std::vector<UnitOption>{{"Service", "ExecStart", std::string(3000, 'x')}});
  auto status = validate_unit(too_long, "web@1.service");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message,
            "unit \"web@1.service\" line 2: line too long (max 2048 bytes)");

  auto newline_in_name =
      UnitFile::from_options(std::vector<UnitOption>{{"Service", "Exec\nStart", "/bin/true"}});
  EXPECT_FALSE(validate_unit(newline_in_name, "web@1.service").has_value());

  auto rules = UnitFile::from_options(std::vector<UnitOption>{{"X-Fleet", "MachineOf", "%p.socket"},
                                                              {"X-Fleet", "Conflicts", "%p.*"}});
  status = validate_unit(rules, "web@1.service");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message,
            "unresolvable requirements: peer \"web.socket\" matches conflict \"web.*\"");
}

TEST(MetadataMatchesTest, OneValueOfEveryKey) {
  auto options = options_of(
      "MachineMetadata=region=us\nMachineMetadata=region=eu\n"
      "MachineMetadata=disk=ssd\n");
  EXPECT_TRUE(metadata_matches(options, {{"region", "eu"}, {"disk", "ssd"}, {"extra", "x"}}));
  EXPECT_FALSE(metadata_matches(options, {{"region", "eu"}}));  // disk missing
  EXPECT_FALSE(metadata_matches(options, {{"region", "ap"}, {"disk", "ssd"}}));
  EXPECT_TRUE(metadata_matches(options_of("Global=true\n"), {}));
}

TEST(ConflictTest, EitherDirectionWithGlobs) {
  auto web = options_of("Conflicts=db*\n", "web.service");
  auto db = options_of("", "db.service");
  auto other = options_of("", "cache.service");
  EXPECT_TRUE(conflict("web.service", web, "db.service", db));
  EXPECT_TRUE(conflict("db.service", db, "web.service", web));
  EXPECT_FALSE(conflict("web.service", web, "cache.service", other));
  auto malformed = options_of("Conflicts=[\n", "x.service");
  EXPECT_FALSE(conflict("x.service", malformed, "[", other));
}

}  // namespace
}  // namespace fleet::unit
