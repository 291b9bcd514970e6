#include "strata/common/thread_pool.h"

#include <atomic>
#include <memory>

namespace strata::common {

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) {
    workers_.emplace_back([this] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
          if (queue_.empty()) return;  // stop_ and drained
          task = std::move(queue_.front());
          queue_.pop_front();
        }
        task();
      }
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

bool ThreadPool::RunOne() {
  std::function<void()> task;
  {
    std::lock_guard lock(mu_);
    if (queue_.empty()) return false;
    task = std::move(queue_.front());
    queue_.pop_front();
  }
  task();
  return true;
}

void ThreadPool::RunAll(std::vector<std::function<void()>>& tasks) {
  if (tasks.empty()) return;
  struct Latch {
    std::mutex mu;
    std::condition_variable cv;
    size_t left;
  };
  auto latch = std::make_shared<Latch>();
  latch->left = tasks.size();
  for (auto& t : tasks) {
    Submit([latch, t = std::move(t)] {
      t();
      std::lock_guard lock(latch->mu);
      if (--latch->left == 0) latch->cv.notify_all();
    });
  }
  // Help instead of only waiting: a scan called from a pool worker still makes progress.
  for (;;) {
    {
      std::lock_guard lock(latch->mu);
      if (latch->left == 0) return;
    }
    if (!RunOne()) break;
  }
  std::unique_lock lock(latch->mu);
  latch->cv.wait(lock, [&] { return latch->left == 0; });
}

}  // namespace strata::common
