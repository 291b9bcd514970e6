#pragma once
// Metric query execution: the metric evaluator walks the expression; each range aggregation is filled by one
// forward scan of its data range, the pipeline and sample extractor running on the surviving rows.
//
// Projection: when a range aggregation feeds `sum by/without (...)` (or max/min into max/min_over_time) directly
// and the function is decomposable (count_over_time, rate, bytes_*, sum_over_time), its series are reduced to the
// grouping labels while scanning: the outer aggregation gives the same result, with far fewer series and, when
// the pipeline has only line filters, without decoding fields the grouping does not name.

#include "strata/base/status.h"
#include "strata/query/engine/execution_context.h"
#include "strata/query/metric/evaluator.h"

namespace strata::query {

base::Result<metric::MetricResult> RunMetricQuery(const ExecutionContext& ctx, const Expr& expr,
                                                  const metric::StepGrid& grid, const metric::Limits& limits);

}  // namespace strata::query
