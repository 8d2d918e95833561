#include "fleet/config/config_file.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fleet/base/testing/status_matchers.h"

#include "fixtures/temp_dir.h"

namespace fleet::config {
namespace {

using Strings = std::vector<std::string>;

constexpr std::string_view kSource = "/etc/fleet/fleet.conf";

// The value a one-line file gives etcd_key_prefix, a plain string option.
std::string value_of(const std::string& line) {
  auto file = parse_config_text(line, kSource);
  EXPECT_TRUE(file.has_value()) << line << ": " << file.error().message;
  if (!file || file->entries.size() != 1) return "<no entry>";
  return file->entries[0].value;
}

TEST(ParseConfigTextTest, ReadsTheOriginalSample) {
  // fleet.conf.sample's options, uncommented.
  auto file = parse_config_text(
      "# This config file is INI-formatted\n"
      "\n"
      "verbosity=0\n"
      "etcd_servers=[\"http://127.0.0.1:2379\", \"http://127.0.0.1:4001\"]\n"
      "etcd_request_timeout=1.0\n"
      "etcd_cafile=/path/to/CAfile\n"
      "etcd_username=guest\n"
      "etcd_password=p4ssw0rd\n"
      "public_ip=\"\"\n"
      "metadata=\"region=us-west,az=us-west-1\"\n"
      "agent_ttl=\"30s\"\n"
      "engine_reconcile_interval=2\n",
      kSource);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->source, kSource);
  EXPECT_TRUE(file->warnings.empty());
  const std::vector<ConfigEntry> expected = {
      {"verbosity", "0", 3},
      {"etcd_servers", R"(["http://127.0.0.1:2379", "http://127.0.0.1:4001"])", 4},
      {"etcd_request_timeout", "1.0", 5},
      {"etcd_cafile", "/path/to/CAfile", 6},
      {"etcd_username", "guest", 7},
      {"etcd_password", "p4ssw0rd", 8},
      {"public_ip", "", 9},
      {"metadata", "region=us-west,az=us-west-1", 10},
      {"agent_ttl", "30s", 11},
      {"engine_reconcile_interval", "2", 12},
  };
  EXPECT_EQ(file->entries, expected);
}

TEST(ParseConfigTextTest, Quoting) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"etcd_key_prefix=/a", "/a"},
      {"etcd_key_prefix = /a ", "/a"},
      {"etcd_key_prefix\t=\t/a\t", "/a"},
      {"etcd_key_prefix=\"/a b\"", "/a b"},
      {"etcd_key_prefix='/a b'", "/a b"},
      {"etcd_key_prefix=\" /a \"", " /a "},
      {"etcd_key_prefix=\"/a#b;c\"", "/a#b;c"},
      {"etcd_key_prefix=\"/a\" # comment", "/a"},
      {"etcd_key_prefix='/a';comment", "/a"},
      {"etcd_key_prefix=\"it's\"", "it's"},
      {"etcd_key_prefix='say \"hi\"'", "say \"hi\""},
      {"etcd_key_prefix=\"\"", ""},
      {"etcd_key_prefix=''", ""},
      {"etcd_key_prefix=", ""},
      {"etcd_key_prefix=   ", ""},
      {"etcd_key_prefix=a=b", "a=b"},
      // Quotes that do not wrap the whole value are part of it.
      {"etcd_key_prefix=\"a\" \"b\"", "\"a\" \"b\""},
      {"etcd_key_prefix=\"a\"b", "\"a\"b"},
      {"etcd_key_prefix=a\"b\"", "a\"b\""},
  };
  for (const auto& [line, expected] : cases) EXPECT_EQ(value_of(line), expected) << line;
}

TEST(ParseConfigTextTest, Comments) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"etcd_key_prefix=/a # comment", "/a"},
      {"etcd_key_prefix=/a\t; comment", "/a"},
      {"etcd_key_prefix=/a #", "/a"},
      // A marker not preceded by white space belongs to the value (the original cut it off).
      {"etcd_key_prefix=/a#b", "/a#b"},
      {"etcd_key_prefix=/a;b", "/a;b"},
      {"etcd_key_prefix=#", "#"},
      {"# etcd_key_prefix=/x\netcd_key_prefix=/a", "/a"},
      {"; etcd_key_prefix=/x\netcd_key_prefix=/a", "/a"},
      {"   # indented\n\t; indented\netcd_key_prefix=/a", "/a"},
      {"\n   \n\t\netcd_key_prefix=/a\n\n", "/a"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(value_of(text), expected) << text;
}

TEST(ParseConfigTextTest, LineEndingsAndByteOrderMark) {
  auto file = parse_config_text("\xEF\xBB\xBFverbosity=1\r\netcd_key_prefix=/a\r\n", kSource);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->entries,
            (std::vector<ConfigEntry>{{"verbosity", "1", 1}, {"etcd_key_prefix", "/a", 2}}));
}

TEST(ParseConfigTextTest, KeysAreCaseInsensitive) {
  auto file = parse_config_text("ETCD_KEY_PREFIX=/a\nAgent_TTL=5s\n", kSource);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->entries,
            (std::vector<ConfigEntry>{{"etcd_key_prefix", "/a", 1}, {"agent_ttl", "5s", 2}}));
}

TEST(ParseConfigTextTest, ContinuedLines) {
  auto file = parse_config_text(
      "# metadata on two lines\n"
      "metadata=region=eu, \\\n"
      "         disk=ssd\n"
      "agent_ttl=5s\n",
      kSource);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->entries, (std::vector<ConfigEntry>{{"metadata", "region=eu, disk=ssd", 2},
                                                     {"agent_ttl", "5s", 4}}));
  // A comment never continues: the next line stands alone.
  EXPECT_EQ(value_of("# old \\\netcd_key_prefix=/a"), "/a");
  // A lone '\' joins nothing to an empty line.
  EXPECT_EQ(value_of("\\\n\netcd_key_prefix=/a"), "/a");
}

TEST(ParseConfigTextTest, RepeatedKeysAreWarnings) {
  auto file = parse_config_text(
      "etcd_servers=http://a:2379\n"
      "# a comment\n"
      "etcd_servers=http://c:2379\n",
      kSource);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->warnings, (Strings{"/etc/fleet/fleet.conf line 3: etcd_servers repeats line 1, "
                                     "the later value wins"}));
  EXPECT_EQ(file->entries, (std::vector<ConfigEntry>{{"etcd_servers", "http://a:2379", 1},
                                                     {"etcd_servers", "http://c:2379", 3}}));
}

TEST(ParseConfigTextTest, AnUnknownKeyIsRefusedWithTheNearestKnownOne) {
  auto misspelt = parse_config_text("verbosity=1\netcd_server=http://b:2379\n", kSource);
  ASSERT_FALSE(misspelt.has_value());
  EXPECT_EQ(misspelt.error().message,
            "/etc/fleet/fleet.conf line 2: unknown key \"etcd_server\"; did you mean "
            "\"etcd_servers\"?");
  auto cased = parse_config_text("Agent_TTL=5s\nAgentTtl=5s\n", kSource);
  ASSERT_FALSE(cased.has_value());
  EXPECT_EQ(cased.error().message,
            "/etc/fleet/fleet.conf line 2: unknown key \"AgentTtl\"; did you mean \"agent_ttl\"?");
  auto unrelated = parse_config_text("Fleet_Thing='unterminated\n", kSource);
  ASSERT_FALSE(unrelated.has_value());
  EXPECT_EQ(unrelated.error().message,
            "/etc/fleet/fleet.conf line 1: unknown key \"Fleet_Thing\"; remove it, fleetd has no "
            "such option");
}

TEST(ParseConfigTextTest, ErrorsNameFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"verbosity=1\nfoo\n", R"(/etc/fleet/fleet.conf line 2: expected key=value, got "foo")"},
      {"[fleet]\nverbosity=1",
       R"(/etc/fleet/fleet.conf line 1: sections are not supported: "[fleet]"; write options at )"
       R"(the top level, outside any [section])"},
      {"=1", R"(/etc/fleet/fleet.conf line 1: missing key before '=')"},
      {" = 1", R"(/etc/fleet/fleet.conf line 1: missing key before '=')"},
      {"etcd servers=x", R"(/etc/fleet/fleet.conf line 1: invalid key "etcd servers")"},
      {"metadata=\"a=b",
       R"(/etc/fleet/fleet.conf line 1: metadata: unterminated quote in "\"a=b")"},
      {"public_ip='10.0.0.1", R"(/etc/fleet/fleet.conf line 1: public_ip: unterminated quote in )"
                              R"("'10.0.0.1")"},
      {"\n\n# three\n agent_ttl=30x",
       R"(/etc/fleet/fleet.conf line 4: agent_ttl: invalid duration "30x": unknown unit "x")"},
      {"agent_ttl=30", R"(/etc/fleet/fleet.conf line 1: agent_ttl: invalid duration "30": )"
                       R"(missing unit)"},
      {"agent_ttl=\"\"", R"(/etc/fleet/fleet.conf line 1: agent_ttl: invalid duration "")"},
      {"agent_ttl=500ms", R"(/etc/fleet/fleet.conf line 1: agent_ttl: must be at least 1s, got )"
                          R"("500ms")"},
      {"agent_ttl=-5s", R"(/etc/fleet/fleet.conf line 1: agent_ttl: must be at least 1s, got )"
                        R"("-5s")"},
      {"disable_engine=yes", R"(/etc/fleet/fleet.conf line 1: disable_engine: invalid boolean )"
                             R"("yes" (use true or false))"},
      {"purge_on_shutdown=", R"(/etc/fleet/fleet.conf line 1: purge_on_shutdown: invalid )"
                             R"(boolean "" (use true or false))"},
      {"token_limit=abc", R"(/etc/fleet/fleet.conf line 1: token_limit: invalid number "abc")"},
      {"token_limit=0", R"(/etc/fleet/fleet.conf line 1: token_limit: must be at least 1, got )"
                        R"("0")"},
      {"verbosity=1.5", R"(/etc/fleet/fleet.conf line 1: verbosity: invalid number "1.5")"},
      {"etcd_request_timeout=fast", R"(/etc/fleet/fleet.conf line 1: etcd_request_timeout: )"
                                    R"(invalid number of seconds "fast")"},
      {"etcd_request_timeout=0", R"(/etc/fleet/fleet.conf line 1: etcd_request_timeout: must )"
                                 R"(be at least 0.001 seconds, got "0")"},
      {"engine_reconcile_interval=-2", R"(/etc/fleet/fleet.conf line 1: )"
                                       R"(engine_reconcile_interval: must be at least 0.001 )"
                                       R"(seconds, got "-2")"},
      {"etcd_servers=", R"(/etc/fleet/fleet.conf line 1: etcd_servers: no etcd endpoint in "")"},
      {"etcd_servers=[\"\"]",
       R"(/etc/fleet/fleet.conf line 1: etcd_servers: no etcd endpoint in "[\"\"]")"},
      {"units_directory=run/fleet", R"(/etc/fleet/fleet.conf line 1: units_directory: must be )"
                                    R"(an absolute path, got "run/fleet")"},
      {"api_listen=abc", R"(/etc/fleet/fleet.conf line 1: api_listen: "abc": expected )"
                         R"(HOST:PORT, [IPV6]:PORT or PORT)"},
      {"verbosity=1\\", R"(/etc/fleet/fleet.conf line 1: a '\' at the end of the last line)"},
      {"# c\nmetadata=a=1,\\\n b=2\nagent_ttl=x",
       R"(/etc/fleet/fleet.conf line 4: agent_ttl: invalid duration "x")"},
      {"verbosity=\x01", R"(/etc/fleet/fleet.conf line 1: verbosity: invalid number "\x01")"},
      // fleetd logs this error: the password's text stays out of it.
      {"etcd_password=\"s3cret",
       R"(/etc/fleet/fleet.conf line 1: etcd_password: unterminated quote)"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    testing::expect_invalid_argument(parse_config_text(text, kSource).map([](auto) {}), message);
  }
}

TEST(ParseConfigTextTest, EmptyTextHasNoEntries) {
  for (std::string text : {"", "\n", "# only a comment\n"}) {
    auto file = parse_config_text(text, kSource);
    ASSERT_TRUE(file.has_value());
    EXPECT_TRUE(file->entries.empty());
    EXPECT_TRUE(file->warnings.empty());
  }
}

class ReadConfigFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  fleet::testing::TempDir dir_{"config-test"};
};

TEST_F(ReadConfigFileTest, ReadsAFile) {
  auto path = write("fleet.conf", "agent_ttl=5s\nagent_ttl=6s\n");
  auto file = read_config_file(path);
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->source, path);
  EXPECT_EQ(file->entries,
            (std::vector<ConfigEntry>{{"agent_ttl", "5s", 1}, {"agent_ttl", "6s", 2}}));
  EXPECT_EQ(file->warnings,
            (Strings{path + " line 2: agent_ttl repeats line 1, the later value wins"}));
}

TEST_F(ReadConfigFileTest, MissingFile) {
  auto path = (dir_.path() / "missing.conf").string();
  auto file = read_config_file(path);
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(file.error().message,
            "unable to use config file " + path + ": No such file or directory");
}

TEST_F(ReadConfigFileTest, Directory) {
  auto file = read_config_file(dir_.path().string());
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(file.error().message,
            "unable to use config file " + dir_.path().string() + ": is a directory");
}

TEST_F(ReadConfigFileTest, TooLarge) {
  auto path = write("huge.conf", std::string(kMaxConfigFileSize + 1, '#'));
  auto file = read_config_file(path);
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(file.error().message,
            "unable to use config file " + path + ": larger than 1048576 bytes");
}

TEST_F(ReadConfigFileTest, ErrorsNameThePath) {
  auto path = write("bad.conf", "verbosity=1\ndisable_engine=maybe\n");
  auto file = read_config_file(path);
  testing::expect_invalid_argument(
      file.map([](auto) {}),
      path + " line 2: disable_engine: invalid boolean \"maybe\" (use true or false)");
}

}  // namespace
}  // namespace fleet::config
