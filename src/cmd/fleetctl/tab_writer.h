// Column alignment exactly as fleetctl's Go tabwriter does it (minimum width 0, tab width 8,
// padding 1, padded with tabs): what scripts parsing `fleetctl list-units` output rely on.
#pragma once

#include <string>
#include <string_view>

namespace fleet::fleetctl {

// Aligns `text`, whose lines hold tab-terminated cells: a column is as wide as its widest cell
// plus one, rounded up to a multiple of 8, and each cell is followed by as many tabs as reach the
// column's end. The last cell of a line is not part of any column. Columns are aligned over runs of
// consecutive lines that have that column (Go's "column blocks"). Widths count UTF-8 characters.
// Every output line ends in a newline.
std::string align_columns(std::string_view text);

}  // namespace fleet::fleetctl
