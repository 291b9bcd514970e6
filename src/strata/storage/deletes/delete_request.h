#pragma once
// DeleteRequest: a GDPR deletion: every row of a tenant in [from, to] whose stream matches the selector (and whose
// message matches the optional line filter) is hidden from every read as soon as the request is accepted, and
// purged physically by the next rewrite of the parts that hold such rows (StorageEngine::ProcessDeletes).
// Status: pending -> processed (no part holds a matching row any more), or pending -> cancelled.
// Value type.

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/model/log_record.h"
#include "strata/storage/stream_selector.h"

namespace strata::storage {

enum class DeleteStatus { kPending, kProcessed, kCancelled };
std::string_view DeleteStatusName(DeleteStatus status);

struct DeleteRequest {
  std::string id;        // unique, assigned by the store
  std::string tenant;
  int64_t from = 0;      // inclusive, ns
  int64_t to = 0;        // inclusive, ns
  StreamSelector selector;
  DeleteStatus status = DeleteStatus::kPending;
  int64_t created_ns = 0;
  int64_t processed_ns = 0;  // 0 until processed

  // True when the row is covered (ignores status).
  bool Matches(const model::LabelSet& labels, int64_t timestamp_ns, std::string_view message) const;
  // True when a row from a stream with these labels in [min_ts, max_ts] could be covered.
  bool MayMatch(const model::LabelSet& labels, int64_t min_ts, int64_t max_ts) const;
};

}  // namespace strata::storage
