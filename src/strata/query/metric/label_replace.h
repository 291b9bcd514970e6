#pragma once
// label_replace(v, dst, replacement, src, regex): Prometheus semantics. The regex is fully anchored (RE2); on a
// match, dst is set to the replacement with $1 / ${1} / $name / ${name} expanded (Go's Regexp.Expand rules), and
// an empty result deletes dst; a series whose src value does not match is unchanged.
//
// Internal to strata/query/metric; pure function.

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"
#include "strata/query/metric/step_matrix.h"

namespace strata::query::metric::internal {

// InvalidArgument for a bad destination label name or regex, or when two series of one step end up with the same
// label set.
base::Result<StepMatrix> LabelReplace(const LabelReplaceExpr& node, const StepMatrix& in);

}  // namespace strata::query::metric::internal
