// The flow the list commands share: check --fields, fetch the rows, print the table.
#pragma once

#include <span>
#include <string_view>

#include "cmd/fleetctl/context.h"
#include "cmd/fleetctl/printer.h"

namespace fleet::fleetctl {

// Prints the rows `fetch(api)` returns in the columns --fields chose; exit status 1 with
// `<failure>: <why>` on stderr when fetching fails.
template <class Row, class Fetch>
int run_list(Context& context, std::span<const Field<Row>> fields, Fetch fetch,
             std::string_view failure) {
  const auto& options = context.options();
  auto columns = select_fields<Row>(options.fields, fields);
  if (!columns) {
    context.err() << columns.error().message << "\n";
    return 1;
  }
  auto rows = fetch(context.api());
  if (!rows) {
    context.err() << failure << ": " << rows.error().message << "\n";
    return 1;
  }
  ShowOptions show{options.full, [&context](std::string_view id) { return context.machine(id); }};
  context.out() << table(*columns, *rows, show, !options.no_legend);
  return 0;
}

}  // namespace fleet::fleetctl
