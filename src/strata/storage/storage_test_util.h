#pragma once
// Test helper shared by the storage engine's unit tests (not part of the library).

#include <condition_variable>
#include <mutex>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/storage/storage_engine.h"

namespace strata::storage::test_util {

// Appends a batch and waits for its acknowledgement (the WAL callback): the batch is durable and in the head when
// this returns OK.
inline base::Status AppendSync(StorageEngine& engine, model::LogBatch batch) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  base::Status result;
  base::Status st = engine.Append(std::move(batch), [&](const base::Status& s) {
    std::lock_guard lock(mu);
    result = s;
    done = true;
    cv.notify_one();
  });
  if (!st.ok()) return st;
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return result;
}

}  // namespace strata::storage::test_util
