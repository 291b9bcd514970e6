#include "strata/query/metric/vector_aggregations.h"

#include <algorithm>
#include <cmath>

namespace strata::query::metric::internal {

namespace {

struct Accumulator {
  uint64_t n = 0;
  double a = 0;  // sum, extreme, or mean (stddev/stdvar)
  double m2 = 0;
};

void Accumulate(VectorOp op, Accumulator& acc, double v) {
  switch (op) {
    case VectorOp::kMin:
      // As Prometheus: a number replaces a NaN, a NaN never replaces a number.
      if (acc.n == 0 || v < acc.a || std::isnan(acc.a)) acc.a = v;
      break;
    case VectorOp::kMax:
      if (acc.n == 0 || v > acc.a || std::isnan(acc.a)) acc.a = v;
      break;
    case VectorOp::kStddev:
    case VectorOp::kStdvar: {
      double delta = v - acc.a;
      acc.a += delta / double(acc.n + 1);
      acc.m2 += delta * (v - acc.a);
      break;
    }
    default:
      acc.a += v;
      break;
  }
  ++acc.n;
}

double Result(VectorOp op, const Accumulator& acc) {
  switch (op) {
    case VectorOp::kCount:
      return double(acc.n);
    case VectorOp::kAvg:
      return acc.a / double(acc.n);
    case VectorOp::kStdvar:
      return acc.m2 / double(acc.n);
    case VectorOp::kStddev:
      return std::sqrt(acc.m2 / double(acc.n));
    default:
      return acc.a;
  }
}

StepMatrix Aggregate(const VectorAggregation& node, const StepMatrix& in) {
  StepMatrix out(in.step_count());
  const Grouping* grouping = node.grouping ? &*node.grouping : nullptr;
  std::vector<uint32_t> group_of(in.series_count());
  for (uint32_t id = 0; id < in.series_count(); ++id) group_of[id] = out.Intern(GroupKey(in.labels(id), grouping));
  std::vector<Accumulator> accs(out.series_count());
  std::vector<uint32_t> touched;
  for (size_t i = 0; i < in.step_count(); ++i) {
    for (const Sample& s : in.step(i)) {
      uint32_t g = group_of[s.id];
      if (accs[g].n == 0) touched.push_back(g);
      Accumulate(node.op, accs[g], s.v);
    }
    for (uint32_t g : touched) {
      out.step(i).push_back({g, Result(node.op, accs[g])});
      accs[g] = Accumulator{};
    }
    touched.clear();
  }
  return out;
}

// NaN ranks last in both directions (Prometheus: topk and bottomk evict NaN first; sort puts it at the end); ties
// are broken by label set so results are deterministic.
struct ValueOrder {
  const StepMatrix& in;
  bool descending;
  bool operator()(const Sample& x, const Sample& y) const {
    bool xn = std::isnan(x.v), yn = std::isnan(y.v);
    if (xn != yn) return yn;
    if (!xn && x.v != y.v) return descending ? x.v > y.v : x.v < y.v;
    return in.labels(x.id) < in.labels(y.id);
  }
};

StepMatrix TopK(const VectorAggregation& node, const StepMatrix& in) {
  StepMatrix out = in.EmptyLike();
  ValueOrder order{in, node.op != VectorOp::kBottomk};
  int64_t k = node.param.value_or(0);
  if (k <= 0) return out;
  const Grouping* grouping = node.grouping ? &*node.grouping : nullptr;
  StepMatrix groups;
  std::vector<uint32_t> group_of(in.series_count());
  for (uint32_t id = 0; id < in.series_count(); ++id) group_of[id] = groups.Intern(GroupKey(in.labels(id), grouping));
  std::vector<std::vector<Sample>> members(groups.series_count());
  for (size_t i = 0; i < in.step_count(); ++i) {
    for (const Sample& s : in.step(i)) members[group_of[s.id]].push_back(s);
    for (auto& group : members) {
      if (group.empty()) continue;
      size_t keep = std::min(group.size(), size_t(k));
      std::partial_sort(group.begin(), group.begin() + ptrdiff_t(keep), group.end(), order);
      out.step(i).insert(out.step(i).end(), group.begin(), group.begin() + ptrdiff_t(keep));
      group.clear();
    }
  }
  return out;
}

StepMatrix Sort(const VectorAggregation& node, const StepMatrix& in) {
  StepMatrix out = in.EmptyLike();
  ValueOrder order{in, node.op == VectorOp::kSortDesc};
  for (size_t i = 0; i < in.step_count(); ++i) {
    out.step(i) = in.step(i);
    std::sort(out.step(i).begin(), out.step(i).end(), order);
  }
  return out;
}

}  // namespace

base::Result<StepMatrix> AggregateVector(const VectorAggregation& node, const StepMatrix& in) {
  switch (node.op) {
    case VectorOp::kTopk:
    case VectorOp::kBottomk:
    case VectorOp::kApproxTopk:
      return TopK(node, in);
    case VectorOp::kSort:
    case VectorOp::kSortDesc:
      return Sort(node, in);
    default:
      return Aggregate(node, in);
  }
}

}  // namespace strata::query::metric::internal
