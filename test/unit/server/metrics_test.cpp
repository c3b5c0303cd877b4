// Tests of the metrics registry (src/server/metrics.h): exact Prometheus 0.0.4 text, families,
// escaping, cumulative histogram buckets, refused registrations and concurrent updates.
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace crsync::server {
namespace {

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.RenderPrometheus(), "");
}

TEST(MetricsTest, CounterAndGaugeRenderExactly) {
  MetricsRegistry registry;
  Counter& messages = registry.AddCounter("crsync_messages_total", "Messages received.");
  Gauge& connections = registry.AddGauge("crsync_connections", "Open connections.");
  messages.Inc();
  messages.Inc(41);
  connections.Set(5);
  connections.Add(-7);
  EXPECT_EQ(messages.value(), 42u);
  EXPECT_EQ(connections.value(), -2);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP crsync_messages_total Messages received.\n"
            "# TYPE crsync_messages_total counter\n"
            "crsync_messages_total 42\n"
            "# HELP crsync_connections Open connections.\n"
            "# TYPE crsync_connections gauge\n"
            "crsync_connections -2\n");
}

TEST(MetricsTest, SameNameWithOtherLabelsIsOneFamily) {
  MetricsRegistry registry;
  Counter& a = registry.AddCounter("rx_total", "Bytes in.", {{"room", "a"}});
  Counter& b = registry.AddCounter("rx_total", "ignored second help", {{"room", "b"}});
  Counter& a_again = registry.AddCounter("rx_total", "Bytes in.", {{"room", "a"}});
  EXPECT_EQ(&a, &a_again);
  EXPECT_NE(&a, &b);
  a.Inc(3);
  b.Inc(4);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP rx_total Bytes in.\n"
            "# TYPE rx_total counter\n"
            "rx_total{room=\"a\"} 3\n"
            "rx_total{room=\"b\"} 4\n");
}

TEST(MetricsTest, LabelsAreSortedSoOrderDoesNotMakeANewSeries) {
  MetricsRegistry registry;
  Gauge& first = registry.AddGauge("g", "h", {{"zone", "1"}, {"app", "x"}});
  Gauge& second = registry.AddGauge("g", "h", {{"app", "x"}, {"zone", "1"}});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(registry.RenderPrometheus(), "# HELP g h\n# TYPE g gauge\ng{app=\"x\",zone=\"1\"} 0\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.AddCounter("c", "line1\nline2 back\\slash \"quotes\" stay",
                      {{"room", "a\\b\"c\nd"}, {"bad", "\xff"}});
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP c line1\\nline2 back\\\\slash \"quotes\" stay\n"
            "# TYPE c counter\n"
            "c{bad=\"\xEF\xBF\xBD\",room=\"a\\\\b\\\"c\\nd\"} 0\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  Histogram& latency =
      registry.AddHistogram("latency_seconds", "Latency.", {0.1, 0.5, 1}, {{"op", "apply"}});
  for (double value : {0.05, 0.1, 0.2, 0.7, 3.0, 0.0}) latency.Observe(value);
  latency.Observe(std::numeric_limits<double>::quiet_NaN());  // ignored
  EXPECT_EQ(latency.count(), 6u);
  EXPECT_DOUBLE_EQ(latency.sum(), 4.05);
  EXPECT_EQ(latency.bucket_count(0), 3u);  // 0.05, 0.1 (le is inclusive), 0.0
  EXPECT_EQ(latency.bucket_count(3), 1u);  // 3.0
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{op=\"apply\",le=\"0.1\"} 3\n"
            "latency_seconds_bucket{op=\"apply\",le=\"0.5\"} 4\n"
            "latency_seconds_bucket{op=\"apply\",le=\"1\"} 5\n"
            "latency_seconds_bucket{op=\"apply\",le=\"+Inf\"} 6\n"
            "latency_seconds_sum{op=\"apply\"} 4.05\n"
            "latency_seconds_count{op=\"apply\"} 6\n");
}

TEST(MetricsTest, HistogramWithoutLabelsAndWithTrailingInf) {
  MetricsRegistry registry;
  Histogram& sizes =
      registry.AddHistogram("sizes", "Sizes.", {1000, std::numeric_limits<double>::infinity()});
  sizes.Observe(2000);
  sizes.Observe(-1);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP sizes Sizes.\n"
            "# TYPE sizes histogram\n"
            "sizes_bucket{le=\"1000\"} 1\n"
            "sizes_bucket{le=\"+Inf\"} 2\n"
            "sizes_sum 1999\n"
            "sizes_count 2\n");
}

TEST(MetricsTest, ExponentialBuckets) {
  EXPECT_EQ(ExponentialBuckets(0.001, 10, 4), (std::vector<double>{0.001, 0.01, 0.1, 1}));
  EXPECT_TRUE(ExponentialBuckets(0, 2, 3).empty());
  EXPECT_TRUE(ExponentialBuckets(1, 1, 3).empty());
  EXPECT_TRUE(ExponentialBuckets(1, 2, 0).empty());
}

TEST(MetricsTest, NameValidation) {
  EXPECT_TRUE(ValidateMetricName("crsync:rooms_open_total").ok());
  EXPECT_TRUE(ValidateMetricName("_x9").ok());
  EXPECT_FALSE(ValidateMetricName("").ok());
  EXPECT_FALSE(ValidateMetricName("9lives").ok());
  EXPECT_FALSE(ValidateMetricName("has-dash").ok());
  EXPECT_FALSE(ValidateMetricName("sp ace").ok());
  EXPECT_TRUE(ValidateLabelName("room").ok());
  EXPECT_FALSE(ValidateLabelName("__name__").ok());
  EXPECT_FALSE(ValidateLabelName("a:b").ok());
  EXPECT_FALSE(ValidateLabelName("").ok());
}

TEST(MetricsTest, RefusedRegistrationsGetDetachedWorkingMetrics) {
  MetricsRegistry registry;
  registry.AddCounter("ok_total", "fine");
  Counter& bad_name = registry.AddCounter("bad-name", "x");
  Gauge& type_clash = registry.AddGauge("ok_total", "now a gauge?");
  Counter& bad_label = registry.AddCounter("c2", "x", {{"__reserved", "v"}});
  Counter& duplicate_label = registry.AddCounter("c3", "x", {{"a", "1"}, {"a", "2"}});
  Histogram& le_label = registry.AddHistogram("h1", "x", {1}, {{"le", "1"}});
  Histogram& unsorted = registry.AddHistogram("h2", "x", {2, 1});
  Histogram& nan_bound = registry.AddHistogram("h3", "x", {std::nan("")});
  registry.AddHistogram("h4", "x", {1, 2});
  Histogram& other_bounds = registry.AddHistogram("h4", "x", {1, 3}, {{"k", "v"}});
  EXPECT_EQ(registry.refused_registrations(), 8u);
  // Detached metrics still work for their callers...
  bad_name.Inc(2);
  type_clash.Set(9);
  bad_label.Inc();
  duplicate_label.Inc();
  le_label.Observe(1);
  unsorted.Observe(1);
  nan_bound.Observe(1);
  other_bounds.Observe(5);
  EXPECT_EQ(bad_name.value(), 2u);
  EXPECT_EQ(type_clash.value(), 9);
  EXPECT_EQ(other_bounds.count(), 1u);
  // ...but are never rendered.
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP ok_total fine\n# TYPE ok_total counter\nok_total 0\n"
            "# HELP h4 x\n# TYPE h4 histogram\n"
            "h4_bucket{le=\"1\"} 0\nh4_bucket{le=\"2\"} 0\nh4_bucket{le=\"+Inf\"} 0\n"
            "h4_sum 0\nh4_count 0\n");
}

TEST(MetricsTest, ConcurrentUpdatesAndRegistrationsLoseNothing) {
  MetricsRegistry registry;
  Counter& counter = registry.AddCounter("ops_total", "Ops.");
  Gauge& gauge = registry.AddGauge("level", "Level.");
  Histogram& histogram = registry.AddHistogram("values", "Values.", {1, 2, 3});
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& own =
          registry.AddCounter("per_thread_total", "Per thread.", {{"thread", std::to_string(t)}});
      for (int i = 0; i < kIterations; ++i) {
        counter.Inc();
        own.Inc();
        gauge.Add(i % 2 == 0 ? 3 : -1);
        histogram.Observe(static_cast<double>(i % 4));  // 0,1,2,3: exact in binary
        if (i % 5000 == 0) (void)registry.RenderPrometheus();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), static_cast<uint64_t>(kThreads * kIterations));
  EXPECT_EQ(gauge.value(), int64_t{kThreads} * (kIterations / 2) * 2);
  EXPECT_EQ(histogram.count(), static_cast<uint64_t>(kThreads * kIterations));
  EXPECT_EQ(histogram.sum(), kThreads * (kIterations / 4) * 6.0);
  const uint64_t quarter = kThreads * kIterations / 4;
  EXPECT_EQ(histogram.bucket_count(0), 2 * quarter);  // 0 and 1 (le="1")
  EXPECT_EQ(histogram.bucket_count(1), quarter);      // 2
  EXPECT_EQ(histogram.bucket_count(2), quarter);      // 3
  EXPECT_EQ(histogram.bucket_count(3), 0u);           // +Inf
  const std::string text = registry.RenderPrometheus();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_NE(text.find("per_thread_total{thread=\"" + std::to_string(t) + "\"} " +
                        std::to_string(kIterations)),
              std::string::npos);
  }
  EXPECT_NE(text.find("values_bucket{le=\"+Inf\"} " + std::to_string(kThreads * kIterations)),
            std::string::npos);
}

}  // namespace
}  // namespace crsync::server
