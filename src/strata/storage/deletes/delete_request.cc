#include "strata/storage/deletes/delete_request.h"

namespace strata::storage {

std::string_view DeleteStatusName(DeleteStatus status) {
  switch (status) {
    case DeleteStatus::kPending: return "pending";
    case DeleteStatus::kProcessed: return "processed";
    case DeleteStatus::kCancelled: return "cancelled";
  }
  return "pending";
}

bool DeleteRequest::Matches(const model::LabelSet& labels, int64_t timestamp_ns, std::string_view message) const {
  if (timestamp_ns < from || timestamp_ns > to) return false;
  if (!selector.MatchesStream(labels)) return false;
  return !selector.line_filter || selector.line_filter->Matches(message);
}

bool DeleteRequest::MayMatch(const model::LabelSet& labels, int64_t min_ts, int64_t max_ts) const {
  if (max_ts < from || min_ts > to) return false;
  return selector.MatchesStream(labels);
}

}  // namespace strata::storage
