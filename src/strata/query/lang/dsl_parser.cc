#include "strata/query/lang/dsl_parser.h"

#include <re2/re2.h>

#include <cctype>

#include "strata/query/lang/logql_lexer.h"
#include "strata/query/lang/logql_parser.h"

namespace strata::query {

namespace {

enum class DTok { kEnd, kWord, kString, kOp, kLParen, kRParen, kComma, kPipe };

struct DToken {
  DTok kind = DTok::kEnd;
  std::string text;
  int line = 1;
  int col = 1;
};

bool IsWordStart(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == ':' || c == '@' ||
         c == '/';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

base::Result<std::vector<DToken>> LexDsl(std::string_view in) {
  std::vector<DToken> out;
  size_t pos = 0;
  int line = 1, col = 1;
  auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && pos < in.size(); ++k, ++pos) {
      if (in[pos] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(in[pos]) & 0xC0) != 0x80) {
        ++col;
      }
    }
  };
  for (;;) {
    while (pos < in.size() && std::isspace(static_cast<unsigned char>(in[pos]))) advance(1);
    DToken t;
    t.line = line;
    t.col = col;
    if (pos >= in.size()) {
      out.push_back(t);
      return out;
    }
    char c = in[pos];
    if (c == '"' || c == '`' || c == '\'') {
      // Find the end, then reuse the LogQL lexer's Go unquoting (single quotes are treated like double).
      size_t e = pos + 1;
      while (e < in.size() && in[e] != c) {
        if (c != '`' && in[e] == '\\') ++e;
        ++e;
      }
      if (e >= in.size()) return ParseError("literal not terminated", t.line, t.col);
      std::string lit(in.substr(pos, e - pos + 1));
      if (c == '\'') {
        lit.front() = '"';
        lit.back() = '"';
        // a bare " inside a single-quoted string must be escaped for the Go unquoter
        std::string fixed = "\"";
        for (size_t k = 1; k + 1 < lit.size(); ++k) {
          if (lit[k] == '\\' && k + 2 < lit.size()) {
            fixed += lit[k];
            fixed += lit[++k];
            continue;
          }
          if (lit[k] == '"') fixed += '\\';
          fixed += lit[k];
        }
        lit = fixed + "\"";
      }
      auto toks = LexLogQL(lit);
      if (!toks.ok() || toks->size() != 2 || (*toks)[0].kind != TokKind::kString) {
        return ParseError("invalid syntax", t.line, t.col);
      }
      t.kind = DTok::kString;
      t.text = (*toks)[0].text;
      advance(e - pos + 1);
    } else if (IsWordStart(c)) {
      size_t e = pos;
      while (e < in.size() && IsWordChar(in[e])) ++e;
      t.kind = DTok::kWord;
      t.text = std::string(in.substr(pos, e - pos));
      advance(e - pos);
    } else if (c == '(' || c == ')' || c == ',' || c == '|') {
      t.kind = c == '(' ? DTok::kLParen : c == ')' ? DTok::kRParen : c == ',' ? DTok::kComma : DTok::kPipe;
      t.text = std::string(1, c);
      advance(1);
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      size_t n = (pos + 1 < in.size() && in[pos + 1] == '=') ? 2 : 1;
      if (c == '=' && n == 2) {
        t.text = "=";  // `==` is `=`
      } else {
        t.text = std::string(in.substr(pos, n));
      }
      if (t.text == "!") return ParseError("syntax error: unexpected !", t.line, t.col);
      t.kind = DTok::kOp;
      advance(n);
    } else {
      return ParseError("syntax error: unexpected " + std::string(1, c), t.line, t.col);
    }
    out.push_back(std::move(t));
  }
}

class DslParser {
 public:
  explicit DslParser(std::vector<DToken> toks) : toks_(std::move(toks)) {}

  base::Result<DslQuery> Run() {
    std::optional<BoolExpr> filter;
    if (!Is(DTok::kEnd) && !Is(DTok::kPipe)) {
      ASSIGN_OR_RETURN(filter, ParseOr());
    }
    bool count = false, histogram = false;
    std::optional<Grouping> grouping;
    int64_t step = 0;
    while (Is(DTok::kPipe)) {
      Next();
      bool any = false;
      if (IsWord("count")) {
        if (count) return Unexpected();
        count = true;
        any = true;
        Next();
        if (IsWord("by")) {
          Next();
          Grouping g;
          for (;;) {
            if (!Is(DTok::kWord) || IsKeyword()) return Unexpected("a field name");
            g.labels.push_back(Cur().text);
            Next();
            if (!Is(DTok::kComma)) break;
            Next();
          }
          grouping = std::move(g);
        }
      }
      if (IsWord("histogram")) {
        if (histogram) return Unexpected();
        histogram = true;
        any = true;
        Next();
        int64_t ns = 0;
        if (!Is(DTok::kWord) || !ParseAnyDuration(Cur().text, &ns) || ns <= 0) return Unexpected("a duration");
        step = ns;
        Next();
      }
      if (!any) return Unexpected("count or histogram");
    }
    if (!Is(DTok::kEnd)) return Unexpected();
    LogExpr log;
    if (filter) log.stages.push_back(BoolFilterStage{std::move(*filter)});
    DslQuery q;
    if (!count && !histogram) {
      q.expr.node = std::move(log);
      return q;
    }
    RangeAggregation ra;
    ra.op = RangeOp::kCountOverTime;
    ra.range.log = std::move(log);
    ra.range.range_ns = step;
    VectorAggregation va;
    va.op = VectorOp::kSum;
    va.grouping = std::move(grouping);
    va.inner = Expr{std::move(ra)};
    q.expr.node = std::move(va);
    q.step_ns = step;
    return q;
  }

 private:
  const DToken& Cur() const { return toks_[pos_]; }
  bool Is(DTok k) const { return Cur().kind == k; }
  bool IsWord(const char* w) const { return Is(DTok::kWord) && Lower(Cur().text) == w; }
  bool IsKeyword() const {
    static const char* kWords[] = {"and", "or", "not", "contains", "matches", "in", "count", "by", "histogram"};
    for (const char* w : kWords) {
      if (IsWord(w)) return true;
    }
    return false;
  }
  void Next() {
    if (pos_ + 1 < toks_.size()) ++pos_;
  }
  base::Status Unexpected(const char* expecting = nullptr) const {
    std::string name = Is(DTok::kEnd) ? "$end" : Is(DTok::kString) ? "STRING" : Cur().text;
    std::string msg = "syntax error: unexpected " + name;
    if (expecting) msg += std::string(", expecting ") + expecting;
    return ParseError(msg, Cur().line, Cur().col);
  }

  base::Result<BoolExpr> ParseOr() {
    if (++depth_ > 200) return ParseError("query too deeply nested", Cur().line, Cur().col);
    ASSIGN_OR_RETURN(BoolExpr lhs, ParseAnd());
    while (IsWord("or")) {
      Next();
      ASSIGN_OR_RETURN(BoolExpr rhs, ParseAnd());
      BoolExpr e;
      e.kind = BoolExpr::Kind::kOr;
      e.left = std::move(lhs);
      e.right = std::move(rhs);
      lhs = std::move(e);
    }
    --depth_;
    return lhs;
  }

  base::Result<BoolExpr> ParseAnd() {
    ASSIGN_OR_RETURN(BoolExpr lhs, ParseUnary());
    while (IsWord("and")) {
      Next();
      ASSIGN_OR_RETURN(BoolExpr rhs, ParseUnary());
      BoolExpr e;
      e.kind = BoolExpr::Kind::kAnd;
      e.left = std::move(lhs);
      e.right = std::move(rhs);
      lhs = std::move(e);
    }
    return lhs;
  }

  base::Result<BoolExpr> ParseUnary() {
    if (++depth_ > 200) return ParseError("query too deeply nested", Cur().line, Cur().col);
    if (IsWord("not")) {
      Next();
      ASSIGN_OR_RETURN(BoolExpr inner, ParseUnary());
      BoolExpr e;
      e.kind = BoolExpr::Kind::kNot;
      e.left = std::move(inner);
      --depth_;
      return e;
    }
    if (Is(DTok::kLParen)) {
      Next();
      ASSIGN_OR_RETURN(BoolExpr inner, ParseOr());
      if (!Is(DTok::kRParen)) return Unexpected(")");
      Next();
      --depth_;
      return inner;
    }
    if (Is(DTok::kString)) {  // a bare string searches the message
      BoolExpr e;
      e.field.kind = FieldRef::Kind::kMessage;
      e.op = DslOp::kContains;
      e.values.push_back(Cur().text);
      Next();
      --depth_;
      return e;
    }
    if (!Is(DTok::kWord) || IsKeyword()) return Unexpected("a field name");
    BoolExpr e;
    e.field = FieldFor(Cur().text);
    Next();
    if (Is(DTok::kOp)) {
      const std::string& op = Cur().text;
      e.op = op == "=" ? DslOp::kEq : op == "!=" ? DslOp::kNeq : op == ">" ? DslOp::kGt : op == "<" ? DslOp::kLt
             : op == ">=" ? DslOp::kGe : DslOp::kLe;
      Next();
      if (!(Is(DTok::kString) || (Is(DTok::kWord) && !IsKeyword()))) return Unexpected("a value");
      e.values.push_back(Cur().text);
      Next();
    } else if (IsWord("contains") || IsWord("matches")) {
      e.op = IsWord("contains") ? DslOp::kContains : DslOp::kMatches;
      Next();
      if (!Is(DTok::kString)) return Unexpected("STRING");
      e.values.push_back(Cur().text);
      if (e.op == DslOp::kMatches) {
        RE2::Options opts;
        opts.set_log_errors(false);
        RE2 re(Cur().text, opts);
        if (!re.ok()) return ParseError("error parsing regexp: " + re.error());
      }
      Next();
    } else if (IsWord("in")) {
      e.op = DslOp::kIn;
      Next();
      if (!Is(DTok::kLParen)) return Unexpected("(");
      Next();
      for (;;) {
        if (!(Is(DTok::kString) || (Is(DTok::kWord) && !IsKeyword()))) return Unexpected("a value");
        e.values.push_back(Cur().text);
        Next();
        if (Is(DTok::kComma)) {
          Next();
          continue;
        }
        if (Is(DTok::kRParen)) {
          Next();
          break;
        }
        return Unexpected(", or )");
      }
    } else {
      return Unexpected("an operator");
    }
    --depth_;
    return e;
  }

  static FieldRef FieldFor(const std::string& word) {
    std::string l = Lower(word);
    FieldRef f;
    if (l == "message" || l == "msg") f.kind = FieldRef::Kind::kMessage;
    else if (l == "level") f.kind = FieldRef::Kind::kLevel;
    else if (l == "service") f.kind = FieldRef::Kind::kService;
    else if (l == "traceid" || l == "trace_id") f.kind = FieldRef::Kind::kTraceId;
    else f.name = word;
    return f;
  }

  std::vector<DToken> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

bool IsPlainWord(const std::string& v) {
  if (v.empty() || !IsWordStart(v[0])) return false;
  for (char c : v) {
    if (!IsWordChar(c)) return false;
  }
  static const char* kWords[] = {"and", "or", "not", "contains", "matches", "in", "count", "by", "histogram"};
  for (const char* w : kWords) {
    if (Lower(v) == w) return false;
  }
  return true;
}

std::string FormatValue(const std::string& v) { return IsPlainWord(v) ? v : QuoteString(v); }

std::string FieldText(const FieldRef& f) {
  switch (f.kind) {
    case FieldRef::Kind::kMessage: return "message";
    case FieldRef::Kind::kLevel: return "level";
    case FieldRef::Kind::kService: return "service";
    case FieldRef::Kind::kTraceId: return "traceId";
    case FieldRef::Kind::kName: return f.name;
  }
  return f.name;
}

std::string FormatChild(const BoolExpr& child, BoolExpr::Kind parent, bool right) {
  bool binary = child.kind == BoolExpr::Kind::kAnd || child.kind == BoolExpr::Kind::kOr;
  if (binary && (child.kind != parent || right)) return "(" + FormatBoolExpr(child) + ")";
  return FormatBoolExpr(child);
}

}  // namespace

std::string FormatBoolExpr(const BoolExpr& e) {
  switch (e.kind) {
    case BoolExpr::Kind::kAnd:
    case BoolExpr::Kind::kOr:
      return FormatChild(*e.left, e.kind, false) + (e.kind == BoolExpr::Kind::kAnd ? " AND " : " OR ") +
             FormatChild(*e.right, e.kind, true);
    case BoolExpr::Kind::kNot: {
      bool binary = e.left->kind == BoolExpr::Kind::kAnd || e.left->kind == BoolExpr::Kind::kOr;
      return "NOT " + (binary ? "(" + FormatBoolExpr(*e.left) + ")" : FormatBoolExpr(*e.left));
    }
    case BoolExpr::Kind::kCompare: break;
  }
  std::string out = FieldText(e.field);
  switch (e.op) {
    case DslOp::kEq: return out + "=" + FormatValue(e.values.at(0));
    case DslOp::kNeq: return out + "!=" + FormatValue(e.values.at(0));
    case DslOp::kGt: return out + ">" + FormatValue(e.values.at(0));
    case DslOp::kLt: return out + "<" + FormatValue(e.values.at(0));
    case DslOp::kGe: return out + ">=" + FormatValue(e.values.at(0));
    case DslOp::kLe: return out + "<=" + FormatValue(e.values.at(0));
    case DslOp::kContains: return out + " CONTAINS " + QuoteString(e.values.at(0));
    case DslOp::kMatches: return out + " MATCHES " + QuoteString(e.values.at(0));
    case DslOp::kIn: {
      out += " IN (";
      for (size_t i = 0; i < e.values.size(); ++i) {
        if (i) out += ", ";
        out += FormatValue(e.values[i]);
      }
      return out + ")";
    }
  }
  return out;
}

base::Result<DslQuery> ParseDsl(std::string_view text) {
  if (text.size() >= kMaxQueryLength) return ParseError("input size too long");
  ASSIGN_OR_RETURN(std::vector<DToken> toks, LexDsl(text));
  return DslParser(std::move(toks)).Run();
}

std::string FormatDsl(const DslQuery& q) {
  const LogExpr* log = std::get_if<LogExpr>(&q.expr.node);
  const VectorAggregation* va = std::get_if<VectorAggregation>(&q.expr.node);
  const RangeAggregation* ra = va ? std::get_if<RangeAggregation>(&va->inner->node) : nullptr;
  if (ra) log = &ra->range.log;
  std::string out;
  if (log) {
    for (const Stage& s : log->stages) {
      if (const auto* b = std::get_if<BoolFilterStage>(&s)) out += FormatBoolExpr(b->expr);
    }
  }
  if (ra) {
    out += out.empty() ? "| count" : " | count";
    if (va->grouping) {
      out += " by ";
      for (size_t i = 0; i < va->grouping->labels.size(); ++i) {
        if (i) out += ", ";
        out += va->grouping->labels[i];
      }
    }
    if (q.step_ns > 0) out += " histogram " + FormatDuration(q.step_ns);
  }
  return out;
}

}  // namespace strata::query
