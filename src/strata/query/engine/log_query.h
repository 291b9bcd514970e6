#pragma once
// Log query execution: scan (selector -> stream pruning, pushed-down line filters -> index pruning), pipeline per
// surviving row, and the top `limit` entries in the requested direction across all streams.

#include <vector>

#include "strata/base/status.h"
#include "strata/query/engine/execution_context.h"
#include "strata/query/engine/query_engine.h"

namespace strata::query {

// Entries with start <= ts < end, in `direction` order, at most `limit` (0 = no limit).
base::Result<std::vector<LogEntry>> RunLogQuery(const ExecutionContext& ctx, const LogExpr& expr, int64_t start_ns,
                                                int64_t end_ns, uint64_t limit, storage::Direction direction,
                                                int64_t interval_ns);

}  // namespace strata::query
