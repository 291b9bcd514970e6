#include "strata/query/pipeline/value_parse.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace strata::query::values {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  if (EqualsLower(s, "inf") || EqualsLower(s, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (EqualsLower(s, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  double v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  std::from_chars_result r;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    // Go requires the p exponent on hex floats.
    if (s.find_first_of("pP") == std::string_view::npos) return false;
    r = std::from_chars(b + 2, e, v, std::chars_format::hex);
  } else {
    // from_chars alone would take "inf"/"nan" spellings Go rejects (e.g. "infin"); those failed above.
    if (!IsDigit(s[0]) && s[0] != '.') return false;
    r = std::from_chars(b, e, v, std::chars_format::general);
  }
  if (r.ec != std::errc() || r.ptr != e) return false;
  *out = neg ? -v : v;
  return true;
}

bool ParseGoDuration(std::string_view s, int64_t* ns) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) return false;
  constexpr uint64_t kMax = uint64_t{1} << 63;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return false;
    uint64_t v = 0;
    size_t i = 0;
    bool pre = false;
    while (i < s.size() && IsDigit(s[i])) {
      if (v > kMax / 10) return false;  // overflow
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMax) return false;
      ++i;
      pre = true;
    }
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      bool overflow = false;
      while (i < s.size() && IsDigit(s[i])) {
        post = true;
        if (!overflow) {
          if (frac > (std::numeric_limits<uint64_t>::max() - 9) / 10) {
            overflow = true;  // further digits are below the precision kept
          } else {
            frac = frac * 10 + static_cast<uint64_t>(s[i] - '0');
            scale *= 10;
          }
        }
        ++i;
      }
    }
    if (!pre && !post) return false;
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !IsDigit(s[u])) ++u;
    std::string_view unit = s.substr(i, u - i);
    uint64_t mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1000;
    else if (unit == "ms") mult = 1000000;
    else if (unit == "s") mult = 1000000000;
    else if (unit == "m") mult = 60ull * 1000000000;
    else if (unit == "h") mult = 3600ull * 1000000000;
    else return false;  // missing or unknown unit
    if (v > kMax / mult) return false;
    v *= mult;
    if (frac > 0) {
      v += static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(mult) / scale));
      if (v > kMax) return false;
    }
    total += v;
    if (total > kMax) return false;
    s.remove_prefix(u);
  }
  if (neg) {
    *ns = total == kMax ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
    return true;
  }
  if (total > kMax - 1) return false;
  *ns = static_cast<int64_t>(total);
  return true;
}

bool ParseHumanBytes(std::string_view s, uint64_t* bytes) {
  size_t n = 0;
  bool comma = false;
  while (n < s.size() && (IsDigit(s[n]) || s[n] == '.' || s[n] == ',')) {
    comma |= s[n] == ',';
    ++n;
  }
  double f;
  if (comma) {
    char buf[64];
    size_t len = 0;
    for (size_t i = 0; i < n; ++i) {
      if (s[i] == ',') continue;
      if (len == sizeof(buf)) return false;
      buf[len++] = s[i];
    }
    if (!ParseGoFloat(std::string_view(buf, len), &f)) return false;
  } else if (!ParseGoFloat(s.substr(0, n), &f)) {
    return false;
  }
  std::string_view unit = s.substr(n);
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!unit.empty() && is_space(unit.front())) unit.remove_prefix(1);
  while (!unit.empty() && is_space(unit.back())) unit.remove_suffix(1);
  if (unit.size() > 3) return false;
  char u[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < unit.size(); ++i) u[i] = Lower(unit[i]);
  std::string_view lu(u, unit.size());
  double mult;
  if (lu.empty() || lu == "b") {
    mult = 1;
  } else {
    static constexpr char kPrefixes[] = "kmgtpe";
    size_t p = std::string_view(kPrefixes).find(lu[0]);
    if (p == std::string_view::npos) return false;
    std::string_view rest = lu.substr(1);
    double base;
    if (rest.empty() || rest == "b") base = 1000;
    else if (rest == "i" || rest == "ib") base = 1024;
    else return false;
    mult = std::pow(base, static_cast<double>(p + 1));
  }
  f *= mult;
  if (!(f < 18446744073709551616.0)) return false;  // also rejects NaN
  if (f < 0) return false;
  *bytes = static_cast<uint64_t>(f);
  return true;
}

bool IsSanitizedKey(std::string_view key) {
  if (key.empty() || IsDigit(key[0])) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

void AppendSanitizedKey(std::string_view key, bool at_start, std::string& out) {
  if (at_start && !key.empty() && IsDigit(key[0])) out.push_back('_');
  for (size_t i = 0; i < key.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(static_cast<char>(c)) || c == '_') {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x80 || c >= 0xC0) {
      out.push_back('_');  // one per code point: continuation bytes (0x80-0xBF) add nothing
    }
  }
}

}  // namespace strata::query::values
