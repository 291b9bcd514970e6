#include "strata/query/engine/field_pushdown.h"

#include <set>

#include "strata/storage/storage_engine.h"

namespace strata::query {

namespace {

// Leaves `name="value"` of an AND tree (an OR cannot be pushed as a conjunction).
void CollectEqualities(const LabelFilter& f, std::vector<const LabelFilter*>& out) {
  if (f.kind == LabelFilter::Kind::kAnd) {
    if (f.left) CollectEqualities(*f.left, out);
    if (f.right) CollectEqualities(*f.right, out);
    return;
  }
  if (f.kind == LabelFilter::Kind::kString && f.match_op == MatchOp::kEq && !f.value.empty() &&
      !f.name.starts_with("__")) {
    out.push_back(&f);
  }
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
    CollectEqualities(lf->filter, candidates);
  }
  std::vector<storage::Predicate> out;
  if (candidates.empty()) return out;
  auto streams = ctx.storage->ListStreams(ctx.tenant, from_ns, to_ns, {matchers});
  if (!streams.ok()) return out;  // pushdown is an optimisation: without it the pipeline still filters
  std::set<std::string> stream_labels;
  for (const auto& s : *streams) {
    for (const auto& l : s.labels) stream_labels.insert(l.name);
  }
  for (const LabelFilter* f : candidates) {
    if (stream_labels.count(f->name)) continue;
    auto p = storage::MakePredicate(storage::Predicate::Kind::kEquals, f->name, f->value);
    if (p.ok()) out.push_back(std::move(p).value());
  }
  return out;
}

}  // namespace strata::query
