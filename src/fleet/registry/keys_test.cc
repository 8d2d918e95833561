#include "fleet/registry/keys.h"

#include <gtest/gtest.h>

namespace fleet::registry {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

TEST(KeysTest, DefaultPrefixIsTheOriginals) {
  Keys keys;
  EXPECT_EQ(keys.unit("web.service"), "/_coreos.com/fleet/units/web.service");
  EXPECT_EQ(keys.engine_leader(), "/_coreos.com/fleet/engine/leader");
}

TEST(KeysTest, PrefixGetsItsTrailingSlash) {
  EXPECT_EQ(Keys("/custom").units(), "/custom/units/");
  EXPECT_EQ(Keys("/custom/").units(), "/custom/units/");
}

TEST(KeysTest, EachRecordHasItsOwnPlace) {
  Keys keys("/f/");
  auto hash = unit::UnitHash::of("body");
  EXPECT_EQ(keys.schema(), "/f/schema");
  EXPECT_EQ(keys.body(hash), "/f/bodies/" + hash.hex());
  EXPECT_EQ(keys.body_user(hash, "a.service"), "/f/body-users/" + hash.hex() + "/a.service");
  EXPECT_TRUE(keys.body_user(hash, "a.service").starts_with(keys.body_users(hash)));
  EXPECT_EQ(keys.global_unit("g.service"), "/f/global/g.service");
  EXPECT_EQ(keys.scheduled("m1", "a.service"), "/f/schedule/m1/a.service");
  EXPECT_TRUE(keys.scheduled("m1", "a.service").starts_with(keys.schedule_of("m1")));
  EXPECT_FALSE(keys.scheduled("m10", "a.service").starts_with(keys.schedule_of("m1")));
  EXPECT_EQ(keys.machine("m1"), "/f/machines/m1");
  EXPECT_EQ(keys.metadata_entry("m1", "region"), "/f/metadata/m1/region");
  EXPECT_EQ(keys.state("a.service", "m1"), "/f/states/a.service/m1");
}

TEST(KeysTest, KeysParseBackToTheirNames) {
  Keys keys("/f/");
  EXPECT_EQ(keys.unit_of("/f/units/web.service"), "web.service");
  EXPECT_EQ(keys.global_unit_of("/f/global/g.service"), "g.service");
  EXPECT_EQ(keys.machine_of("/f/machines/m1"), "m1");
  EXPECT_EQ(keys.scheduled_of("/f/schedule/m1/a.service"), Pair("m1", "a.service"));
  EXPECT_EQ(keys.metadata_entry_of("/f/metadata/m1/region"), Pair("m1", "region"));
  EXPECT_EQ(keys.state_of("/f/states/a.service/m1"), Pair("a.service", "m1"));
}

TEST(KeysTest, KeysOutsideTheirPlaceDoNotParse) {
  Keys keys("/f/");
  EXPECT_EQ(keys.unit_of("/g/units/web.service"), std::nullopt);
  EXPECT_EQ(keys.unit_of("/f/units/"), std::nullopt);
  EXPECT_EQ(keys.unit_of("/f/machines/m1"), std::nullopt);
  EXPECT_EQ(keys.scheduled_of("/f/schedule/m1"), std::nullopt);
  EXPECT_EQ(keys.scheduled_of("/f/schedule/m1/"), std::nullopt);
  EXPECT_EQ(keys.scheduled_of("/f/schedule//a.service"), std::nullopt);
  EXPECT_EQ(keys.state_of("/f/states/a.service/m1/extra"), std::nullopt);
}

}  // namespace
}  // namespace fleet::registry
