#include "fleet/metrics/registry.h"

#include <cmath>
#include <limits>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fleet::metrics {
namespace {

using ::testing::HasSubstr;

TEST(TextFormat, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value(R"(a\b"c)"
                               "\nd"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(escape_label_value("plain value"), "plain value");
}

TEST(TextFormat, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(escape_help("say \"hi\"\\\nbye"), "say \"hi\"\\\\\\nbye");
}

TEST(TextFormat, ValuesUseTheSpellingsPrometheusParses) {
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(-1.5), "-1.5");
  EXPECT_EQ(format_value(1764000000), "1764000000");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(TextFormat, Names) {
  EXPECT_TRUE(valid_metric_name("fleet_engine:x_1"));
  EXPECT_FALSE(valid_metric_name("1fleet"));
  EXPECT_FALSE(valid_metric_name("fleet-engine"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("_type2"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

TEST(Registry, RendersHelpTypeAndSamplesWithEscapedLabels) {
  Registry registry;
  auto& ops = registry.counter("ops_total", "Operations,\nby \\type.", {"type", "where"});
  ops.with({"get", "a \"quoted\"\\path\nx"}).inc(2);
  ops.with({"set", "b"}).inc();
  registry.gauge("up", "Whether up.").with({}).set(1);

  EXPECT_EQ(registry.render(),
            "# HELP ops_total Operations,\\nby \\\\type.\n"
            "# TYPE ops_total counter\n"
            "ops_total{type=\"get\",where=\"a \\\"quoted\\\"\\\\path\\nx\"} 2\n"
            "ops_total{type=\"set\",where=\"b\"} 1\n"
            "# HELP up Whether up.\n"
            "# TYPE up gauge\n"
            "up 1\n");
}

TEST(Registry, FamiliesAreSortedByNameWhateverTheOrderOfRegistration) {
  Registry registry;
  registry.counter("zeta_total", "z").with({});
  registry.gauge("alpha", "a").with({});
  registry.histogram("mid_seconds", "m", {}, {1});
  const std::string text = registry.render();
  const auto alpha = text.find("# HELP alpha");
  const auto mid = text.find("# HELP mid_seconds");
  const auto zeta = text.find("# HELP zeta_total");
  ASSERT_NE(alpha, std::string::npos);
  EXPECT_LT(alpha, mid);
  EXPECT_LT(mid, zeta);
}

TEST(Registry, AFamilyWithoutSeriesStillShowsHelpAndType) {
  Registry registry;
  registry.counter("failures_total", "Failures.", {"type"});
  EXPECT_EQ(registry.render(), "# HELP failures_total Failures.\n# TYPE failures_total counter\n");
}

TEST(Registry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& latency = registry.histogram("latency_seconds", "Latency.", {"ops"}, {0.25, 0.5, 1});
  auto& get = latency.with({"get"});
  get.observe(0.125);
  get.observe(0.25);  // on a bound: counted in le="0.25" (less than or equal)
  get.observe(0.75);
  get.observe(3);

  EXPECT_EQ(registry.render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{ops=\"get\",le=\"0.25\"} 2\n"
            "latency_seconds_bucket{ops=\"get\",le=\"0.5\"} 2\n"
            "latency_seconds_bucket{ops=\"get\",le=\"1\"} 3\n"
            "latency_seconds_bucket{ops=\"get\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{ops=\"get\"} 4.125\n"
            "latency_seconds_count{ops=\"get\"} 4\n");
}

TEST(Registry, AnEmptyHistogramHasZeroBuckets) {
  Registry registry;
  registry.histogram("pass_seconds", "Pass.", {}, {1}).with({});
  EXPECT_THAT(registry.render(), HasSubstr("pass_seconds_bucket{le=\"1\"} 0\n"
                                           "pass_seconds_bucket{le=\"+Inf\"} 0\n"
                                           "pass_seconds_sum 0\n"
                                           "pass_seconds_count 0\n"));
}

TEST(Registry, CountersIgnoreNegativeIncrementsAndGaugesAreSet) {
  Registry registry;
  auto& counter = registry.counter("c_total", "c").with({});
  counter.inc(3);
  counter.inc(-1);
  EXPECT_EQ(counter.value(), 3);
  auto& gauge = registry.gauge("g", "g").with({});
  gauge.set(10);
  gauge.add(-4);
  EXPECT_EQ(gauge.value(), 6);
}

TEST(Registry, SeriesAreStableAndCountFromManyThreads) {
  Registry registry;
  auto& family = registry.counter("hits_total", "h", {"type"});
  auto& hits = family.with({"x"});
  EXPECT_EQ(&hits, &family.with({"x"}));
  auto& histogram = registry.histogram("h_seconds", "h", {}, {1}).with({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        hits.inc();
        histogram.observe(0.5);
        if (i % 100 == 0) (void)registry.render();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(hits.value(), 4000);
  auto snap = histogram.snapshot();
  EXPECT_EQ(snap.count, 4000u);
  EXPECT_EQ(snap.cumulative.front(), 4000u);
  EXPECT_EQ(snap.sum, 2000);
}

TEST(Registry, CollectorsRenderAmongFamiliesUntilTheirHandleGoes) {
  Registry registry;
  registry.gauge("b_registered", "b").with({}).set(2);
  auto handle = registry.add_collector([] {
    return std::vector<CollectedFamily>{
        {"c_collected", "c", Gauge::kType, {{{{"state", "x\"y"}}, 5}}},
        {"a_collected", "a", Gauge::kType, {{{}, 1}}},
        {"b_registered", "clash: dropped", Gauge::kType, {{{}, 99}}}};
  });
  EXPECT_EQ(registry.render(),
            "# HELP a_collected a\n# TYPE a_collected gauge\na_collected 1\n"
            "# HELP b_registered b\n# TYPE b_registered gauge\nb_registered 2\n"
            "# HELP c_collected c\n# TYPE c_collected gauge\nc_collected{state=\"x\\\"y\"} 5\n");
  handle = {};
  EXPECT_EQ(registry.render(),
            "# HELP b_registered b\n# TYPE b_registered gauge\nb_registered 2\n");
}

TEST(RegistryDeathTest, ANameRegisteredTwiceIsAProgrammingError) {
  Registry registry;
  registry.counter("twice_total", "t");
  EXPECT_DEATH(registry.counter("twice_total", "t"), "registered twice");
  EXPECT_DEATH(registry.gauge("bad-name", "b"), "invalid metric name");
  EXPECT_DEATH(registry.histogram("h", "h", {"le"}), "invalid label name");
  EXPECT_DEATH(registry.histogram("h2", "h", {}, {2, 1}), "ascending");
}

}  // namespace
}  // namespace fleet::metrics
