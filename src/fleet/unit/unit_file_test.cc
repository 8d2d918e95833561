#include "fleet/unit/unit_file.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

namespace fleet::unit {
namespace {

using Options = std::vector<UnitOption>;

struct ParseCase {
  std::string name;
  std::string text;
  Options expected;
};

std::string text_of_length(size_t length) { return std::string(length, 'x'); }

std::vector<ParseCase> parse_cases() {
  return {
      {"Basic", "[Unit]\nDescription=Hello\n", {{"Unit", "Description", "Hello"}}},
      {"HashComment", "# top\n[Unit]\n# A=1\nB=2\n", {{"Unit", "B", "2"}}},
      {"SemicolonComment", "; top\n[Unit]\n;A=1\nB=2", {{"Unit", "B", "2"}}},
      {"IndentedComment", "[Unit]\n   # A=1\n\tB=2\n", {{"Unit", "B", "2"}}},
      {"CommentContinued", "[Unit]\n# a \\\nA=1\nB=2\n", {{"Unit", "B", "2"}}},
      // One trailing space is dropped before looking for the continuing backslash, not two.
      {"CommentContinuedAfterOneSpace", "[Unit]\n# a\\ \nA=1\nB=2\n", {{"Unit", "B", "2"}}},
      {"CommentNotContinuedAfterTwoSpaces", "[Unit]\n# a\\  \nA=1\n", {{"Unit", "A", "1"}}},
      {"ValueContinued",
       "[Service]\nExecStart=/bin/echo \\\n  hello\n",
       {{"Service", "ExecStart", "/bin/echo \\\n  hello"}}},
      {"ValueContinuedTwice",
       "[S]\nK=a\\\nb\\\nc\nL=d\n",
       {{"S", "K", "a\\\nb\\\nc"}, {"S", "L", "d"}}},
      {"ContinuationEndsAtBlankLine",
       "[S]\nK=a\\\n\nL=b\n",
       {{"S", "K", "a\\\n"}, {"S", "L", "b"}}},
      {"ContinuationLineIsNeverAComment", "[S]\nK=a\\\n#b\n", {{"S", "K", "a\\\n#b"}}},
      {"ContinuationAtEndOfFileEndsLikeAtNewline", "[S]\nK=a\\", {{"S", "K", "a\\\n"}}},
      {"SpaceAfterBackslashStopsContinuationAndIsKept",
       "[S]\nK=a\\ \nL=b\n",
       {{"S", "K", "a\\ "}, {"S", "L", "b"}}},
      {"EmptyValuesKept", "[Unit]\nA=\nB=   \n", {{"Unit", "A", ""}, {"Unit", "B", ""}}},
      {"NameAndValueTrimmed",
       "[Unit]\n  Name \t=  some value  \n",
       {{"Unit", "Name", "some value"}}},
      {"UnicodeSpaceTrimmed", "[Unit]\nA=\xC2\xA0v\xE3\x80\x80\n", {{"Unit", "A", "v"}}},
      {"ValueKeepsEqualsSigns", "[Unit]\nA=b=c\n", {{"Unit", "A", "b=c"}}},
      {"EmptyName", "[Unit]\n=v\n", {{"Unit", "", "v"}}},
      {"RepeatedOptionsKeptInOrder",
       "[Service]\nExecStartPre=a\nExecStart=x\nExecStartPre=b\n",
       {{"Service", "ExecStartPre", "a"},
        {"Service", "ExecStart", "x"},
        {"Service", "ExecStartPre", "b"}}},
      {"OptionsBeforeFirstSectionIgnored", "A=1\nB=2\n[Unit]\nC=3\n", {{"Unit", "C", "3"}}},
      // As in go-systemd, text before the first header is read character by character.
      {"BracketBeforeFirstSectionStartsOne",
       "junk [X-Fleet]\nGlobal=true\n",
       {{"X-Fleet", "Global", "true"}}},
      {"CommentBeforeFirstSectionContinues",
       "x # note \\\n[Unit]\nA=1\n[Service]\nB=2\n",
       {{"Service", "B", "2"}}},
      {"InvalidUtf8KeptInName", "[Unit]\n\xFFx=1\n", {{"Unit", "\xFFx", "1"}}},
      {"SectionWithoutOptionsVanishes", "[Unit]\n[Service]\nA=1\n", {{"Service", "A", "1"}}},
      {"RepeatedSectionJoinsFirst",
       "[Unit]\nA=1\n[Service]\nB=2\n[Unit]\nC=3\n",
       {{"Unit", "A", "1"}, {"Unit", "C", "3"}, {"Service", "B", "2"}}},
      {"CrLfLineEnds", "[Unit]\r\nA=1\r\nB=2\r\n", {{"Unit", "A", "1"}, {"Unit", "B", "2"}}},
      {"WhiteSpaceAfterHeader", "[Unit]  \t\nA=1\n", {{"Unit", "A", "1"}}},
      {"EmptySectionName", "[]\nA=1\n", {{"", "A", "1"}}},
      {"HeaderSpansLines", "[Un\nit]\nA=1\n", {{"Un\nit", "A", "1"}}},
      {"EmptyFile", "", {}},
      {"LongestLine", "[S]\nK=" + text_of_length(2045) + "\n", {{"S", "K", text_of_length(2045)}}},
  };
}

class ParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseTest, YieldsOptions) {
  auto file = UnitFile::parse(GetParam().text, "x.service");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->options(), GetParam().expected);
}

TEST_P(ParseTest, CanonicalTextReadsBackTheSame) {
  auto file = UnitFile::parse(GetParam().text);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  auto canonical = file->serialize();
  auto again = UnitFile::parse(canonical);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, *file);
  EXPECT_EQ(again->serialize(), canonical);
}

INSTANTIATE_TEST_SUITE_P(Syntax, ParseTest, ::testing::ValuesIn(parse_cases()),
                         [](const auto& info) { return info.param.name; });

struct ErrorCase {
  std::string name;
  std::string text;
  std::string message;
};

std::vector<ErrorCase> error_cases() {
  return {
      {"LineTooLong", "[S]\nK=" + text_of_length(2046) + "\n",
       "unit \"web@1.service\" line 2: line too long (max 2048 bytes)"},
      {"LineTooLongAtEndOfFile", "[S]\nK=" + text_of_length(2046),
       "unit \"web@1.service\" line 2: line too long (max 2048 bytes)"},
      {"LineTooLongInComment", "# " + text_of_length(3000) + "\n[S]\nK=v\n",
       "unit \"web@1.service\" line 1: line too long (max 2048 bytes)"},
      {"NewlineInOptionName", "[Unit]\nA=1\nFoo\nBar=1\n",
       "unit \"web@1.service\" line 3: unexpected newline encountered while parsing option name "
       "\"Foo\": options are written Name=Value"},
      {"CarriageReturnInOptionName", "[Unit]\nFoo\r\n",
       "unit \"web@1.service\" line 2: unexpected newline encountered while parsing option name "
       "\"Foo\": options are written Name=Value"},
      {"EndOfFileInOptionName", "[Unit]\n Foo ",
       "unit \"web@1.service\" line 2: unexpected end of file while parsing option name \"Foo\": "
       "options are written Name=Value"},
      {"UnclosedSection", "[Unit]\nA=1\n[Service\nB=2\n",
       "unit \"web@1.service\" line 3: unable to find end of section: \"]\" is missing"},
      {"GarbageAfterSection", "[Unit] x\nA=1\n",
       "unit \"web@1.service\" line 1: found garbage after section name \"Unit\": \"x\""},
  };
}

class ParseErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, NamesUnitLineAndProblem) {
  auto file = UnitFile::parse(GetParam().text, "web@1.service");
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(file.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Syntax, ParseErrorTest, ::testing::ValuesIn(error_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(UnitFileTest, ErrorWithoutUnitNameStartsAtLine) {
  auto file = UnitFile::parse("[Unit] x\n");
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().message, "line 1: found garbage after section name \"Unit\": \"x\"");
}

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(FLEET_EXAMPLES_DIR) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(UnitFileTest, HelloServiceHashMatchesOriginal) {
  auto text = read_example("hello.service");
  ASSERT_FALSE(text.empty());
  auto file = UnitFile::parse(text, "hello.service");
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->serialize(), text);  // the example is already canonical
  EXPECT_EQ(file->hash().hex(), "e55c0aeb44ba0b68004ceb8a200e685194448b45");
  EXPECT_EQ(file->hash().short_hex(), "e55c0ae");
}

TEST(UnitFileTest, CanonicalFormDropsLayoutAndGroupsSections) {
  auto file = UnitFile::parse(
      "# comment\n\n[Unit]\n  Description = Hello  \n\n\n[Service]\nExecStart=/bin/true\n"
      "[Unit]\nAfter=x.service\n");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->serialize(),
            "[Unit]\nDescription=Hello\nAfter=x.service\n\n[Service]\nExecStart=/bin/true\n");
}

TEST(UnitFileTest, EmptyUnitSerializesToNothing) {
  UnitFile file;
  EXPECT_TRUE(file.empty());
  EXPECT_EQ(file.serialize(), "");
  EXPECT_EQ(file.hash().hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");  // SHA1("")
}

TEST(UnitFileTest, FromOptionsGroupsBySectionOfFirstAppearance) {
  Options options = {{"Unit", "Description", "d"},
                     {"Service", "ExecStart", "/bin/true"},
                     {"Unit", "After", "a.service"}};
  auto file = UnitFile::from_options(options);
  EXPECT_EQ(file.serialize(),
            "[Unit]\nDescription=d\nAfter=a.service\n\n[Service]\nExecStart=/bin/true\n");
  EXPECT_EQ(file.options(), (Options{{"Unit", "Description", "d"},
                                     {"Unit", "After", "a.service"},
                                     {"Service", "ExecStart", "/bin/true"}}));
}

TEST(UnitFileTest, HashDependsOnOptionOrder) {
  auto ab = UnitFile::from_options(Options{{"Unit", "A", "1"}, {"Unit", "B", "2"}});
  auto ba = UnitFile::from_options(Options{{"Unit", "B", "2"}, {"Unit", "A", "1"}});
  EXPECT_NE(ab.hash(), ba.hash());
  EXPECT_EQ(ab.hash(), UnitFile::parse("[Unit]\n# same options\nA = 1\nB=2")->hash());
}

TEST(UnitFileTest, LooksUpSectionsAndValues) {
  auto file = UnitFile::parse(
      "[Unit]\nDescription=first\nDescription=second\n[X-Fleet]\nConflicts=a*\nConflicts=b*\n");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->description(), "first");
  EXPECT_EQ(file->values("X-Fleet", "Conflicts"), (std::vector<std::string_view>{"a*", "b*"}));
  EXPECT_TRUE(file->values("X-Fleet", "Global").empty());
  EXPECT_TRUE(file->values("Install", "WantedBy").empty());
  ASSERT_NE(file->find_section("X-Fleet"), nullptr);
  EXPECT_EQ(file->find_section("X-Fleet")->entries.size(), 2u);
  EXPECT_EQ(file->find_section("Service"), nullptr);
  EXPECT_EQ(UnitFile().description(), "");
}

struct StorableCase {
  std::string label;
  Options options;
  std::string message;  // "" when storable
};

const std::string kTooFar =
    " would read back from the unit file as something else: a name may not hold \"=\" or start "
    "with \"#\", \";\" or \"[\", a section name may not hold \"]\", and a value ending in \"\\\" "
    "continues onto the next line";

std::vector<StorableCase> storable_cases() {
  const std::string unit = "unit \"x.service\" ";
  const std::string exec = unit + "option \"ExecStart\" in section \"Service\"";
  // 512 options of 1 + 1 + 2026 + 20 bytes, then one of 22.
  const Options largest(512, UnitOption{"S", "K", std::string(2026, 'x')});
  Options too_large = largest;
  too_large.push_back({"S", "", "x"});
  return {
      {"Plain", {{"Service", "ExecStart", "/bin/true"}}, ""},
      {"TabsAndUnicode", {{"Unit", "Description", "caf\xC3\xA9\tbar"}}, ""},
      {"ContinuedValue", {{"Service", "ExecStart", "/bin/echo \\\n  hello"}}, ""},
      {"ContinuedToTheEnd", {{"S", "K", "a\\\n"}, {"T", "L", "b"}}, ""},
      {"WhiteSpaceAroundIsTrimmedNotRefused", {{"Service", " ExecStart ", " /bin/true "}}, ""},
      {"LargestUnit", largest, ""},
      {"PastTheMaximum", too_large,
       unit + "takes 1048598 bytes, more than the 1048576 a unit may take"},
      {"NewlineInValue",
       {{"Service", "ExecStart", "/bin/true\nExecStartPre=/bin/evil"}},
       exec + ": the value holds the control character '\\n' without a \"\\\" before it"},
      {"NewlineAfterBackslashAndSpace",
       {{"Service", "ExecStart", "a\\ \nb"}},
       exec + ": the value holds the control character '\\n' without a \"\\\" before it"},
      {"CarriageReturnInValue",
       {{"Service", "ExecStart", "/bin/true\rExecStartPre=/bin/evil"}},
       exec + ": the value holds the control character '\\r'"},
      {"NulInValue",
       {{"Service", "ExecStart", std::string("/bin/true\0x", 11)}},
       exec + ": the value holds the control character '\\x00'"},
      {"EscapeInValue",
       {{"Service", "ExecStart", "\x1b[31m"}},
       exec + ": the value holds the control character '\\x1b'"},
      {"NotUtf8InValue",
       {{"Service", "ExecStart", "\xFF"}},
       exec + ": the value is not valid UTF-8"},
      {"NewlineInName",
       {{"Service", "Exec\nStart", "x"}},
       unit + "option \"Exec\\nStart\" in section \"Service\": the name holds the control "
              "character '\\n'"},
      {"NewlineInSection",
       {{"Service]\n[Unit", "ExecStart", "x"}},
       unit + "option \"ExecStart\" in section \"Service]\\n[Unit\": the section name holds the "
              "control character '\\n'"},
      {"NotUtf8InSection",
       {{"\xC3", "A", "x"}},
       unit + "option \"A\" in section \"\\xc3\": the section name is not valid UTF-8"},
      {"EqualsInName",
       {{"Service", "ExecStart=/bin/evil #", "x"}},
       unit + "option \"ExecStart=/bin/evil #\" in section \"Service\"" + kTooFar},
      {"NameReadsAsComment",
       {{"Service", "#A", "x"}},
       unit + "option \"#A\" in section \"Service\"" + kTooFar},
      {"BackslashSwallowsNextOption",
       {{"Service", "ExecStart", "/bin/true \\"}, {"Service", "ExecStartPre", "/bin/x"}},
       exec + kTooFar},
      {"BracketInSection",
       {{"A]B", "K", "v"}},
       unit + "line 1: found garbage after section name \"A\": \"B]\""},
      {"LongNamesAreCutShort",
       {{"S", std::string(100, 'n') + "=", "v"}},
       unit + "option \"" + std::string(64, 'n') + "\"... in section \"S\"" + kTooFar},
  };
}

class CheckStorableTest : public ::testing::TestWithParam<StorableCase> {};

TEST_P(CheckStorableTest, RefusesWhatWouldNotReadBackOrNotFitEtcd) {
  fleet::testing::expect_invalid_argument(
      check_storable(UnitFile::from_options(GetParam().options), "x.service"), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(Options, CheckStorableTest, ::testing::ValuesIn(storable_cases()),
                         [](const auto& info) { return info.param.label; });

TEST(UnitFileTest, SizeCountsSectionsPerOption) {
  auto file = UnitFile::from_options(Options{{"Unit", "A", "1"}, {"Unit", "BB", ""}});
  EXPECT_EQ(file.size(), 4 + 1 + 1 + 4 + 2 + 2 * UnitFile::kOptionOverhead);
  EXPECT_EQ(UnitFile().size(), 0u);
}

}  // namespace
}  // namespace fleet::unit
