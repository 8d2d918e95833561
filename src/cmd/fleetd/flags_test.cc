#include "cmd/fleetd/flags.h"

#include <gtest/gtest.h>

namespace fleet::fleetd {
namespace {

TEST(FlagsTest, ConfigInEveryGoSpelling) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"-config", "/x.conf"},
                                                                {"--config", "/x.conf"},
                                                                {"-config=/x.conf"},
                                                                {"--config=/x.conf"}}) {
    auto flags = parse_flags(args);
    ASSERT_TRUE(flags.has_value()) << args[0];
    EXPECT_EQ(flags->config_path, "/x.conf");
    EXPECT_FALSE(flags->version);
  }
}

TEST(FlagsTest, VersionAsFlagOrWord) {
  EXPECT_TRUE(parse_flags({"-version"})->version);
  EXPECT_TRUE(parse_flags({"--version"})->version);
  EXPECT_TRUE(parse_flags({"version"})->version);
  EXPECT_FALSE(parse_flags({})->version);
}

TEST(FlagsTest, AnythingElseIsRefusedWithTheOriginalsWords) {
  auto positional = parse_flags({"list-units"});
  ASSERT_FALSE(positional.has_value());
  EXPECT_EQ(positional.error().message,
            "fleetd takes no arguments. Did you mean to invoke fleetctl instead?");
  auto unknown = parse_flags({"-metadata=a=b"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "flag provided but not defined: -metadata");
  auto missing = parse_flags({"-config"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "flag needs an argument: -config");
}

}  // namespace
}  // namespace fleet::fleetd
