// The DSL's boolean filter (BoolFilterStage): AND/OR/NOT over comparisons of one field with literal values.
//
// Fields: `message` is the line; `level` the label/field `level`; `service` is `service`, else `service_name`
// (OTLP and Loki push name it so); `traceId` is `traceId` (native API), else `trace_id` (OTLP); any other name is
// looked up as written (labels, then structured metadata, which the builder holds together), then in its
// sanitised form (`metadata.region` -> `metadata_region`) for callers that store Loki-style names.
// Operators: = != string equality (level: case-insensitive, after level normalisation, so `level=warning` finds
// WARN); > < >= <= numeric when both sides parse as numbers, else byte-wise; CONTAINS ASCII case-insensitive
// substring (full-text search habit: `message CONTAINS "timeout"` finds "Timeout"); MATCHES RE2, unanchored,
// case-sensitive (use (?i)); IN any equal. A missing field satisfies nothing except != (and NOT).

#include <re2/re2.h>

#include <algorithm>
#include <optional>

#include "strata/model/level.h"
#include "strata/query/pipeline/stage.h"
#include "strata/query/pipeline/value_parse.h"

namespace strata::query {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return Lower(a) == Lower(b); });
  return it != hay.end();
}

bool ParseNumber(std::string_view s, double* out) {
  // Plain decimal numbers only: "inf"/"nan"/hex would make words compare as numbers.
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
  }
  return values::ParseGoFloat(s, out);
}

struct Compiled {
  BoolExpr::Kind kind = BoolExpr::Kind::kCompare;
  std::unique_ptr<Compiled> left, right;
  FieldRef::Kind field = FieldRef::Kind::kName;
  std::string name;            // kName
  std::string alt_name;        // sanitised kName, when it differs
  DslOp op = DslOp::kEq;
  std::vector<std::string> values;  // level: normalised
  std::vector<std::optional<double>> numbers;
  std::unique_ptr<RE2> re;
};

base::Result<std::unique_ptr<Compiled>> Compile(const BoolExpr& e, int depth) {
  if (depth > 1000) return base::InvalidArgument("filter nested too deeply");
  auto c = std::make_unique<Compiled>();
  c->kind = e.kind;
  if (e.kind != BoolExpr::Kind::kCompare) {
    if (!e.left) return base::InvalidArgument("filter operator without operand");
    ASSIGN_OR_RETURN(c->left, Compile(*e.left, depth + 1));
    if (e.kind != BoolExpr::Kind::kNot) {
      if (!e.right) return base::InvalidArgument("filter operator without operand");
      ASSIGN_OR_RETURN(c->right, Compile(*e.right, depth + 1));
    }
    return c;
  }
  if (e.values.empty()) return base::InvalidArgument("comparison without a value");
  c->field = e.field.kind;
  c->name = e.field.name;
  if (c->field == FieldRef::Kind::kName && !values::IsSanitizedKey(c->name)) {
    values::AppendSanitizedKey(c->name, true, c->alt_name);
  }
  c->op = e.op;
  for (const std::string& v : e.values) {
    bool level_eq = c->field == FieldRef::Kind::kLevel &&
                    (e.op == DslOp::kEq || e.op == DslOp::kNeq || e.op == DslOp::kIn);
    c->values.push_back(level_eq ? model::NormalizeLevel(v) : v);
    double d;
    c->numbers.push_back(ParseNumber(v, &d) ? std::optional<double>(d) : std::nullopt);
  }
  if (e.op == DslOp::kMatches) {
    RE2::Options o;
    o.set_log_errors(false);
    c->re = std::make_unique<RE2>(e.values[0], o);
    if (!c->re->ok()) return base::InvalidArgument("invalid regex \"" + e.values[0] + "\": " + c->re->error());
  }
  return c;
}

std::optional<std::string_view> Lookup(const Compiled& c, std::string_view line, const LabelsBuilder& labels) {
  switch (c.field) {
    case FieldRef::Kind::kMessage: return line;
    case FieldRef::Kind::kLevel: return labels.Get("level");
    case FieldRef::Kind::kService: {
      auto v = labels.Get("service");
      return v ? v : labels.Get("service_name");
    }
    case FieldRef::Kind::kTraceId: {
      auto v = labels.Get("traceId");
      return v ? v : labels.Get("trace_id");
    }
    case FieldRef::Kind::kName: {
      auto v = labels.Get(c.name);
      if (!v && !c.alt_name.empty()) v = labels.Get(c.alt_name);
      return v;
    }
  }
  return std::nullopt;
}

bool Equal(const Compiled& c, std::string_view v, size_t i) {
  if (c.field == FieldRef::Kind::kLevel) {
    // Stored levels are normalised upper-case already; normalising again only costs for odd spellings.
    if (v.size() == c.values[i].size() &&
        std::equal(v.begin(), v.end(), c.values[i].begin(), [](char a, char b) { return Lower(a) == Lower(b); })) {
      return true;
    }
    return model::NormalizeLevel(v) == c.values[i];
  }
  return v == c.values[i];
}

bool Eval(const Compiled& c, std::string_view line, const LabelsBuilder& labels) {
  switch (c.kind) {
    case BoolExpr::Kind::kAnd: return Eval(*c.left, line, labels) && Eval(*c.right, line, labels);
    case BoolExpr::Kind::kOr: return Eval(*c.left, line, labels) || Eval(*c.right, line, labels);
    case BoolExpr::Kind::kNot: return !Eval(*c.left, line, labels);
    case BoolExpr::Kind::kCompare: break;
  }
  auto v = Lookup(c, line, labels);
  if (!v) return c.op == DslOp::kNeq;
  switch (c.op) {
    case DslOp::kEq: return Equal(c, *v, 0);
    case DslOp::kNeq: return !Equal(c, *v, 0);
    case DslOp::kIn:
      for (size_t i = 0; i < c.values.size(); ++i) {
        if (Equal(c, *v, i)) return true;
      }
      return false;
    case DslOp::kContains: return IContains(*v, c.values[0]);
    case DslOp::kMatches: return RE2::PartialMatch(*v, *c.re);
    case DslOp::kGt:
    case DslOp::kLt:
    case DslOp::kGe:
    case DslOp::kLe: {
      int cmp;
      double d;
      if (c.numbers[0] && ParseNumber(*v, &d)) {
        cmp = d < *c.numbers[0] ? -1 : d > *c.numbers[0] ? 1 : 0;
        if (d != d || *c.numbers[0] != *c.numbers[0]) return false;  // NaN compares false
      } else {
        int r = v->compare(c.values[0]);
        cmp = r < 0 ? -1 : r > 0 ? 1 : 0;
      }
      if (c.op == DslOp::kGt) return cmp > 0;
      if (c.op == DslOp::kLt) return cmp < 0;
      if (c.op == DslOp::kGe) return cmp >= 0;
      return cmp <= 0;
    }
  }
  return false;
}

// Storage predicates implied by every match: the legs of the top-level AND chain that test the message.
void CollectPushdown(const BoolExpr& e, std::vector<storage::Predicate>& out) {
  using K = storage::Predicate::Kind;
  if (e.kind == BoolExpr::Kind::kAnd) {
    if (e.left) CollectPushdown(*e.left, out);
    if (e.right) CollectPushdown(*e.right, out);
    return;
  }
  bool negated = false;
  const BoolExpr* leaf = &e;
  if (e.kind == BoolExpr::Kind::kNot && e.left && e.left->kind == BoolExpr::Kind::kCompare) {
    negated = true;
    leaf = e.left.get();
  } else if (e.kind != BoolExpr::Kind::kCompare) {
    return;
  }
  if (leaf->field.kind != FieldRef::Kind::kMessage || leaf->values.empty()) return;
  const std::string& v = leaf->values[0];
  base::Result<storage::Predicate> p = base::InvalidArgument("");
  switch (leaf->op) {
    case DslOp::kContains:
      p = storage::MakePredicate(negated ? K::kNotSubstring : K::kSubstring, storage::kMessageField, v, true);
      break;
    case DslOp::kMatches:
      p = storage::MakePredicate(negated ? K::kNotRegex : K::kRegex, storage::kMessageField, v);
      break;
    case DslOp::kEq:
      p = storage::MakePredicate(negated ? K::kNotEquals : K::kEquals, storage::kMessageField, v);
      break;
    case DslOp::kNeq:
      p = storage::MakePredicate(negated ? K::kEquals : K::kNotEquals, storage::kMessageField, v);
      break;
    default: return;
  }
  if (p.ok()) out.push_back(std::move(p).value());
}

class BoolFilter final : public CompiledStage {
 public:
  BoolFilter(std::unique_ptr<Compiled> root, BoolExpr expr) : root_(std::move(root)), expr_(std::move(expr)) {}
  bool Process(int64_t, std::string& line, LabelsBuilder& labels) const override {
    return Eval(*root_, line, labels);
  }
  void Pushdown(std::vector<storage::Predicate>& out) const override { CollectPushdown(expr_, out); }

 private:
  std::unique_ptr<Compiled> root_;
  BoolExpr expr_;
};

}  // namespace

base::Result<StagePtr> MakeBoolFilterStage(const BoolFilterStage& stage) {
  ASSIGN_OR_RETURN(auto root, Compile(stage.expr, 0));
  return StagePtr(std::make_shared<BoolFilter>(std::move(root), stage.expr));
}

}  // namespace strata::query
