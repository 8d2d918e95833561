#include "cmd/fleetctl/tab_writer.h"

#include <algorithm>
#include <vector>

namespace fleet::fleetctl {
namespace {

constexpr size_t kTabWidth = 8;
constexpr size_t kPadding = 1;

struct Cell {
  std::string_view text;
  size_t width = 0;  // in characters
};

using Line = std::vector<Cell>;

size_t characters(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

// Go's Writer.format: finds the blocks of lines that have cell `widths.size()`, fixes that
// column's width per block and recurses into the next column.
class Formatter {
 public:
  explicit Formatter(const std::vector<Line>& lines) : lines_(lines) {}

  std::string run() {
    format(0, lines_.size());
    return std::move(out_);
  }

 private:
  void format(size_t line0, size_t line1) {
    const size_t column = widths_.size();
    for (size_t current = line0; current < line1; ++current) {
      if (column + 1 >= lines_[current].size()) continue;
      write_lines(line0, current);
      line0 = current;
      size_t width = 0;
      for (; current < line1 && column + 1 < lines_[current].size(); ++current) {
        width = std::max(width, lines_[current][column].width + kPadding);
      }
      widths_.push_back(width);
      format(line0, current);
      widths_.pop_back();
      // `current` lacks the column (it ended the block), so the loop's ++ may pass over it.
      line0 = current;
    }
    write_lines(line0, line1);
  }

  void write_lines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const Line& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_.append(line[j].text);
        if (j < widths_.size()) pad(line[j].width, widths_[j]);
      }
      out_.push_back('\n');
    }
  }

  // Tabs up to the column's end, the column being rounded up to whole tab stops.
  void pad(size_t text_width, size_t cell_width) {
    cell_width = (cell_width + kTabWidth - 1) / kTabWidth * kTabWidth;
    out_.append((cell_width - text_width + kTabWidth - 1) / kTabWidth, '\t');
  }

  const std::vector<Line>& lines_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

std::string align_columns(std::string_view text) {
  std::vector<Line> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view row = text.substr(0, end);
    Line line;
    for (;;) {
      auto tab = row.find('\t');
      line.push_back({row.substr(0, tab), characters(row.substr(0, tab))});
      if (tab == std::string_view::npos) break;
      row.remove_prefix(tab + 1);
    }
    lines.push_back(std::move(line));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return Formatter(lines).run();
}

}  // namespace fleet::fleetctl
