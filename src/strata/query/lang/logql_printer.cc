// FormatLogQL: the AST rendered back to canonical LogQL (declared in logql_parser.h).
#include <cmath>

#include "strata/query/lang/logql_lexer.h"
#include "strata/query/lang/logql_parser.h"

namespace strata::query {

namespace {

const char* MatchOpText(MatchOp op) {
  switch (op) {
    case MatchOp::kEq: return "=";
    case MatchOp::kNeq: return "!=";
    case MatchOp::kRegex: return "=~";
    case MatchOp::kNotRegex: return "!~";
  }
  return "=";
}

const char* CmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "==";
    case CmpOp::kNeq: return "!=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
  }
  return "==";
}

std::string FormatMatcher(const Matcher& m) { return m.name + MatchOpText(m.op) + QuoteString(m.value); }

std::string FormatSelector(const Selector& s) {
  std::string out = "{";
  for (size_t i = 0; i < s.matchers.size(); ++i) {
    if (i) out += ", ";
    out += FormatMatcher(s.matchers[i]);
  }
  return out + "}";
}

std::string FormatLiteral(double v) {
  if (std::isnan(v)) return "(0 / 0)";
  if (std::isinf(v)) return v > 0 ? "(1 / 0)" : "(-1 / 0)";
  return FormatNumber(v);
}

std::string FormatLabelFilterChild(const LabelFilter& child, LabelFilter::Kind parent, bool right) {
  bool binary = child.kind == LabelFilter::Kind::kAnd || child.kind == LabelFilter::Kind::kOr;
  if (binary && (child.kind != parent || right)) return "(" + FormatLabelFilter(child) + ")";
  return FormatLabelFilter(child);
}

std::string FormatStage(const Stage& stage) {
  return std::visit(
      [](const auto& s) -> std::string {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, LineFilterStage>) {
          static const char* kOps[] = {"|=", "!=", "|~", "!~", "|>", "!>"};
          std::string out = std::string(" ") + kOps[static_cast<int>(s.op)] + " ";
          for (size_t i = 0; i < s.args.size(); ++i) {
            if (i) out += " or ";
            out += s.args[i].is_ip ? "ip(" + QuoteString(s.args[i].value) + ")" : QuoteString(s.args[i].value);
          }
          return out;
        } else if constexpr (std::is_same_v<T, ParserStage>) {
          switch (s.kind) {
            case ParserKind::kJson:
            case ParserKind::kLogfmt: {
              std::string out = s.kind == ParserKind::kJson ? " | json" : " | logfmt";
              if (s.strict) out += " --strict";
              if (s.keep_empty) out += " --keep-empty";
              for (size_t i = 0; i < s.extractions.size(); ++i) {
                out += i ? ", " : " ";
                out += s.extractions[i].label;
                if (s.extractions[i].expression) out += "=" + QuoteString(*s.extractions[i].expression);
              }
              return out;
            }
            case ParserKind::kRegexp: return " | regexp " + QuoteString(s.pattern);
            case ParserKind::kPattern: return " | pattern " + QuoteString(s.pattern);
            case ParserKind::kUnpack: return " | unpack";
          }
          return "";
        } else if constexpr (std::is_same_v<T, LabelFilterStage>) {
          return " | " + FormatLabelFilter(s.filter);
        } else if constexpr (std::is_same_v<T, LineFormatStage>) {
          return " | line_format " + QuoteString(s.tmpl);
        } else if constexpr (std::is_same_v<T, LabelFormatStage>) {
          std::string out = " | label_format ";
          for (size_t i = 0; i < s.items.size(); ++i) {
            if (i) out += ", ";
            out += s.items[i].dst + "=" + (s.items[i].is_template ? QuoteString(s.items[i].value) : s.items[i].value);
          }
          return out;
        } else if constexpr (std::is_same_v<T, DecolorizeStage>) {
          return " | decolorize";
        } else if constexpr (std::is_same_v<T, DropStage> || std::is_same_v<T, KeepStage>) {
          std::string out = std::is_same_v<T, DropStage> ? " | drop " : " | keep ";
          for (size_t i = 0; i < s.labels.size(); ++i) {
            if (i) out += ", ";
            out += s.labels[i].matcher ? FormatMatcher(*s.labels[i].matcher) : s.labels[i].name;
          }
          return out;
        } else {
          return " | __dsl__ " + FormatBoolExpr(s.expr);
        }
      },
      stage);
}

std::string FormatLogExpr(const LogExpr& log) {
  std::string out = FormatSelector(log.selector);
  for (const Stage& s : log.stages) out += FormatStage(s);
  return out;
}

std::string FormatGrouping(const Grouping& g) {
  std::string out = g.without ? "without (" : "by (";
  for (size_t i = 0; i < g.labels.size(); ++i) {
    if (i) out += ", ";
    out += g.labels[i];
  }
  return out + ")";
}

std::string FormatLabelList(const std::vector<std::string>& labels) {
  std::string out = "(";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ", ";
    out += labels[i];
  }
  return out + ")";
}

int BinPrecedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return 1;
    case BinaryOp::kAnd: case BinaryOp::kUnless: return 2;
    case BinaryOp::kAdd: case BinaryOp::kSub: return 4;
    case BinaryOp::kMul: case BinaryOp::kDiv: case BinaryOp::kMod: return 5;
    case BinaryOp::kPow: return 6;
    default: return 3;
  }
}

std::string Format(const Expr& e);

std::string FormatOperand(const Expr& child, const BinaryExpr& parent, bool right) {
  std::string s = Format(child);
  if (const auto* b = std::get_if<BinaryExpr>(&child.node)) {
    int cp = BinPrecedence(b->op), pp = BinPrecedence(parent.op);
    bool right_assoc = parent.op == BinaryOp::kPow;
    if (cp < pp || (cp == pp && (right != right_assoc))) return "(" + s + ")";
  }
  return s;
}

std::string Format(const Expr& e) {
  return std::visit(
      [](const auto& n) -> std::string {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, LogExpr>) {
          return FormatLogExpr(n);
        } else if constexpr (std::is_same_v<T, RangeAggregation>) {
          std::string out = std::string(RangeOpName(n.op)) + "(";
          if (n.param) out += FormatNumber(*n.param) + ", ";
          out += FormatLogExpr(n.range.log);
          if (n.range.unwrap) {
            const Unwrap& u = *n.range.unwrap;
            out += " | unwrap ";
            switch (u.conversion) {
              case Unwrap::Conversion::kNone: out += u.label; break;
              case Unwrap::Conversion::kBytes: out += "bytes(" + u.label + ")"; break;
              case Unwrap::Conversion::kDuration: out += "duration(" + u.label + ")"; break;
              case Unwrap::Conversion::kDurationSeconds: out += "duration_seconds(" + u.label + ")"; break;
            }
            for (const LabelFilter& f : u.post_filters) out += " | " + FormatLabelFilter(f);
          }
          out += " [" + FormatDuration(n.range.range_ns) + "]";
          if (n.range.offset_ns != 0) out += " offset " + FormatDuration(n.range.offset_ns);
          out += ")";
          if (n.grouping) out += " " + FormatGrouping(*n.grouping);
          return out;
        } else if constexpr (std::is_same_v<T, VectorAggregation>) {
          std::string out = VectorOpName(n.op);
          if (n.grouping) out += " " + FormatGrouping(*n.grouping) + " ";
          out += "(";
          if (n.param) out += std::to_string(*n.param) + ", ";
          return out + Format(*n.inner) + ")";
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          std::string out = FormatOperand(*n.lhs, n, false) + " " + BinaryOpName(n.op);
          if (n.return_bool) out += " bool";
          if (n.matching) {
            const VectorMatching& vm = *n.matching;
            out += vm.on ? " on " : " ignoring ";
            out += FormatLabelList(vm.labels);
            if (vm.card == VectorMatching::Card::kManyToOne) out += " group_left " + FormatLabelList(vm.include);
            if (vm.card == VectorMatching::Card::kOneToMany) out += " group_right " + FormatLabelList(vm.include);
          }
          return out + " " + FormatOperand(*n.rhs, n, true);
        } else if constexpr (std::is_same_v<T, LiteralExpr>) {
          return FormatLiteral(n.value);
        } else if constexpr (std::is_same_v<T, VectorExpr>) {
          if (std::isinf(n.value)) return n.value > 0 ? "vector(1e999)" : "vector(-1e999)";
          return "vector(" + FormatNumber(n.value) + ")";
        } else {
          return "label_replace(" + Format(*n.inner) + ", " + QuoteString(n.dst) + ", " + QuoteString(n.replacement) +
                 ", " + QuoteString(n.src) + ", " + QuoteString(n.regex) + ")";
        }
      },
      e.node);
}

}  // namespace

std::string FormatLabelFilter(const LabelFilter& f) {
  switch (f.kind) {
    case LabelFilter::Kind::kString: return f.name + MatchOpText(f.match_op) + QuoteString(f.value);
    case LabelFilter::Kind::kIp:
      return f.name + (f.cmp_op == CmpOp::kNeq ? "!=" : "=") + "ip(" + QuoteString(f.value) + ")";
    case LabelFilter::Kind::kNumber:
    case LabelFilter::Kind::kDuration:
    case LabelFilter::Kind::kBytes: return f.name + CmpOpText(f.cmp_op) + f.value;
    case LabelFilter::Kind::kAnd:
    case LabelFilter::Kind::kOr:
      return FormatLabelFilterChild(*f.left, f.kind, false) + (f.kind == LabelFilter::Kind::kAnd ? " and " : " or ") +
             FormatLabelFilterChild(*f.right, f.kind, true);
  }
  return "";
}

std::string FormatLogQL(const Expr& expr) { return Format(expr); }

}  // namespace strata::query
