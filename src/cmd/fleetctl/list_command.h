// The flow the list commands share: check --fields and --output, fetch the rows, print them as a
// table or, with --output=json, as one JSON document.
#pragma once

#include <span>
#include <string_view>

#include "cmd/fleetctl/context.h"
#include "cmd/fleetctl/printer.h"

namespace fleet::fleetctl {

inline constexpr std::string_view kOutputTable = "table";
inline constexpr std::string_view kOutputJson = "json";

// Prints the rows `fetch(api)` returns in the columns --fields chose (in JSON: every field but
// deprecated ones unless --fields was given); exit status 1 with `<failure>: <why>` on stderr when
// fetching fails.
template <class Row, class Fetch>
int run_list(Context& context, std::span<const Field<Row>> fields, Fetch fetch,
             std::string_view failure) {
  const auto& options = context.options();
  const bool json = options.output == kOutputJson;
  if (!json && options.output != kOutputTable) {
    context.err() << "Invalid output format: \"" << options.output
                  << "\" (use \"table\" or \"json\")\n";
    return 1;
  }
  std::vector<const Field<Row>*> columns;
  if (json && !options.fields_given) {
    for (const auto& field : fields) {
      if (!field.deprecated) columns.push_back(&field);
    }
  } else {
    auto chosen = select_fields<Row>(options.fields, fields);
    if (!chosen) {
      context.err() << chosen.error().message << "\n";
      return 1;
    }
    columns = std::move(*chosen);
  }
  auto rows = fetch(context.api());
  if (!rows) {
    context.err() << failure << ": " << rows.error().message << "\n";
    return 1;
  }
  ShowOptions show{options.full, [&context](std::string_view id) { return context.machine(id); }};
  context.out() << (json ? json_rows(columns, *rows, show)
                         : table(columns, *rows, show, !options.no_legend));
  return 0;
}

}  // namespace fleet::fleetctl
