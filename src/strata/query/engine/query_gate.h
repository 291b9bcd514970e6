#pragma once
// QueryGate: admits at most N queries at once; the others wait, up to their deadline, for a slot. Keeps query
// work bounded so ingest (on its own threads) is never starved by a burst of heavy queries.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace strata::query {

class QueryGate {
 public:
  explicit QueryGate(size_t slots) : free_(slots == 0 ? 1 : slots) {}

  // False when no slot became free before the deadline.
  bool Acquire(std::chrono::steady_clock::time_point deadline);
  void Release();

  class Slot {
   public:
    explicit Slot(QueryGate* gate) : gate_(gate) {}
    ~Slot() {
      if (gate_) gate_->Release();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    QueryGate* gate_;
  };

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t free_;
};

}  // namespace strata::query
