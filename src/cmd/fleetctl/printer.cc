#include "cmd/fleetctl/printer.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "cmd/fleetctl/tab_writer.h"

namespace fleet::fleetctl {
namespace {

constexpr size_t kShortIdLength = 8;

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

void append_row(std::string& text, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) text.push_back('\t');
    text.append(cells[i]);
  }
  text.push_back('\n');
}

}  // namespace

Result<std::vector<size_t>> select_columns(std::string_view spec,
                                           std::span<const std::string_view> names) {
  if (spec.empty()) return fail(ErrorCode::kInvalidArgument, "Must define output format");
  std::vector<size_t> columns;
  for (;;) {
    auto comma = spec.find(',');
    std::string_view name = spec.substr(0, comma);
    auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
      return fail(ErrorCode::kInvalidArgument,
                  "Invalid key in output format: \"" + std::string(name) + "\"");
    }
    columns.push_back(static_cast<size_t>(found - names.begin()));
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return columns;
}

std::string fields_usage(std::string_view what, std::vector<std::string_view> names) {
  std::sort(names.begin(), names.end());
  std::string joined;
  for (auto name : names) {
    if (!joined.empty()) joined.push_back(',');
    joined.append(name);
  }
  return "Columns to print for each " + std::string(what) + ". Valid fields are \"" + joined + "\"";
}

JsonCell text_or_null(const std::string& text) {
  if (text.empty()) return std::monostate();
  return text;
}

std::string json_document(const std::vector<std::string_view>& names,
                          const std::vector<std::vector<JsonCell>>& rows) {
  // Ordered: the keys keep the order of the columns.
  using Json = nlohmann::ordered_json;
  Json document = Json::array();
  for (const auto& row : rows) {
    Json object = Json::object();
    for (size_t i = 0; i < names.size() && i < row.size(); ++i) {
      Json& value = object[std::string(names[i])];
      std::visit(
          [&value](const auto& cell) {
            if constexpr (std::is_same_v<std::decay_t<decltype(cell)>, std::monostate>) {
              value = nullptr;
            } else {
              value = cell;
            }
          },
          row[i]);
    }
    document.push_back(std::move(object));
  }
  // Unit files are bytes as written: invalid UTF-8 becomes U+FFFD rather than an exception.
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string aligned_table(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows) {
  std::string text;
  if (!header.empty()) {
    std::vector<std::string> legend;
    legend.reserve(header.size());
    for (const auto& name : header) legend.push_back(upper(name));
    append_row(text, legend);
  }
  for (const auto& row : rows) append_row(text, row);
  return align_columns(text);
}

std::string machine_id_legend(std::string_view id, bool full) {
  if (full) return std::string(id);
  return std::string(id.substr(0, kShortIdLength)) + "...";
}

std::string machine_legend(const schema::Machine& machine, bool full) {
  std::string legend = machine_id_legend(machine.id, full);
  if (!machine.primary_ip.empty()) legend += "/" + machine.primary_ip;
  return legend;
}

std::string machine_legend(std::string_view id, const ShowOptions& options) {
  if (id.empty()) return "-";
  const schema::Machine* machine = options.machine(id);
  return machine ? machine_legend(*machine, options.full) : machine_id_legend(id, options.full);
}

}  // namespace fleet::fleetctl
