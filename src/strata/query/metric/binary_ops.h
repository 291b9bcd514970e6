#pragma once
// Binary operators: arithmetic (+ - * / % ^), comparisons (filtering, or 0/1 with `bool`) and the set operators
// (and, or, unless), between scalars and vectors, with Prometheus vector matching (on/ignoring,
// group_left/group_right with include labels).
//
// Internal to strata/query/metric; pure function.

#include "strata/base/status.h"
#include "strata/query/lang/ast.h"
#include "strata/query/metric/step_matrix.h"

namespace strata::query::metric::internal {

// InvalidArgument with Loki's text for ambiguous matches (many-to-many, duplicate result series).
base::Result<Value> ApplyBinary(const BinaryExpr& node, Value lhs, Value rhs);

}  // namespace strata::query::metric::internal
