#include "fleet/registry/records.h"

#include <gtest/gtest.h>

namespace fleet::registry {
namespace {

using unit::DesiredState;

TEST(RecordsTest, EveryRecordRoundTrips) {
  auto hash = unit::UnitHash::of("x");
  UnitRecord unit{hash, DesiredState::kLaunched, true};
  EXPECT_EQ(decode_unit("k", encode(unit)), unit);

  Assignment assignment{hash, DesiredState::kLoaded};
  EXPECT_EQ(decode_assignment("k", encode(assignment)), assignment);

  MachineRecord machine{"0123abcd", "10.0.0.1",        {{"region", "us"}},
                        "0.1.0",    {{"GRPC", false}}, "10.0.0.1:49153"};
  EXPECT_EQ(decode_machine("k", encode(machine)), machine);

  UnitStateRecord state{hash, "loaded", "active", "running", true};
  EXPECT_EQ(decode_unit_state("k", encode(state)), state);

  LeaderRecord leader{"0123abcd", 1};
  EXPECT_EQ(decode_leader("k", encode(leader)), leader);
}

TEST(RecordsTest, BodyKeepsOptionsInOrderAndItsHash) {
  auto file = unit::UnitFile::parse(
      "[Unit]\nDescription=a\n\n[Service]\nExecStart=/bin/true\n"
      "ExecStart=\nEnvironment=A=1\n");
  ASSERT_TRUE(file.has_value());
  auto back = decode_body("k", encode_body(*file));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->serialize(), file->serialize());
  EXPECT_EQ(back->hash(), file->hash());
}

TEST(RecordsTest, AUnitRecordIsCompact) {
  // The reason for protobuf: 100,000 of these are what an engine lists after a compaction.
  UnitRecord unit{unit::UnitHash::of("x"), DesiredState::kLaunched, false};
  EXPECT_LE(encode(unit).size(), 26u);
}

TEST(RecordsTest, GarbageIsDataLossNamingTheKey) {
  auto bad = decode_unit("/f/units/a.service", "\xff\xff\xff");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(bad.error().message,
            "etcd key /f/units/a.service does not hold a unit record (3 bytes)");
}

TEST(RecordsTest, AHashOfTheWrongSizeIsDataLoss) {
  UnitRecord unit{unit::UnitHash::of("x"), DesiredState::kLoaded, false};
  std::string value = encode(unit);
  // Field 1 (hash) is first: tag 0x0a, length 20. Claim 19 bytes and drop one.
  ASSERT_EQ(value[0], '\x0a');
  ASSERT_EQ(value[1], '\x14');
  value[1] = '\x13';
  value.erase(2, 1);
  auto bad = decode_unit("/f/units/a.service", value);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(bad.error().message,
            "etcd key /f/units/a.service: unit hash has 19 bytes, not 20 (a SHA1)");
}

TEST(RecordsTest, AnUnknownDesiredStateIsDataLoss) {
  // A later field 2 (desired_state) overrides the first: varint 7.
  std::string value = encode(Assignment{unit::UnitHash::of("x"), DesiredState::kLoaded});
  auto bad = decode_assignment("/f/global/g.service", value + std::string("\x10\x07", 2));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(bad.error().message, "etcd key /f/global/g.service holds unknown desired state 7");
}

TEST(RecordsTest, DynamicMetadataOverridesAndEmptyRemoves) {
  Metadata configured{{"region", "us"}, {"disk", "ssd"}, {"role", "web"}};
  Metadata dynamic{{"region", "eu"}, {"disk", ""}, {"rack", "7"}};
  Metadata expected{{"region", "eu"}, {"role", "web"}, {"rack", "7"}};
  EXPECT_EQ(effective_metadata(configured, dynamic), expected);
}

}  // namespace
}  // namespace fleet::registry
