// Metrics registry and Prometheus text rendering (see metrics.h).
//
// Updates touch only atomics; the registry's mutex covers the family list, which only grows,
// so a reference handed out by Add* never moves (every metric lives in its own heap block).
#include "server/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "common/utf8.h"
#include "server/log.h"

namespace crsync::server {

enum class MetricsRegistry::Type { kCounter, kGauge, kHistogram };

struct MetricsRegistry::Series {
  Labels labels;  // sorted by name
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
};

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<double> upper_bounds;  // histograms: every series uses these
  std::vector<std::unique_ptr<Series>> series;
};

namespace {

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TypeName(int type) {
  static constexpr std::array<std::string_view, 3> kNames = {"counter", "gauge", "histogram"};
  return kNames[static_cast<size_t>(type)];
}

// Prometheus float syntax: shortest round-trip decimal, +Inf, -Inf, NaN.
std::string FormatFloat(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (error != std::errc()) return "NaN";
  return std::string(buffer.data(), end);
}

// HELP text: backslash and newline escaped.
std::string EscapeHelp(std::string_view raw) {
  std::string out;
  for (const char c : RepairUtf8(raw)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view raw) {
  std::string out;
  for (const char c : RepairUtf8(raw)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="1",b="2"} plus an optional trailing le label; empty string when there are no labels.
std::string FormatLabels(const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name + "=\"" + EscapeLabelValue(value) + "\"";
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"" + *le + "\"";
  }
  out += '}';
  return out;
}

Status ValidateLabels(const Labels& sorted_labels, bool is_histogram) {
  for (size_t i = 0; i < sorted_labels.size(); ++i) {
    CRSYNC_RETURN_IF_ERROR(ValidateLabelName(sorted_labels[i].first));
    if (is_histogram && sorted_labels[i].first == "le") {
      return Status::InvalidArgument("label 'le' is reserved for histogram buckets");
    }
    if (i > 0 && sorted_labels[i].first == sorted_labels[i - 1].first) {
      return Status::InvalidArgument("duplicate label '" + sorted_labels[i].first + "'");
    }
  }
  return Status::Ok();
}

// Checks bounds and drops one trailing +Inf.
Status NormalizeBounds(std::vector<double>& bounds) {
  if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0) bounds.pop_back();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      return Status::InvalidArgument("histogram bounds must be finite");
    }
    if (i > 0 && !(bounds[i] > bounds[i - 1])) {
      return Status::InvalidArgument("histogram bounds must be strictly increasing");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateMetricName(std::string_view name) {
  bool valid = !name.empty() && (IsLetter(name[0]) || name[0] == '_' || name[0] == ':');
  for (const char c : name) valid = valid && (IsLetter(c) || IsDigit(c) || c == '_' || c == ':');
  if (!valid) {
    return Status::InvalidArgument("invalid metric name '" + RepairUtf8(name) + "'");
  }
  return Status::Ok();
}

Status ValidateLabelName(std::string_view name) {
  bool valid = !name.empty() && (IsLetter(name[0]) || name[0] == '_');
  for (const char c : name) valid = valid && (IsLetter(c) || IsDigit(c) || c == '_');
  if (!valid || name.starts_with("__")) {
    return Status::InvalidArgument("invalid label name '" + RepairUtf8(name) + "'");
  }
  return Status::Ok();
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  // First bound >= value: the bucket "le" that value falls into; past the end = +Inf.
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) total += bucket_count(i);
  return total;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  if (!(start > 0) || !(factor > 1) || count < 1 || !std::isfinite(start)) return bounds;
  double bound = start;
  for (int i = 0; i < count && std::isfinite(bound); ++i) {
    bounds.push_back(bound);
    bound *= factor;
  }
  return bounds;
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series* MetricsRegistry::Register(Type type, std::string name, std::string help,
                                                   Labels labels,
                                                   std::vector<double> upper_bounds) {
  std::sort(labels.begin(), labels.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::lock_guard lock(mutex_);
  Status valid = ValidateMetricName(name);
  if (valid.ok()) valid = ValidateLabels(labels, type == Type::kHistogram);
  if (valid.ok()) valid = NormalizeBounds(upper_bounds);
  Family* family = nullptr;
  for (const auto& candidate : families_) {
    if (candidate->name == name) family = candidate.get();
  }
  if (valid.ok() && family != nullptr && family->type != type) {
    valid = Status::InvalidArgument("metric '" + name + "' is already a " +
                                    std::string(TypeName(static_cast<int>(family->type))));
  }
  if (valid.ok() && family != nullptr && family->upper_bounds != upper_bounds) {
    valid = Status::InvalidArgument("histogram '" + name + "' already has other bucket bounds");
  }
  if (!valid.ok()) {
    ++refused_;
    Log(LogLevel::kError, "metric registration refused",
        {{"metric", name}, {"reason", valid.message()}});
    detached_.push_back(MakeSeries(type, std::move(labels), {}));
    return detached_.back().get();
  }
  if (family == nullptr) {
    families_.push_back(std::make_unique<Family>());
    family = families_.back().get();
    family->name = std::move(name);
    family->help = std::move(help);
    family->type = type;
    family->upper_bounds = std::move(upper_bounds);
  }
  for (const auto& series : family->series) {
    if (series->labels == labels) return series.get();
  }
  family->series.push_back(MakeSeries(type, std::move(labels), family->upper_bounds));
  return family->series.back().get();
}

std::unique_ptr<MetricsRegistry::Series> MetricsRegistry::MakeSeries(
    Type type, Labels labels, const std::vector<double>& upper_bounds) {
  auto series = std::make_unique<Series>();
  series->labels = std::move(labels);
  switch (type) {
    case Type::kCounter:
      series->counter = std::make_unique<Counter>();
      break;
    case Type::kGauge:
      series->gauge = std::make_unique<Gauge>();
      break;
    case Type::kHistogram:
      series->histogram = std::make_unique<Histogram>(upper_bounds);
      break;
  }
  return series;
}

Counter& MetricsRegistry::AddCounter(std::string name, std::string help, Labels labels) {
  return *Register(Type::kCounter, std::move(name), std::move(help), std::move(labels), {})
              ->counter;
}

Gauge& MetricsRegistry::AddGauge(std::string name, std::string help, Labels labels) {
  return *Register(Type::kGauge, std::move(name), std::move(help), std::move(labels), {})->gauge;
}

Histogram& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<double> upper_bounds, Labels labels) {
  return *Register(Type::kHistogram, std::move(name), std::move(help), std::move(labels),
                   std::move(upper_bounds))
              ->histogram;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& family : families_) {
    out += "# HELP " + family->name + " " + EscapeHelp(family->help) + "\n";
    out += "# TYPE " + family->name + " " + std::string(TypeName(static_cast<int>(family->type))) +
           "\n";
    for (const auto& series : family->series) {
      if (series->counter) {
        out += family->name + FormatLabels(series->labels) + " " +
               std::to_string(series->counter->value()) + "\n";
      } else if (series->gauge) {
        out += family->name + FormatLabels(series->labels) + " " +
               std::to_string(series->gauge->value()) + "\n";
      } else {
        const Histogram& histogram = *series->histogram;
        const std::vector<double>& bounds = histogram.upper_bounds();
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= bounds.size(); ++i) {
          cumulative += histogram.bucket_count(i);
          const std::string le = i < bounds.size() ? FormatFloat(bounds[i]) : "+Inf";
          out += family->name + "_bucket" + FormatLabels(series->labels, &le) + " " +
                 std::to_string(cumulative) + "\n";
        }
        out += family->name + "_sum" + FormatLabels(series->labels) + " " +
               FormatFloat(histogram.sum()) + "\n";
        out += family->name + "_count" + FormatLabels(series->labels) + " " +
               std::to_string(cumulative) + "\n";
      }
    }
  }
  return out;
}

uint64_t MetricsRegistry::refused_registrations() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

}  // namespace crsync::server
