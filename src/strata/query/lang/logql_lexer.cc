#include "strata/query/lang/logql_lexer.h"

#include "strata/common/text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace strata::query {

base::Status ParseError(std::string_view msg, int line, int col) {
  if (line == 0 && col == 0) return base::InvalidArgument("parse error : " + std::string(msg));
  return base::InvalidArgument("parse error at line " + std::to_string(line) + ", col " + std::to_string(col) +
                               ": " + std::string(msg));
}

namespace {

constexpr int64_t kMs = 1000000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

bool MulAdd(int64_t* acc, int64_t n, int64_t unit) {
  int64_t prod;
  if (__builtin_mul_overflow(n, unit, &prod)) return false;
  return !__builtin_add_overflow(*acc, prod, acc);
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    if (c < 0x80) n = 0;
    else if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if ((c >> 4) == 0xE) n = 2;
    else if (c >= 0xF0 && c <= 0xF4) n = 3;
    else return false;
    if (i + n >= s.size() && n > 0) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

bool ParsePromDuration(std::string_view s, int64_t* ns) {
  static constexpr struct { const char* unit; int64_t mult; } kUnits[] = {
      {"y", 365LL * 24 * 3600 * 1000 * kMs}, {"w", 7LL * 24 * 3600 * 1000 * kMs}, {"d", 24LL * 3600 * 1000 * kMs},
      {"h", 3600LL * 1000 * kMs}, {"m", 60LL * 1000 * kMs}, {"s", 1000 * kMs}, {"ms", kMs}};
  if (s.empty()) return false;
  if (s == "0") { *ns = 0; return true; }
  int64_t total = 0;
  size_t i = 0;
  int next_unit = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
    int64_t n = 0;
    for (size_t k = start; k < i; ++k) {
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, s[k] - '0', &n)) return false;
    }
    size_t ustart = i;
    while (i < s.size() && !IsDigit(s[i])) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    int found = -1;
    for (int u = next_unit; u < 7; ++u) {
      if (unit == kUnits[u].unit) { found = u; break; }
    }
    if (found < 0) return false;
    if (!MulAdd(&total, n, kUnits[found].mult)) return false;
    next_unit = found + 1;
  }
  *ns = total;
  return true;
}

bool ParseGoDuration(std::string_view s, int64_t* ns) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; s.remove_prefix(1); }
  if (s == "0") { *ns = 0; return true; }
  if (s.empty()) return false;
  long double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    size_t int_end = i;
    size_t frac_start = i, frac_end = i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      frac_start = i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      frac_end = i;
    }
    if (int_end == start && frac_end == frac_start) return false;
    size_t ustart = i;
    while (i < s.size() && !IsDigit(s[i]) && s[i] != '.') ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    long double mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else return false;
    long double v = 0;
    for (size_t k = start; k < int_end; ++k) v = v * 10 + (s[k] - '0');
    long double scale = 0.1L;
    for (size_t k = frac_start; k < frac_end; ++k, scale /= 10) v += (s[k] - '0') * scale;
    total += v * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return false;
  }
  int64_t r = static_cast<int64_t>(total);
  *ns = neg ? -r : r;
  return true;
}

bool ParseAnyDuration(std::string_view s, int64_t* ns) { return ParsePromDuration(s, ns) || ParseGoDuration(s, ns); }

bool ParseBytes(std::string_view s, uint64_t* bytes) {
  size_t i = 0;
  while (i < s.size() && (IsDigit(s[i]) || s[i] == '.')) ++i;
  if (i == 0) return false;
  std::string num(s.substr(0, i));
  std::string unit;
  for (char c : s.substr(i)) unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  static constexpr struct { const char* unit; long double mult; } kUnits[] = {
      {"b", 1}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"pb", 1e15},
      {"kib", 1024.0L}, {"mib", 1048576.0L}, {"gib", 1073741824.0L}, {"tib", 1099511627776.0L},
      {"pib", 1125899906842624.0L}};
  long double mult = -1;
  for (const auto& u : kUnits) {
    if (unit == u.unit) mult = u.mult;
  }
  if (mult < 0) return false;
  double v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || p != num.data() + num.size()) return false;
  long double r = v * mult;
  if (r >= 1.8e19L) return false;
  *bytes = static_cast<uint64_t>(r);
  return true;
}

std::string FormatDuration(int64_t ns) {
  if (ns == 0) return "0s";
  if (ns < 0) {
    if (ns == std::numeric_limits<int64_t>::min()) return "-2562047h47m16s854ms775us808ns";
    return "-" + FormatDuration(-ns);
  }
  std::string out;
  auto emit = [&](int64_t unit, const char* name) {
    if (ns >= unit) {
      out += std::to_string(ns / unit) + name;
      ns %= unit;
    }
  };
  if (ns % kMs == 0) {
    emit(365LL * 24 * 3600 * 1000 * kMs, "y");
    emit(7LL * 24 * 3600 * 1000 * kMs, "w");
    emit(24LL * 3600 * 1000 * kMs, "d");
    emit(3600LL * 1000 * kMs, "h");
    emit(60LL * 1000 * kMs, "m");
    emit(1000 * kMs, "s");
    emit(kMs, "ms");
  } else {
    emit(3600LL * 1000 * kMs, "h");
    emit(60LL * 1000 * kMs, "m");
    emit(1000 * kMs, "s");
    emit(kMs, "ms");
    emit(1000, "us");
    emit(1, "ns");
  }
  return out;
}

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\a': out += "\\a"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\v': out += "\\v"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
      continue;
    }
    if (c < 0x80) { out.push_back(static_cast<char>(c)); ++i; continue; }
    int n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n > 0 && i + n <= s.size() && ValidUtf8(s.substr(i, n))) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    static const char* kHex = "0123456789abcdef";
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
    ++i;
  }
  out += "\"";
  return out;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, p);
}

namespace {

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  base::Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    for (;;) {
      SkipSpaceAndComments();
      Token t;
      t.line = line_;
      t.col = col_;
      if (pos_ >= in_.size()) {
        t.kind = TokKind::kEnd;
        out.push_back(std::move(t));
        return out;
      }
      char c = in_[pos_];
      size_t start = pos_;
      if (IsAlpha(c)) {
        while (pos_ < in_.size() && (IsAlpha(in_[pos_]) || IsDigit(in_[pos_]))) Advance();
        t.kind = TokKind::kIdent;
        t.text = std::string(in_.substr(start, pos_ - start));
      } else if (IsDigit(c) || (c == '.' && pos_ + 1 < in_.size() && IsDigit(in_[pos_ + 1]))) {
        RETURN_IF_ERROR(LexNumber(&t));
      } else if (c == '"' || c == '`') {
        RETURN_IF_ERROR(LexString(&t));
      } else if (c == '[') {
        RETURN_IF_ERROR(LexRange(&t));
      } else {
        RETURN_IF_ERROR(LexOperator(&t));
      }
      out.push_back(std::move(t));
    }
  }

 private:
  void Advance() {
    if (in_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(in_[pos_]) & 0xC0) != 0x80) {
      ++col_;
    }
    ++pos_;
  }
  bool Peek(size_t ahead, char c) const { return pos_ + ahead < in_.size() && in_[pos_ + ahead] == c; }

  void SkipSpaceAndComments() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Advance();
      } else if (c == '#') {
        while (pos_ < in_.size() && in_[pos_] != '\n') Advance();
      } else {
        break;
      }
    }
  }

  base::Status LexNumber(Token* t) {
    size_t start = pos_;
    if (in_[pos_] == '0' && pos_ + 1 < in_.size() && (in_[pos_ + 1] == 'x' || in_[pos_ + 1] == 'X')) {
      Advance(); Advance();
      size_t hs = pos_;
      while (pos_ < in_.size() && common::HexDigitValue(in_[pos_]) >= 0) Advance();
      if (pos_ == hs) return ParseError("hexadecimal literal has no digits", t->line, t->col);
      double v = 0;
      for (size_t k = hs; k < pos_; ++k) v = v * 16 + common::HexDigitValue(in_[k]);
      t->kind = TokKind::kNumber;
      t->number = v;
      t->text = std::string(in_.substr(start, pos_ - start));
      return base::Status::Ok();
    }
    while (pos_ < in_.size() && IsDigit(in_[pos_])) Advance();
    if (pos_ < in_.size() && in_[pos_] == '.') {
      Advance();
      while (pos_ < in_.size() && IsDigit(in_[pos_])) Advance();
    }
    size_t num_end = pos_;
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      size_t save = pos_;
      int save_col = col_;
      Advance();
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) Advance();
      if (pos_ < in_.size() && IsDigit(in_[pos_])) {
        while (pos_ < in_.size() && IsDigit(in_[pos_])) Advance();
        num_end = pos_;
      } else {
        pos_ = save;
        col_ = save_col;
      }
    }
    // A unit directly after the number: a duration or a byte size.
    size_t unit_end = pos_;
    while (unit_end < in_.size() && (IsAlpha(in_[unit_end]) || IsDigit(in_[unit_end]) || in_[unit_end] == '.' ||
                                     static_cast<unsigned char>(in_[unit_end]) >= 0x80)) {
      ++unit_end;
    }
    std::string_view number_text = in_.substr(start, num_end - start);
    if (unit_end > pos_ && num_end == pos_) {
      std::string_view whole = in_.substr(start, unit_end - start);
      int64_t ns;
      uint64_t b;
      if (ParseAnyDuration(whole, &ns)) {
        while (pos_ < unit_end) Advance();
        t->kind = TokKind::kDuration;
        t->duration_ns = ns;
        t->text = std::string(whole);
        return base::Status::Ok();
      }
      if (ParseBytes(whole, &b)) {
        while (pos_ < unit_end) Advance();
        t->kind = TokKind::kBytes;
        t->number = static_cast<double>(b);
        t->text = std::string(whole);
        return base::Status::Ok();
      }
    }
    t->kind = TokKind::kNumber;
    t->text = std::string(number_text);
    double v = 0;
    auto [p, ec] = std::from_chars(t->text.data(), t->text.data() + t->text.size(), v);
    if (ec == std::errc::result_out_of_range) {
      v = std::strtod(t->text.c_str(), nullptr);  // +Inf / 0 like Go's ParseFloat value
    } else if (ec != std::errc()) {
      return ParseError("invalid number " + t->text, t->line, t->col);
    }
    (void)p;
    t->number = v;
    return base::Status::Ok();
  }

  base::Status LexString(Token* t) {
    char quote = in_[pos_];
    Advance();
    std::string value;
    if (quote == '`') {
      size_t start = pos_;
      while (pos_ < in_.size() && in_[pos_] != '`') Advance();
      if (pos_ >= in_.size()) return ParseError("literal not terminated", t->line, t->col);
      value = std::string(in_.substr(start, pos_ - start));
      Advance();
      if (!ValidUtf8(value)) return ParseError("invalid UTF-8 in string", t->line, t->col);
      t->kind = TokKind::kString;
      t->text = std::move(value);
      return base::Status::Ok();
    }
    for (;;) {
      if (pos_ >= in_.size() || in_[pos_] == '\n') return ParseError("literal not terminated", t->line, t->col);
      char c = in_[pos_];
      if (c == '"') {
        Advance();
        break;
      }
      if (c != '\\') {
        value.push_back(c);
        Advance();
        continue;
      }
      Advance();
      if (pos_ >= in_.size()) return ParseError("literal not terminated", t->line, t->col);
      char e = in_[pos_];
      Advance();
      switch (e) {
        case 'a': value.push_back('\a'); break;
        case 'b': value.push_back('\b'); break;
        case 'f': value.push_back('\f'); break;
        case 'n': value.push_back('\n'); break;
        case 'r': value.push_back('\r'); break;
        case 't': value.push_back('\t'); break;
        case 'v': value.push_back('\v'); break;
        case '\\': value.push_back('\\'); break;
        case '"': value.push_back('"'); break;
        case '\'': value.push_back('\''); break;
        case 'x': case 'u': case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t r = 0;
          for (int k = 0; k < n; ++k) {
            int h = pos_ < in_.size() ? common::HexDigitValue(in_[pos_]) : -1;
            if (h < 0) return ParseError("invalid syntax", t->line, t->col);
            r = r * 16 + static_cast<uint32_t>(h);
            Advance();
          }
          if (e == 'x') {
            value.push_back(static_cast<char>(r));
          } else {
            if (r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) return ParseError("invalid syntax", t->line, t->col);
            common::AppendUtf8(value, r);
          }
          break;
        }
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
          uint32_t r = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2; ++k) {
            if (pos_ >= in_.size() || in_[pos_] < '0' || in_[pos_] > '7') {
              return ParseError("invalid syntax", t->line, t->col);
            }
            r = r * 8 + static_cast<uint32_t>(in_[pos_] - '0');
            Advance();
          }
          if (r > 255) return ParseError("invalid syntax", t->line, t->col);
          value.push_back(static_cast<char>(r));
          break;
        }
        default:
          return ParseError("invalid syntax", t->line, t->col);
      }
    }
    t->kind = TokKind::kString;
    t->text = std::move(value);
    return base::Status::Ok();
  }

  base::Status LexRange(Token* t) {
    size_t start = pos_;
    int col = col_;
    size_t close = in_.find(']', start);
    if (close == std::string_view::npos) return ParseError("missing closing ']' in duration", 0, col);
    while (pos_ <= close) Advance();
    std::string_view body = in_.substr(start + 1, close - start - 1);
    // Whitespace inside the brackets is tolerated.
    while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) body.remove_prefix(1);
    while (!body.empty() && (body.back() == ' ' || body.back() == '\t')) body.remove_suffix(1);
    int64_t ns;
    if (!ParsePromDuration(body, &ns)) {
      return ParseError("not a valid duration string: \"" + std::string(body) + "\"", 0, col);
    }
    t->kind = TokKind::kRange;
    t->duration_ns = ns;
    t->text = std::string(in_.substr(start, close - start + 1));
    return base::Status::Ok();
  }

  base::Status LexOperator(Token* t) {
    char c = in_[pos_];
    auto two = [&](TokKind k, const char* s) {
      Advance();
      Advance();
      t->kind = k;
      t->text = s;
      return base::Status::Ok();
    };
    auto one = [&](TokKind k) {
      t->text = std::string(1, c);
      Advance();
      t->kind = k;
      return base::Status::Ok();
    };
    switch (c) {
      case '|':
        if (Peek(1, '=')) return two(TokKind::kPipeExact, "|=");
        if (Peek(1, '~')) return two(TokKind::kPipeMatch, "|~");
        if (Peek(1, '>')) return two(TokKind::kPipePattern, "|>");
        return one(TokKind::kPipe);
      case '!':
        if (Peek(1, '=')) return two(TokKind::kNeq, "!=");
        if (Peek(1, '~')) return two(TokKind::kNre, "!~");
        if (Peek(1, '>')) return two(TokKind::kNpa, "!>");
        break;
      case '=':
        if (Peek(1, '~')) return two(TokKind::kRe, "=~");
        if (Peek(1, '=')) return two(TokKind::kCmpEq, "==");
        return one(TokKind::kEq);
      case '>':
        if (Peek(1, '=')) return two(TokKind::kGe, ">=");
        return one(TokKind::kGt);
      case '<':
        if (Peek(1, '=')) return two(TokKind::kLe, "<=");
        return one(TokKind::kLt);
      case '-':
        if (Peek(1, '-')) {
          size_t e = pos_ + 2;
          while (e < in_.size() && (IsAlpha(in_[e]) || IsDigit(in_[e]) || in_[e] == '-')) ++e;
          std::string_view flag = in_.substr(pos_, e - pos_);
          if (flag == "--strict" || flag == "--keep-empty") {
            while (pos_ < e) Advance();
            t->kind = TokKind::kParserFlag;
            t->text = std::string(flag);
            return base::Status::Ok();
          }
        }
        return one(TokKind::kSub);
      case '{': return one(TokKind::kLBrace);
      case '}': return one(TokKind::kRBrace);
      case '(': return one(TokKind::kLParen);
      case ')': return one(TokKind::kRParen);
      case ',': return one(TokKind::kComma);
      case '+': return one(TokKind::kAdd);
      case '*': return one(TokKind::kMul);
      case '/': return one(TokKind::kDiv);
      case '%': return one(TokKind::kMod);
      case '^': return one(TokKind::kPow);
      default: break;
    }
    return ParseError("syntax error: unexpected $unk", t->line, t->col);
  }

  std::string_view in_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

base::Result<std::vector<Token>> LexLogQL(std::string_view input) { return Lexer(input).Run(); }

}  // namespace strata::query
