#include "strata/query/lang/logql_parser.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "strata/query/lang/ip_filter.h"
#include "strata/query/lang/logql_lexer.h"

namespace strata::query {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Keywords Loki's lexer always returns as their own token (printed by their text in syntax errors).
bool IsKeyword(const std::string& lower) {
  static const std::set<std::string> kKeywords = {
      "by", "without", "bool", "on", "ignoring", "group_left", "group_right", "offset", "and", "or", "unless",
      "json", "logfmt", "regexp", "unpack", "pattern", "line_format", "label_format", "unwrap", "decolorize",
      "drop", "keep"};
  return kKeywords.count(lower) > 0;
}

std::optional<RangeOp> RangeOpFor(const std::string& lower) {
  static const std::pair<const char*, RangeOp> kOps[] = {
      {"count_over_time", RangeOp::kCountOverTime}, {"rate", RangeOp::kRate},
      {"rate_counter", RangeOp::kRateCounter}, {"bytes_over_time", RangeOp::kBytesOverTime},
      {"bytes_rate", RangeOp::kBytesRate}, {"avg_over_time", RangeOp::kAvgOverTime},
      {"sum_over_time", RangeOp::kSumOverTime}, {"min_over_time", RangeOp::kMinOverTime},
      {"max_over_time", RangeOp::kMaxOverTime}, {"stdvar_over_time", RangeOp::kStdvarOverTime},
      {"stddev_over_time", RangeOp::kStddevOverTime}, {"quantile_over_time", RangeOp::kQuantileOverTime},
      {"first_over_time", RangeOp::kFirstOverTime}, {"last_over_time", RangeOp::kLastOverTime},
      {"absent_over_time", RangeOp::kAbsentOverTime}};
  for (const auto& [name, op] : kOps) {
    if (lower == name) return op;
  }
  return std::nullopt;
}

std::optional<VectorOp> VectorOpFor(const std::string& lower) {
  static const std::pair<const char*, VectorOp> kOps[] = {
      {"sum", VectorOp::kSum}, {"avg", VectorOp::kAvg}, {"count", VectorOp::kCount}, {"max", VectorOp::kMax},
      {"min", VectorOp::kMin}, {"stddev", VectorOp::kStddev}, {"stdvar", VectorOp::kStdvar},
      {"topk", VectorOp::kTopk}, {"bottomk", VectorOp::kBottomk}, {"sort", VectorOp::kSort},
      {"sort_desc", VectorOp::kSortDesc}, {"approx_topk", VectorOp::kApproxTopk}};
  for (const auto& [name, op] : kOps) {
    if (lower == name) return op;
  }
  return std::nullopt;
}

bool IsFunctionName(const std::string& lower) {
  return RangeOpFor(lower) || VectorOpFor(lower) || lower == "label_replace" || lower == "vector" ||
         lower == "ip" || lower == "bytes" || lower == "duration" || lower == "duration_seconds";
}

int Precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return 1;
    case BinaryOp::kAnd: case BinaryOp::kUnless: return 2;
    case BinaryOp::kEq: case BinaryOp::kNeq: case BinaryOp::kGt: case BinaryOp::kGe: case BinaryOp::kLt:
    case BinaryOp::kLe: return 3;
    case BinaryOp::kAdd: case BinaryOp::kSub: return 4;
    case BinaryOp::kMul: case BinaryOp::kDiv: case BinaryOp::kMod: return 5;
    case BinaryOp::kPow: return 6;
  }
  return 0;
}

bool IsComparison(BinaryOp op) { return Precedence(op) == 3; }
bool IsSetOp(BinaryOp op) { return op == BinaryOp::kOr || op == BinaryOp::kAnd || op == BinaryOp::kUnless; }

double Fold(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kMod: return std::fmod(a, b);
    case BinaryOp::kPow: return std::pow(a, b);
    case BinaryOp::kEq: return a == b ? 1 : 0;
    case BinaryOp::kNeq: return a != b ? 1 : 0;
    case BinaryOp::kGt: return a > b ? 1 : 0;
    case BinaryOp::kGe: return a >= b ? 1 : 0;
    case BinaryOp::kLt: return a < b ? 1 : 0;
    case BinaryOp::kLe: return a <= b ? 1 : 0;
    default: return 0;
  }
}

std::string GoFloatF6(double v) {  // Go's %f
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  snprintf(buf, sizeof(buf), "%.6f", v);
  return buf;
}

// Whether the matcher accepts the empty value (Loki requires one selector matcher that does not).
bool MatchesEmpty(const Matcher& m) {
  switch (m.op) {
    case MatchOp::kEq: return m.value.empty();
    case MatchOp::kNeq: return !m.value.empty();
    case MatchOp::kRegex:
    case MatchOp::kNotRegex: {
      RE2 re("^(?:" + m.value + ")$");
      bool match = re.ok() && RE2::FullMatch("", re);
      return m.op == MatchOp::kRegex ? match : !match;
    }
  }
  return true;
}

base::Status CheckRegex(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 raw(pattern, opts);
  if (!raw.ok()) return ParseError("error parsing regexp: " + raw.error());
  return base::Status::Ok();
}

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  base::Result<Expr> Run() {
    ASSIGN_OR_RETURN(Expr e, ParseBinary(0));
    if (Cur().kind != TokKind::kEnd) return Unexpected();
    if (!deferred_.ok()) return deferred_;
    RETURN_IF_ERROR(ValidateSelectors(e));
    return e;
  }

 private:
  const Token& Cur() const { return toks_[pos_]; }
  const Token& At(size_t ahead) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  bool Is(TokKind k) const { return Cur().kind == k; }
  std::string CurLower() const { return Is(TokKind::kIdent) ? Lower(Cur().text) : std::string(); }
  bool IsWord(const char* w) const { return Is(TokKind::kIdent) && CurLower() == w; }
  void Next() {
    if (pos_ + 1 < toks_.size()) ++pos_;
  }

  std::string TokName(size_t index) const {
    const Token& t = toks_[index];
    switch (t.kind) {
      case TokKind::kEnd: return "$end";
      case TokKind::kString: return "STRING";
      case TokKind::kNumber: return "NUMBER";
      case TokKind::kDuration: return "DURATION";
      case TokKind::kBytes: return "BYTES";
      case TokKind::kRange: return "RANGE";
      case TokKind::kParserFlag: return "PARSER_FLAG";
      case TokKind::kIdent: {
        std::string lower = Lower(t.text);
        if (IsKeyword(lower)) return lower;
        if (IsFunctionName(lower) && index + 1 < toks_.size()) {
          const Token& n = toks_[index + 1];
          if (n.kind == TokKind::kLParen) return lower;
          if (n.kind == TokKind::kIdent && (Lower(n.text) == "by" || Lower(n.text) == "without")) return lower;
        }
        return "IDENTIFIER";
      }
      default: return t.text;
    }
  }

  base::Status Unexpected(std::initializer_list<const char*> expecting = {}) const {
    std::string msg = "syntax error: unexpected " + TokName(pos_);
    bool first = true;
    for (const char* e : expecting) {
      msg += first ? ", expecting " : " or ";
      msg += e;
      first = false;
    }
    const Token& t = Cur();
    if (t.kind == TokKind::kRange) return ParseError(msg, 0, t.col);
    return ParseError(msg, t.line, t.col);
  }

  base::Status Expect(TokKind k, const char* name) {
    if (!Is(k)) return Unexpected({name});
    Next();
    return base::Status::Ok();
  }

  void Defer(base::Status st) {
    if (deferred_.ok() && !st.ok()) deferred_ = std::move(st);
  }

  // ---- metric expressions ----

  std::optional<BinaryOp> PeekBinaryOp() const {
    switch (Cur().kind) {
      case TokKind::kAdd: return BinaryOp::kAdd;
      case TokKind::kSub: return BinaryOp::kSub;
      case TokKind::kMul: return BinaryOp::kMul;
      case TokKind::kDiv: return BinaryOp::kDiv;
      case TokKind::kMod: return BinaryOp::kMod;
      case TokKind::kPow: return BinaryOp::kPow;
      case TokKind::kCmpEq: return BinaryOp::kEq;
      case TokKind::kNeq: return BinaryOp::kNeq;
      case TokKind::kGt: return BinaryOp::kGt;
      case TokKind::kGe: return BinaryOp::kGe;
      case TokKind::kLt: return BinaryOp::kLt;
      case TokKind::kLe: return BinaryOp::kLe;
      case TokKind::kIdent: {
        std::string w = CurLower();
        if (w == "or") return BinaryOp::kOr;
        if (w == "and") return BinaryOp::kAnd;
        if (w == "unless") return BinaryOp::kUnless;
        return std::nullopt;
      }
      default: return std::nullopt;
    }
  }

  base::Result<Expr> ParseBinary(int min_prec) {
    if (++depth_ > 200) return ParseError("query too deeply nested", Cur().line, Cur().col);
    ASSIGN_OR_RETURN(Expr lhs, ParseUnary());
    for (;;) {
      auto op = PeekBinaryOp();
      if (!op || Precedence(*op) < min_prec) break;
      Next();
      BinaryExpr bin;
      bin.op = *op;
      if (IsWord("bool")) {
        if (!IsComparison(*op)) return ParseError("bool modifier can only be used on comparison operators");
        bin.return_bool = true;
        Next();
      }
      if (IsWord("on") || IsWord("ignoring")) {
        VectorMatching vm;
        vm.on = IsWord("on");
        Next();
        ASSIGN_OR_RETURN(vm.labels, ParseLabelList());
        if (IsWord("group_left") || IsWord("group_right")) {
          vm.card = IsWord("group_left") ? VectorMatching::Card::kManyToOne : VectorMatching::Card::kOneToMany;
          Next();
          if (Is(TokKind::kLParen)) {
            ASSIGN_OR_RETURN(vm.include, ParseLabelList());
          }
        }
        bin.matching = std::move(vm);
      }
      int next_prec = *op == BinaryOp::kPow ? Precedence(*op) : Precedence(*op) + 1;
      ASSIGN_OR_RETURN(Expr rhs, ParseBinary(next_prec));
      lhs = MakeBinary(std::move(bin), std::move(lhs), std::move(rhs));
    }
    --depth_;
    return lhs;
  }

  static const char* GoTypeName(const Expr& e) {
    const auto& log = std::get<LogExpr>(e.node);
    return log.stages.empty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
  }

  Expr MakeBinary(BinaryExpr bin, Expr lhs, Expr rhs) {
    std::string op = BinaryOpName(bin.op);
    if (lhs.IsLogQuery()) {
      Defer(ParseError("unexpected type for left leg of binary operation (" + op + "): " + GoTypeName(lhs)));
    } else if (rhs.IsLogQuery()) {
      Defer(ParseError("unexpected type for right leg of binary operation (" + op + "): " + GoTypeName(rhs)));
    }
    const auto* l = std::get_if<LiteralExpr>(&lhs.node);
    const auto* r = std::get_if<LiteralExpr>(&rhs.node);
    if (IsSetOp(bin.op)) {
      if (l) {
        Defer(ParseError("unexpected literal for left leg of logical/set binary operation (" + op +
                         "): " + GoFloatF6(l->value)));
      } else if (r) {
        Defer(ParseError("unexpected literal for right leg of logical/set binary operation (" + op +
                         "): " + GoFloatF6(r->value)));
      }
    } else if (l && r) {
      return Expr{LiteralExpr{Fold(bin.op, l->value, r->value)}};
    }
    bin.lhs = std::move(lhs);
    bin.rhs = std::move(rhs);
    return Expr{std::move(bin)};
  }

  base::Result<std::vector<std::string>> ParseLabelList() {
    RETURN_IF_ERROR(Expect(TokKind::kLParen, "("));
    std::vector<std::string> labels;
    if (Is(TokKind::kRParen)) {
      Next();
      return labels;
    }
    for (;;) {
      if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER"});
      labels.push_back(Cur().text);
      Next();
      if (Is(TokKind::kComma)) {
        Next();
        continue;
      }
      if (Is(TokKind::kRParen)) {
        Next();
        return labels;
      }
      return Unexpected({",", ")"});
    }
  }

  base::Result<Grouping> ParseGrouping() {
    Grouping g;
    g.without = IsWord("without");
    Next();
    ASSIGN_OR_RETURN(g.labels, ParseLabelList());
    return g;
  }

  bool AtGrouping() const { return IsWord("by") || IsWord("without"); }

  bool AtFunction() const {
    if (!Is(TokKind::kIdent)) return false;
    const Token& n = At(1);
    if (n.kind == TokKind::kLParen) return true;
    return n.kind == TokKind::kIdent && (Lower(n.text) == "by" || Lower(n.text) == "without");
  }

  base::Result<Expr> ParseUnary() {
    if (Is(TokKind::kAdd) || Is(TokKind::kSub)) {
      bool neg = Is(TokKind::kSub);
      Next();
      if (!Is(TokKind::kNumber)) return Unexpected({"NUMBER"});
      double v = Cur().number;
      Next();
      return Expr{LiteralExpr{neg ? -v : v}};
    }
    if (Is(TokKind::kNumber)) {
      double v = Cur().number;
      Next();
      return Expr{LiteralExpr{v}};
    }
    if (Is(TokKind::kLBrace)) {
      ASSIGN_OR_RETURN(LogExpr log, ParseLogExpr());
      return Expr{std::move(log)};
    }
    if (Is(TokKind::kLParen)) {
      Next();
      ASSIGN_OR_RETURN(Expr inner, ParseBinary(0));
      RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
      return inner;
    }
    if (Is(TokKind::kIdent) && AtFunction()) {
      std::string name = CurLower();
      if (auto rop = RangeOpFor(name)) return ParseRangeAggregation(*rop);
      if (auto vop = VectorOpFor(name)) return ParseVectorAggregation(*vop);
      if (name == "label_replace") return ParseLabelReplace();
      if (name == "vector") return ParseVector();
    }
    return Unexpected();
  }

  base::Result<Expr> ParseVector() {
    Next();
    RETURN_IF_ERROR(Expect(TokKind::kLParen, "("));
    bool neg = false;
    if (Is(TokKind::kSub) || Is(TokKind::kAdd)) {
      neg = Is(TokKind::kSub);
      Next();
    }
    if (!Is(TokKind::kNumber)) return Unexpected({"NUMBER"});
    double v = Cur().number;
    Next();
    RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
    return Expr{VectorExpr{neg ? -v : v}};
  }

  base::Result<Expr> ParseLabelReplace() {
    Next();
    RETURN_IF_ERROR(Expect(TokKind::kLParen, "("));
    ASSIGN_OR_RETURN(Expr inner, ParseBinary(0));
    if (inner.IsLogQuery()) return Unexpected();
    LabelReplaceExpr lr;
    std::string* fields[] = {&lr.dst, &lr.replacement, &lr.src, &lr.regex};
    for (std::string* f : fields) {
      RETURN_IF_ERROR(Expect(TokKind::kComma, ","));
      if (!Is(TokKind::kString)) return Unexpected({"STRING"});
      *f = Cur().text;
      Next();
    }
    RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
    RE2::Options opts;
    opts.set_log_errors(false);
    RE2 re(lr.regex, opts);
    if (!re.ok()) Defer(ParseError("invalid regex in label_replace: error parsing regexp: " + re.error()));
    lr.inner = std::move(inner);
    return Expr{std::move(lr)};
  }

  base::Result<Expr> ParseVectorAggregation(VectorOp op) {
    std::string name = CurLower();
    Next();
    VectorAggregation agg;
    agg.op = op;
    if (AtGrouping()) {
      ASSIGN_OR_RETURN(agg.grouping, ParseGrouping());
    }
    RETURN_IF_ERROR(Expect(TokKind::kLParen, "("));
    std::optional<std::string> param_text;
    if (Is(TokKind::kNumber) && At(1).kind == TokKind::kComma) {
      param_text = Cur().text;
      Next();
      Next();
    }
    ASSIGN_OR_RETURN(Expr inner, ParseBinary(0));
    if (inner.IsLogQuery()) return Unexpected();
    RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
    if (AtGrouping()) {
      if (agg.grouping) return Unexpected();
      ASSIGN_OR_RETURN(agg.grouping, ParseGrouping());
    }
    bool takes_k = op == VectorOp::kTopk || op == VectorOp::kBottomk || op == VectorOp::kApproxTopk;
    if (takes_k) {
      if (!param_text) {
        Defer(ParseError("parameter required for operation " + name));
      } else {
        const std::string& p = *param_text;
        bool integer = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
        int64_t k = 0;
        bool fits = integer && p.size() <= 18;
        if (fits) k = std::stoll(p);
        if (!fits) {
          Defer(ParseError("invalid parameter " + name + "(" + p + ","));
        } else if (k <= 0) {
          Defer(ParseError("invalid parameter (must be greater than 0) " + name + "(" + p + ","));
        } else {
          agg.param = k;
        }
      }
    } else if (param_text) {
      Defer(ParseError("unsupported parameter for operation " + name + "(" + *param_text + ","));
    }
    if ((op == VectorOp::kSort || op == VectorOp::kSortDesc) && agg.grouping && !agg.grouping->labels.empty()) {
      Defer(ParseError("grouping not allowed for sort and sort_desc operations"));
    }
    if (op == VectorOp::kApproxTopk && agg.grouping) {
      Defer(ParseError("grouping not allowed for approx_topk aggregation"));
    }
    agg.inner = std::move(inner);
    return Expr{std::move(agg)};
  }

  base::Result<Expr> ParseRangeAggregation(RangeOp op) {
    std::string name = CurLower();
    Next();
    RETURN_IF_ERROR(Expect(TokKind::kLParen, "("));
    RangeAggregation agg;
    agg.op = op;
    std::optional<std::string> param_text;
    if (Is(TokKind::kNumber)) {
      param_text = Cur().text;
      agg.param = Cur().number;
      Next();
      RETURN_IF_ERROR(Expect(TokKind::kComma, ","));
    } else if (!Is(TokKind::kLBrace) && !Is(TokKind::kLParen)) {
      return Unexpected({"NUMBER", "{", "("});
    }
    ASSIGN_OR_RETURN(agg.range, ParseLogRange());
    RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
    if (AtGrouping()) {
      ASSIGN_OR_RETURN(agg.grouping, ParseGrouping());
    }
    // Loki's checks, in its order: parameter, grouping, unwrap.
    if (param_text && op != RangeOp::kQuantileOverTime) {
      Defer(ParseError("parameter " + *param_text + " not supported for operation " + name));
    } else if (!param_text && op == RangeOp::kQuantileOverTime) {
      Defer(ParseError("parameter required for operation " + name));
    }
    if (agg.grouping) {
      switch (op) {
        case RangeOp::kAvgOverTime: case RangeOp::kStddevOverTime: case RangeOp::kStdvarOverTime:
        case RangeOp::kQuantileOverTime: case RangeOp::kMaxOverTime: case RangeOp::kMinOverTime:
        case RangeOp::kFirstOverTime: case RangeOp::kLastOverTime:
          break;
        default:
          Defer(ParseError("grouping not allowed for " + name + " aggregation"));
      }
    }
    if (agg.range.unwrap) {
      switch (op) {
        case RangeOp::kCountOverTime: case RangeOp::kBytesOverTime: case RangeOp::kBytesRate:
          Defer(ParseError("invalid aggregation " + name + " with unwrap"));
          break;
        default: break;
      }
    } else {
      switch (op) {
        case RangeOp::kCountOverTime: case RangeOp::kBytesOverTime: case RangeOp::kBytesRate:
        case RangeOp::kRate: case RangeOp::kAbsentOverTime:
          break;
        default:
          Defer(ParseError("invalid aggregation " + name + " without unwrap"));
      }
    }
    if (!param_text) agg.param.reset();
    return Expr{std::move(agg)};
  }

  // logRange: selector/pipeline/unwrap/range/offset in the orders Loki accepts (see loki.md §2.2).
  base::Result<LogRange> ParseLogRange() {
    LogRange r;
    bool have_range = false;
    if (Is(TokKind::kLParen)) {
      Next();
      ASSIGN_OR_RETURN(r, ParseLogRange_Inner(&have_range));
      RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
      if (have_range) return r;
      if (!Is(TokKind::kRange)) return Unexpected({"RANGE"});
      RETURN_IF_ERROR(ParseRangeAndOffset(&r));
      if (!r.unwrap && Is(TokKind::kPipe) && At(1).kind == TokKind::kIdent && Lower(At(1).text) == "unwrap") {
        ASSIGN_OR_RETURN(r.unwrap, ParseUnwrap());
      }
      return r;
    }
    ASSIGN_OR_RETURN(r, ParseLogRange_Inner(&have_range));
    if (!have_range) return Unexpected();
    return r;
  }

  base::Result<LogRange> ParseLogRange_Inner(bool* have_range) {
    LogRange r;
    if (Is(TokKind::kLParen)) {
      Next();
      ASSIGN_OR_RETURN(r, ParseLogRange_Inner(have_range));
      RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
      if (!*have_range && Is(TokKind::kRange)) {
        RETURN_IF_ERROR(ParseRangeAndOffset(&r));
        *have_range = true;
      }
      return r;
    }
    if (!Is(TokKind::kLBrace)) return Unexpected({"{"});
    ASSIGN_OR_RETURN(r.log.selector, ParseSelector());
    RETURN_IF_ERROR(ParseStages(&r.log.stages));
    if (Is(TokKind::kPipe) && At(1).kind == TokKind::kIdent && Lower(At(1).text) == "unwrap") {
      ASSIGN_OR_RETURN(r.unwrap, ParseUnwrap());
    }
    if (Is(TokKind::kRange)) {
      bool stages_before = !r.log.stages.empty() || r.unwrap;
      RETURN_IF_ERROR(ParseRangeAndOffset(&r));
      *have_range = true;
      if (!stages_before) {
        RETURN_IF_ERROR(ParseStages(&r.log.stages));
        if (Is(TokKind::kPipe) && At(1).kind == TokKind::kIdent && Lower(At(1).text) == "unwrap") {
          ASSIGN_OR_RETURN(r.unwrap, ParseUnwrap());
        }
      }
    }
    return r;
  }

  base::Status ParseRangeAndOffset(LogRange* r) {
    r->range_ns = Cur().duration_ns;
    Next();
    if (IsWord("offset")) {
      Next();
      if (!Is(TokKind::kDuration)) return Unexpected({"DURATION"});
      r->offset_ns = Cur().duration_ns;
      Next();
    }
    return base::Status::Ok();
  }

  base::Result<Unwrap> ParseUnwrap() {
    Next();  // |
    Next();  // unwrap
    Unwrap u;
    if (Is(TokKind::kIdent) && At(1).kind == TokKind::kLParen) {
      std::string conv = CurLower();
      if (conv == "bytes") u.conversion = Unwrap::Conversion::kBytes;
      else if (conv == "duration") u.conversion = Unwrap::Conversion::kDuration;
      else if (conv == "duration_seconds") u.conversion = Unwrap::Conversion::kDurationSeconds;
      else return Unexpected();
      Next();
      Next();
      if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER"});
      u.label = Cur().text;
      Next();
      RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
    } else {
      if (!Is(TokKind::kIdent)) return Unexpected();
      u.label = Cur().text;
      Next();
    }
    while (Is(TokKind::kPipe) && At(1).kind == TokKind::kIdent && AtLabelFilterStart(1)) {
      Next();
      ASSIGN_OR_RETURN(LabelFilter f, ParseLabelFilterOr());
      u.post_filters.push_back(std::move(f));
    }
    return u;
  }

  // ---- log expressions ----

  base::Result<LogExpr> ParseLogExpr() {
    LogExpr log;
    ASSIGN_OR_RETURN(log.selector, ParseSelector());
    RETURN_IF_ERROR(ParseStages(&log.stages));
    return log;
  }

  base::Result<Selector> ParseSelector() {
    RETURN_IF_ERROR(Expect(TokKind::kLBrace, "{"));
    Selector sel;
    if (Is(TokKind::kRBrace)) {
      Next();
      return sel;
    }
    for (;;) {
      if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER"});
      Matcher m;
      m.name = Cur().text;
      Next();
      switch (Cur().kind) {
        case TokKind::kEq: m.op = MatchOp::kEq; break;
        case TokKind::kNeq: m.op = MatchOp::kNeq; break;
        case TokKind::kRe: m.op = MatchOp::kRegex; break;
        case TokKind::kNre: m.op = MatchOp::kNotRegex; break;
        default: return Unexpected({"=", "!=", "=~", "!~"});
      }
      Next();
      if (!Is(TokKind::kString)) return Unexpected({"STRING"});
      m.value = Cur().text;
      Next();
      if (m.op == MatchOp::kRegex || m.op == MatchOp::kNotRegex) Defer(CheckRegex(m.value));
      sel.matchers.push_back(std::move(m));
      if (Is(TokKind::kComma)) {
        Next();
        continue;
      }
      if (Is(TokKind::kRBrace)) {
        Next();
        return sel;
      }
      return Unexpected({"}", ","});
    }
  }

  static bool IsLineFilterOp(TokKind k) {
    return k == TokKind::kPipeExact || k == TokKind::kNeq || k == TokKind::kPipeMatch || k == TokKind::kNre ||
           k == TokKind::kPipePattern || k == TokKind::kNpa;
  }

  base::Status ParseStages(std::vector<Stage>* stages) {
    for (;;) {
      if (IsLineFilterOp(Cur().kind)) {
        ASSIGN_OR_RETURN(LineFilterStage lf, ParseLineFilter());
        stages->push_back(std::move(lf));
        continue;
      }
      if (!Is(TokKind::kPipe)) return base::Status::Ok();
      if (At(1).kind == TokKind::kIdent && Lower(At(1).text) == "unwrap") return base::Status::Ok();
      Next();
      ASSIGN_OR_RETURN(Stage s, ParseStage());
      stages->push_back(std::move(s));
    }
  }

  base::Result<LineFilterStage> ParseLineFilter() {
    LineFilterStage lf;
    switch (Cur().kind) {
      case TokKind::kPipeExact: lf.op = LineFilterOp::kContains; break;
      case TokKind::kNeq: lf.op = LineFilterOp::kNotContains; break;
      case TokKind::kPipeMatch: lf.op = LineFilterOp::kRegex; break;
      case TokKind::kNre: lf.op = LineFilterOp::kNotRegex; break;
      case TokKind::kPipePattern: lf.op = LineFilterOp::kPattern; break;
      default: lf.op = LineFilterOp::kNotPattern; break;
    }
    Next();
    bool ip_ok = lf.op == LineFilterOp::kContains || lf.op == LineFilterOp::kNotContains;
    for (;;) {
      LineFilterArg arg;
      if (ip_ok && IsWord("ip") && At(1).kind == TokKind::kLParen) {
        Next();
        Next();
        if (!Is(TokKind::kString)) return Unexpected({"STRING"});
        arg.is_ip = true;
        arg.value = Cur().text;
        Next();
        RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
        if (!IsValidIpFilter(arg.value)) Defer(ParseError("invalid ip filter: " + QuoteString(arg.value)));
      } else if (Is(TokKind::kString)) {
        arg.value = Cur().text;
        Next();
        if (lf.op == LineFilterOp::kRegex || lf.op == LineFilterOp::kNotRegex) {
          RE2::Options opts;
          opts.set_log_errors(false);
          RE2 re(arg.value, opts);
          if (!re.ok()) Defer(ParseError("error parsing regexp: " + re.error()));
        }
      } else {
        return Unexpected({"STRING"});
      }
      lf.args.push_back(std::move(arg));
      if (IsWord("or") && (At(1).kind == TokKind::kString ||
                           (ip_ok && At(1).kind == TokKind::kIdent && Lower(At(1).text) == "ip"))) {
        Next();
        continue;
      }
      return lf;
    }
  }

  base::Result<Stage> ParseStage() {
    std::string w = CurLower();
    if (w == "json" || w == "logfmt") {
      ParserStage p;
      p.kind = w == "json" ? ParserKind::kJson : ParserKind::kLogfmt;
      Next();
      while (p.kind == ParserKind::kLogfmt && Is(TokKind::kParserFlag)) {
        if (Cur().text == "--strict") p.strict = true;
        else p.keep_empty = true;
        Next();
      }
      if (Is(TokKind::kIdent)) {
        for (;;) {
          if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER"});
          Extraction e;
          e.label = Cur().text;
          Next();
          if (Is(TokKind::kEq)) {
            Next();
            if (!Is(TokKind::kString)) return Unexpected({"STRING"});
            e.expression = Cur().text;
            Next();
          }
          p.extractions.push_back(std::move(e));
          if (!Is(TokKind::kComma)) break;
          Next();
        }
      }
      return Stage{std::move(p)};
    }
    if (w == "regexp" || w == "pattern") {
      ParserStage p;
      p.kind = w == "regexp" ? ParserKind::kRegexp : ParserKind::kPattern;
      Next();
      if (!Is(TokKind::kString)) return Unexpected({"STRING"});
      p.pattern = Cur().text;
      Next();
      if (p.kind == ParserKind::kRegexp) {
        RE2::Options opts;
        opts.set_log_errors(false);
        RE2 re(p.pattern, opts);
        if (!re.ok()) {
          Defer(ParseError("error parsing regexp: " + re.error()));
        } else if (re.NamedCapturingGroups().empty()) {
          Defer(ParseError("at least one named capture must be supplied"));
        }
      } else {
        Defer(ValidatePattern(p.pattern));
      }
      return Stage{std::move(p)};
    }
    if (w == "unpack") {
      Next();
      ParserStage p;
      p.kind = ParserKind::kUnpack;
      return Stage{std::move(p)};
    }
    if (w == "line_format") {
      Next();
      if (!Is(TokKind::kString)) return Unexpected({"STRING"});
      LineFormatStage s{Cur().text};
      Next();
      return Stage{std::move(s)};
    }
    if (w == "label_format") {
      Next();
      LabelFormatStage s;
      std::set<std::string> seen;
      for (;;) {
        if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER"});
        LabelFormatItem item;
        item.dst = Cur().text;
        Next();
        RETURN_IF_ERROR(Expect(TokKind::kEq, "="));
        if (Is(TokKind::kString)) {
          item.is_template = true;
        } else if (!Is(TokKind::kIdent)) {
          return Unexpected({"STRING", "IDENTIFIER"});
        }
        item.value = Cur().text;
        Next();
        if (!seen.insert(item.dst).second) {
          Defer(ParseError("multiple label name '" + item.dst + "' appears in formatting"));
        }
        s.items.push_back(std::move(item));
        if (!Is(TokKind::kComma)) break;
        Next();
      }
      return Stage{std::move(s)};
    }
    if (w == "decolorize") {
      Next();
      return Stage{DecolorizeStage{}};
    }
    if (w == "drop" || w == "keep") {
      Next();
      std::vector<NamedLabel> labels;
      for (;;) {
        if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER"});
        NamedLabel n;
        n.name = Cur().text;
        Next();
        std::optional<MatchOp> op;
        switch (Cur().kind) {
          case TokKind::kEq: op = MatchOp::kEq; break;
          case TokKind::kNeq: op = MatchOp::kNeq; break;
          case TokKind::kRe: op = MatchOp::kRegex; break;
          case TokKind::kNre: op = MatchOp::kNotRegex; break;
          default: break;
        }
        if (op) {
          Next();
          if (!Is(TokKind::kString)) return Unexpected({"STRING"});
          n.matcher = Matcher{n.name, *op, Cur().text};
          if (*op == MatchOp::kRegex || *op == MatchOp::kNotRegex) Defer(CheckRegex(Cur().text));
          Next();
        }
        labels.push_back(std::move(n));
        if (!Is(TokKind::kComma)) break;
        Next();
      }
      if (w == "drop") return Stage{DropStage{std::move(labels)}};
      return Stage{KeepStage{std::move(labels)}};
    }
    if (Is(TokKind::kIdent) || Is(TokKind::kLParen)) {
      ASSIGN_OR_RETURN(LabelFilter f, ParseLabelFilterOr());
      return Stage{LabelFilterStage{std::move(f)}};
    }
    return Unexpected();
  }

  // A label filter starts here (ahead tokens from pos_): IDENT followed by a comparison, or "(".
  bool AtLabelFilterStart(size_t ahead) const {
    const Token& t = At(ahead);
    if (t.kind == TokKind::kLParen) return true;
    if (t.kind != TokKind::kIdent) return false;
    std::string lower = Lower(t.text);
    if (IsKeyword(lower) && lower != "drop" && lower != "keep") {
      // keywords cannot name a label filter's label (Loki lexes them as keywords)
      return false;
    }
    switch (At(ahead + 1).kind) {
      case TokKind::kEq: case TokKind::kNeq: case TokKind::kRe: case TokKind::kNre: case TokKind::kGt:
      case TokKind::kGe: case TokKind::kLt: case TokKind::kLe: case TokKind::kCmpEq:
        return true;
      default:
        return false;
    }
  }

  base::Result<LabelFilter> ParseLabelFilterOr() {
    if (++depth_ > 200) return ParseError("query too deeply nested", Cur().line, Cur().col);
    ASSIGN_OR_RETURN(LabelFilter lhs, ParseLabelFilterAnd());
    while (IsWord("or") && AtLabelFilterStart(1)) {
      Next();
      ASSIGN_OR_RETURN(LabelFilter rhs, ParseLabelFilterAnd());
      LabelFilter f;
      f.kind = LabelFilter::Kind::kOr;
      f.left = std::move(lhs);
      f.right = std::move(rhs);
      lhs = std::move(f);
    }
    --depth_;
    return lhs;
  }

  base::Result<LabelFilter> ParseLabelFilterAnd() {
    ASSIGN_OR_RETURN(LabelFilter lhs, ParseLabelFilterPrimary());
    for (;;) {
      if ((IsWord("and") || Is(TokKind::kComma)) && AtLabelFilterStart(1)) {
        Next();
      } else if (!(Is(TokKind::kIdent) && AtLabelFilterStart(0)) && !Is(TokKind::kLParen)) {
        break;
      }
      ASSIGN_OR_RETURN(LabelFilter rhs, ParseLabelFilterPrimary());
      LabelFilter f;
      f.kind = LabelFilter::Kind::kAnd;
      f.left = std::move(lhs);
      f.right = std::move(rhs);
      lhs = std::move(f);
    }
    return lhs;
  }

  base::Result<LabelFilter> ParseLabelFilterPrimary() {
    if (Is(TokKind::kLParen)) {
      Next();
      ASSIGN_OR_RETURN(LabelFilter f, ParseLabelFilterOr());
      RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
      return f;
    }
    if (!Is(TokKind::kIdent)) return Unexpected({"IDENTIFIER", "("});
    LabelFilter f;
    f.name = Cur().text;
    Next();
    TokKind op = Cur().kind;
    const char* numeric_expect[] = {"BYTES", "NUMBER", "DURATION"};
    (void)numeric_expect;
    switch (op) {
      case TokKind::kEq: case TokKind::kNeq: case TokKind::kRe: case TokKind::kNre: case TokKind::kGt:
      case TokKind::kGe: case TokKind::kLt: case TokKind::kLe: case TokKind::kCmpEq:
        break;
      default:
        return Unexpected();
    }
    Next();
    bool string_op = op == TokKind::kEq || op == TokKind::kNeq || op == TokKind::kRe || op == TokKind::kNre;
    bool eq_op = op == TokKind::kEq || op == TokKind::kNeq;
    if (string_op && Is(TokKind::kString)) {
      f.kind = LabelFilter::Kind::kString;
      f.match_op = op == TokKind::kEq ? MatchOp::kEq : op == TokKind::kNeq ? MatchOp::kNeq
                   : op == TokKind::kRe ? MatchOp::kRegex : MatchOp::kNotRegex;
      f.value = Cur().text;
      Next();
      if (f.match_op == MatchOp::kRegex || f.match_op == MatchOp::kNotRegex) Defer(CheckRegex(f.value));
      return f;
    }
    if (op == TokKind::kRe || op == TokKind::kNre) return Unexpected({"STRING"});
    if (eq_op && IsWord("ip") && At(1).kind == TokKind::kLParen) {
      Next();
      Next();
      if (!Is(TokKind::kString)) return Unexpected({"STRING"});
      f.kind = LabelFilter::Kind::kIp;
      f.cmp_op = op == TokKind::kEq ? CmpOp::kEq : CmpOp::kNeq;
      f.value = Cur().text;
      Next();
      RETURN_IF_ERROR(Expect(TokKind::kRParen, ")"));
      if (!IsValidIpFilter(f.value)) Defer(ParseError("invalid ip filter: " + QuoteString(f.value)));
      return f;
    }
    switch (op) {
      case TokKind::kEq: case TokKind::kCmpEq: f.cmp_op = CmpOp::kEq; break;
      case TokKind::kNeq: f.cmp_op = CmpOp::kNeq; break;
      case TokKind::kGt: f.cmp_op = CmpOp::kGt; break;
      case TokKind::kGe: f.cmp_op = CmpOp::kGe; break;
      case TokKind::kLt: f.cmp_op = CmpOp::kLt; break;
      default: f.cmp_op = CmpOp::kLe; break;
    }
    std::string sign;
    if (Is(TokKind::kSub) || Is(TokKind::kAdd)) {
      if (At(1).kind != TokKind::kNumber) {
        Next();
        return Unexpected({"NUMBER"});
      }
      sign = Is(TokKind::kSub) ? "-" : "";
      Next();
    }
    if (Is(TokKind::kNumber)) {
      f.kind = LabelFilter::Kind::kNumber;
      f.number = sign.empty() ? Cur().number : -Cur().number;
      f.value = sign + Cur().text;
    } else if (Is(TokKind::kDuration)) {
      f.kind = LabelFilter::Kind::kDuration;
      f.duration_ns = Cur().duration_ns;
      f.value = Cur().text;
    } else if (Is(TokKind::kBytes)) {
      f.kind = LabelFilter::Kind::kBytes;
      f.bytes = static_cast<uint64_t>(Cur().number);
      f.value = Cur().text;
    } else if (string_op) {
      return Unexpected();
    } else {
      return Unexpected({"BYTES", "NUMBER", "DURATION"});
    }
    Next();
    return f;
  }

  static base::Status ValidatePattern(const std::string& pattern) {
    // Captures are <name>; <_> is a skipped capture. Need one named capture and no two adjacent captures.
    size_t i = 0;
    bool prev_capture = false;
    bool named = false;
    while (i < pattern.size()) {
      if (pattern[i] == '<') {
        size_t j = i + 1;
        while (j < pattern.size() && (std::isalnum(static_cast<unsigned char>(pattern[j])) || pattern[j] == '_')) {
          ++j;
        }
        if (j < pattern.size() && pattern[j] == '>' && j > i + 1 &&
            !std::isdigit(static_cast<unsigned char>(pattern[i + 1]))) {
          std::string name = pattern.substr(i + 1, j - i - 1);
          if (prev_capture) return ParseError("found consecutive capture '" + name + "'");
          if (name != "_") named = true;
          prev_capture = true;
          i = j + 1;
          continue;
        }
      }
      prev_capture = false;
      ++i;
    }
    if (!named) return ParseError("at least one capture is required");
    return base::Status::Ok();
  }

  static void CollectSelectors(const Expr& e, std::vector<const Selector*>* out) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, LogExpr>) {
            out->push_back(&n.selector);
          } else if constexpr (std::is_same_v<T, RangeAggregation>) {
            out->push_back(&n.range.log.selector);
          } else if constexpr (std::is_same_v<T, VectorAggregation>) {
            CollectSelectors(*n.inner, out);
          } else if constexpr (std::is_same_v<T, BinaryExpr>) {
            CollectSelectors(*n.lhs, out);
            CollectSelectors(*n.rhs, out);
          } else if constexpr (std::is_same_v<T, LabelReplaceExpr>) {
            CollectSelectors(*n.inner, out);
          }
        },
        e.node);
  }

  static base::Status ValidateSelectors(const Expr& e) {
    std::vector<const Selector*> selectors;
    CollectSelectors(e, &selectors);
    for (const Selector* s : selectors) {
      bool ok = std::any_of(s->matchers.begin(), s->matchers.end(), [](const Matcher& m) { return !MatchesEmpty(m); });
      if (!ok) {
        return ParseError(
            "queries require at least one regexp or equality matcher that does not have an empty-compatible "
            "value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will");
      }
    }
    return base::Status::Ok();
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  base::Status deferred_;
};

}  // namespace

base::Result<Expr> ParseLogQL(std::string_view query) {
  if (query.size() >= kMaxQueryLength) return ParseError("input size too long");
  ASSIGN_OR_RETURN(std::vector<Token> toks, LexLogQL(query));
  return Parser(std::move(toks)).Run();
}

}  // namespace strata::query
