#pragma once
// Clock: wall time in nanoseconds since the Unix epoch, behind an interface so tests can pin "now".
// Thread-safety: implementations must be safe to call from any thread.

#include <chrono>
#include <cstdint>

namespace strata::base {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowNanos() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowNanos() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& Get() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that returns whatever the test sets.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now) : now_(now) {}
  int64_t NowNanos() const override { return now_; }
  void Set(int64_t now) { now_ = now; }

 private:
  int64_t now_;
};

}  // namespace strata::base
