#include "strata/query/engine/field_pushdown.h"

#include <cmath>
#include <optional>
#include <set>

#include "strata/storage/storage_engine.h"

namespace strata::query {

namespace {

// Leaves of an AND tree that every kept line must satisfy (an OR cannot be pushed as a conjunction):
// `name="value"`, and numeric comparisons `name > N` (also >=, <, <=).
void CollectPushable(const LabelFilter& f, std::vector<const LabelFilter*>& out) {
  if (f.kind == LabelFilter::Kind::kAnd) {
    if (f.left) CollectPushable(*f.left, out);
    if (f.right) CollectPushable(*f.right, out);
    return;
  }
  if (f.name.starts_with("__")) return;
  if (f.kind == LabelFilter::Kind::kString && f.match_op == MatchOp::kEq && !f.value.empty()) out.push_back(&f);
  if (f.kind == LabelFilter::Kind::kNumber && !std::isnan(f.number) &&
      (f.cmp_op == CmpOp::kGt || f.cmp_op == CmpOp::kGe || f.cmp_op == CmpOp::kLt || f.cmp_op == CmpOp::kLe)) {
    out.push_back(&f);
  }
}

// A numeric label filter drops a line whose label is absent or a number comparing false, and keeps any other
// value (with __error__ when it does not parse): as a field predicate, a comparison that lets non-numbers through.
std::optional<storage::Predicate> NumericPredicate(const LabelFilter& f) {
  storage::Predicate p;
  switch (f.cmp_op) {
    case CmpOp::kGt: p.kind = storage::Predicate::Kind::kGreater; break;
    case CmpOp::kGe: p.kind = storage::Predicate::Kind::kGreaterEqual; break;
    case CmpOp::kLt: p.kind = storage::Predicate::Kind::kLess; break;
    case CmpOp::kLe: p.kind = storage::Predicate::Kind::kLessEqual; break;
    default: return std::nullopt;
  }
  p.field = f.name;
  p.value = f.value;
  p.number = f.number;
  p.non_numbers_match = true;
  return p;
}

}  // namespace

std::vector<storage::Predicate> FieldPushdown(const ExecutionContext& ctx, const LogExpr& expr,
                                              const std::vector<storage::LabelMatcher>& matchers, int64_t from_ns,
                                              int64_t to_ns) {
  std::vector<const LabelFilter*> candidates;
  for (const Stage& stage : expr.stages) {
    if (std::holds_alternative<LineFilterStage>(stage)) continue;  // does not touch labels
    const auto* lf = std::get_if<LabelFilterStage>(&stage);
    if (!lf) break;  // parsers, formatters, drop/keep, DSL filters: labels may change from here on
    CollectPushable(lf->filter, candidates);
  }
  std::vector<storage::Predicate> out;
  if (candidates.empty()) return out;
  auto names = ctx.storage->StreamLabelNames(ctx.tenant, from_ns, to_ns, matchers);
  if (!names.ok()) return out;  // pushdown is an optimisation: without it the pipeline still filters
  const std::set<std::string>& stream_labels = *names;
  for (const LabelFilter* f : candidates) {
    if (stream_labels.count(f->name)) continue;
    if (f->kind == LabelFilter::Kind::kNumber) {
      if (auto p = NumericPredicate(*f)) out.push_back(std::move(*p));
      continue;
    }
    auto p = storage::MakePredicate(storage::Predicate::Kind::kEquals, f->name, f->value);
    if (p.ok()) out.push_back(std::move(p).value());
  }
  return out;
}

}  // namespace strata::query
