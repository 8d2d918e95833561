#include "fleet/metrics/registry.h"

#include <algorithm>
#include <utility>

#include "fleet/metrics/internal/check.h"

namespace fleet::metrics {
namespace {

void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += escape_help(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void check_names(const std::string& name, const std::vector<std::string>& label_names) {
  internal::check(valid_metric_name(name), "invalid metric name '" + name + "'");
  for (const auto& label : label_names) {
    // "le" is a histogram's bucket label; "__" names are Prometheus' own.
    internal::check(valid_label_name(label) && label != "le" && !label.starts_with("__"),
                    name + ": invalid label name '" + label + "'");
  }
}

}  // namespace

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  check_names(name, label_names);
  return static_cast<CounterFamily&>(add(
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names))));
}

GaugeFamily& Registry::gauge(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  check_names(name, label_names);
  return static_cast<GaugeFamily&>(
      add(std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names))));
}

HistogramFamily& Registry::histogram(std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> buckets) {
  check_names(name, label_names);
  // Validates the bounds now, not at the first observation.
  (void)Histogram(buckets);
  return static_cast<HistogramFamily&>(add(std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), std::move(label_names), std::move(buckets))));
}

Family& Registry::add(std::unique_ptr<Family> family) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = families_.emplace(family->name(), std::move(family));
  internal::check(inserted, "metric '" + it->first + "' registered twice");
  return *it->second;
}

Registry::CollectorHandle Registry::add_collector(Collector collect) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(collect));
  return CollectorHandle(this, id);
}

void Registry::remove_collector(uint64_t id) {
  std::lock_guard lock(mu_);
  collectors_.erase(id);
}

std::string Registry::render() const {
  // Held throughout: a collector's handle cannot go (with what the collector reads) mid-scrape.
  std::lock_guard lock(mu_);
  std::vector<CollectedFamily> collected;
  for (const auto& [id, collect] : collectors_) {
    for (auto& family : collect()) {
      if (families_.contains(family.name) || !valid_metric_name(family.name)) continue;
      collected.push_back(std::move(family));
    }
  }
  std::sort(collected.begin(), collected.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  // A collected name seen twice keeps its first family only.
  collected.erase(std::unique(collected.begin(), collected.end(),
                              [](const auto& a, const auto& b) { return a.name == b.name; }),
                  collected.end());

  std::string out;
  auto next = collected.begin();
  auto write_collected_before = [&](const std::string* name) {
    for (; next != collected.end() && (!name || next->name < *name); ++next) {
      write_header(out, next->name, next->help, next->type);
      for (const auto& sample : next->samples) {
        write_sample(out, next->name, sample.labels, sample.value);
      }
    }
  };
  for (const auto& [name, family] : families_) {
    write_collected_before(&name);
    write_header(out, name, family->help(), family->type());
    family->write_samples(out);
  }
  write_collected_before(nullptr);
  return out;
}

Registry::CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

Registry::CollectorHandle& Registry::CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

Registry::CollectorHandle::~CollectorHandle() { reset(); }

void Registry::CollectorHandle::reset() {
  if (registry_) std::exchange(registry_, nullptr)->remove_collector(id_);
}

}  // namespace fleet::metrics
