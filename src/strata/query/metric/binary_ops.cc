#include "strata/query/metric/binary_ops.h"

#include <cmath>
#include <unordered_map>
#include <utility>

namespace strata::query::metric::internal {

namespace {

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEq:
    case BinaryOp::kNeq:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
    case BinaryOp::kLt:
    case BinaryOp::kLe:
      return true;
    default:
      return false;
  }
}

bool IsSetOp(BinaryOp op) { return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless; }

// (value, keep): arithmetic always keeps; a comparison keeps when it holds and carries the left value.
std::pair<double, bool> Apply(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd: return {l + r, true};
    case BinaryOp::kSub: return {l - r, true};
    case BinaryOp::kMul: return {l * r, true};
    case BinaryOp::kDiv: return {l / r, true};
    case BinaryOp::kMod: return {std::fmod(l, r), true};
    case BinaryOp::kPow: return {std::pow(l, r), true};
    case BinaryOp::kEq: return {l, l == r};
    case BinaryOp::kNeq: return {l, l != r};
    case BinaryOp::kGt: return {l, l > r};
    case BinaryOp::kGe: return {l, l >= r};
    case BinaryOp::kLt: return {l, l < r};
    case BinaryOp::kLe: return {l, l <= r};
    default: return {0, false};
  }
}

base::Result<Value> ScalarScalar(const BinaryExpr& node, const Value& lhs, const Value& rhs) {
  Value out;
  out.is_scalar = true;
  out.scalar.resize(lhs.scalar.size());
  for (size_t i = 0; i < lhs.scalar.size(); ++i) {
    auto [v, keep] = Apply(node.op, lhs.scalar[i], rhs.scalar[i]);
    // Between two scalars a comparison can only answer 0/1 (Loki folds `1 > 2` to 0).
    out.scalar[i] = IsComparison(node.op) ? (keep ? 1 : 0) : v;
  }
  return out;
}

Value VectorScalar(const BinaryExpr& node, const StepMatrix& vec, const std::vector<double>& scalar,
                   bool scalar_on_left) {
  Value out;
  out.matrix = vec.EmptyLike();
  bool cmp = IsComparison(node.op);
  for (size_t i = 0; i < vec.step_count(); ++i) {
    for (const Sample& s : vec.step(i)) {
      double l = scalar_on_left ? scalar[i] : s.v;
      double r = scalar_on_left ? s.v : scalar[i];
      auto [v, keep] = Apply(node.op, l, r);
      if (cmp) {
        if (node.return_bool) {
          v = keep ? 1 : 0;
        } else if (!keep) {
          continue;
        } else {
          v = s.v;  // a filter keeps the vector's value even when the scalar is on the left
        }
      }
      out.matrix.step(i).push_back({s.id, v});
    }
  }
  return out;
}

// Matching signatures of both sides, interned in one table so equal signatures get equal ids.
struct Signatures {
  StepMatrix table;
  std::vector<uint32_t> lhs, rhs;
};

Signatures ComputeSignatures(const VectorMatching& m, const StepMatrix& lhs, const StepMatrix& rhs) {
  Signatures sigs;
  auto sig = [&](const model::LabelSet& labels) {
    return sigs.table.Intern(m.on ? KeepLabels(labels, m.labels) : DropLabels(labels, m.labels));
  };
  for (uint32_t id = 0; id < lhs.series_count(); ++id) sigs.lhs.push_back(sig(lhs.labels(id)));
  for (uint32_t id = 0; id < rhs.series_count(); ++id) sigs.rhs.push_back(sig(rhs.labels(id)));
  return sigs;
}

// Per-step membership of small integer ids without clearing: an id is in the set when its stamp is the step's.
class StampSet {
 public:
  explicit StampSet(size_t size) : stamps_(size, 0) {}
  void Next() { ++now_; }
  bool Contains(uint32_t id) const { return stamps_[id] == now_; }
  void Insert(uint32_t id) { stamps_[id] = now_; }

 private:
  std::vector<uint64_t> stamps_;
  uint64_t now_ = 1;
};

Value SetOperation(const BinaryExpr& node, const VectorMatching& m, const StepMatrix& lhs, const StepMatrix& rhs) {
  Signatures sigs = ComputeSignatures(m, lhs, rhs);
  Value out;
  out.matrix = lhs.EmptyLike();
  std::vector<uint32_t> rhs_out;  // `or`: rhs ids in the result table
  if (node.op == BinaryOp::kOr) {
    for (uint32_t id = 0; id < rhs.series_count(); ++id) rhs_out.push_back(out.matrix.Intern(rhs.labels(id)));
  }
  StampSet seen(sigs.table.series_count());
  for (size_t i = 0; i < lhs.step_count(); ++i) {
    seen.Next();
    auto& dst = out.matrix.step(i);
    switch (node.op) {
      case BinaryOp::kAnd:
      case BinaryOp::kUnless:
        for (const Sample& s : rhs.step(i)) seen.Insert(sigs.rhs[s.id]);
        for (const Sample& s : lhs.step(i)) {
          if (seen.Contains(sigs.lhs[s.id]) == (node.op == BinaryOp::kAnd)) dst.push_back(s);
        }
        break;
      default:  // or
        for (const Sample& s : lhs.step(i)) {
          seen.Insert(sigs.lhs[s.id]);
          dst.push_back(s);
        }
        for (const Sample& s : rhs.step(i)) {
          if (!seen.Contains(sigs.rhs[s.id])) dst.push_back({rhs_out[s.id], s.v});
        }
        break;
    }
  }
  return out;
}

base::Result<Value> VectorVector(const BinaryExpr& node, const VectorMatching& m, const StepMatrix& lhs,
                                 const StepMatrix& rhs) {
  // As Prometheus: group_right is group_left with the sides swapped; the "one" side is looked up by signature
  // and the "many" side iterated. Values are still computed as lhs <op> rhs.
  bool swap = m.card == VectorMatching::Card::kOneToMany;
  const StepMatrix& many = swap ? rhs : lhs;
  const StepMatrix& one = swap ? lhs : rhs;
  Signatures sigs = ComputeSignatures(m, lhs, rhs);
  const std::vector<uint32_t>& many_sig = swap ? sigs.rhs : sigs.lhs;
  const std::vector<uint32_t>& one_sig = swap ? sigs.lhs : sigs.rhs;
  bool one_to_one = m.card == VectorMatching::Card::kOneToOne;
  bool cmp = IsComparison(node.op);

  Value out;
  out.matrix = StepMatrix(lhs.step_count());
  std::unordered_map<uint64_t, uint32_t> result_ids;  // (many id, one id) -> result id
  auto result_id = [&](uint32_t many_id, uint32_t one_id) {
    uint64_t key = (uint64_t(many_id) << 32) | one_id;
    auto it = result_ids.find(key);
    if (it != result_ids.end()) return it->second;
    model::LabelSet labels = many.labels(many_id);
    if (one_to_one) labels = m.on ? KeepLabels(labels, m.labels) : DropLabels(labels, m.labels);
    // group_x(include...) copies labels from the "one" side (deleting them when it has none).
    for (const auto& name : m.include) SetLabel(labels, name, LabelValue(one.labels(one_id), name));
    uint32_t id = out.matrix.Intern(labels);
    result_ids.emplace(key, id);
    return id;
  };

  std::vector<const Sample*> one_at(sigs.table.series_count(), nullptr);
  StampSet one_seen(sigs.table.series_count());
  StampSet matched(sigs.table.series_count());
  std::vector<uint64_t> emitted_step;  // many-to-one: result id -> step + 1 it was last emitted at
  for (size_t i = 0; i < lhs.step_count(); ++i) {
    one_seen.Next();
    matched.Next();
    for (const Sample& s : one.step(i)) {
      uint32_t sig = one_sig[s.id];
      if (one_seen.Contains(sig)) {
        return base::InvalidArgument("found duplicate series for the match group " +
                                     FormatLabels(sigs.table.labels(sig)) + " on the " +
                                     (swap ? "left" : "right") + " hand-side of the operation: [" +
                                     FormatLabels(one.labels(s.id)) + ", " +
                                     FormatLabels(one.labels(one_at[sig]->id)) +
                                     "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
      one_seen.Insert(sig);
      one_at[sig] = &s;
    }
    for (const Sample& ls : many.step(i)) {
      uint32_t sig = many_sig[ls.id];
      if (!one_seen.Contains(sig)) continue;
      const Sample& rs = *one_at[sig];
      double fl = ls.v, fr = rs.v;
      if (swap) std::swap(fl, fr);
      auto [v, keep] = Apply(node.op, fl, fr);
      if (cmp && node.return_bool) {
        v = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      uint32_t id = result_id(ls.id, rs.id);
      if (one_to_one) {
        if (matched.Contains(sig)) {
          return base::InvalidArgument(
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        matched.Insert(sig);
      } else {
        if (emitted_step.size() <= id) emitted_step.resize(id + 1, 0);
        if (emitted_step[id] == i + 1) {
          return base::InvalidArgument("multiple matches for labels: grouping labels must ensure unique matches");
        }
        emitted_step[id] = i + 1;
      }
      out.matrix.step(i).push_back({id, v});
    }
  }
  return out;
}

}  // namespace

base::Result<Value> ApplyBinary(const BinaryExpr& node, Value lhs, Value rhs) {
  if (lhs.is_scalar && rhs.is_scalar) {
    if (IsSetOp(node.op)) {
      return base::InvalidArgument(std::string("set operator ") + BinaryOpName(node.op) +
                                   " not allowed in binary scalar expression");
    }
    return ScalarScalar(node, lhs, rhs);
  }
  if (lhs.is_scalar || rhs.is_scalar) {
    if (IsSetOp(node.op)) {
      return base::InvalidArgument(std::string("set operator ") + BinaryOpName(node.op) +
                                   " not allowed in binary scalar expression");
    }
    return lhs.is_scalar ? VectorScalar(node, rhs.matrix, lhs.scalar, true)
                         : VectorScalar(node, lhs.matrix, rhs.scalar, false);
  }
  VectorMatching m = node.matching.value_or(VectorMatching{});
  if (IsSetOp(node.op)) return SetOperation(node, m, lhs.matrix, rhs.matrix);
  return VectorVector(node, m, lhs.matrix, rhs.matrix);
}

}  // namespace strata::query::metric::internal
