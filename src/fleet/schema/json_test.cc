#include "fleet/schema/json.h"

#include <gtest/gtest.h>

namespace fleet::schema {
namespace {

const Unit kHello{.name = "hello.service",
                  .options = {{"Unit", "Description", "Hello World"},
                              {"Service", "ExecStart", "/bin/echo \"hi\""}},
                  .desired_state = "launched",
                  .current_state = "loaded",
                  .machine_id = "c31e44e1f7f04c3e9ca2c0e2e8b28a3e"};

struct EncodeCase {
  std::string label;
  std::string encoded;
  std::string expected;
};

class EncodeTest : public ::testing::TestWithParam<EncodeCase> {};

TEST_P(EncodeTest, WritesTheApiFieldNamesAndLeavesEmptyValuesOut) {
  EXPECT_EQ(GetParam().encoded, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Entities, EncodeTest,
    ::testing::Values(
        EncodeCase{"unit", encode(kHello),
                   R"({"currentState":"loaded","desiredState":"launched",)"
                   R"("machineID":"c31e44e1f7f04c3e9ca2c0e2e8b28a3e","name":"hello.service",)"
                   R"("options":[{"name":"Description","section":"Unit","value":"Hello World"},)"
                   R"({"name":"ExecStart","section":"Service","value":"/bin/echo \"hi\""}]})"},
        EncodeCase{"unit_with_only_a_name", encode(Unit{.name = "a.service"}),
                   R"({"name":"a.service"})"},
        EncodeCase{"option_with_empty_value",
                   encode(Unit{.options = {{"Service", "Environment", ""}}}),
                   R"({"options":[{"name":"Environment","section":"Service"}]})"},
        EncodeCase{"unit_state",
                   encode(UnitState{.name = "a.service",
                                    .hash = "e55c0aeb44ba0b68004ceb8a200e685194448b45",
                                    .machine_id = "m1",
                                    .systemd_load_state = "loaded",
                                    .systemd_active_state = "active",
                                    .systemd_sub_state = "running"}),
                   R"({"hash":"e55c0aeb44ba0b68004ceb8a200e685194448b45","machineID":"m1",)"
                   R"("name":"a.service","systemdActiveState":"active",)"
                   R"("systemdLoadState":"loaded","systemdSubState":"running"})"},
        EncodeCase{"machine",
                   encode(Machine{.id = "m1",
                                  .primary_ip = "10.0.0.1",
                                  .metadata = {{"region", "eu"}, {"disk", "ssd"}}}),
                   R"({"id":"m1","metadata":{"disk":"ssd","region":"eu"},"primaryIP":"10.0.0.1"})"},
        EncodeCase{"machine_without_metadata", encode(Machine{.id = "m1"}), R"({"id":"m1"})"},
        EncodeCase{"empty_unit_page", encode(UnitPage{}), "{}"},
        EncodeCase{"empty_state_page", encode(UnitStatePage{}), "{}"},
        EncodeCase{"empty_machine_page", encode(MachinePage{}), "{}"},
        EncodeCase{
            "unit_page_with_token",
            encode(UnitPage{.units = {Unit{.name = "a.service"}}, .next_page_token = "ZAACAA=="}),
            R"({"nextPageToken":"ZAACAA==","units":[{"name":"a.service"}]})"},
        EncodeCase{"state_page", encode(UnitStatePage{.states = {UnitState{.name = "a.service"}}}),
                   R"({"states":[{"name":"a.service"}]})"},
        EncodeCase{"machine_page", encode(MachinePage{.machines = {Machine{.id = "m1"}}}),
                   R"({"machines":[{"id":"m1"}]})"},
        EncodeCase{"error_body", encode(ErrorBody{404, "unit does not exist"}),
                   R"({"error":{"code":404,"message":"unit does not exist"}})"},
        EncodeCase{"error_body_without_message", encode(ErrorBody{500, ""}),
                   R"({"error":{"code":500,"message":""}})"},
        EncodeCase{"invalid_utf8_is_replaced", encode(Unit{.name = "a\xff.service"}),
                   "{\"name\":\"a\xef\xbf\xbd.service\"}"},
        EncodeCase{
            "escapes",
            encode(Unit{.options = {{"Service", "ExecStart", "a\tb\x01\"c\\d/\xc3\xa9\x7f"}}}),
            "{\"options\":[{\"name\":\"ExecStart\",\"section\":\"Service\","
            "\"value\":\"a\\tb\\u0001\\\"c\\\\d/\xc3\xa9\x7f\"}]}"},
        EncodeCase{"metadata_keeps_empty_values_and_escapes_keys",
                   encode(Machine{.id = "m1", .metadata = {{"a\"b", ""}, {"c", "d"}}}),
                   R"({"id":"m1","metadata":{"a\"b":"","c":"d"}})"},
        EncodeCase{"empty_unit", encode(Unit{}), "{}"},
        EncodeCase{"no_metadata_ops", encode(std::vector<MachineMetadataOp>{}), "[]"}),
    [](const auto& info) { return info.param.label; });

TEST(DecodeTest, EveryEntityReadsBackWhatItWrote) {
  EXPECT_EQ(decode_unit(encode(kHello)).value(), kHello);
  UnitState state{"a.service", "e55c0aeb44ba0b68004ceb8a200e685194448b45", "m1", "loaded", "active",
                  "running"};
  EXPECT_EQ(decode_unit_state(encode(state)).value(), state);
  Machine machine{"m1", "10.0.0.1", {{"region", "eu"}}};
  EXPECT_EQ(decode_machine(encode(machine)).value(), machine);
  UnitPage units{{kHello, Unit{.name = "b.service"}}, "ZAACAA=="};
  EXPECT_EQ(decode_unit_page(encode(units)).value(), units);
  UnitStatePage states{{state}, ""};
  EXPECT_EQ(decode_unit_state_page(encode(states)).value(), states);
  MachinePage machines{{machine}, "ZAADAA=="};
  EXPECT_EQ(decode_machine_page(encode(machines)).value(), machines);
  ErrorBody error{400, "unit name must contain \".\""};
  EXPECT_EQ(decode_error_body(encode(error)).value(), error);
}

TEST(DecodeTest, AcceptsWhatGoClientsSendUnknownFieldsAndNulls) {
  auto unit =
      decode_unit(R"({"name":"a.service","desiredState":"loaded","options":null,"machineID":null,)"
                  R"("futureField":{"x":[1,2]}})");
  ASSERT_TRUE(unit.has_value()) << unit.error().message;
  EXPECT_EQ(unit->name, "a.service");
  EXPECT_EQ(unit->desired_state, "loaded");
  EXPECT_TRUE(unit->options.empty());
  EXPECT_EQ(unit->machine_id, "");

  EXPECT_EQ(decode_unit_page("{}").value(), UnitPage{});
  EXPECT_EQ(decode_machine_page("null").value(), MachinePage{});
}

struct DecodeErrorCase {
  std::string label;
  std::string json;
  std::string message;
};

class DecodeErrorTest : public ::testing::TestWithParam<DecodeErrorCase> {};

TEST_P(DecodeErrorTest, NamesTheFieldThatDoesNotFit) {
  auto unit = decode_unit(GetParam().json);
  ASSERT_FALSE(unit.has_value());
  EXPECT_EQ(unit.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unit.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    BadUnits, DecodeErrorTest,
    ::testing::Values(
        DecodeErrorCase{"not_an_object", "[1]", "expected a JSON object"},
        DecodeErrorCase{"name_not_a_string", R"({"name":7})", "\"name\" must be a string"},
        DecodeErrorCase{"options_not_an_array", R"({"options":{}})",
                        "\"options\" must be an array"},
        DecodeErrorCase{"option_not_an_object", R"({"options":[{"name":"a"},"x"]})",
                        "\"options\"[1]: expected a JSON object"},
        DecodeErrorCase{"option_value_not_a_string", R"({"options":[{"value":true}]})",
                        "\"options\"[0]: \"value\" must be a string"}),
    [](const auto& info) { return info.param.label; });

TEST(DecodeTest, MalformedJsonSaysWhereItBroke) {
  auto unit = decode_unit(R"({"name": "a.service")");
  ASSERT_FALSE(unit.has_value());
  EXPECT_EQ(unit.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(unit.error().message.starts_with("invalid JSON: ")) << unit.error().message;
}

TEST(DecodeTest, RefusesNestingPastSixtyFourLevelsUnparsed) {
  auto nested = [](size_t depth) {
    return R"({"name":"a.service","x":)" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
  };
  EXPECT_TRUE(decode_unit(nested(64)).has_value());
  auto deep = decode_unit(nested(65));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().message, "invalid JSON: nested deeper than 64 levels");
  EXPECT_FALSE(decode_unit(std::string(1 << 20, '[')).has_value()) << "and is quick about it";
  EXPECT_TRUE(
      decode_unit(R"({"name":"a.service","x":")" + std::string(100, '[') + R"(\"["})").has_value())
      << "brackets in strings, escaped quotes too, do not count";
}

TEST(DecodeTest, AKeyGivenTwiceTakesItsLastValueAsInGo) {
  EXPECT_EQ(decode_unit(R"({"name":"a.service","name":"b.service"})")->name, "b.service");
}

TEST(DecodeTest, MachineMetadataValuesMustBeStrings) {
  auto machine = decode_machine(R"({"id":"m1","metadata":{"size":3}})");
  ASSERT_FALSE(machine.has_value());
  EXPECT_EQ(machine.error().message, "\"metadata\"[\"size\"] must be a string");
}

TEST(DecodeTest, ErrorBodyCodeMustBeAnInteger) {
  auto error = decode_error_body(R"({"error":{"code":"404","message":"x"}})");
  ASSERT_FALSE(error.has_value());
  EXPECT_EQ(error.error().message, "\"error\": \"code\" must be an integer");
}

TEST(DecodeTest, MachineMetadataOpsCarryTheNestedValue) {
  const std::vector<MachineMetadataOp> ops = {{"add", "/m1/metadata/region", "eu"},
                                              {"remove", "/m1/metadata/disk", ""}};
  const std::string encoded = encode(ops);
  EXPECT_EQ(encoded, R"([{"op":"add","path":"/m1/metadata/region","value":{"value":"eu"}},)"
                     R"({"op":"remove","path":"/m1/metadata/disk"}])");
  EXPECT_EQ(decode_machine_metadata_ops(encoded).value(), ops);
  EXPECT_TRUE(decode_machine_metadata_ops("null").value().empty());
  EXPECT_EQ(decode_machine_metadata_ops(R"({"op":"add"})").error().message,
            "expected a JSON array");
  EXPECT_EQ(decode_machine_metadata_ops(R"([{"op":"add","value":"eu"}])").error().message,
            R"([0]."value": expected a JSON object)");
}

TEST(SchemaTest, AUnitIsGlobalByItsXFleetSection) {
  Unit unit{.name = "log.service",
            .options = {{"Service", "ExecStart", "/bin/log"}, {"X-Fleet", "Global", "true"}}};
  EXPECT_TRUE(is_global(unit));
  EXPECT_FALSE(is_global(kHello));
  EXPECT_EQ(unit_file(kHello).serialize(),
            "[Unit]\nDescription=Hello World\n\n[Service]\nExecStart=/bin/echo \"hi\"\n");
}

}  // namespace
}  // namespace fleet::schema
