// Metrics for crsync-server, rendered in the Prometheus text exposition format 0.0.4.
//
// A MetricsRegistry owns counters, gauges and histograms. Registration returns a reference that
// stays valid for the registry's lifetime; updating a metric (Inc/Set/Add/Observe) is lock-free
// (relaxed atomics), so hot paths may update from any thread. Registration and rendering take
// the registry's mutex and are thread-safe too.
//
// Series that share a name form one family, rendered under a single # HELP / # TYPE (the help
// of the first registration wins). Registering the same name and labels again returns the
// existing metric. Labels are sorted by name when registered, so {b,a} and {a,b} are the same
// series. Families render in registration order, series in registration order within a family.
//
// Names are validated (metric [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]* not starting
// with "__", "le" not allowed on histograms, no duplicate label names); histogram bounds must be
// finite and strictly increasing (a trailing +Inf is accepted and dropped). A registration that
// breaks a rule, or that reuses a name with another type or other bounds, is a programmer error:
// it is logged, counted in refused_registrations(), and answered with a detached metric that
// works but is never rendered, so a bad name never crashes the server. Label values and help
// text may be anything (invalid UTF-8 is repaired; \ " and newline are escaped).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace crsync::server {

// Content-Type of RenderPrometheus() output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing count.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (open connections, rooms).
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void Add(int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations counted into buckets by upper bound (value <= bound), plus their count and sum.
// NaN observations are ignored (they would poison the sum forever).
class Histogram {
 public:
  // upper_bounds must be finite and strictly increasing (the registry checks this before
  // constructing); the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);
  // Number of observations (the sum of all buckets, so it always matches the +Inf bucket).
  uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Observations in bucket i alone (not cumulative); i == upper_bounds().size() is +Inf.
  uint64_t bucket_count(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // upper_bounds_.size() + 1 entries
  std::atomic<double> sum_{0.0};
};

using Labels = std::vector<std::pair<std::string, std::string>>;

// count bounds start, start*factor, start*factor^2, ... (start > 0, factor > 1, count >= 1;
// otherwise an empty list, which the registry accepts as "only the +Inf bucket").
std::vector<double> ExponentialBuckets(double start, double factor, int count);

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& AddCounter(std::string name, std::string help, Labels labels = {});
  Gauge& AddGauge(std::string name, std::string help, Labels labels = {});
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> upper_bounds,
                          Labels labels = {});

  // Every family in text format 0.0.4, ending with a newline (empty when nothing registered).
  std::string RenderPrometheus() const;

  // Registrations refused as programmer errors (see the file comment).
  uint64_t refused_registrations() const;

 private:
  struct Family;
  struct Series;
  enum class Type;

  // Finds or creates the series; a refused registration (reason logged) gets a detached one.
  // Never null.
  Series* Register(Type type, std::string name, std::string help, Labels labels,
                   std::vector<double> upper_bounds);
  static std::unique_ptr<Series> MakeSeries(Type type, Labels labels,
                                            const std::vector<double>& upper_bounds);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;  // guarded by mutex_
  std::vector<std::unique_ptr<Series>> detached_;  // guarded by mutex_; refused registrations
  uint64_t refused_ = 0;                           // guarded by mutex_
};

// Name checks used by the registry, exposed for callers that build names dynamically.
Status ValidateMetricName(std::string_view name);
Status ValidateLabelName(std::string_view name);

}  // namespace crsync::server
