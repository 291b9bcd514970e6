#pragma once
// A small Prometheus metrics registry: counter, gauge and histogram families with labels, and the text
// exposition format (version 0.0.4).
//
// Families are created once at start-up and live as long as the registry. WithLabels() returns a reference that
// stays valid for the registry's lifetime, so hot paths look a child up once and then only touch atomics.
// Thread-safety: everything is safe to call from any thread; WithLabels() takes a mutex, increments do not.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace strata::observability {

class Counter {
 public:
  void Inc(double v = 1) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
    }
  }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
    }
  }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts per bound (plus +Inf last), sum, count.
  std::vector<uint64_t> CumulativeCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_->size() + 1 (the +Inf bucket)
  std::atomic<double> sum_{0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

template <typename T>
class Family;

// Registry of families, exposition to text.
class Registry {
 public:
  Family<Counter>& AddCounter(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Histogram>& AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                  std::vector<double> bounds);
  std::string Expose() const;

  // Buckets for request latencies in seconds (0.5 ms .. 30 s).
  static std::vector<double> LatencyBuckets();

 private:
  struct FamilyBase;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  template <typename T>
  friend class Family;
};

struct Registry::FamilyBase {
  virtual ~FamilyBase() = default;
  virtual void Expose(std::string& out) const = 0;
};

template <typename T>
class Family final : public Registry::FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names, MetricType type,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        type_(type),
        bounds_(std::move(bounds)) {}

  // values must have one entry per label name.
  T& WithLabels(const std::vector<std::string>& values);
  void Expose(std::string& out) const override;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  MetricType type_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

}  // namespace strata::observability
