#include "strata/query/engine/query_gate.h"

namespace strata::query {

bool QueryGate::Acquire(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_until(lock, deadline, [&] { return free_ > 0; })) return false;
  --free_;
  return true;
}

void QueryGate::Release() {
  {
    std::lock_guard lock(mu_);
    ++free_;
  }
  cv_.notify_one();
}

}  // namespace strata::query
