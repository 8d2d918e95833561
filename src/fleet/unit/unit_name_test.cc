#include "fleet/unit/unit_name.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

namespace fleet::unit {
namespace {

struct NameCase {
  std::string name;
  std::string message;  // "" when valid
};

std::vector<NameCase> name_cases() {
  return {
      {"hello.service", ""},
      {"a:b_c-d.e\\x2df.socket", ""},
      {"web@.service", ""},
      {"web@1.service", ""},
      {"web@1.2.3.timer", ""},
      {"x.automount", ""},
      {"x.busname", ""},
      {"x.device", ""},
      {"x.mount", ""},
      {"x.path", ""},
      {"x.scope", ""},
      {"x.slice", ""},
      {"x.snapshot", ""},
      {"x.swap", ""},
      {"x.target", ""},
      {"web@a.target", ""},
      {".service", ""},  // the docs want a prefix; the original's code never asked for one
      {std::string(247, 'a') + ".service", ""},
      {"", "unit name cannot be empty"},
      {std::string(248, 'a') + ".service", "unit name exceeds maximum length (255)"},
      {"hello", "unit name must contain \".\""},
      {"hello.", "unit name cannot end in \".\""},
      {"hello.exe", "invalid unit type: \"exe\""},
      {"hello.Service", "invalid unit type: \"Service\""},
      {"hello.ser\"vice", "invalid unit type: \"ser\\\"vice\""},
      {"web@1.mount", "invalid unit type for template: \"mount\""},
      {"web@.slice", "invalid unit type for template: \"slice\""},
      {"hello world.service", "invalid character ' ' in unit name"},
      {"hello/x.service", "invalid character '/' in unit name"},
      {"it's.service", "invalid character '\\'' in unit name"},
      {"tab\t.service", "invalid character '\\t' in unit name"},
      {"nul" + std::string(1, '\0') + ".service", "invalid character '\\x00' in unit name"},
      {"caf\xC3\xA9.service", "invalid character '\xC3\xA9' in unit name"},
      {"bad\xFF.service", "invalid character '\xEF\xBF\xBD' in unit name"},
      {"del\x7F.service", "invalid character '\\x7f' in unit name"},
      {"nel\xC2\x85.service", "invalid character '\\u0085' in unit name"},
      {"@.service", "unit name cannot start in \"@\""},
      {"@x.service", "unit name cannot start in \"@\""},
  };
}

class ValidateNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(ValidateNameTest, GivesOriginalMessage) {
  SCOPED_TRACE(GetParam().name);
  fleet::testing::expect_invalid_argument(validate_unit_name(GetParam().name), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Names, ValidateNameTest, ::testing::ValuesIn(name_cases()));

struct InfoCase {
  std::string full_name;
  std::string name;
  std::string prefix;
  std::string instance;
  std::string template_name;
  bool is_template;
  bool is_instance;
};

TEST(ParseUnitNameTest, SplitsTemplatesAndInstances) {
  const std::vector<InfoCase> cases = {
      {"foo.service", "foo", "foo", "", "", false, false},
      {"foo@.service", "foo@", "foo", "", "foo@.service", true, false},
      {"foo@bar.service", "foo@bar", "foo", "bar", "foo@.service", false, true},
      {"foo@bar@baz.socket", "foo@bar@baz", "foo", "bar@baz", "foo@.socket", false, true},
      {"foo@b.a.r.timer", "foo@b.a.r", "foo", "b.a.r", "foo@.timer", false, true},
      {"a.b@c", "a", "a", "", "", false, false},  // "@" after the last "." is suffix
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.full_name);
    auto info = parse_unit_name(c.full_name);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->full_name, c.full_name);
    EXPECT_EQ(info->name, c.name);
    EXPECT_EQ(info->prefix, c.prefix);
    EXPECT_EQ(info->instance, c.instance);
    EXPECT_EQ(info->template_name, c.template_name);
    EXPECT_EQ(info->is_template(), c.is_template);
    EXPECT_EQ(info->is_instance(), c.is_instance);
  }
}

TEST(ParseUnitNameTest, NeedsADot) {
  EXPECT_FALSE(parse_unit_name("foo").has_value());
  EXPECT_FALSE(parse_unit_name("").has_value());
}

TEST(MangleUnitNameTest, TakesBasenameAndDefaultsToService) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"foo", "foo.service"},
      {"foo.service", "foo.service"},
      {"dir/foo.service", "foo.service"},
      {"/abs/dir/foo.socket", "foo.socket"},
      {"foo.timer", "foo.timer"},
      {"foo.path", "foo.path"},
      {"foo.device", "foo.device"},
      {"foo.mount", "foo.mount"},
      {"foo.automount", "foo.automount"},
      {"foo@1", "foo@1.service"},
      {"foo.target", "foo.target.service"},  // not among the types fleetctl recognises
      {"foo.bar", "foo.bar.service"},
      {"dir/", "dir.service"},
      {"/", "/.service"},
      {"", "..service"},
  };
  for (const auto& [argument, expected] : cases) {
    EXPECT_EQ(mangle_unit_name(argument), expected) << argument;
  }
}

}  // namespace
}  // namespace fleet::unit
