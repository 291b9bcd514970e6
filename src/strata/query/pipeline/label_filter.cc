// Label filters (Loki semantics):
//   string matchers compare the value ("" when absent; `__error__` included) with = != and fully anchored =~ !~;
//   number / duration / bytes filters drop the line when the label is absent, and on a failed conversion keep it
//   with __error__=LabelFilterErr (not overwriting an earlier error);
//   ip() filters keep lines already carrying __error__, drop absent or non-address values;
//   `and` evaluates both sides (so both may set errors), `or` stops at the first true side.

#include <re2/re2.h>

#include <optional>

#include "strata/query/pipeline/ip_matcher.h"
#include "strata/query/pipeline/stage.h"
#include "strata/query/pipeline/value_parse.h"

namespace strata::query {

namespace {

template <typename T>
bool Compare(CmpOp op, T a, T b) {
  switch (op) {
    case CmpOp::kEq: return a == b;
    case CmpOp::kNeq: return a != b;
    case CmpOp::kGt: return a > b;
    case CmpOp::kGe: return a >= b;
    case CmpOp::kLt: return a < b;
    case CmpOp::kLe: return a <= b;
  }
  return false;
}

class Node {
 public:
  virtual ~Node() = default;
  virtual bool Eval(LabelsBuilder& labels) const = 0;
  virtual bool SetsErrors() const { return false; }
};

class StringNode final : public Node {
 public:
  StringNode(std::string name, MatchOp op, std::string value, std::unique_ptr<RE2> re)
      : name_(std::move(name)), op_(op), value_(std::move(value)), re_(std::move(re)) {}
  bool Eval(LabelsBuilder& labels) const override {
    std::string_view v = labels.Get(name_).value_or(std::string_view());
    switch (op_) {
      case MatchOp::kEq: return v == value_;
      case MatchOp::kNeq: return v != value_;
      case MatchOp::kRegex: return RE2::FullMatch(v, *re_);
      case MatchOp::kNotRegex: return !RE2::FullMatch(v, *re_);
    }
    return false;
  }

 private:
  std::string name_;
  MatchOp op_;
  std::string value_;
  std::unique_ptr<RE2> re_;
};

void ConversionError(LabelsBuilder& labels, std::string_view what, std::string_view value) {
  if (labels.HasError()) return;  // keep the earlier, more useful error
  std::string details(what);
  details += ": parsing \"";
  details += value;
  details += "\": invalid syntax";
  labels.SetError(kLabelFilterErr, details);
}

class TypedNode final : public Node {
 public:
  explicit TypedNode(const LabelFilter& f) : f_(f) {}
  bool Eval(LabelsBuilder& labels) const override {
    auto v = labels.Get(f_.name);
    if (!v) return false;
    switch (f_.kind) {
      case LabelFilter::Kind::kNumber: {
        double d;
        if (!values::ParseGoFloat(*v, &d)) return ConversionError(labels, "strconv.ParseFloat", *v), true;
        return Compare(f_.cmp_op, d, f_.number);
      }
      case LabelFilter::Kind::kDuration: {
        int64_t ns;
        if (!values::ParseGoDuration(*v, &ns)) return ConversionError(labels, "time.ParseDuration", *v), true;
        return Compare(f_.cmp_op, ns, f_.duration_ns);
      }
      case LabelFilter::Kind::kBytes: {
        uint64_t b;
        if (!values::ParseHumanBytes(*v, &b)) return ConversionError(labels, "humanize.ParseBytes", *v), true;
        return Compare(f_.cmp_op, b, f_.bytes);
      }
      default: return false;
    }
  }
  bool SetsErrors() const override { return true; }

 private:
  LabelFilter f_;  // a leaf: no children to copy
};

class IpNode final : public Node {
 public:
  IpNode(std::string name, bool negate, IpMatcher m) : name_(std::move(name)), negate_(negate), m_(std::move(m)) {}
  bool Eval(LabelsBuilder& labels) const override {
    if (labels.HasError()) return true;  // only string matchers filter errored lines
    auto v = labels.Get(name_);
    if (!v || v->empty()) return false;
    int family;
    std::array<uint8_t, 16> bytes;
    if (!ParseIpAddress(*v, &family, &bytes)) return false;
    return m_.MatchesAddress(*v) != negate_;
  }

 private:
  std::string name_;
  bool negate_;
  IpMatcher m_;
};

class BinaryNode final : public Node {
 public:
  BinaryNode(bool is_and, std::unique_ptr<Node> l, std::unique_ptr<Node> r)
      : and_(is_and), l_(std::move(l)), r_(std::move(r)) {}
  bool Eval(LabelsBuilder& labels) const override {
    bool lok = l_->Eval(labels);
    if (!and_ && lok) return true;
    bool rok = r_->Eval(labels);
    return and_ ? (lok && rok) : rok;
  }
  bool SetsErrors() const override { return l_->SetsErrors() || r_->SetsErrors(); }

 private:
  bool and_;
  std::unique_ptr<Node> l_, r_;
};

base::Result<std::unique_ptr<Node>> CompileNode(const LabelFilter& f, int depth) {
  if (depth > 1000) return base::InvalidArgument("label filter nested too deeply");
  switch (f.kind) {
    case LabelFilter::Kind::kString: {
      std::unique_ptr<RE2> re;
      if (f.match_op == MatchOp::kRegex || f.match_op == MatchOp::kNotRegex) {
        RE2::Options o;
        o.set_log_errors(false);
        re = std::make_unique<RE2>(f.value, o);
        if (!re->ok()) return base::InvalidArgument("invalid regex \"" + f.value + "\": " + re->error());
      }
      return std::unique_ptr<Node>(std::make_unique<StringNode>(f.name, f.match_op, f.value, std::move(re)));
    }
    case LabelFilter::Kind::kNumber:
    case LabelFilter::Kind::kDuration:
    case LabelFilter::Kind::kBytes: return std::unique_ptr<Node>(std::make_unique<TypedNode>(f));
    case LabelFilter::Kind::kIp: {
      if (f.cmp_op != CmpOp::kEq && f.cmp_op != CmpOp::kNeq) {
        return base::InvalidArgument("ip() label filters support only = and !=");
      }
      ASSIGN_OR_RETURN(IpMatcher m, IpMatcher::Compile(f.value));
      return std::unique_ptr<Node>(std::make_unique<IpNode>(f.name, f.cmp_op == CmpOp::kNeq, std::move(m)));
    }
    case LabelFilter::Kind::kAnd:
    case LabelFilter::Kind::kOr: {
      if (!f.left || !f.right) return base::InvalidArgument("label filter operator without operands");
      ASSIGN_OR_RETURN(auto l, CompileNode(*f.left, depth + 1));
      ASSIGN_OR_RETURN(auto r, CompileNode(*f.right, depth + 1));
      return std::unique_ptr<Node>(
          std::make_unique<BinaryNode>(f.kind == LabelFilter::Kind::kAnd, std::move(l), std::move(r)));
    }
  }
  return base::InvalidArgument("unknown label filter");
}

class LabelFilterStageImpl final : public CompiledStage {
 public:
  explicit LabelFilterStageImpl(std::unique_ptr<Node> root) : root_(std::move(root)) {}
  bool Process(int64_t, std::string&, LabelsBuilder& labels) const override { return root_->Eval(labels); }
  bool ChangesLabels() const override { return root_->SetsErrors(); }

 private:
  std::unique_ptr<Node> root_;
};

}  // namespace

base::Result<StagePtr> MakeLabelFilterStage(const LabelFilter& filter) {
  ASSIGN_OR_RETURN(auto root, CompileNode(filter, 0));
  return StagePtr(std::make_shared<LabelFilterStageImpl>(std::move(root)));
}

}  // namespace strata::query
