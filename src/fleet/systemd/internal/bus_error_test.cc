#include "fleet/systemd/internal/bus_error.h"

#include <stdexcept>

#include <gtest/gtest.h>

#include "fleet/systemd/internal/bus.h"

namespace fleet::systemd::internal {
namespace {

BusEndpoint address(std::string bus_address) {
  return BusEndpoint::from({.bus_address = std::move(bus_address)});
}

TEST(BusErrorTest, MapsDbusErrorNamesToTheMostSpecificCode) {
  EXPECT_EQ(code_for_bus_error("org.freedesktop.systemd1.NoSuchUnit"), ErrorCode::kNotFound);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.DBus.Error.AccessDenied"),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.DBus.Error.Disconnected"), ErrorCode::kUnavailable);
  EXPECT_EQ(code_for_bus_error("System.Error.ECONNRESET"), ErrorCode::kUnavailable);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.DBus.Error.ServiceUnknown"),
            ErrorCode::kUnavailable);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.DBus.Error.NoReply"), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.systemd1.UnitMasked"),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.systemd1.BadUnitSetting"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.DBus.Error.InvalidArgs"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_for_bus_error("org.freedesktop.systemd1.SomethingNew"), ErrorCode::kInternal);
}

TEST(BusErrorTest, MessageNamesTheCallTheBusAndTheDbusError) {
  auto error = from_bus_error(
      sdbus::Error("org.freedesktop.systemd1.NoSuchUnit", "Unit web.service not found."),
      "StartUnit \"web.service\"", BusEndpoint::from({}));
  EXPECT_EQ(error.code, ErrorCode::kNotFound);
  EXPECT_EQ(error.message,
            "systemd StartUnit \"web.service\" on the system bus: "
            "org.freedesktop.systemd1.NoSuchUnit: Unit web.service not found.");
}

TEST(BusErrorTest, UnavailableMessagesSayWhatToCheck) {
  auto error = from_bus_error(sdbus::Error("System.Error.ECONNRESET", "reset"), "Reload",
                              address("unix:path=/x"));
  EXPECT_EQ(error.code, ErrorCode::kUnavailable);
  EXPECT_NE(error.message.find("D-Bus address \"unix:path=/x\""), std::string::npos);
  EXPECT_NE(error.message.find("check the address"), std::string::npos);
}

TEST(BusErrorTest, CatchBusErrorsPassesValuesAndTurnsExceptionsIntoErrors) {
  auto bus = BusEndpoint::from({});
  EXPECT_EQ(catch_bus_errors("x", bus, [] { return 7; }).value(), 7);
  EXPECT_TRUE(catch_bus_errors("x", bus, [] {}).has_value());

  auto dbus = catch_bus_errors("Reload", bus, []() -> int {
    throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied", "no");
  });
  ASSERT_FALSE(dbus.has_value());
  EXPECT_EQ(dbus.error().code, ErrorCode::kPermissionDenied);

  auto other = catch_bus_errors("Reload", bus, [] { throw std::runtime_error("boom"); });
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, ErrorCode::kInternal);
  EXPECT_NE(other.error().message.find("boom"), std::string::npos);
}

TEST(BusEndpointTest, AddressWinsOverUserBusWhichWinsOverSystemBus) {
  EXPECT_EQ(BusEndpoint::from({}).kind(), BusEndpoint::Kind::kSystem);
  EXPECT_EQ(BusEndpoint::from({.systemd_user = true}).kind(), BusEndpoint::Kind::kUser);
  auto explicit_address = BusEndpoint::from({.bus_address = "unix:path=/b", .systemd_user = true});
  EXPECT_EQ(explicit_address.kind(), BusEndpoint::Kind::kAddress);
  EXPECT_EQ(explicit_address.describe(), "D-Bus address \"unix:path=/b\"");
}

TEST(BusEndpointTest, UnreachableAddressIsUnavailableAndNamesTheAddress) {
  auto opened = open_manager(address("unix:path=/nonexistent/fleet-test-bus"));
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable) << opened.error().message;
  EXPECT_NE(opened.error().message.find("unix:path=/nonexistent/fleet-test-bus"), std::string::npos)
      << opened.error().message;
}

TEST(UnitObjectPathTest, DecodesSystemdsEscapedUnitNames) {
  EXPECT_EQ(unit_name_from_path("/org/freedesktop/systemd1/unit/web_2eservice"), "web.service");
  EXPECT_EQ(unit_name_from_path("/org/freedesktop/systemd1/unit/web_401_2eservice"),
            "web@1.service");
  EXPECT_EQ(unit_name_from_path("/org/freedesktop/systemd1/unit/a_5cx2db_2etimer"),
            "a\\x2db.timer");
  EXPECT_EQ(unit_name_from_path("/org/freedesktop/systemd1/job/42"), "");
  EXPECT_EQ(unit_name_from_path("/org/freedesktop/systemd1"), "");
}

}  // namespace
}  // namespace fleet::systemd::internal
