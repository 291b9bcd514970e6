#include "strata/query/metric/evaluator.h"

#include <algorithm>
#include <numeric>

#include "strata/query/metric/binary_ops.h"
#include "strata/query/metric/label_replace.h"
#include "strata/query/metric/step_matrix.h"
#include "strata/query/metric/vector_aggregations.h"

namespace strata::query::metric {

using internal::StepMatrix;
using internal::Value;

namespace {

struct Context {
  const StepGrid& grid;
  const FillRange& fill;
  const Limits& limits;
  size_t steps;
};

bool IsRangeGrid(const StepGrid& grid) { return grid.step_ns > 0 && grid.end_ns > grid.start_ns; }

int64_t StepTime(const StepGrid& grid, size_t i) { return IsRangeGrid(grid) ? grid.at(i) : grid.start_ns; }

base::Result<Value> Eval(const Expr& expr, const Context& ctx);

base::Result<Value> EvalRange(const RangeAggregation& node, const Context& ctx) {
  RangeVectorBuilder builder(node, ctx.grid, ctx.limits);
  if (ctx.fill) RETURN_IF_ERROR(ctx.fill(node, builder));
  ASSIGN_OR_RETURN(std::vector<Series> series, builder.Finish());
  Value out;
  out.matrix = StepMatrix(ctx.steps);
  for (const Series& s : series) {
    uint32_t id = out.matrix.Intern(s.metric);
    for (const Point& p : s.points) {
      // The builder emits points at grid times only.
      size_t i = IsRangeGrid(ctx.grid) ? size_t((p.t_ns - ctx.grid.start_ns) / ctx.grid.step_ns) : 0;
      if (i < ctx.steps) out.matrix.step(i).push_back({id, p.v});
    }
  }
  return out;
}

base::Result<Value> Eval(const Expr& expr, const Context& ctx) {
  if (const auto* n = std::get_if<RangeAggregation>(&expr.node)) return EvalRange(*n, ctx);
  if (const auto* n = std::get_if<VectorAggregation>(&expr.node)) {
    if (!n->inner) return base::InvalidArgument("vector aggregation without an expression");
    ASSIGN_OR_RETURN(Value inner, Eval(*n->inner, ctx));
    if (inner.is_scalar) {
      return base::InvalidArgument(std::string("expected a vector expression for ") + VectorOpName(n->op));
    }
    ASSIGN_OR_RETURN(StepMatrix m, internal::AggregateVector(*n, inner.matrix));
    Value out;
    out.matrix = std::move(m);
    return out;
  }
  if (const auto* n = std::get_if<BinaryExpr>(&expr.node)) {
    if (!n->lhs || !n->rhs) return base::InvalidArgument("binary operation without two operands");
    ASSIGN_OR_RETURN(Value lhs, Eval(*n->lhs, ctx));
    ASSIGN_OR_RETURN(Value rhs, Eval(*n->rhs, ctx));
    return internal::ApplyBinary(*n, std::move(lhs), std::move(rhs));
  }
  if (const auto* n = std::get_if<LiteralExpr>(&expr.node)) {
    Value out;
    out.is_scalar = true;
    out.scalar.assign(ctx.steps, n->value);
    return out;
  }
  if (const auto* n = std::get_if<VectorExpr>(&expr.node)) {
    Value out;
    out.matrix = StepMatrix(ctx.steps);
    uint32_t id = out.matrix.Intern({});
    for (size_t i = 0; i < ctx.steps; ++i) out.matrix.step(i).push_back({id, n->value});
    return out;
  }
  if (const auto* n = std::get_if<LabelReplaceExpr>(&expr.node)) {
    if (!n->inner) return base::InvalidArgument("label_replace without an expression");
    ASSIGN_OR_RETURN(Value inner, Eval(*n->inner, ctx));
    if (inner.is_scalar) return base::InvalidArgument("expected a vector expression for label_replace");
    ASSIGN_OR_RETURN(StepMatrix m, internal::LabelReplace(*n, inner.matrix));
    Value out;
    out.matrix = std::move(m);
    return out;
  }
  return base::InvalidArgument("a log query cannot be evaluated as a metric query");
}

bool KeepsSortOrder(const Expr& expr, const StepGrid& grid) {
  const auto* agg = std::get_if<VectorAggregation>(&expr.node);
  return agg && (agg->op == VectorOp::kSort || agg->op == VectorOp::kSortDesc) && grid.size() == 1;
}

}  // namespace

base::Result<MetricResult> Evaluate(const Expr& expr, const StepGrid& grid, const FillRange& fill,
                                    const Limits& limits) {
  Context ctx{grid, fill, limits, grid.size()};
  ASSIGN_OR_RETURN(Value value, Eval(expr, ctx));
  MetricResult result;
  if (value.is_scalar) {
    result.type = MetricResult::Type::kScalar;
    for (size_t i = 0; i < ctx.steps; ++i) result.scalar.push_back({StepTime(grid, i), value.scalar[i]});
    return result;
  }

  const StepMatrix& m = value.matrix;
  std::vector<Series> by_id(m.series_count());
  std::vector<uint32_t> order;  // ids in first-seen order
  std::vector<bool> seen(m.series_count(), false);
  for (size_t i = 0; i < m.step_count(); ++i) {
    for (const auto& s : m.step(i)) {
      by_id[s.id].points.push_back({StepTime(grid, i), s.v});
      if (!seen[s.id]) {
        seen[s.id] = true;
        order.push_back(s.id);
      }
    }
  }
  // Sorted by label set for determinism, except that an instant sort()/sort_desc() is ordered by value.
  if (!KeepsSortOrder(expr, grid)) {
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return m.labels(a) < m.labels(b); });
  }
  for (uint32_t id : order) {
    by_id[id].metric = m.labels(id);
    result.series.push_back(std::move(by_id[id]));
  }
  if (limits.max_series > 0 && result.series.size() > limits.max_series) {
    result.series.resize(limits.max_series);
    result.warnings.push_back("maximum number of series (" + std::to_string(limits.max_series) +
                              ") reached for a single query; consider reducing query cardinality by adding more "
                              "filters or using aggregations");
  }
  return result;
}

}  // namespace strata::query::metric
