#include <algorithm>

#include "strata/query/tail/tail_hub.h"

namespace strata::query {

TailBackfill MakeQueryEngineBackfill(QueryEngine& engine) {
  return [&engine](const TailRequest& request, int64_t to_ns,
                   const std::atomic<bool>* cancel) -> base::Result<std::vector<LogEntry>> {
    if (request.limit == 0) return std::vector<LogEntry>{};
    QueryRequest q;
    q.tenant = request.tenant;
    q.expr.node = request.expr;
    q.start_ns = request.backfill_from_ns;
    q.end_ns = to_ns;
    q.limit = request.limit;
    // The newest `limit` entries, so the history ends where the live part starts (a forward query with a limit
    // would leave a gap between its last entry and the first live one).
    q.direction = storage::Direction::kBackward;
    q.cancel = cancel;
    ASSIGN_OR_RETURN(QueryResult result, engine.Execute(q));
    std::reverse(result.entries.begin(), result.entries.end());
    return std::move(result.entries);
  };
}

}  // namespace strata::query
