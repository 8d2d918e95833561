#include "cmd/fleetctl/tab_writer.h"

#include <gtest/gtest.h>

namespace fleet::fleetctl {
namespace {

struct Case {
  std::string label;
  std::string text;
  std::string aligned;
};

class AlignColumnsTest : public ::testing::TestWithParam<Case> {};

// Expected outputs follow Go's text/tabwriter with fleetctl's settings (0, 8, 1, '\t', 0).
TEST_P(AlignColumnsTest, PadsLikeGosTabwriter) {
  EXPECT_EQ(align_columns(GetParam().text), GetParam().aligned);
}

INSTANTIATE_TEST_SUITE_P(
    Tables, AlignColumnsTest,
    ::testing::Values(
        // Column 0 is 11+1 wide, rounded to 16: "MACHINE" needs two tabs, the legend one.
        Case{"machines", "MACHINE\tIP\tMETADATA\nabcdefgh...\t10.0.0.1\t-\n",
             "MACHINE\t\tIP\t\tMETADATA\nabcdefgh...\t10.0.0.1\t-\n"},
        Case{"unit_files",
             "UNIT\tHASH\tDSTATE\tSTATE\tTARGET\nhello.service\te55c0ae\tinactive\tinactive\t-\n",
             "UNIT\t\tHASH\tDSTATE\t\tSTATE\t\tTARGET\n"
             "hello.service\te55c0ae\tinactive\tinactive\t-\n"},
        Case{"seven_wide_fits_one_tab_stop", "1234567\tx\nab\ty\n", "1234567\tx\nab\ty\n"},
        Case{"eight_wide_needs_the_next_stop", "12345678\tx\nab\ty\n", "12345678\tx\nab\t\ty\n"},
        Case{"last_cell_is_not_a_column", "a\tvery long last cell\nb\tc\n",
             "a\tvery long last cell\nb\tc\n"},
        // Column 1 exists only on the first line, so it is aligned on its own.
        Case{"column_blocks", "a\tb\tc\nlonger-cell\td\n", "a\t\tb\tc\nlonger-cell\td\n"},
        Case{"a_line_without_cells_ends_a_block", "a\tb\nseparator\nlonger-cell\tc\n",
             "a\tb\nseparator\nlonger-cell\tc\n"},
        Case{"empty_cell", "\tx\nabcdefghijk\ty\n", "\t\tx\nabcdefghijk\ty\n"},
        Case{"width_counts_characters_not_bytes",
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\tx\nab\ty\n",
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\tx\nab\ty\n"},
        Case{"no_text", "", ""}),
    [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace fleet::fleetctl
