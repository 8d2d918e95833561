#include "cmd/fleetctl/printer.h"

#include <gtest/gtest.h>

namespace fleet::fleetctl {
namespace {

using schema::Machine;

constexpr Field<Machine> kFields[] = {
    {"machine",
     [](const Machine& m, const ShowOptions& o) { return machine_id_legend(m.id, o.full); }},
    {"ip", [](const Machine& m, const ShowOptions&) { return m.primary_ip; }},
};

TEST(PrinterTest, FieldsAreChosenByNameInTheOrderGiven) {
  auto columns = select_fields<Machine>("ip,machine,ip", kFields);
  ASSERT_TRUE(columns.has_value());
  ASSERT_EQ(columns->size(), 3u);
  EXPECT_EQ((*columns)[0]->name, "ip");
  EXPECT_EQ((*columns)[1]->name, "machine");
}

TEST(PrinterTest, BadFieldListsAreRefusedWithTheOriginalsMessages) {
  auto empty = select_fields<Machine>("", kFields);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().message, "Must define output format");
  auto unknown = select_fields<Machine>("machine,bogus", kFields);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "Invalid key in output format: \"bogus\"");
  auto trailing_comma = select_fields<Machine>("machine,", kFields);
  ASSERT_FALSE(trailing_comma.has_value());
  EXPECT_EQ(trailing_comma.error().message, "Invalid key in output format: \"\"");
}

TEST(PrinterTest, TheLegendIsTheFieldNamesUpperCased) {
  std::vector<Machine> machines = {{"2c1f8e3a9b7d4c6e", "10.0.0.7", {}}};
  auto columns = select_fields<Machine>("machine,ip", kFields).value();
  EXPECT_EQ(table(columns, machines, ShowOptions{}, /*legend=*/true),
            "MACHINE\t\tIP\n2c1f8e3a...\t10.0.0.7\n");
  EXPECT_EQ(table(columns, machines, ShowOptions{.full = true}, /*legend=*/false),
            "2c1f8e3a9b7d4c6e\t10.0.0.7\n");
}

TEST(PrinterTest, FieldsUsageListsTheNamesSorted) {
  EXPECT_EQ(fields_usage("Machine", field_names<Machine>(kFields)),
            "Columns to print for each Machine. Valid fields are \"ip,machine\"");
}

TEST(PrinterTest, MachineLegendsShortenTheIdAndAddTheIp) {
  Machine machine{"113f16a7d2a14e5c9b3b4e6f7a8b9c0d", "172.17.8.103", {}};
  EXPECT_EQ(machine_legend(machine, false), "113f16a7.../172.17.8.103");
  EXPECT_EQ(machine_legend(machine, true), "113f16a7d2a14e5c9b3b4e6f7a8b9c0d/172.17.8.103");
  EXPECT_EQ(machine_legend(Machine{"m1", "", {}}, false), "m1...");

  ShowOptions options;
  EXPECT_EQ(machine_legend("113f16a7d2a14e5c9b3b4e6f7a8b9c0d", options), "113f16a7...")
      << "a machine not listed is shown by its ID";
  options.machine = [&](std::string_view) { return &machine; };
  EXPECT_EQ(machine_legend("113f16a7d2a14e5c9b3b4e6f7a8b9c0d", options),
            "113f16a7.../172.17.8.103");
  EXPECT_EQ(machine_legend("", options), "-");
}

TEST(PrinterTest, JsonRowsAreObjectsKeyedByFieldInColumnOrder) {
  constexpr Field<Machine> kTyped[] = {
      {"machine",
       [](const Machine& m, const ShowOptions& o) { return machine_id_legend(m.id, o.full); }},
      {"ip", [](const Machine& m, const ShowOptions&) { return m.primary_ip; },
       [](const Machine& m) { return text_or_null(m.primary_ip); }},
      {"metadata", [](const Machine&, const ShowOptions&) { return std::string("-"); },
       [](const Machine& m) { return JsonCell(m.metadata); }},
      {"small", [](const Machine&, const ShowOptions&) { return std::string("false"); },
       [](const Machine& m) { return JsonCell(m.id.size() < 10); }},
  };
  std::vector<Machine> machines = {{"2c1f8e3a9b7d4c6e", "", {{"b", "2"}, {"a", "\"1\""}}}};
  auto columns = select_fields<Machine>("small,metadata,ip,machine", kTyped).value();
  EXPECT_EQ(json_rows(columns, machines, ShowOptions{}),
            "[\n"
            "  {\n"
            "    \"small\": false,\n"
            "    \"metadata\": {\n"
            "      \"a\": \"\\\"1\\\"\",\n"
            "      \"b\": \"2\"\n"
            "    },\n"
            "    \"ip\": null,\n"
            "    \"machine\": \"2c1f8e3a9b7d4c6e\"\n"
            "  }\n"
            "]\n")
      << "a field without its own JSON shows its --full text";
  EXPECT_EQ(json_rows(columns, std::vector<Machine>{}, ShowOptions{}), "[]\n");
}

TEST(PrinterTest, JsonKeepsInvalidUtf8Printable) {
  EXPECT_EQ(json_document({"desc"}, {{JsonCell(std::string("caf\xe9"))}}),
            "[\n  {\n    \"desc\": \"caf\xef\xbf\xbd\"\n  }\n]\n");
}

}  // namespace
}  // namespace fleet::fleetctl
