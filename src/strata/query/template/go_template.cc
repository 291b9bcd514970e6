// GoTemplate: lexer and parser (modelled on Go's text/template/parse, with its error messages), and the tree-walking
// executor. The function library is template_functions.cc.
#include "strata/query/template/go_template.h"

#include <re2/re2.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "strata/query/template/template_internal.h"

namespace strata::query {

using base::Result;
using base::Status;
using tmpl::Kind;
using tmpl::Param;
using tmpl::Value;

namespace {

constexpr int kMaxParseDepth = 100;
constexpr std::string_view kTemplateName = "line";

// ---------------------------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------------------------

enum class Tok : uint8_t {
  kError,
  kEOF,
  kText,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kIdentifier,
  kField,
  kVariable,
  kDot,
  kString,
  kRawString,
  kCharConstant,
  kNumber,
  kBool,
  kNil,
  kPipe,
  kLeftParen,
  kRightParen,
  kDeclare,
  kAssign,
  kChar,  // other printable ASCII punctuation (',')
  kIf,
  kElse,
  kEnd,
  kWith,
  kRange,
  kDefine,
  kTemplate,
  kBlock,
  kBreak,
  kContinue,
};

struct Token {
  Tok type = Tok::kEOF;
  std::string_view val;
  std::string msg;  // error message for kError
  int pos = 0;
  int line = 1;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(unsigned char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::string QuoteRune(std::string_view s, size_t i) {
  // %#U of the (first byte of the) rune at i.
  unsigned char c = static_cast<unsigned char>(s[i]);
  char buf[32];
  if (c < 0x80) {
    if (c >= 0x20 && c < 0x7f) {
      std::snprintf(buf, sizeof buf, "U+%04X '%c'", c, c);
    } else {
      std::snprintf(buf, sizeof buf, "U+%04X", c);
    }
    return buf;
  }
  std::snprintf(buf, sizeof buf, "U+%04X", c);
  return buf;
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  // Tokenizes the whole input; the last token is kEOF or kError.
  std::vector<Token> Run() {
    while (true) {
      if (!LexText()) break;
      if (!LexInsideAction()) break;
    }
    return std::move(toks_);
  }

 private:
  void Emit(Tok t, size_t start, size_t end) {
    Token tok;
    tok.type = t;
    tok.val = in_.substr(start, end - start);
    tok.pos = static_cast<int>(start);
    tok.line = line_;
    toks_.push_back(std::move(tok));
    for (size_t i = start; i < end; ++i) {
      if (in_[i] == '\n') ++line_;
    }
  }
  bool Error(std::string msg) {
    Token tok;
    tok.type = Tok::kError;
    tok.msg = std::move(msg);
    tok.pos = static_cast<int>(pos_);
    tok.line = line_;
    toks_.push_back(std::move(tok));
    return false;
  }
  void Skip(size_t to) {
    for (size_t i = pos_; i < to && i < in_.size(); ++i) {
      if (in_[i] == '\n') ++line_;
    }
    pos_ = to;
  }
  bool HasLeftTrimMarker(size_t at) const { return at + 1 < in_.size() && in_[at] == '-' && IsSpace(in_[at + 1]); }
  bool HasRightTrimMarker(size_t at) const { return at + 1 < in_.size() && IsSpace(in_[at]) && in_[at + 1] == '-'; }
  // 0: not at a right delimiter; 1: "}}"; 2: " -}}".
  int AtRightDelim(size_t at) const {
    if (HasRightTrimMarker(at) && in_.substr(at + 2).starts_with("}}")) return 2;
    if (in_.substr(at).starts_with("}}")) return 1;
    return 0;
  }
  void SkipLeadingSpace() {
    size_t p = pos_;
    while (p < in_.size() && IsSpace(in_[p])) ++p;
    Skip(p);
  }

  // Text up to the next action; returns false at EOF (after emitting kEOF) or on error.
  bool LexText() {
    while (true) {
      size_t x = in_.find("{{", pos_);
      if (x == std::string_view::npos) {
        if (pos_ < in_.size()) Emit(Tok::kText, pos_, in_.size());
        pos_ = in_.size();
        Emit(Tok::kEOF, pos_, pos_);
        return false;
      }
      size_t text_end = x;
      bool trim = HasLeftTrimMarker(x + 2);
      if (trim) {
        while (text_end > pos_ && IsSpace(in_[text_end - 1])) --text_end;
      }
      if (text_end > pos_) {
        Emit(Tok::kText, pos_, text_end);
        pos_ = text_end;
      }
      Skip(x);
      size_t after = x + 2 + (trim ? 2 : 0);
      if (in_.substr(after).starts_with("/*")) {
        size_t end = in_.find("*/", after + 2);
        if (end == std::string_view::npos) return Error("unclosed comment");
        Skip(end + 2);
        int delim = AtRightDelim(pos_);
        if (delim == 0) return Error("comment ends before closing delimiter");
        Skip(pos_ + (delim == 2 ? 4 : 2));
        if (delim == 2) SkipLeadingSpace();
        continue;
      }
      Emit(Tok::kLeftDelim, x, x + 2);
      pos_ = after;
      paren_depth_ = 0;
      return true;
    }
  }

  bool AtTerminator(size_t at) const {
    if (at >= in_.size()) return true;
    char c = in_[at];
    if (IsSpace(c)) return true;
    switch (c) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        break;
    }
    return in_.substr(at).starts_with("}}");
  }

  // Tokens of one action, through its right delimiter; false on error.
  bool LexInsideAction() {
    while (true) {
      int delim = AtRightDelim(pos_);
      if (delim != 0) {
        if (paren_depth_ != 0) return Error("unclosed left paren");
        size_t start = pos_ + (delim == 2 ? 2 : 0);
        Skip(start);
        Emit(Tok::kRightDelim, start, start + 2);
        pos_ = start + 2;
        if (delim == 2) SkipLeadingSpace();
        return true;
      }
      if (pos_ >= in_.size()) return Error("unclosed action");
      char c = in_[pos_];
      size_t start = pos_;
      if (IsSpace(c)) {
        size_t p = pos_;
        while (p < in_.size() && IsSpace(in_[p])) ++p;
        // A trim-marked closing delimiter (" -}}") starts with the last space.
        if (HasRightTrimMarker(p - 1) && in_.substr(p + 1).starts_with("}}")) {
          if (p - 1 == start) {
            continue;  // only the space of " -}}": loop sees the delimiter
          }
          Emit(Tok::kSpace, start, p - 1);
          pos_ = p - 1;
          continue;
        }
        Emit(Tok::kSpace, start, p);
        pos_ = p;
        continue;
      }
      switch (c) {
        case '=':
          Emit(Tok::kAssign, start, start + 1);
          pos_ = start + 1;
          continue;
        case ':':
          if (pos_ + 1 >= in_.size() || in_[pos_ + 1] != '=') {
            pos_++;
            return Error("expected :=");
          }
          Emit(Tok::kDeclare, start, start + 2);
          pos_ = start + 2;
          continue;
        case '|':
          Emit(Tok::kPipe, start, start + 1);
          pos_ = start + 1;
          continue;
        case '"': {
          size_t p = pos_ + 1;
          while (true) {
            if (p >= in_.size() || in_[p] == '\n') {
              pos_ = p;
              return Error("unterminated quoted string");
            }
            if (in_[p] == '\\') {
              if (p + 1 >= in_.size() || in_[p + 1] == '\n') {
                pos_ = p;
                return Error("unterminated quoted string");
              }
              p += 2;
              continue;
            }
            if (in_[p] == '"') break;
            ++p;
          }
          Emit(Tok::kString, start, p + 1);
          pos_ = p + 1;
          continue;
        }
        case '`': {
          size_t p = in_.find('`', pos_ + 1);
          if (p == std::string_view::npos) {
            pos_ = in_.size();
            return Error("unterminated raw quoted string");
          }
          Emit(Tok::kRawString, start, p + 1);
          pos_ = p + 1;
          continue;
        }
        case '\'': {
          size_t p = pos_ + 1;
          while (true) {
            if (p >= in_.size() || in_[p] == '\n') {
              pos_ = p;
              return Error("unterminated character constant");
            }
            if (in_[p] == '\\') {
              if (p + 1 >= in_.size() || in_[p + 1] == '\n') {
                pos_ = p;
                return Error("unterminated character constant");
              }
              p += 2;
              continue;
            }
            if (in_[p] == '\'') break;
            ++p;
          }
          Emit(Tok::kCharConstant, start, p + 1);
          pos_ = p + 1;
          continue;
        }
        case '$':
        case '.': {
          if (c == '.' && pos_ + 1 < in_.size() && in_[pos_ + 1] >= '0' && in_[pos_ + 1] <= '9') {
            if (!LexNumber()) return false;
            continue;
          }
          size_t p = pos_ + 1;
          if (AtTerminator(p)) {
            Emit(c == '$' ? Tok::kVariable : Tok::kDot, start, p);
            pos_ = p;
            continue;
          }
          while (p < in_.size() && IsAlnum(static_cast<unsigned char>(in_[p]))) ++p;
          if (!AtTerminator(p)) {
            pos_ = p;
            return Error("bad character " + QuoteRune(in_, p));
          }
          Emit(c == '$' ? Tok::kVariable : Tok::kField, start, p);
          pos_ = p;
          continue;
        }
        case '(':
          Emit(Tok::kLeftParen, start, start + 1);
          pos_ = start + 1;
          ++paren_depth_;
          continue;
        case ')':
          --paren_depth_;
          pos_ = start + 1;
          if (paren_depth_ < 0) return Error("unexpected right paren");
          Emit(Tok::kRightParen, start, start + 1);
          continue;
        default:
          break;
      }
      if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (!LexNumber()) return false;
        continue;
      }
      if (IsAlnum(static_cast<unsigned char>(c))) {
        size_t p = pos_;
        while (p < in_.size() && IsAlnum(static_cast<unsigned char>(in_[p]))) ++p;
        if (!AtTerminator(p)) {
          pos_ = p;
          return Error("bad character " + QuoteRune(in_, p));
        }
        std::string_view word = in_.substr(start, p - start);
        Tok t = Tok::kIdentifier;
        if (word == "if") t = Tok::kIf;
        else if (word == "else") t = Tok::kElse;
        else if (word == "end") t = Tok::kEnd;
        else if (word == "with") t = Tok::kWith;
        else if (word == "range") t = Tok::kRange;
        else if (word == "define") t = Tok::kDefine;
        else if (word == "template") t = Tok::kTemplate;
        else if (word == "block") t = Tok::kBlock;
        else if (word == "break") t = Tok::kBreak;
        else if (word == "continue") t = Tok::kContinue;
        else if (word == "nil") t = Tok::kNil;
        else if (word == "true" || word == "false") t = Tok::kBool;
        Emit(t, start, p);
        pos_ = p;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x7f && c >= 0x20) {
        Emit(Tok::kChar, start, start + 1);
        pos_ = start + 1;
        continue;
      }
      return Error("unrecognized character in action: " + QuoteRune(in_, pos_));
    }
  }

  bool Accept(std::string_view valid) {
    if (pos_ < in_.size() && valid.find(in_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (pos_ < in_.size() && valid.find(in_[pos_]) != std::string_view::npos) ++pos_;
  }
  bool LexNumber() {
    size_t start = pos_;
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (Accept("oO")) digits = "01234567_";
      else if (Accept("bB")) digits = "01_";
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (pos_ < in_.size() && IsAlnum(static_cast<unsigned char>(in_[pos_]))) {
      ++pos_;
      std::string text(in_.substr(start, pos_ - start));
      return Error("bad number syntax: \"" + text + "\"");
    }
    Emit(Tok::kNumber, start, pos_);
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  int line_ = 1;
  int paren_depth_ = 0;
  std::vector<Token> toks_;
};

// ---------------------------------------------------------------------------------------------------------------
// Tree
// ---------------------------------------------------------------------------------------------------------------

struct NumberLit {
  bool is_int = false;
  bool is_uint = false;
  bool is_float = false;
  bool is_char = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
};

struct Pipe;

struct Operand {
  enum class K : uint8_t { kString, kNumber, kBool, kNil, kDot, kField, kVariable, kPipe, kIdent };
  K kind = K::kNil;
  std::string str;           // string literal value
  std::string_view text;     // source text (for messages)
  NumberLit num;
  bool b = false;
  int slot = -1;                    // variable slot; -1 is `$`
  std::vector<std::string> fields;  // field chain after the term
  std::unique_ptr<Pipe> pipe;
  const tmpl::FuncSpec* fn = nullptr;
};

struct Command {
  std::vector<Operand> args;
  std::string_view text;
  int pos = 0;
  std::shared_ptr<re2::RE2> regex;  // precompiled literal pattern
};

struct Pipe {
  std::vector<Command> cmds;
  int decl_slot = -2;  // -2: no declaration
  bool is_assign = false;
};

struct Item {
  enum class K : uint8_t { kText, kAction, kIf, kWith };
  K kind = K::kText;
  std::string_view text;
  std::unique_ptr<Pipe> pipe;
  std::vector<Item> body;
  std::vector<Item> else_body;
  // Fast paths for an action that is a single `.label` (on the root dot) or `__line__`.
  enum class Fast : uint8_t { kNone, kLabel, kLine } fast = Fast::kNone;
  std::string_view label;
};

}  // namespace

struct GoTemplate::Node {
  std::string source;
  std::vector<Item> items;
  int num_slots = 0;
  bool constant = true;
};

namespace {

using tmpl::AppendRune;
using tmpl::DecodeRune;

// ---------------------------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------------------------

// strconv.UnquoteChar: one (possibly escaped) character of a quoted literal at s[i]; false on bad syntax.
bool UnquoteChar(std::string_view s, size_t& i, char quote, std::string& out) {
  char c = s[i];
  if (c == quote && (quote == '\'' || quote == '"')) return false;
  if (static_cast<unsigned char>(c) >= 0x80) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    AppendRune(out, r);
    i += w;
    return true;
  }
  if (c != '\\') {
    out.push_back(c);
    ++i;
    return true;
  }
  if (i + 1 >= s.size()) return false;
  char e = s[i + 1];
  i += 2;
  switch (e) {
    case 'a': out.push_back('\a'); return true;
    case 'b': out.push_back('\b'); return true;
    case 'f': out.push_back('\f'); return true;
    case 'n': out.push_back('\n'); return true;
    case 'r': out.push_back('\r'); return true;
    case 't': out.push_back('\t'); return true;
    case 'v': out.push_back('\v'); return true;
    case '\\': out.push_back('\\'); return true;
    case '\'':
    case '"':
      if (e != quote) return false;
      out.push_back(e);
      return true;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (i + n > s.size()) return false;
      uint32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        int h = common::HexDigitValue(s[i + k]);
        if (h < 0) return false;
        v = v * 16 + static_cast<uint32_t>(h);
      }
      i += n;
      if (e == 'x') {
        out.push_back(static_cast<char>(v));
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      AppendRune(out, v);
      return true;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      if (i + 2 > s.size()) return false;
      uint32_t v = static_cast<uint32_t>(e - '0');
      for (size_t k = 0; k < 2; ++k) {
        char d = s[i + k];
        if (d < '0' || d > '7') return false;
        v = v * 8 + static_cast<uint32_t>(d - '0');
      }
      if (v > 255) return false;
      i += 2;
      out.push_back(static_cast<char>(v));
      return true;
    }
    default:
      return false;
  }
}

// strconv.ParseInt/ParseUint with base 0 (Go literal syntax, underscores allowed). Returns false on syntax error or
// overflow.
bool ParseGoInteger(std::string_view text, bool allow_sign, bool* neg_out, uint64_t* mag_out) {
  bool neg = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    if (!allow_sign) return false;
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  int base = 10;
  bool prefixed = false;
  if (text.size() >= 2 && text[0] == '0') {
    char p = static_cast<char>(text[1] | 0x20);
    if (p == 'x') base = 16, prefixed = true;
    else if (p == 'o') base = 8, prefixed = true;
    else if (p == 'b') base = 2, prefixed = true;
    else base = 8;
  }
  if (prefixed) text.remove_prefix(2);
  uint64_t v = 0;
  bool any = false;
  for (char c : text) {
    if (c == '_') continue;
    int d = common::HexDigitValue(c);
    if (d < 0 || d >= base) return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    any = true;
  }
  if (!any && !(base == 8 && !prefixed)) return false;
  *neg_out = neg;
  *mag_out = v;
  return true;
}

struct ParseError {
  std::string msg;
  int line;
};

class Parser {
 public:
  Parser(std::string_view src, std::vector<Token> toks) : src_(src), toks_(std::move(toks)) {}

  Status Parse(GoTemplate::Node& root) {
    vars_.push_back({"$", -1});
    while (Peek().type != Tok::kEOF) {
      if (failed_) break;
      Item item;
      int kind = TextOrAction(item);
      if (failed_) break;
      if (kind == kEnd || kind == kElse) {
        Fail(std::string("unexpected {{") + (kind == kEnd ? "end" : "else") + "}}");
        break;
      }
      root.items.push_back(std::move(item));
    }
    if (failed_) {
      return base::InvalidArgument("template: " + std::string(kTemplateName) + ":" + std::to_string(err_line_) + ": " +
                                   err_);
    }
    root.num_slots = num_slots_;
    return Status::Ok();
  }

 private:
  static constexpr int kItem = 0, kEnd = 1, kElse = 2;

  const Token& Peek() { return toks_[std::min(idx_, toks_.size() - 1)]; }
  const Token& Next() {
    const Token& t = toks_[std::min(idx_, toks_.size() - 1)];
    if (idx_ < toks_.size()) ++idx_;
    last_line_ = t.line;
    return t;
  }
  void Backup() { --idx_; }
  const Token& NextNonSpace() {
    while (Peek().type == Tok::kSpace) Next();
    return Next();
  }
  const Token& PeekNonSpace() {
    while (Peek().type == Tok::kSpace) Next();
    return Peek();
  }
  void Fail(std::string msg) {
    if (failed_) return;
    failed_ = true;
    err_ = std::move(msg);
    err_line_ = last_line_;
  }
  static std::string Describe(const Token& t) {
    switch (t.type) {
      case Tok::kEOF:
        return "EOF";
      case Tok::kError:
        return t.msg;
      case Tok::kIf: case Tok::kElse: case Tok::kEnd: case Tok::kWith: case Tok::kRange: case Tok::kDefine:
      case Tok::kTemplate: case Tok::kBlock: case Tok::kBreak: case Tok::kContinue:
        return "<" + std::string(t.val) + ">";
      default:
        break;
    }
    std::string v(t.val);
    if (t.type == Tok::kLeftDelim || t.type == Tok::kRightDelim) return "\"" + v + "\"";
    if (v.size() > 10) return "\"" + v.substr(0, 10) + "\"...";
    std::string q = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') q.push_back('\\');
      if (c == '\n') {
        q += "\\n";
        continue;
      }
      q.push_back(c);
    }
    return q + "\"";
  }
  void Unexpected(const Token& t, std::string_view context) {
    if (t.type == Tok::kError) {
      last_line_ = t.line;
      Fail(t.msg);
      return;
    }
    Fail("unexpected " + Describe(t) + " in " + std::string(context));
  }

  int TextOrAction(Item& item) {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kText:
        item.kind = Item::K::kText;
        item.text = t.val;
        return kItem;
      case Tok::kLeftDelim:
        return Action(item);
      default:
        Unexpected(t, "input");
        return kItem;
    }
  }

  int Action(Item& item) {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kElse: {
        const Token& p = PeekNonSpace();
        if (p.type == Tok::kIf || p.type == Tok::kWith) return kElse;
        Expect(Tok::kRightDelim, "else");
        return kElse;
      }
      case Tok::kEnd:
        Expect(Tok::kRightDelim, "end");
        return kEnd;
      case Tok::kIf:
        Control(item, Item::K::kIf);
        return kItem;
      case Tok::kWith:
        Control(item, Item::K::kWith);
        return kItem;
      case Tok::kRange:
      case Tok::kDefine:
      case Tok::kTemplate:
      case Tok::kBlock:
        Fail("{{" + std::string(t.val) + "}} is not supported");
        return kItem;
      case Tok::kBreak:
      case Tok::kContinue:
        Fail("{{" + std::string(t.val) + "}} outside {{range}}");
        return kItem;
      default:
        break;
    }
    Backup();
    item.kind = Item::K::kAction;
    item.pipe = ParsePipeline("command", Tok::kRightDelim);
    if (!failed_ && item.pipe->decl_slot == -2 && item.pipe->cmds.size() == 1 &&
        item.pipe->cmds[0].args.size() == 1) {
      const Operand& op = item.pipe->cmds[0].args[0];
      if (op.kind == Operand::K::kField && op.fields.size() == 1) {
        item.fast = Item::Fast::kLabel;
        item.label = op.fields[0];
      } else if (op.kind == Operand::K::kIdent && op.fields.empty() && op.fn->name == "__line__") {
        item.fast = Item::Fast::kLine;
      }
    }
    return kItem;
  }

  void Expect(Tok type, std::string_view context) {
    const Token& t = NextNonSpace();
    if (t.type != type) Unexpected(t, context);
  }

  void Control(Item& item, Item::K kind) {
    std::string_view context = kind == Item::K::kIf ? "if" : "with";
    if (++depth_ > kMaxParseDepth) {
      Fail("max expression depth exceeded");
      return;
    }
    size_t mark = vars_.size();
    item.kind = kind;
    item.pipe = ParsePipeline(context, Tok::kRightDelim);
    int next = ItemList(item.body);
    if (!failed_ && next == kElse) {
      const Token& p = Peek();
      if ((kind == Item::K::kIf && p.type == Tok::kIf) || (kind == Item::K::kWith && p.type == Tok::kWith)) {
        Next();
        Item nested;
        Control(nested, kind);
        item.else_body.push_back(std::move(nested));
      } else {
        int n2 = ItemList(item.else_body);
        if (!failed_ && n2 != kEnd) Fail("expected end; found {{else}}");
      }
    }
    vars_.resize(mark);
    --depth_;
  }

  int ItemList(std::vector<Item>& list) {
    while (!failed_ && PeekNonSpace().type != Tok::kEOF) {
      Item item;
      int k = TextOrAction(item);
      if (failed_) return kItem;
      if (k != kItem) return k;
      list.push_back(std::move(item));
    }
    if (!failed_) {
      if (Peek().type == Tok::kEOF) Fail("unexpected EOF");
    }
    return kItem;
  }

  std::unique_ptr<Pipe> ParsePipeline(std::string_view context, Tok end) {
    auto pipe = std::make_unique<Pipe>();
    if (++depth_ > kMaxParseDepth) {
      Fail("max expression depth exceeded");
      return pipe;
    }
    std::string_view decl_name;
    if (PeekNonSpace().type == Tok::kVariable) {
      size_t save = idx_;
      const Token& v = Next();
      const Token& n = PeekNonSpace();
      if (n.type == Tok::kAssign || n.type == Tok::kDeclare) {
        pipe->is_assign = n.type == Tok::kAssign;
        NextNonSpace();
        decl_name = v.val;
        if (pipe->is_assign) {
          int slot = LookupVar(v.val);
          if (slot == -2) {
            Fail("undefined variable \"" + std::string(v.val) + "\"");
            return pipe;
          }
          if (slot == -1) {
            Fail("cannot assign to $");
            return pipe;
          }
          pipe->decl_slot = slot;
        } else {
          pipe->decl_slot = num_slots_++;
        }
      } else if (n.type == Tok::kChar && n.val == ",") {
        Fail("too many declarations in " + std::string(context));
        return pipe;
      } else {
        idx_ = save;
      }
    }
    while (!failed_) {
      const Token& t = NextNonSpace();
      if (t.type == end) {
        if (pipe->cmds.empty()) {
          Fail("missing value for " + std::string(context));
        } else {
          for (size_t i = 1; i < pipe->cmds.size(); ++i) {
            Operand::K k = pipe->cmds[i].args[0].kind;
            if (k == Operand::K::kBool || k == Operand::K::kDot || k == Operand::K::kNil ||
                k == Operand::K::kNumber || k == Operand::K::kString) {
              Fail("non executable command in pipeline stage " + std::to_string(i + 1));
              break;
            }
          }
        }
        break;
      }
      switch (t.type) {
        case Tok::kBool: case Tok::kCharConstant: case Tok::kDot: case Tok::kField: case Tok::kIdentifier:
        case Tok::kNumber: case Tok::kNil: case Tok::kRawString: case Tok::kString: case Tok::kVariable:
        case Tok::kLeftParen:
          Backup();
          ParseCommand(*pipe);
          continue;
        default:
          Unexpected(t, context);
          break;
      }
      break;
    }
    // The declared variable is visible after the pipeline (Go pushes it after parsing the commands).
    if (!failed_ && !decl_name.empty() && !pipe->is_assign) vars_.push_back({decl_name, pipe->decl_slot});
    --depth_;
    return pipe;
  }

  int LookupVar(std::string_view name) const {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return vars_[i].second;
    }
    return -2;
  }

  void ParseCommand(Pipe& pipe) {
    Command cmd;
    cmd.pos = PeekNonSpace().pos;
    size_t end_pos = static_cast<size_t>(cmd.pos);
    while (!failed_) {
      PeekNonSpace();
      Operand op;
      if (ParseOperand(op)) {
        end_pos = static_cast<size_t>(op.text.data() - src_.data()) + op.text.size();
        cmd.args.push_back(std::move(op));
      }
      if (failed_) return;
      const Token& t = Next();
      if (t.type == Tok::kSpace) continue;
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        Backup();
      } else if (t.type != Tok::kPipe) {
        Unexpected(t, "operand");
        return;
      }
      break;
    }
    if (cmd.args.empty()) {
      Fail("empty command");
      return;
    }
    cmd.text = src_.substr(static_cast<size_t>(cmd.pos), end_pos - static_cast<size_t>(cmd.pos));
    const Operand& first = cmd.args[0];
    if (first.kind == Operand::K::kIdent && first.fn->uses_regex && cmd.args.size() >= 2 &&
        cmd.args[1].kind == Operand::K::kString) {
      auto re = tmpl::CompileRegex(cmd.args[1].str);
      if (re.ok()) cmd.regex = std::move(re).value();  // a bad literal fails at execution, as in Go
    }
    pipe.cmds.push_back(std::move(cmd));
  }

  // Returns false when no operand starts here (the token is left unread).
  bool ParseOperand(Operand& op) {
    if (!ParseTerm(op)) return false;
    if (Peek().type == Tok::kField) {
      switch (op.kind) {
        case Operand::K::kBool: case Operand::K::kString: case Operand::K::kNumber: case Operand::K::kNil:
        case Operand::K::kDot:
          Fail("unexpected . after term \"" + std::string(op.text) + "\"");
          return false;
        default:
          break;
      }
      size_t start = static_cast<size_t>(op.text.data() - src_.data());
      size_t end = start + op.text.size();
      while (Peek().type == Tok::kField) {
        const Token& f = Next();
        op.fields.emplace_back(f.val.substr(1));
        end = static_cast<size_t>(f.pos) + f.val.size();
      }
      op.text = src_.substr(start, end - start);
    }
    return true;
  }

  bool ParseTerm(Operand& op) {
    const Token& t = NextNonSpace();
    op.text = t.val;
    switch (t.type) {
      case Tok::kIdentifier: {
        const tmpl::FuncSpec* fn = tmpl::FindFunction(t.val);
        if (fn == nullptr) {
          Fail("function \"" + std::string(t.val) + "\" not defined");
          return false;
        }
        op.kind = Operand::K::kIdent;
        op.fn = fn;
        return true;
      }
      case Tok::kDot:
        op.kind = Operand::K::kDot;
        return true;
      case Tok::kNil:
        op.kind = Operand::K::kNil;
        return true;
      case Tok::kVariable: {
        int slot = LookupVar(t.val);
        if (slot == -2) {
          Fail("undefined variable \"" + std::string(t.val) + "\"");
          return false;
        }
        op.kind = Operand::K::kVariable;
        op.slot = slot;
        return true;
      }
      case Tok::kField:
        op.kind = Operand::K::kField;
        op.fields.emplace_back(t.val.substr(1));
        return true;
      case Tok::kBool:
        op.kind = Operand::K::kBool;
        op.b = t.val == "true";
        return true;
      case Tok::kCharConstant:
      case Tok::kNumber:
        op.kind = Operand::K::kNumber;
        return ParseNumber(t, op.num);
      case Tok::kLeftParen: {
        size_t start = static_cast<size_t>(t.pos);
        op.kind = Operand::K::kPipe;
        op.pipe = ParsePipeline("parenthesized pipeline", Tok::kRightParen);
        if (failed_) return false;
        const Token& close = toks_[idx_ - 1];
        op.text = src_.substr(start, static_cast<size_t>(close.pos) + 1 - start);
        return true;
      }
      case Tok::kString:
      case Tok::kRawString: {
        op.kind = Operand::K::kString;
        std::string_view v = t.val.substr(1, t.val.size() - 2);
        if (t.type == Tok::kRawString) {
          for (char c : v) {
            if (c != '\r') op.str.push_back(c);
          }
          return true;
        }
        size_t i = 0;
        while (i < v.size()) {
          if (!UnquoteChar(v, i, '"', op.str)) {
            Fail("invalid syntax");
            return false;
          }
        }
        return true;
      }
      default:
        Backup();
        return false;
    }
  }

  bool ParseNumber(const Token& t, NumberLit& n) {
    std::string_view text = t.val;
    if (t.type == Tok::kCharConstant) {
      std::string_view body = text.substr(1, text.size() - 2);
      std::string out;
      size_t i = 0;
      size_t w = 0;
      if (body.empty() || !UnquoteChar(body, i, '\'', out) || i != body.size()) {
        Fail("malformed character constant: " + std::string(text));
        return false;
      }
      uint32_t r = DecodeRune(out, 0, &w);
      if (body[0] == '\\' && (body[1] == 'x' || (body[1] >= '0' && body[1] <= '7'))) {
        r = static_cast<unsigned char>(out[0]);
      }
      n.is_int = n.is_uint = n.is_float = n.is_char = true;
      n.i = r;
      n.u = r;
      n.f = r;
      return true;
    }
    if (!text.empty() && text.back() == 'i') {
      Fail("complex numbers are not supported: \"" + std::string(text) + "\"");
      return false;
    }
    bool neg = false;
    uint64_t mag = 0;
    if (ParseGoInteger(text, true, &neg, &mag)) {
      if (!neg) {
        n.is_uint = true;
        n.u = mag;
        if (mag <= static_cast<uint64_t>(INT64_MAX)) {
          n.is_int = true;
          n.i = static_cast<int64_t>(mag);
        }
      } else if (mag <= static_cast<uint64_t>(INT64_MAX) + 1) {
        n.is_int = true;
        n.i = static_cast<int64_t>(0 - mag);
        if (mag == 0) n.is_uint = true;
      }
    }
    if (n.is_int) {
      n.is_float = true;
      n.f = static_cast<double>(n.i);
    } else if (n.is_uint) {
      n.is_float = true;
      n.f = static_cast<double>(n.u);
    } else {
      std::string clean;
      for (char c : text) {
        if (c != '_') clean.push_back(c);
      }
      bool hex = clean.find_first_of("xX") != std::string::npos;
      bool octal_or_bin = clean.find_first_of("oObB") != std::string::npos;
      char* endp = nullptr;
      errno = 0;
      double f = octal_or_bin ? 0 : std::strtod(clean.c_str(), &endp);
      bool ok = !octal_or_bin && endp != nullptr && *endp == '\0' && !clean.empty() && errno != ERANGE &&
                (!hex || clean.find_first_of("pP") != std::string::npos);
      if (ok) {
        if (text.find_first_of(".eEpP") == std::string_view::npos) {
          Fail("integer overflow: \"" + std::string(text) + "\"");
          return false;
        }
        n.is_float = true;
        n.f = f;
        if (std::fabs(f) < 9.2e18 && static_cast<double>(static_cast<int64_t>(f)) == f) {
          n.is_int = true;
          n.i = static_cast<int64_t>(f);
        }
        if (f >= 0 && f < 1.8e19 && static_cast<double>(static_cast<uint64_t>(f)) == f) {
          n.is_uint = true;
          n.u = static_cast<uint64_t>(f);
        }
      }
    }
    if (!n.is_int && !n.is_uint && !n.is_float) {
      Fail("illegal number syntax: \"" + std::string(text) + "\"");
      return false;
    }
    return true;
  }

  std::string_view src_;
  std::vector<Token> toks_;
  size_t idx_ = 0;
  int last_line_ = 1;
  bool failed_ = false;
  std::string err_;
  int err_line_ = 1;
  int depth_ = 0;
  int num_slots_ = 0;
  std::vector<std::pair<std::string_view, int>> vars_;
};

// ---------------------------------------------------------------------------------------------------------------
// Executor
// ---------------------------------------------------------------------------------------------------------------

std::string_view ParamTypeName(Param p) {
  switch (p) {
    case Param::kString: return "string";
    case Param::kInt: return "int";
    case Param::kFloat: return "float64";
    case Param::kAny: return "interface {}";
    case Param::kTime: return "time.Time";
    case Param::kBool: return "bool";
  }
  return "?";
}

class Exec {
 public:
  Exec(const GoTemplate::Node& tree, const TemplateInput& in, std::string& out, Value* vars)
      : tree_(tree), in_(in), out_(out), vars_(vars) {}

  Status Walk(const std::vector<Item>& list, const Value& dot) {
    for (const Item& item : list) {
      switch (item.kind) {
        case Item::K::kText:
          out_.append(item.text);
          break;
        case Item::K::kAction: {
          if (item.fast == Item::Fast::kLabel && dot.kind == Kind::kLabels) {
            if (in_.label) {
              auto v = in_.label(item.label);
              if (v) out_.append(*v);
            }
            break;
          }
          if (item.fast == Item::Fast::kLine) {
            out_.append(in_.line);
            break;
          }
          auto v = EvalPipe(*item.pipe, dot);
          if (!v.ok()) return v.status();
          if (item.pipe->decl_slot == -2) {
            if (v->kind == Kind::kLabels) {
              return ErrorAt(item.pipe->cmds.back(), "printing the whole label set is not supported");
            }
            RETURN_IF_ERROR(tmpl::AppendValue(out_, *v));
          }
          break;
        }
        case Item::K::kIf:
        case Item::K::kWith: {
          auto v = EvalPipe(*item.pipe, dot);
          if (!v.ok()) return v.status();
          bool truth = v->kind == Kind::kLabels || tmpl::Truth(*v);
          if (truth) {
            if (item.kind == Item::K::kWith) {
              RETURN_IF_ERROR(Walk(item.body, *v));
            } else {
              RETURN_IF_ERROR(Walk(item.body, dot));
            }
          } else {
            RETURN_IF_ERROR(Walk(item.else_body, dot));
          }
          break;
        }
      }
      if (out_.size() > tmpl::kMaxValueBytes) {
        return base::PayloadTooLarge("template: " + std::string(kTemplateName) + ": output exceeds " +
                                     std::to_string(tmpl::kMaxValueBytes) + " bytes");
      }
    }
    return Status::Ok();
  }

 private:
  std::string Position(int pos) const {
    std::string_view src = tree_.source;
    size_t p = std::min(static_cast<size_t>(pos), src.size());
    std::string_view before = src.substr(0, p);
    int line = 1;
    for (char c : before) line += c == '\n';
    size_t nl = before.rfind('\n');
    size_t col = nl == std::string_view::npos ? p : p - nl;
    return std::to_string(line) + ":" + std::to_string(col);
  }

  Status ErrorAt(const Command& c, std::string_view msg) const {
    return base::InvalidArgument("template: " + std::string(kTemplateName) + ":" + Position(c.pos) +
                                 ": executing \"" + std::string(kTemplateName) + "\" at <" + std::string(c.text) +
                                 ">: " + std::string(msg));
  }

  Result<Value> EvalPipe(const Pipe& p, const Value& dot) {
    Value v;
    bool have = false;
    for (const Command& c : p.cmds) {
      auto r = EvalCommand(c, dot, have ? &v : nullptr);
      if (!r.ok()) return r.status();
      v = std::move(r).value();
      have = true;
    }
    if (p.decl_slot >= 0) vars_[p.decl_slot] = v;
    return v;
  }

  Result<Value> EvalCommand(const Command& c, const Value& dot, Value* final) {
    const Operand& first = c.args[0];
    if (first.kind == Operand::K::kIdent) return Call(c, first, dot, final, true);
    bool has_args = c.args.size() > 1 || final != nullptr;
    if (first.kind == Operand::K::kNil) return ErrorAt(c, "nil is not a command");
    if (has_args) {
      if (!first.fields.empty()) {
        return ErrorAt(c, first.fields.back() + " is not a method but has arguments");
      }
      return ErrorAt(c, "can't give argument to non-function " + std::string(first.text));
    }
    return EvalOperand(c, first, dot);
  }

  Result<Value> Field(const Command& c, const Value& base, const std::string& name) {
    switch (base.kind) {
      case Kind::kLabels: {
        if (in_.label) {
          auto v = in_.label(name);
          if (v) return Value::View(*v);
        }
        return Value::View({});
      }
      case Kind::kMap: {
        const tmpl::Map& m = *base.map;
        auto it = std::lower_bound(m.begin(), m.end(), name,
                                   [](const auto& kv, const std::string& k) { return kv.first < k; });
        if (it != m.end() && it->first == name) return it->second;
        return Value::Nil();
      }
      case Kind::kNil:
        return ErrorAt(c, "nil pointer evaluating interface {}." + name);
      default:
        return ErrorAt(c, "can't evaluate field " + name + " in type " + std::string(tmpl::TypeName(base)));
    }
  }

  Result<Value> Fields(const Command& c, Value v, const std::vector<std::string>& fields, size_t from) {
    for (size_t i = from; i < fields.size(); ++i) {
      auto r = Field(c, v, fields[i]);
      if (!r.ok()) return r.status();
      v = std::move(r).value();
    }
    return v;
  }

  // An operand as an empty-interface value.
  Result<Value> EvalOperand(const Command& c, const Operand& op, const Value& dot) {
    switch (op.kind) {
      case Operand::K::kString:
        return Value::View(op.str);
      case Operand::K::kNumber:
        return IdealConstant(c, op);
      case Operand::K::kBool:
        return Value::Bool(op.b);
      case Operand::K::kNil:
        return Value::Nil();
      case Operand::K::kDot:
        return dot;
      case Operand::K::kField: {
        if (dot.kind == Kind::kLabels) {
          auto r = Field(c, dot, op.fields[0]);
          if (!r.ok() || op.fields.size() == 1) return r;
          return Fields(c, std::move(r).value(), op.fields, 1);
        }
        return Fields(c, dot, op.fields, 0);
      }
      case Operand::K::kVariable: {
        if (op.slot < 0) {
          if (op.fields.empty()) return Value::Labels();
          return Fields(c, Value::Labels(), op.fields, 0);
        }
        if (op.fields.empty()) return vars_[op.slot];
        return Fields(c, vars_[op.slot], op.fields, 0);
      }
      case Operand::K::kPipe: {
        if (++depth_ > kMaxParseDepth * 2) return ErrorAt(c, "max expression depth exceeded");
        auto r = EvalPipe(*op.pipe, dot);
        --depth_;
        if (!r.ok() || op.fields.empty()) return r;
        return Fields(c, std::move(r).value(), op.fields, 0);
      }
      case Operand::K::kIdent: {
        auto r = Call(c, op, dot, nullptr, false);
        if (!r.ok() || op.fields.empty()) return r;
        return Fields(c, std::move(r).value(), op.fields, 0);
      }
    }
    return Value::Nil();
  }

  Result<Value> IdealConstant(const Command& c, const Operand& op) {
    const NumberLit& n = op.num;
    bool floaty = n.is_float && !n.is_char && op.text.find_first_of(".eEpP") != std::string_view::npos &&
                  !(op.text.size() > 1 && (op.text[1] == 'x' || op.text[1] == 'X' ||
                                           (op.text.size() > 2 && (op.text[2] == 'x' || op.text[2] == 'X'))) &&
                    op.text.find_first_of("pP") == std::string_view::npos);
    if (floaty) return Value::Float(n.f);
    if (n.is_int) return Value::Int(n.i);
    if (n.is_uint) return ErrorAt(c, std::string(op.text) + " overflows int");
    return Value::Nil();
  }

  Status TypeError(const Command& c, const Value& v, Param want) const {
    if (v.kind == Kind::kNil) return ErrorAt(c, "invalid value; expected " + std::string(ParamTypeName(want)));
    return ErrorAt(c, "wrong type for value; expected " + std::string(ParamTypeName(want)) + "; got " +
                          std::string(tmpl::TypeName(v)));
  }

  Status Validate(const Command& c, const Value& v, Param want) const {
    bool ok = false;
    switch (want) {
      case Param::kAny: ok = true; break;
      case Param::kString: ok = v.kind == Kind::kString; break;
      case Param::kInt: ok = v.kind == Kind::kInt && v.itype == tmpl::IntType::kInt; break;
      case Param::kFloat: ok = v.kind == Kind::kFloat; break;
      case Param::kTime: ok = v.kind == Kind::kTime; break;
      case Param::kBool: ok = v.kind == Kind::kBool; break;
    }
    return ok ? Status::Ok() : TypeError(c, v, want);
  }

  // An argument for a parameter of the given kind (Go's evalArg: literals convert, other values must match).
  Result<Value> EvalArg(const Command& c, const Operand& op, Param want, const Value& dot) {
    auto found = [&](std::string_view expected) -> Status {
      return ErrorAt(c, "expected " + std::string(expected) + "; found " + std::string(op.text));
    };
    auto cant = [&]() -> Status {
      return ErrorAt(c, "can't handle " + std::string(op.text) + " for arg of type " +
                            std::string(ParamTypeName(want)));
    };
    switch (op.kind) {
      case Operand::K::kString:
        if (want == Param::kString || want == Param::kAny) return Value::View(op.str);
        if (want == Param::kInt) return found("integer");
        if (want == Param::kFloat) return found("float");
        if (want == Param::kBool) return found("bool");
        return cant();
      case Operand::K::kNumber:
        switch (want) {
          case Param::kAny: return IdealConstant(c, op);
          case Param::kInt:
            if (!op.num.is_int) return found("integer");
            return Value::Int(op.num.i);
          case Param::kFloat:
            if (!op.num.is_float) return found("float");
            return Value::Float(op.num.f);
          case Param::kString: return found("string");
          case Param::kBool: return found("bool");
          case Param::kTime: return cant();
        }
        break;
      case Operand::K::kBool:
        if (want == Param::kBool || want == Param::kAny) return Value::Bool(op.b);
        if (want == Param::kString) return found("string");
        if (want == Param::kInt) return found("integer");
        if (want == Param::kFloat) return found("float");
        return cant();
      case Operand::K::kNil:
        if (want == Param::kAny) return Value::Nil();
        return ErrorAt(c, "cannot assign nil to " + std::string(ParamTypeName(want)));
      default:
        break;
    }
    auto v = EvalOperand(c, op, dot);
    if (!v.ok()) return v;
    RETURN_IF_ERROR(Validate(c, *v, want));
    return v;
  }

  // Calls op's function with c's remaining arguments (when `with_args`) and the piped value.
  Result<Value> Call(const Command& c, const Operand& op, const Value& dot, Value* final, bool with_args) {
    const tmpl::FuncSpec& fn = *op.fn;
    size_t explicit_n = with_args ? c.args.size() - 1 : 0;
    size_t n = explicit_n + (final ? 1 : 0);
    size_t fixed = fn.NumFixed();
    if (fn.variadic() ? n < fixed : n != fixed) {
      return ErrorAt(c, "wrong number of args for " + std::string(fn.name) + ": want " +
                            (fn.variadic() ? "at least " : "") + std::to_string(fixed) + " got " +
                            std::to_string(n));
    }
    if (++depth_ > kMaxParseDepth * 2) return ErrorAt(c, "max expression depth exceeded");
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } guard{depth_};
    if (fn.special == tmpl::FuncSpecial::kAnd || fn.special == tmpl::FuncSpecial::kOr) {
      bool is_and = fn.special == tmpl::FuncSpecial::kAnd;
      Value v;
      for (size_t i = 0; i < n; ++i) {
        if (i < explicit_n) {
          auto r = EvalArg(c, c.args[i + 1], Param::kAny, dot);
          if (!r.ok()) return r;
          v = std::move(r).value();
        } else {
          v = *final;
        }
        bool t = v.kind == Kind::kLabels || tmpl::Truth(v);
        if (is_and ? !t : t) return v;
      }
      return v;
    }
    std::vector<Value> argv;
    argv.reserve(n);
    for (size_t i = 0; i < explicit_n; ++i) {
      auto r = EvalArg(c, c.args[i + 1], fn.ParamAt(i), dot);
      if (!r.ok()) return r;
      argv.push_back(std::move(r).value());
    }
    if (final != nullptr) {
      RETURN_IF_ERROR(Validate(c, *final, fn.ParamAt(n - 1)));
      argv.push_back(*final);
    }
    tmpl::CallContext ctx;
    ctx.input = &in_;
    ctx.regex = with_args ? c.regex.get() : nullptr;
    auto r = fn.fn(ctx, argv);
    if (!r.ok()) return ErrorAt(c, "error calling " + std::string(fn.name) + ": " + r.status().message());
    if (r->kind == Kind::kString && r->str().size() > tmpl::kMaxValueBytes) {
      return base::PayloadTooLarge("template: " + std::string(kTemplateName) + ": value of " +
                                   std::string(fn.name) + " exceeds " + std::to_string(tmpl::kMaxValueBytes) +
                                   " bytes");
    }
    return r;
  }

  const GoTemplate::Node& tree_;
  const TemplateInput& in_;
  std::string& out_;
  Value* vars_;
  int depth_ = 0;
};

}  // namespace

Result<GoTemplate> GoTemplate::Compile(std::string_view source) {
  auto node = std::make_shared<Node>();
  node->source.assign(source);
  std::string_view src = node->source;
  Parser parser(src, Lexer(src).Run());
  RETURN_IF_ERROR(parser.Parse(*node));
  for (const Item& item : node->items) {
    if (item.kind != Item::K::kText) node->constant = false;
  }
  GoTemplate t;
  t.root_ = std::move(node);
  return t;
}

Result<std::string> GoTemplate::Execute(const TemplateInput& input) const {
  std::string out;
  if (!root_) return out;
  const Node& tree = *root_;
  if (tree.constant) {
    for (const Item& item : tree.items) out.append(item.text);
    return out;
  }
  out.reserve(tree.source.size() + input.line.size() / 2 + 16);
  std::vector<Value> vars(static_cast<size_t>(tree.num_slots));
  Exec exec(tree, input, out, vars.data());
  RETURN_IF_ERROR(exec.Walk(tree.items, Value::Labels()));
  return out;
}

bool GoTemplate::IsConstant() const { return !root_ || root_->constant; }

}  // namespace strata::query
