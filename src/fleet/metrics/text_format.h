// The pieces of Prometheus' text exposition format 0.0.4 that every metric type shares: escaping,
// number formatting and one sample line. Registry (registry.h) puts them together.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleet::metrics {

// One series' labels, (name, value) in the family's label order.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kTextMediaType = "text/plain; version=0.0.4; charset=utf-8";

// A label value with backslash, double quote and newline escaped (\\, \", \n).
std::string escape_label_value(std::string_view value);
// HELP text with backslash and newline escaped (quotes stay as they are there).
std::string escape_help(std::string_view help);
// The shortest text that reads back as `value`, whole numbers as integers: "3", "1764000000",
// "0.25", "1e+300", "+Inf", "-Inf", "NaN".
std::string format_value(double value);

// Appends `name{a="x",b="y"} value\n` (no braces without labels).
void write_sample(std::string& out, std::string_view name, const LabelPairs& labels, double value);

// Whether `name` may name a metric ([a-zA-Z_:][a-zA-Z0-9_:]*) or a label ([a-zA-Z_][a-zA-Z0-9_]*).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace fleet::metrics
