#include "strata/storage/stream_selector.h"

#include "strata/common/text.h"

#include <cstdint>
#include <string>
#include <utility>

namespace strata::storage {
namespace {

// Loki rejects queries of 128 KiB or more before lexing (pkg/logql/syntax/parser.go).
constexpr size_t kMaxInputBytes = 128 * 1024;

constexpr const char* kEmptyCompatibleError =
    "queries require at least one regexp or equality matcher that does not have an empty-compatible value. "
    "For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";

// Loki's parse errors: "parse error at line L, col C: msg", or "parse error : msg" without a position.
base::Status ParseError(int line, int col, const std::string& msg) {
  if (line == 0 && col == 0) return base::InvalidArgument("parse error : " + msg);
  return base::InvalidArgument("parse error at line " + std::to_string(line) + ", col " + std::to_string(col) +
                               ": " + msg);
}

enum class Tok {
  kEnd,
  kOpenBrace,
  kCloseBrace,
  kComma,
  kIdent,
  kString,
  kNumber,
  kEq,          // =
  kNeq,         // !=
  kRe,          // =~
  kNre,         // !~
  kPipeExact,   // |=
  kPipeMatch,   // |~
  kPipe,        // |  (a pipeline stage we do not support)
  kPipePattern, // |>
  kNotPattern,  // !>
  kOther,       // any other character
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;   // identifier, unquoted string, or the raw characters of an operator
  int line = 1;
  int col = 1;
};

// Token names as Loki's goyacc error messages print them (its parser renames tokens to their literal text).
std::string TokenName(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "$end";
    case Tok::kIdent: return "IDENTIFIER";
    case Tok::kString: return "STRING";
    case Tok::kNumber: return "NUMBER";
    default: return t.text;
  }
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A hand-written lexer over the whole input. Positions are 1-based lines and columns (in bytes), as Loki reports
// them for the token where the error was found.
class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  base::Result<Token> Next() {
    SkipSpaceAndComments();
    Token t;
    t.line = line_;
    t.col = col_;
    if (pos_ >= in_.size()) return t;
    char c = in_[pos_];
    char n = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
    auto op = [&](Tok kind, size_t len) {
      t.kind = kind;
      t.text.assign(in_.substr(pos_, len));
      Advance(len);
      return t;
    };
    switch (c) {
      case '{': return op(Tok::kOpenBrace, 1);
      case '}': return op(Tok::kCloseBrace, 1);
      case ',': return op(Tok::kComma, 1);
      case '=': return n == '~' ? op(Tok::kRe, 2) : op(Tok::kEq, 1);
      case '!':
        if (n == '=') return op(Tok::kNeq, 2);
        if (n == '~') return op(Tok::kNre, 2);
        if (n == '>') return op(Tok::kNotPattern, 2);
        break;
      case '|':
        if (n == '=') return op(Tok::kPipeExact, 2);
        if (n == '~') return op(Tok::kPipeMatch, 2);
        if (n == '>') return op(Tok::kPipePattern, 2);
        return op(Tok::kPipe, 1);
      case '"':
      case '`': {
        auto s = LexString(c);
        if (!s.ok()) return s.status();
        t.kind = Tok::kString;
        t.text = std::move(s).value();
        return t;
      }
      default:
        break;
    }
    if (IsIdentStart(c)) {
      size_t end = pos_ + 1;
      while (end < in_.size() && IsIdentChar(in_[end])) ++end;
      return op(Tok::kIdent, end - pos_);
    }
    if (IsDigit(c)) {
      size_t end = pos_ + 1;
      while (end < in_.size() && (IsIdentChar(in_[end]) || in_[end] == '.')) ++end;
      return op(Tok::kNumber, end - pos_);
    }
    size_t len = common::Utf8SequenceLength(in_, pos_);
    return op(Tok::kOther, len ? len : 1);
  }

 private:
  void Advance(size_t n) {
    for (size_t i = 0; i < n && pos_ < in_.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(in_[pos_++]);
      if (c == '\n') {
        ++line_;
        col_ = 1;
      } else if ((c & 0xC0) != 0x80) {  // count characters, not UTF-8 continuation bytes
        ++col_;
      }
    }
  }

  void SkipSpaceAndComments() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Advance(1);
      } else if (c == '#') {
        while (pos_ < in_.size() && in_[pos_] != '\n') Advance(1);
      } else {
        break;
      }
    }
  }

  base::Status ErrorHere(const std::string& msg) const { return ParseError(line_, col_, msg); }

  // Go string literals as Prometheus' strutil.Unquote reads them: "..." with escapes, `...` raw.
  base::Result<std::string> LexString(char quote) {
    const int start_line = line_;
    const int start_col = col_;
    auto unterminated = [&] { return ParseError(start_line, start_col, "unterminated string literal"); };
    Advance(1);
    std::string out;
    if (quote == '`') {
      while (true) {
        if (pos_ >= in_.size()) return unterminated();
        char c = in_[pos_];
        if (c == '`') {
          Advance(1);
          return out;
        }
        if (c == '\r') {  // Go drops carriage returns from raw strings
          Advance(1);
          continue;
        }
        out += c;
        Advance(1);
      }
    }
    while (true) {
      if (pos_ >= in_.size()) return unterminated();
      char c = in_[pos_];
      if (c == '"') {
        Advance(1);
        return out;
      }
      if (c == '\n') return unterminated();
      if (c != '\\') {
        out += c;
        Advance(1);
        continue;
      }
      if (pos_ + 1 >= in_.size()) return unterminated();
      char e = in_[pos_ + 1];
      std::string bad = "invalid escape sequence \\" + std::string(1, e) + " in string literal";
      switch (e) {
        case 'a': out += '\a'; Advance(2); continue;
        case 'b': out += '\b'; Advance(2); continue;
        case 'f': out += '\f'; Advance(2); continue;
        case 'n': out += '\n'; Advance(2); continue;
        case 'r': out += '\r'; Advance(2); continue;
        case 't': out += '\t'; Advance(2); continue;
        case 'v': out += '\v'; Advance(2); continue;
        case '\\': out += '\\'; Advance(2); continue;
        case '"': out += '"'; Advance(2); continue;
        case 'x':
        case 'u':
        case 'U': {
          size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (pos_ + 2 + digits > in_.size()) return ErrorHere(bad);
          uint32_t v = 0;
          for (size_t k = 0; k < digits; ++k) {
            int h = common::HexDigitValue(in_[pos_ + 2 + k]);
            if (h < 0) return ErrorHere(bad);
            v = v * 16 + static_cast<uint32_t>(h);
          }
          if (e == 'x') {
            out += static_cast<char>(v);
          } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return ErrorHere(bad);
            common::AppendUtf8(out, v);
          }
          Advance(2 + digits);
          continue;
        }
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
          if (pos_ + 4 > in_.size()) return ErrorHere(bad);
          uint32_t v = 0;
          for (size_t k = 1; k <= 3; ++k) {
            char d = in_[pos_ + k];
            if (d < '0' || d > '7') return ErrorHere(bad);
            v = v * 8 + static_cast<uint32_t>(d - '0');
          }
          if (v > 255) return ErrorHere(bad);
          out += static_cast<char>(v);
          Advance(4);
          continue;
        }
        default:
          return ErrorHere(bad);
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = common::Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

base::Status Unexpected(const Token& t, const std::string& expecting) {
  std::string msg = "syntax error: unexpected " + TokenName(t);
  if (!expecting.empty()) msg += ", expecting " + expecting;
  return ParseError(t.line, t.col, msg);
}

bool MatchesEmpty(const LabelMatcher& m) {
  model::LabelSet none;
  return m.Matches(none);
}

}  // namespace

bool StreamSelector::MatchesStream(const model::LabelSet& labels) const {
  for (const auto& m : matchers) {
    if (!m.Matches(labels)) return false;
  }
  return true;
}

// Grammar (a subset of LogQL's):
//   query    = selector [ lineOp STRING ] ;
//   selector = "{" [ matcher { "," matcher } ] "}" ;
//   matcher  = IDENTIFIER ( "=" | "!=" | "=~" | "!~" ) STRING ;
//   lineOp   = "|=" | "!=" | "|~" | "!~" ;
base::Result<StreamSelector> ParseStreamSelector(std::string_view text, bool allow_line_filter) {
  if (text.size() >= kMaxInputBytes) {
    return ParseError(0, 0, "input size too long (" + std::to_string(text.size()) + " > " +
                                std::to_string(kMaxInputBytes) + ")");
  }
  if (!ValidUtf8(text)) return ParseError(0, 0, "invalid UTF-8 in query");

  Lexer lex(text);
  StreamSelector sel;
  sel.text = std::string(text);

  auto next = [&lex]() { return lex.Next(); };
  auto tok = next();
  if (!tok.ok()) return tok.status();
  if (tok->kind != Tok::kOpenBrace) return Unexpected(*tok, "{");

  tok = next();
  if (!tok.ok()) return tok.status();
  if (tok->kind != Tok::kCloseBrace) {
    while (true) {
      if (tok->kind != Tok::kIdent) return Unexpected(*tok, "IDENTIFIER");
      std::string name = tok->text;
      tok = next();
      if (!tok.ok()) return tok.status();
      LabelMatcher::Op op;
      switch (tok->kind) {
        case Tok::kEq: op = LabelMatcher::Op::kEq; break;
        case Tok::kNeq: op = LabelMatcher::Op::kNeq; break;
        case Tok::kRe: op = LabelMatcher::Op::kRegex; break;
        case Tok::kNre: op = LabelMatcher::Op::kNotRegex; break;
        default: return Unexpected(*tok, "=, !=, =~ or !~");
      }
      tok = next();
      if (!tok.ok()) return tok.status();
      if (tok->kind != Tok::kString) return Unexpected(*tok, "STRING");
      auto m = MakeLabelMatcher(std::move(name), op, tok->text);
      if (!m.ok()) return ParseError(tok->line, tok->col, m.status().message());
      sel.matchers.push_back(std::move(m).value());
      tok = next();
      if (!tok.ok()) return tok.status();
      if (tok->kind == Tok::kCloseBrace) break;
      if (tok->kind != Tok::kComma) return Unexpected(*tok, "} or ,");
      tok = next();
      if (!tok.ok()) return tok.status();
    }
  }

  tok = next();
  if (!tok.ok()) return tok.status();
  if (tok->kind != Tok::kEnd) {
    Predicate::Kind kind;
    switch (tok->kind) {
      case Tok::kPipeExact: kind = Predicate::Kind::kSubstring; break;
      case Tok::kNeq: kind = Predicate::Kind::kNotSubstring; break;
      case Tok::kPipeMatch: kind = Predicate::Kind::kRegex; break;
      case Tok::kNre: kind = Predicate::Kind::kNotRegex; break;
      case Tok::kPipe:
      case Tok::kPipePattern:
      case Tok::kNotPattern:
        return ParseError(tok->line, tok->col,
                          "unsupported pipeline stage " + tok->text +
                              ": only a stream selector and one line filter (|=, !=, |~, !~) are allowed here");
      default:
        return Unexpected(*tok, allow_line_filter ? "$end, |=, !=, |~ or !~" : "$end");
    }
    if (!allow_line_filter) {
      return ParseError(tok->line, tok->col,
                        "line filters are not allowed here: the selector must select whole streams");
    }
    tok = next();
    if (!tok.ok()) return tok.status();
    if (tok->kind != Tok::kString) return Unexpected(*tok, "STRING");
    auto p = MakePredicate(kind, kMessageField, tok->text);
    if (!p.ok()) return ParseError(tok->line, tok->col, p.status().message());
    sel.line_filter = std::move(p).value();
    tok = next();
    if (!tok.ok()) return tok.status();
    if (tok->kind == Tok::kPipeExact || tok->kind == Tok::kNeq || tok->kind == Tok::kPipeMatch ||
        tok->kind == Tok::kNre || tok->kind == Tok::kPipe || tok->kind == Tok::kPipePattern ||
        tok->kind == Tok::kNotPattern) {
      return ParseError(tok->line, tok->col, "at most one line filter is supported here");
    }
    if (tok->kind != Tok::kEnd) return Unexpected(*tok, "$end");
  }

  // Loki's validation (util.SplitFiltersAndMatchers): some matcher must reject the empty value, else the
  // selector would select every stream, including those without the label.
  bool selective = false;
  for (const auto& m : sel.matchers) {
    if (!MatchesEmpty(m)) selective = true;
  }
  if (!selective) return ParseError(0, 0, kEmptyCompatibleError);
  return sel;
}

}  // namespace strata::storage
