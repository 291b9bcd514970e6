#include "strata/common/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>

namespace strata::common {
namespace {

TEST(ThreadPoolTest, RunAllRunsEveryTaskAndWaits) {
  ThreadPool pool(3);
  std::atomic<int> sum{0};
  std::vector<std::function<void()>> tasks;
  for (int i = 1; i <= 100; ++i) tasks.push_back([&sum, i] { sum += i; });
  pool.RunAll(tasks);
  EXPECT_EQ(sum.load(), 5050);
}

TEST(ThreadPoolTest, NestedRunAllFromAWorkerDoesNotDeadlock) {
  ThreadPool pool(1);
  std::atomic<int> inner{0};
  std::vector<std::function<void()>> outer;
  outer.push_back([&] {
    std::vector<std::function<void()>> tasks;
    for (int i = 0; i < 10; ++i) tasks.push_back([&] { ++inner; });
    pool.RunAll(tasks);
  });
  pool.RunAll(outer);
  EXPECT_EQ(inner.load(), 10);
}

}  // namespace
}  // namespace strata::common
