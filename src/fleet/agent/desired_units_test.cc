#include "fleet/agent/desired_units.h"

#include <gtest/gtest.h>

namespace fleet::agent {
namespace {

using registry::Assignment;
using unit::DesiredState;

// `name` is a literal: the offer refers to it.
OfferedUnit offer(std::string_view name, const std::string& fleet_section = "",
                  DesiredState desired = DesiredState::kLaunched) {
  auto file = unit::UnitFile::parse("[Service]\nExecStart=/bin/true\n[X-Fleet]\n" + fleet_section);
  auto options = std::make_shared<unit::FleetOptions>(unit::parse_fleet_options(*file, name));
  return {name, Assignment{file->hash(), desired}, options};
}

std::vector<std::string> names(const std::map<std::string, Assignment>& units) {
  std::vector<std::string> out;
  for (const auto& [name, assignment] : units) out.push_back(name);
  return out;
}

using Names = std::vector<std::string>;

TEST(DesiredUnitsTest, ScheduledUnitsAreTakenWithTheirAssignment) {
  Offers offers;
  offers.scheduled = {offer("web.service"), offer("db.service", "", DesiredState::kLoaded)};
  auto wanted = desired_units(offers);
  EXPECT_EQ(names(wanted), (Names{"db.service", "web.service"}));
  EXPECT_EQ(wanted.at("db.service").desired, DesiredState::kLoaded);
  EXPECT_EQ(wanted.at("web.service"), offers.scheduled[0].assignment);
}

TEST(DesiredUnitsTest, InactiveUnitsAreNotTaken) {
  Offers offers;
  offers.scheduled = {offer("a.service", "", DesiredState::kInactive)};
  offers.global = {offer("g.service", "Global=true\n", DesiredState::kInactive)};
  EXPECT_TRUE(desired_units(offers).empty());
}

TEST(DesiredUnitsTest, GlobalUnitsAreTakenWhereTheirMetadataMatches) {
  Offers offers;
  offers.global = {offer("any.service", "Global=true\n"),
                   offer("us.service", "Global=true\nMachineMetadata=region=us\n"),
                   offer("eu.service", "Global=true\nMachineMetadata=region=eu\n")};
  offers.metadata = {{"region", "us"}};
  EXPECT_EQ(names(desired_units(offers)), (Names{"any.service", "us.service"}));
}

TEST(DesiredUnitsTest, OfTwoConflictingGlobalUnitsTheFirstByNameWins) {
  Offers offers;
  // Offered in reverse order: the outcome must not depend on it.
  offers.global = {offer("b.service", "Global=true\n"),
                   offer("a.service", "Global=true\nConflicts=b.service\n")};
  EXPECT_EQ(names(desired_units(offers)), (Names{"a.service"}));
  // The same when the conflict is declared by the later unit.
  offers.global = {offer("b.service", "Global=true\nConflicts=a.*\n"),
                   offer("a.service", "Global=true\n")};
  EXPECT_EQ(names(desired_units(offers)), (Names{"a.service"}));
}

TEST(DesiredUnitsTest, AGlobalUnitNeverDisplacesAScheduledOne) {
  Offers offers;
  offers.scheduled = {offer("z.service")};
  offers.global = {offer("a.service", "Global=true\nConflicts=z.service\n")};
  EXPECT_EQ(names(desired_units(offers)), (Names{"z.service"}));
}

TEST(DesiredUnitsTest, AScheduledUnitThatConflictsWithAnEarlierOneIsDropped) {
  Offers offers;
  offers.scheduled = {offer("web@1.service", "Conflicts=web@*.service\n"),
                      offer("db.service", "Conflicts=web@*.service\n")};
  offers.global = {offer("log.service", "Global=true\n")};
  // db conflicts with web@1 (either direction counts), so only the first by name stays.
  EXPECT_EQ(names(desired_units(offers)), (Names{"db.service", "log.service"}));
}

}  // namespace
}  // namespace fleet::agent
