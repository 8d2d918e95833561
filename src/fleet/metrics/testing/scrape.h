// Prometheus' text exposition format 0.0.4 read back, strictly enough for tests to trust what a
// scrape of GET /metrics says: every sample belongs to a family announced by HELP and TYPE (a
// histogram's through _bucket, _sum and _count), label values are unescaped, and anything
// malformed is listed in `errors` rather than skipped.
//
// Example:
//   auto scrape = Scrape::parse(body);
//   EXPECT_THAT(scrape.errors, IsEmpty());
//   EXPECT_EQ(scrape.types.at("fleet_units"), "gauge");
//   EXPECT_GT(scrape.value("fleet_units{desired_state=\"launched\"}"), 0);
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleet::metrics::testing {

struct Scrape {
  struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
  };

  std::map<std::string, std::string> types;  // family name -> counter|gauge|histogram|...
  std::map<std::string, std::string> helps;  // family name -> HELP text (escaped as written)
  std::vector<Sample> samples;
  // Each sample's value by its series as written: name{label="value",...}.
  std::map<std::string, double> series;
  std::vector<std::string> errors;  // one line each, with what is wrong

  static Scrape parse(const std::string& text) {
    Scrape scrape;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
        const std::string rest = line.substr(7);
        const size_t space = rest.find(' ');
        const std::string name = rest.substr(0, space);
        const std::string value = space == std::string::npos ? "" : rest.substr(space + 1);
        (line[2] == 'H' ? scrape.helps : scrape.types)[name] = value;
        continue;
      }
      if (line.front() == '#') continue;
      scrape.parse_sample(line);
    }
    for (const auto& [name, type] : scrape.types) {
      if (!scrape.helps.contains(name)) scrape.errors.push_back(name + ": TYPE without HELP");
    }
    return scrape;
  }

  // The value of a series as written, or -1 when the scrape has no such series.
  double value(const std::string& series_text) const {
    auto found = series.find(series_text);
    return found == series.end() ? -1 : found->second;
  }

  // Every value label `label` takes among the samples named `name`.
  std::set<std::string> label_values(const std::string& name, const std::string& label) const {
    std::set<std::string> values;
    for (const auto& sample : samples) {
      if (sample.name != name) continue;
      if (auto found = sample.labels.find(label); found != sample.labels.end()) {
        values.insert(found->second);
      }
    }
    return values;
  }

 private:
  // The family a sample named `name` belongs to, or "" when no TYPE announced one.
  std::string family_of(const std::string& name) const {
    if (types.contains(name)) return name;
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (!name.ends_with(suffix)) continue;
      auto base = name.substr(0, name.size() - suffix.size());
      if (auto found = types.find(base); found != types.end() && found->second == "histogram") {
        return base;
      }
    }
    return "";
  }

  void parse_sample(const std::string& line) {
    Sample sample;
    size_t at = 0;
    while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
    sample.name = line.substr(0, at);
    if (at < line.size() && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        const size_t equals = line.find("=\"", at);
        if (equals == std::string::npos) return error(line, "label without =\"");
        const std::string label = line.substr(at, equals - at);
        std::string value;
        at = equals + 2;
        for (; at < line.size() && line[at] != '"'; ++at) {
          if (line[at] != '\\') {
            value += line[at];
            continue;
          }
          if (++at == line.size()) return error(line, "escape at end of line");
          value += line[at] == 'n' ? '\n' : line[at];
        }
        if (at == line.size()) return error(line, "unterminated label value");
        ++at;  // the closing quote
        if (!sample.labels.emplace(label, value).second) return error(line, "label repeated");
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at == line.size()) return error(line, "unterminated label set");
      ++at;  // '}'
    }
    if (at >= line.size() || line[at] != ' ') return error(line, "no value");
    const std::string value = line.substr(at + 1);
    if (value == "+Inf") {
      sample.value = HUGE_VAL;
    } else if (value == "-Inf") {
      sample.value = -HUGE_VAL;
    } else if (value == "NaN") {
      sample.value = NAN;
    } else {
      char* end = nullptr;
      sample.value = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0') return error(line, "value is not a number");
    }
    if (family_of(sample.name).empty()) return error(line, "no TYPE announced its family");
    series[line.substr(0, at)] = sample.value;
    samples.push_back(std::move(sample));
  }

  void error(const std::string& line, const std::string& what) {
    errors.push_back(line + ": " + what);
  }
};

}  // namespace fleet::metrics::testing
