// The list commands' tables (spec §1.6): `--fields` chooses columns by name, the legend is the
// names upper-cased, `--no-legend` drops it, and columns are aligned as fleetctl's tabwriter does.
// `--output=json` (an addition) prints the same rows as one JSON array of objects named by the
// fields.
//
// Example:
//   constexpr Field<schema::Machine> kFields[] = {
//       {"machine", [](const schema::Machine& m, const ShowOptions& o) {
//          return machine_id_legend(m.id, o.full); }},
//       {"ip", ...}};
//   auto columns = select_fields<schema::Machine>("machine,ip", kFields);
//   if (!columns) { err << columns.error().message << "\n"; return 1; }
//   out << table(*columns, machines, ShowOptions{}, /*legend=*/true);
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fleet/base/error.h"
#include "fleet/schema/schema.h"

namespace fleet::fleetctl {

// What a cell may need besides its row.
struct ShowOptions {
  bool full = false;  // --full: whole IDs and hashes
  // The machine with an ID, for legends with its IP; may return nullptr.
  std::function<const schema::Machine*(std::string_view id)> machine =
      [](std::string_view) -> const schema::Machine* { return nullptr; };
};

// A cell as --output=json shows it: null (no value), a boolean, a string, or an object of strings
// (machine metadata).
using JsonCell =
    std::variant<std::monostate, bool, std::string, std::map<std::string, std::string>>;

// null for an empty text: JSON says "no value" with null where a table shows "-".
JsonCell text_or_null(const std::string& text);

// One column: the name --fields uses, how a row shows in it, and how in JSON.
template <class Row>
struct Field {
  std::string_view name;
  std::string (*show)(const Row& row, const ShowOptions& options);
  // nullptr: the JSON cell is the text `show` gives with --full.
  JsonCell (*json)(const Row& row) = nullptr;
  // Kept for old --fields lists only: not among "every field".
  bool deprecated = false;
};

// Indexes into `names` of the columns `spec` (comma separated) asks for.
// kInvalidArgument `Must define output format` for an empty spec, `Invalid key in output format:
// "x"` for an unknown name.
Result<std::vector<size_t>> select_columns(std::string_view spec,
                                           std::span<const std::string_view> names);

// `Columns to print for each <what>. Valid fields are "a,b,c"` (names sorted).
std::string fields_usage(std::string_view what, std::vector<std::string_view> names);

// `[{"<name>": <cell>, ...}, ...]`, keys in the order of `names`, two-space indented, with a final
// newline; `[]` for no rows.
std::string json_document(const std::vector<std::string_view>& names,
                          const std::vector<std::vector<JsonCell>>& rows);

// Aligned text of `rows` (cells per row), headed by `header` upper-cased unless it is empty.
std::string aligned_table(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows);

// A machine as lists name it: the first 8 characters of its ID and "...", or the whole ID with
// `full`.
std::string machine_id_legend(std::string_view id, bool full);
// The ID legend, then "/<IP>" when the machine has one: "113f16a7.../172.17.8.103".
std::string machine_legend(const schema::Machine& machine, bool full);
// The legend of the machine with `id`, with its IP when options.machine knows it; "-" for none.
std::string machine_legend(std::string_view id, const ShowOptions& options);

template <class Row>
std::vector<std::string_view> field_names(std::span<const Field<Row>> fields) {
  std::vector<std::string_view> names;
  for (const auto& field : fields) names.push_back(field.name);
  return names;
}

template <class Row>
Result<std::vector<const Field<Row>*>> select_fields(std::string_view spec,
                                                     std::span<const Field<Row>> fields) {
  auto indexes = select_columns(spec, field_names(fields));
  if (!indexes) return fail(indexes.error());
  std::vector<const Field<Row>*> columns;
  for (size_t index : *indexes) columns.push_back(&fields[index]);
  return columns;
}

template <class Row>
std::string table(const std::vector<const Field<Row>*>& columns, const std::vector<Row>& rows,
                  const ShowOptions& options, bool legend) {
  std::vector<std::string> header;
  if (legend) {
    for (const auto* column : columns) header.emplace_back(column->name);
  }
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (const auto* column : columns) line.push_back(column->show(row, options));
  }
  return aligned_table(header, cells);
}

// Every row as one JSON document (json_document); values are never shortened.
template <class Row>
std::string json_rows(const std::vector<const Field<Row>*>& columns, const std::vector<Row>& rows,
                      ShowOptions options) {
  options.full = true;
  std::vector<std::string_view> names;
  for (const auto* column : columns) names.push_back(column->name);
  std::vector<std::vector<JsonCell>> cells;
  cells.reserve(rows.size());
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (const auto* column : columns) {
      line.push_back(column->json ? column->json(row) : JsonCell(column->show(row, options)));
    }
  }
  return json_document(names, cells);
}

}  // namespace fleet::fleetctl
