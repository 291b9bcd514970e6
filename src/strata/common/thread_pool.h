#pragma once
// ThreadPool: a fixed set of worker threads running submitted tasks in FIFO order. Used for bounded, separate
// pools (the scan pool never competes with the HTTP/ingest threads for queue slots). RunAll() runs a batch of
// tasks and waits for all of them; the calling thread helps, so RunAll never deadlocks even when called from a
// worker. Tasks must not throw. Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::common {

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Submit(std::function<void()> task);
  // Runs every task (in parallel where workers are free) and returns when all finished.
  void RunAll(std::vector<std::function<void()>>& tasks);
  size_t size() const { return workers_.size(); }

 private:
  bool RunOne();  // runs one queued task on the calling thread; false if the queue was empty

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace strata::common
