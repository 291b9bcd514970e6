#pragma once
// Vector aggregations (sum, avg, min, max, count, stddev, stdvar, topk, bottomk, approx_topk, sort, sort_desc),
// applied independently at every step with Prometheus semantics.
//
// Internal to strata/query/metric; pure function.

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"
#include "strata/query/metric/step_matrix.h"

namespace strata::query::metric::internal {

// sort/sort_desc reorder each step's samples (the evaluator keeps that order for an instant query); topk/bottomk
// keep the input series' labels; the others produce one series per group key.
base::Result<StepMatrix> AggregateVector(const VectorAggregation& node, const StepMatrix& in);

}  // namespace strata::query::metric::internal
