#include "strata/query/pipeline/json_scan.h"

#include <bitset>

#include "strata/common/text.h"

namespace strata::query::json {

bool Cursor::String(std::string_view* raw, bool* escaped) {
  if (!Consume('"')) return Fail("expected a string");
  size_t start = pos;
  *escaped = false;
  while (pos < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[pos]);
    if (c == '"') {
      *raw = s.substr(start, pos - start);
      ++pos;
      return true;
    }
    if (c == '\\') {
      *escaped = true;
      if (pos + 1 >= s.size()) break;
      char e = s[pos + 1];
      if (e == 'u') {
        if (pos + 6 > s.size()) break;
        for (size_t k = pos + 2; k < pos + 6; ++k) {
          if (common::HexDigitValue(s[k]) < 0) return Fail("invalid \\u escape in string");
        }
        pos += 6;
        continue;
      }
      if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
        return Fail("invalid escape in string");
      }
      pos += 2;
      continue;
    }
    if (c < 0x20) return Fail("control character in string");
    ++pos;
  }
  return Fail("unterminated string");
}

bool Cursor::Number(std::string_view* text) {
  size_t start = pos;
  auto digit = [&] { return pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; };
  Consume('-');
  if (Consume('0')) {
  } else if (digit()) {
    while (digit()) ++pos;
  } else {
    return Fail("invalid number");
  }
  if (Consume('.')) {
    if (!digit()) return Fail("invalid number");
    while (digit()) ++pos;
  }
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    if (!Consume('+')) Consume('-');
    if (!digit()) return Fail("invalid number");
    while (digit()) ++pos;
  }
  *text = s.substr(start, pos - start);
  return true;
}

bool Cursor::SkipValue(std::string_view* raw) {
  SkipWs();
  size_t start = pos;
  std::bitset<kMaxJsonDepth> is_object;  // the open containers, innermost last
  int depth = 0;
  // Each iteration reads one value (after which we are "after a value") or closes a container.
  while (true) {
    SkipWs();
    char c = Peek();
    bool have_value = false;
    if (c == '{' || c == '[') {
      if (depth == kMaxJsonDepth) return Fail("JSON nested too deeply");
      is_object[depth++] = c == '{';
      ++pos;
      SkipWs();
      if (c == '{') {
        if (Consume('}')) {
          --depth;
          have_value = true;
        } else {
          std::string_view k;
          bool esc;
          if (!String(&k, &esc)) return false;
          SkipWs();
          if (!Consume(':')) return Fail("expected ':' after object key");
          continue;
        }
      } else {
        if (Consume(']')) {
          --depth;
          have_value = true;
        } else {
          continue;
        }
      }
    } else if (c == '"') {
      std::string_view v;
      bool esc;
      if (!String(&v, &esc)) return false;
      have_value = true;
    } else if (c == 't' || c == 'f' || c == 'n') {
      std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      if (s.substr(pos, word.size()) != word) return Fail("invalid literal");
      pos += word.size();
      have_value = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::string_view n;
      if (!Number(&n)) return false;
      have_value = true;
    } else {
      return Fail(AtEnd() ? "unexpected end of JSON" : "unexpected character");
    }
    // After a value: close containers or move to the next element.
    (void)have_value;
    while (true) {
      if (depth == 0) {
        if (raw != nullptr) *raw = s.substr(start, pos - start);
        return true;
      }
      SkipWs();
      bool obj = is_object[depth - 1];
      if (Consume(',')) {
        SkipWs();
        if (obj) {
          std::string_view k;
          bool esc;
          if (!String(&k, &esc)) return false;
          SkipWs();
          if (!Consume(':')) return Fail("expected ':' after object key");
        }
        break;  // read the next value
      }
      if (Consume(obj ? '}' : ']')) {
        --depth;
        continue;
      }
      return Fail(obj ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    }
  }
}

bool Unescape(std::string_view raw, std::string& out) {
  size_t i = 0;
  while (i < raw.size()) {
    size_t bs = raw.find('\\', i);
    if (bs == std::string_view::npos) {
      out.append(raw.substr(i));
      return true;
    }
    out.append(raw.substr(i, bs - i));
    if (bs + 1 >= raw.size()) return false;
    char e = raw[bs + 1];
    i = bs + 2;
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto hex4 = [&](size_t at, uint32_t* v) {
          if (at + 4 > raw.size()) return false;
          *v = 0;
          for (size_t k = at; k < at + 4; ++k) {
            int d = common::HexDigitValue(raw[k]);
            if (d < 0) return false;
            *v = *v * 16 + static_cast<uint32_t>(d);
          }
          return true;
        };
        uint32_t cp;
        if (!hex4(i, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (i + 6 > raw.size() || raw[i] != '\\' || raw[i + 1] != 'u' || !hex4(i + 2, &lo) || lo < 0xDC00 ||
              lo > 0xDFFF) {
            return false;
          }
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        common::AppendUtf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

bool HasRuneError(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = common::Utf8SequenceLength(s, i);
    if (n == 0) return true;
    if (n == 3 && c == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        static_cast<unsigned char>(s[i + 2]) == 0xBD) {
      return true;  // U+FFFD
    }
    i += n;
  }
  return false;
}

}  // namespace strata::query::json
