// The function library of GoTemplate: Go's text/template builtins, Sprig's helpers in Loki's selection and Loki's
// own functions, with Go's semantics (fmt formatting, time layouts, duration parsing, regexp expansion).
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>

#include "strata/query/template/template_internal.h"

namespace strata::query::tmpl {

using base::Result;
using base::Status;

namespace {

Status Err(std::string m) { return base::InvalidArgument(std::move(m)); }
Status TooLarge() { return base::PayloadTooLarge("value exceeds " + std::to_string(kMaxValueBytes) + " bytes"); }

// ---------------------------------------------------------------------------------------------------------------
// UTF-8 and character helpers
// ---------------------------------------------------------------------------------------------------------------

// Byte offsets of rune starts (plus the end).
std::vector<size_t> RuneOffsets(std::string_view s) {
  std::vector<size_t> offs;
  offs.reserve(s.size() + 1);
  size_t i = 0;
  while (i < s.size()) {
    offs.push_back(i);
    size_t w;
    DecodeRune(s, i, &w);
    i += w;
  }
  offs.push_back(s.size());
  return offs;
}

uint32_t ToLowerRune(uint32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  if ((r >= 0xC0 && r <= 0xDE && r != 0xD7) || (r >= 0x391 && r <= 0x3AB && r != 0x3A2) || (r >= 0x410 && r <= 0x42F))
    return r + 32;
  if (r >= 0x400 && r <= 0x40F) return r + 80;
  if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177) || (r >= 0x460 && r <= 0x4BF))
    return (r % 2 == 0) ? r + 1 : r;
  if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E)) return (r % 2 == 1) ? r + 1 : r;
  if (r == 0x178) return 0xFF;
  return r;
}

uint32_t ToUpperRune(uint32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  if ((r >= 0xE0 && r <= 0xFE && r != 0xF7) || (r >= 0x3B1 && r <= 0x3CB && r != 0x3C2) || (r >= 0x430 && r <= 0x44F))
    return r - 32;
  if (r == 0x3C2) return 0x3A3;
  if (r >= 0x450 && r <= 0x45F) return r - 80;
  if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177) || (r >= 0x460 && r <= 0x4BF))
    return (r % 2 == 1) ? r - 1 : r;
  if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E)) return (r % 2 == 0) ? r - 1 : r;
  if (r == 0xFF) return 0x178;
  if (r == 0xB5) return 0x39C;
  return r;
}

bool IsUnicodeSpace(uint32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool IsLetterOrDigit(uint32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  return !IsUnicodeSpace(r) && !(r >= 0x2000 && r <= 0x206F) && !(r >= 0x3000 && r <= 0x303F) && r != 0xD7 &&
         r != 0xF7 && !(r >= 0x80 && r <= 0xBF);
}

// A substring of v's string that stays valid after v is destroyed.
Value SubOf(Value& v, std::string_view part) {
  if (!v.owned) return Value::View(part);
  if (part.size() == v.s.size()) return std::move(v);
  return Value::Str(std::string(part));
}

Value MapRunes(Value& v, uint32_t (*f)(uint32_t)) {
  std::string_view s = v.str();
  bool changed = false;
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (f(r) != r) {
      changed = true;
      break;
    }
    i += w;
  }
  if (!changed) return std::move(v);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (r == 0xFFFD && w == 1) {
      out.push_back(s[i]);
    } else {
      AppendRune(out, f(r));
    }
    i += w;
  }
  return Value::Str(std::move(out));
}

// strings.Replace(s, old, new, n) with a size cap.
Result<std::string> ReplaceN(std::string_view s, std::string_view old, std::string_view nw, int64_t n) {
  std::string out;
  if (n == 0) return std::string(s);
  int64_t done = 0;
  if (old.empty()) {
    // Insert nw before every rune and at the end, up to n times.
    size_t i = 0;
    while (true) {
      if (n < 0 || done < n) {
        out.append(nw);
        ++done;
      } else {
        out.append(s.substr(i));
        break;
      }
      if (i >= s.size()) break;
      size_t w;
      DecodeRune(s, i, &w);
      out.append(s.substr(i, w));
      i += w;
      if (out.size() > kMaxValueBytes) return TooLarge();
    }
    if (out.size() > kMaxValueBytes) return TooLarge();
    return out;
  }
  size_t i = 0;
  while (n < 0 || done < n) {
    size_t x = s.find(old, i);
    if (x == std::string_view::npos) break;
    out.append(s.substr(i, x - i));
    out.append(nw);
    i = x + old.size();
    ++done;
    if (out.size() > kMaxValueBytes) return TooLarge();
  }
  out.append(s.substr(i));
  if (out.size() > kMaxValueBytes) return TooLarge();
  return out;
}

bool InCutset(uint32_t r, std::string_view cutset) {
  for (size_t i = 0; i < cutset.size();) {
    size_t w;
    if (DecodeRune(cutset, i, &w) == r) return true;
    i += w;
  }
  return false;
}

std::string_view TrimLeftSet(std::string_view s, std::string_view cutset) {
  size_t i = 0;
  while (i < s.size()) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (!InCutset(r, cutset)) break;
    i += w;
  }
  return s.substr(i);
}

// Start of the last rune ending at `end`.
size_t LastRuneStart(std::string_view s, size_t end) {
  size_t start = end - 1;
  size_t lim = end >= 4 ? end - 4 : 0;
  while (start > lim && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  size_t w;
  DecodeRune(s, start, &w);
  if (start + w != end) return end - 1;
  return start;
}

std::string_view TrimRightSet(std::string_view s, std::string_view cutset) {
  size_t end = s.size();
  while (end > 0) {
    size_t st = LastRuneStart(s, end);
    size_t w;
    uint32_t r = DecodeRune(s, st, &w);
    if (st + w != end) r = 0xFFFD;
    if (!InCutset(r, cutset)) break;
    end = st;
  }
  return s.substr(0, end);
}

std::string_view TrimSpaceView(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (!IsUnicodeSpace(r)) break;
    i += w;
  }
  size_t end = s.size();
  while (end > i) {
    size_t st = LastRuneStart(s, end);
    size_t w;
    uint32_t r = DecodeRune(s, st, &w);
    if (!IsUnicodeSpace(r)) break;
    end = st;
  }
  return s.substr(i, end - i);
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers (Sprig's toInt64 / toFloat64, via spf13/cast)
// ---------------------------------------------------------------------------------------------------------------

int64_t FloatToInt64(double f) {
  if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(f);
}

bool ParseIntBase0(std::string_view text, int64_t* out) {
  bool neg = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  int base = 10;
  if (text.size() >= 2 && text[0] == '0') {
    char p = static_cast<char>(text[1] | 0x20);
    if (p == 'x') base = 16, text.remove_prefix(2);
    else if (p == 'o') base = 8, text.remove_prefix(2);
    else if (p == 'b') base = 2, text.remove_prefix(2);
    else base = 8, text.remove_prefix(1);
    if (text.empty() && base != 8) return false;
  }
  uint64_t v = 0;
  for (char c : text) {
    if (c == '_' && base != 10) continue;
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
    if (d >= base) return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// strconv.ParseFloat (decimal and the special names; no hex).
bool ParseGoFloat(std::string_view text, double* out) {
  if (text.empty()) return false;
  std::string t(text);
  std::string lower;
  for (char c : t) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::string_view l = lower;
  bool neg = false;
  std::string_view body = l;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") {
    *out = neg ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (body == "nan") {
    *out = std::nan("");
    return true;
  }
  for (char c : body) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '+' || c == '-')) return false;
  }
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return false;
  *out = v;
  return true;
}

std::string TrimZeroDecimal(std::string_view s) {
  bool found_zero = false;
  for (size_t i = s.size(); i > 0; --i) {
    switch (s[i - 1]) {
      case '.':
        if (found_zero) return std::string(s.substr(0, i - 1));
        return std::string(s);
      case '0':
        found_zero = true;
        break;
      default:
        return std::string(s);
    }
  }
  return std::string(s);
}

int64_t ToInt64(const Value& v) {
  switch (v.kind) {
    case Kind::kInt: return v.i;
    case Kind::kFloat: return FloatToInt64(v.f);
    case Kind::kBool: return v.b ? 1 : 0;
    case Kind::kString: {
      int64_t out = 0;
      if (ParseIntBase0(TrimZeroDecimal(v.str()), &out)) return out;
      return 0;
    }
    default: return 0;
  }
}

double ToFloat64(const Value& v) {
  switch (v.kind) {
    case Kind::kInt: return static_cast<double>(v.i);
    case Kind::kFloat: return v.f;
    case Kind::kBool: return v.b ? 1 : 0;
    case Kind::kString: {
      double out = 0;
      if (ParseGoFloat(v.str(), &out)) return out;
      return 0;
    }
    default: return 0;
  }
}

// Digits after the decimal point in the shortest representation of f (the exact decimal shopspring/decimal's
// NewFromFloat builds), or -1 when that is too many to emulate.
int FracDigits(double f) {
  if (f == 0 || !std::isfinite(f)) return 0;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  size_t e = s.find('e');
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  std::string_view mant = s.substr(0, e);
  int mdigits = 0;
  size_t dot = mant.find('.');
  if (dot != std::string_view::npos) mdigits = static_cast<int>(mant.size() - dot - 1);
  int frac = mdigits - exp;
  return frac < 0 ? 0 : frac;
}

double RoundToPlaces(double v, int places) {
  if (!std::isfinite(v) || places < 0 || places > 30 || std::fabs(v) >= 1e17) return v;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return std::strtod(buf, nullptr);
}

// ---------------------------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------------------------

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yy + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int m, int64_t y) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && IsLeap(y)) return 29;
  return kDays[m - 1];
}

const char* const kLongMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
const char* const kLongDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

struct Civil {
  int64_t year;
  int month, day, hour, min, sec, nsec, wday, yday;
};

Civil Breakdown(const TimeVal& t) {
  int64_t local = t.sec + t.offset;
  int64_t days = FloorDiv(local, 86400);
  int64_t rem = local - days * 86400;
  Civil c{};
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.min = static_cast<int>(rem % 3600 / 60);
  c.sec = static_cast<int>(rem % 60);
  c.nsec = t.nsec;
  c.wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  c.yday = static_cast<int>(days - DaysFromCivil(c.year, 1, 1) + 1);
  return c;
}

enum Std {
  kNone = 0,
  kLongMonth, kMonth, kNumMonth, kZeroMonth, kLongWeekDay, kWeekDay, kDay, kUnderDay, kZeroDay, kUnderYearDay,
  kZeroYearDay, kHour, kHour12, kZeroHour12, kMinute, kZeroMinute, kSecond, kZeroSecond, kLongYear, kYear, kPM, kpm,
  kTZ, kISO8601TZ, kISO8601SecondsTZ, kISO8601ShortTZ, kISO8601ColonTZ, kISO8601ColonSecondsTZ, kNumTZ,
  kNumSecondsTz, kNumShortTZ, kNumColonTZ, kNumColonSecondsTZ, kFracSecond0, kFracSecond9,
};

struct Chunk {
  std::string_view prefix;
  Std std = kNone;
  int frac_digits = 0;
  char frac_sep = '.';
  std::string_view suffix;
};

// Go's nextStdChunk.
Chunk NextStdChunk(std::string_view layout) {
  auto at = [&](size_t i, std::string_view s) { return layout.substr(i).starts_with(s); };
  for (size_t i = 0; i < layout.size(); ++i) {
    char c = layout[i];
    auto mk = [&](Std s, size_t len) { return Chunk{layout.substr(0, i), s, 0, '.', layout.substr(i + len)}; };
    switch (c) {
      case 'J':
        if (at(i, "Jan")) {
          if (at(i, "January")) return mk(kLongMonth, 7);
          return mk(kMonth, 3);
        }
        break;
      case 'M':
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return mk(kLongWeekDay, 6);
          return mk(kWeekDay, 3);
        }
        if (at(i, "MST")) return mk(kTZ, 3);
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          static const Std k0x[] = {kZeroMonth, kZeroDay, kZeroHour12, kZeroMinute, kZeroSecond, kYear};
          return mk(k0x[layout[i + 1] - '1'], 2);
        }
        if (at(i, "002")) return mk(kZeroYearDay, 3);
        break;
      case '1':
        if (at(i, "15")) return mk(kHour, 2);
        return mk(kNumMonth, 1);
      case '2':
        if (at(i, "2006")) return mk(kLongYear, 4);
        return mk(kDay, 1);
      case '_':
        if (at(i, "_2")) {
          if (at(i, "_2006")) return Chunk{layout.substr(0, i + 1), kLongYear, 0, '.', layout.substr(i + 5)};
          return mk(kUnderDay, 2);
        }
        if (at(i, "__2")) return mk(kUnderYearDay, 3);
        break;
      case '3': return mk(kHour12, 1);
      case '4': return mk(kMinute, 1);
      case '5': return mk(kSecond, 1);
      case 'P':
        if (at(i, "PM")) return mk(kPM, 2);
        break;
      case 'p':
        if (at(i, "pm")) return mk(kpm, 2);
        break;
      case '-':
        if (at(i, "-070000")) return mk(kNumSecondsTz, 7);
        if (at(i, "-07:00:00")) return mk(kNumColonSecondsTZ, 9);
        if (at(i, "-0700")) return mk(kNumTZ, 5);
        if (at(i, "-07:00")) return mk(kNumColonTZ, 6);
        if (at(i, "-07")) return mk(kNumShortTZ, 3);
        break;
      case 'Z':
        if (at(i, "Z070000")) return mk(kISO8601SecondsTZ, 7);
        if (at(i, "Z07:00:00")) return mk(kISO8601ColonSecondsTZ, 9);
        if (at(i, "Z0700")) return mk(kISO8601TZ, 5);
        if (at(i, "Z07:00")) return mk(kISO8601ColonTZ, 6);
        if (at(i, "Z07")) return mk(kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          char ch = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == ch) ++j;
          if (!(j < layout.size() && layout[j] >= '0' && layout[j] <= '9')) {
            Chunk k = mk(ch == '0' ? kFracSecond0 : kFracSecond9, j - i);
            k.frac_digits = static_cast<int>(j - (i + 1));
            k.frac_sep = c;
            return k;
          }
        }
        break;
      default:
        break;
    }
  }
  return Chunk{layout, kNone, 0, '.', {}};
}

void AppendInt(std::string& b, int64_t x, int width) {
  if (x < 0) {
    b.push_back('-');
    x = -x;
  }
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  int n = static_cast<int>(r.ptr - buf);
  for (int k = n; k < width; ++k) b.push_back('0');
  b.append(buf, static_cast<size_t>(n));
}

void FormatTime(std::string& b, const TimeVal& t, std::string_view layout) {
  Civil c = Breakdown(t);
  while (!layout.empty()) {
    Chunk k = NextStdChunk(layout);
    b.append(k.prefix);
    if (k.std == kNone) break;
    layout = k.suffix;
    switch (k.std) {
      case kYear: AppendInt(b, ((c.year % 100) + 100) % 100, 2); break;
      case kLongYear: AppendInt(b, c.year, 4); break;
      case kMonth: b.append(kLongMonths[c.month - 1], 3); break;
      case kLongMonth: b.append(kLongMonths[c.month - 1]); break;
      case kNumMonth: AppendInt(b, c.month, 0); break;
      case kZeroMonth: AppendInt(b, c.month, 2); break;
      case kWeekDay: b.append(kLongDays[c.wday], 3); break;
      case kLongWeekDay: b.append(kLongDays[c.wday]); break;
      case kDay: AppendInt(b, c.day, 0); break;
      case kUnderDay:
        if (c.day < 10) b.push_back(' ');
        AppendInt(b, c.day, 0);
        break;
      case kZeroDay: AppendInt(b, c.day, 2); break;
      case kUnderYearDay:
        if (c.yday < 100) {
          b.push_back(' ');
          if (c.yday < 10) b.push_back(' ');
        }
        AppendInt(b, c.yday, 0);
        break;
      case kZeroYearDay: AppendInt(b, c.yday, 3); break;
      case kHour: AppendInt(b, c.hour, 2); break;
      case kHour12:
      case kZeroHour12: {
        int hr = c.hour % 12;
        if (hr == 0) hr = 12;
        AppendInt(b, hr, k.std == kZeroHour12 ? 2 : 0);
        break;
      }
      case kMinute: AppendInt(b, c.min, 0); break;
      case kZeroMinute: AppendInt(b, c.min, 2); break;
      case kSecond: AppendInt(b, c.sec, 0); break;
      case kZeroSecond: AppendInt(b, c.sec, 2); break;
      case kPM: b.append(c.hour >= 12 ? "PM" : "AM"); break;
      case kpm: b.append(c.hour >= 12 ? "pm" : "am"); break;
      case kISO8601TZ: case kISO8601ColonTZ: case kISO8601SecondsTZ: case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ: case kNumTZ: case kNumColonTZ: case kNumSecondsTz: case kNumShortTZ:
      case kNumColonSecondsTZ: {
        bool iso = k.std == kISO8601TZ || k.std == kISO8601ColonTZ || k.std == kISO8601SecondsTZ ||
                   k.std == kISO8601ShortTZ || k.std == kISO8601ColonSecondsTZ;
        if (iso && t.offset == 0) {
          b.push_back('Z');
          break;
        }
        int zone = t.offset / 60;
        int absoffset = t.offset;
        if (zone < 0) {
          b.push_back('-');
          zone = -zone;
          absoffset = -absoffset;
        } else {
          b.push_back('+');
        }
        AppendInt(b, zone / 60, 2);
        if (k.std == kISO8601ColonTZ || k.std == kNumColonTZ || k.std == kISO8601ColonSecondsTZ ||
            k.std == kNumColonSecondsTZ)
          b.push_back(':');
        if (k.std != kNumShortTZ && k.std != kISO8601ShortTZ) AppendInt(b, zone % 60, 2);
        if (k.std == kISO8601SecondsTZ || k.std == kNumSecondsTz || k.std == kNumColonSecondsTZ ||
            k.std == kISO8601ColonSecondsTZ) {
          if (k.std == kNumColonSecondsTZ || k.std == kISO8601ColonSecondsTZ) b.push_back(':');
          AppendInt(b, absoffset % 60, 2);
        }
        break;
      }
      case kTZ:
        if (t.utc) {
          b.append("UTC");
        } else {
          int zone = t.offset / 60;
          if (zone < 0) {
            b.push_back('-');
            zone = -zone;
          } else {
            b.push_back('+');
          }
          AppendInt(b, zone / 60, 2);
          AppendInt(b, zone % 60, 2);
        }
        break;
      case kFracSecond0:
      case kFracSecond9: {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%09d", c.nsec);
        std::string_view digits(buf, 9);
        int n = std::min(k.frac_digits, 9);
        if (k.std == kFracSecond9) {
          size_t e = 9;
          while (e > 0 && digits[e - 1] == '0') --e;
          if (e == 0) break;
          b.push_back(k.frac_sep);
          b.append(digits.substr(0, std::min<size_t>(e, static_cast<size_t>(n))));
        } else {
          b.push_back(k.frac_sep);
          b.append(digits.substr(0, static_cast<size_t>(n)));
        }
        break;
      }
      default:
        break;
    }
  }
}

bool Digit(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// getnum: one or two digits (exactly two when fixed).
bool GetNum(std::string_view& v, bool fixed, int* out) {
  if (!Digit(v, 0)) return false;
  if (!Digit(v, 1)) {
    if (fixed) return false;
    *out = v[0] - '0';
    v.remove_prefix(1);
    return true;
  }
  *out = (v[0] - '0') * 10 + (v[1] - '0');
  v.remove_prefix(2);
  return true;
}

bool GetNum3(std::string_view& v, bool fixed, int* out) {
  int n = 0;
  size_t i = 0;
  for (; i < 3 && Digit(v, i); ++i) n = n * 10 + (v[i] - '0');
  if (i == 0 || (fixed && i != 3)) return false;
  *out = n;
  v.remove_prefix(i);
  return true;
}

bool SkipPrefix(std::string_view& v, std::string_view prefix) {
  while (!prefix.empty()) {
    if (prefix[0] == ' ') {
      if (!v.empty() && v[0] != ' ') return false;
      while (!prefix.empty() && prefix[0] == ' ') prefix.remove_prefix(1);
      while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
      continue;
    }
    if (v.empty() || v[0] != prefix[0]) return false;
    prefix.remove_prefix(1);
    v.remove_prefix(1);
  }
  return true;
}

bool LookupName(std::string_view& v, const char* const* names, size_t count, size_t len, int* out) {
  for (size_t i = 0; i < count; ++i) {
    std::string_view name = names[i];
    if (len) name = name.substr(0, len);
    if (v.size() >= name.size()) {
      bool eq = true;
      for (size_t k = 0; k < name.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(v[k])) != std::tolower(static_cast<unsigned char>(name[k]))) {
          eq = false;
          break;
        }
      }
      if (eq) {
        *out = static_cast<int>(i);
        v.remove_prefix(name.size());
        return true;
      }
    }
  }
  return false;
}

bool ParseNanos(std::string_view& v, size_t nbytes, int* out) {
  // v[0] is the separator; digits follow.
  int ns = 0;
  size_t ndig = nbytes - 1;
  if (ndig > 9) ndig = 9;
  for (size_t i = 1; i <= ndig; ++i) ns = ns * 10 + (v[i] - '0');
  for (size_t i = ndig; i < 9; ++i) ns *= 10;
  *out = ns;
  v.remove_prefix(nbytes);
  return true;
}

// Go's time.Parse in UTC (a parsed numeric offset is kept as a fixed zone). False on any error.
bool ParseTime(std::string_view layout, std::string_view value, TimeVal* out) {
  int64_t year = 0;
  int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0;
  bool pm_set = false, am_set = false;
  int zone_offset = -1;
  bool zone_utc_name = false;
  while (true) {
    Chunk k = NextStdChunk(layout);
    std::string_view std_str = layout.substr(k.prefix.size(), layout.size() - k.prefix.size() - k.suffix.size());
    if (!SkipPrefix(value, k.prefix)) return false;
    if (k.std == kNone) {
      if (!value.empty()) return false;
      break;
    }
    layout = k.suffix;
    switch (k.std) {
      case kYear: {
        if (value.size() < 2 || !Digit(value, 0) || !Digit(value, 1)) return false;
        int p = (value[0] - '0') * 10 + (value[1] - '0');
        value.remove_prefix(2);
        year = p >= 69 ? 1900 + p : 2000 + p;
        break;
      }
      case kLongYear: {
        if (value.size() < 4 || !Digit(value, 0) || !Digit(value, 1) || !Digit(value, 2) || !Digit(value, 3))
          return false;
        year = std::atoi(std::string(value.substr(0, 4)).c_str());
        value.remove_prefix(4);
        break;
      }
      case kMonth:
      case kLongMonth: {
        int m;
        if (!LookupName(value, kLongMonths, 12, k.std == kMonth ? 3 : 0, &m)) return false;
        month = m + 1;
        break;
      }
      case kNumMonth:
      case kZeroMonth:
        if (!GetNum(value, k.std == kZeroMonth, &month) || month <= 0 || month > 12) return false;
        break;
      case kWeekDay:
      case kLongWeekDay: {
        int d;
        if (!LookupName(value, kLongDays, 7, k.std == kWeekDay ? 3 : 0, &d)) return false;
        break;
      }
      case kDay:
      case kUnderDay:
      case kZeroDay:
        if (k.std == kUnderDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        if (!GetNum(value, k.std == kZeroDay, &day)) return false;
        break;
      case kUnderYearDay:
      case kZeroYearDay:
        for (int i = 0; i < 2; ++i) {
          if (k.std == kUnderYearDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        }
        if (!GetNum3(value, k.std == kZeroYearDay, &yday) || yday < 1 || yday > 366) return false;
        break;
      case kHour:
        if (!GetNum(value, false, &hour) || hour > 23) return false;
        break;
      case kHour12:
      case kZeroHour12:
        if (!GetNum(value, k.std == kZeroHour12, &hour) || hour > 12) return false;
        break;
      case kMinute:
      case kZeroMinute:
        if (!GetNum(value, k.std == kZeroMinute, &min) || min > 59) return false;
        break;
      case kSecond:
      case kZeroSecond: {
        if (!GetNum(value, k.std == kZeroSecond, &sec) || sec > 59) return false;
        // A fractional second in the value but not in the layout is accepted.
        if (value.size() >= 2 && (value[0] == '.' || value[0] == ',') && Digit(value, 1)) {
          Chunk nk = NextStdChunk(layout);
          if (nk.std == kFracSecond0 || nk.std == kFracSecond9) break;
          size_t n = 2;
          while (Digit(value, n)) ++n;
          ParseNanos(value, n, &nsec);
        }
        break;
      }
      case kPM:
      case kpm: {
        if (value.size() < 2) return false;
        std::string_view p = value.substr(0, 2);
        if (p == (k.std == kPM ? "PM" : "pm")) pm_set = true;
        else if (p == (k.std == kPM ? "AM" : "am")) am_set = true;
        else return false;
        value.remove_prefix(2);
        break;
      }
      case kISO8601TZ: case kISO8601ColonTZ: case kISO8601SecondsTZ: case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ: case kNumTZ: case kNumShortTZ: case kNumColonTZ: case kNumSecondsTz:
      case kNumColonSecondsTZ: {
        bool iso = k.std == kISO8601TZ || k.std == kISO8601ColonTZ || k.std == kISO8601SecondsTZ ||
                   k.std == kISO8601ShortTZ || k.std == kISO8601ColonSecondsTZ;
        if (iso && !value.empty() && value[0] == 'Z') {
          value.remove_prefix(1);
          zone_offset = 0;
          zone_utc_name = true;
          break;
        }
        std::string_view sign, hh, mm = "00", ss = "00";
        bool colon = k.std == kISO8601ColonTZ || k.std == kNumColonTZ;
        bool colon_sec = k.std == kISO8601ColonSecondsTZ || k.std == kNumColonSecondsTZ;
        bool with_sec = k.std == kISO8601SecondsTZ || k.std == kNumSecondsTz;
        bool short_tz = k.std == kISO8601ShortTZ || k.std == kNumShortTZ;
        if (colon) {
          if (value.size() < 6 || value[3] != ':') return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(4, 2);
          value.remove_prefix(6);
        } else if (short_tz) {
          if (value.size() < 3) return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2);
          value.remove_prefix(3);
        } else if (colon_sec) {
          if (value.size() < 9 || value[3] != ':' || value[6] != ':') return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(4, 2), ss = value.substr(7, 2);
          value.remove_prefix(9);
        } else if (with_sec) {
          if (value.size() < 7) return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(3, 2), ss = value.substr(5, 2);
          value.remove_prefix(7);
        } else {
          if (value.size() < 5) return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(3, 2);
          value.remove_prefix(5);
        }
        auto two = [](std::string_view d, int* o) {
          if (!Digit(d, 0) || !Digit(d, 1)) return false;
          *o = (d[0] - '0') * 10 + (d[1] - '0');
          return true;
        };
        int h, m, s;
        if (!two(hh, &h) || !two(mm, &m) || !two(ss, &s) || h > 24 || m > 60 || s > 60) return false;
        zone_offset = (h * 60 + m) * 60 + s;
        if (sign == "-") zone_offset = -zone_offset;
        else if (sign != "+") return false;
        break;
      }
      case kTZ: {
        if (value.size() >= 3 && value.substr(0, 3) == "UTC") {
          value.remove_prefix(3);
          zone_utc_name = true;
          zone_offset = 0;
          break;
        }
        size_t n = 0;
        while (n < value.size() && value[n] >= 'A' && value[n] <= 'Z') ++n;
        if (n < 3) return false;
        value.remove_prefix(n);  // an unknown abbreviation: Go fabricates a zone with offset 0
        break;
      }
      case kFracSecond0: {
        size_t ndigit = 1 + static_cast<size_t>(k.frac_digits);
        if (value.size() < ndigit || (value[0] != '.' && value[0] != ',')) return false;
        for (size_t i = 1; i < ndigit; ++i) {
          if (!Digit(value, i)) return false;
        }
        ParseNanos(value, ndigit, &nsec);
        break;
      }
      case kFracSecond9: {
        if (value.size() < 2 || (value[0] != '.' && value[0] != ',') || !Digit(value, 1)) break;
        size_t i = 0;
        while (Digit(value, i + 1)) ++i;
        ParseNanos(value, 1 + i, &nsec);
        break;
      }
      default:
        break;
    }
    (void)std_str;
  }
  if (pm_set && hour < 12) hour += 12;
  else if (am_set && hour == 12) hour = 0;
  if (yday >= 0) {
    int m = 0, d = 0;
    if (IsLeap(year)) {
      if (yday == 31 + 29) {
        m = 2, d = 29;
      } else if (yday > 31 + 29) {
        yday--;
      }
    } else if (yday > 365) {
      return false;
    }
    if (m == 0) {
      int y = yday;
      m = 1;
      while (m <= 12 && y > DaysIn(m, 2001)) {
        y -= DaysIn(m, 2001);
        ++m;
      }
      d = y;
    }
    if (month >= 0 && month != m) return false;
    month = m;
    if (day >= 0 && day != d) return false;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > DaysIn(month, year)) return false;
  int64_t secs = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  TimeVal t{};
  t.nsec = nsec;
  if (zone_offset != -1) {
    t.sec = secs - zone_offset;
    t.offset = zone_offset;
    t.utc = zone_offset == 0;
  } else {
    t.sec = secs;
    t.utc = true;
    (void)zone_utc_name;
  }
  *out = t;
  return true;
}

TimeVal ZeroTime() { return TimeVal{kZeroTimeUnix, 0, 0, true}; }

TimeVal UnixTime(int64_t sec, int64_t nsec) {
  sec += FloorDiv(nsec, 1000000000);
  nsec -= FloorDiv(nsec, 1000000000) * 1000000000;
  return TimeVal{sec, static_cast<int32_t>(nsec), 0, true};
}

TimeVal InUTC(TimeVal t) {
  t.offset = 0;
  t.utc = true;
  return t;
}

TimeVal Now() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  return UnixTime(0, ns);
}

// ---------------------------------------------------------------------------------------------------------------
// fmt
// ---------------------------------------------------------------------------------------------------------------

struct Spec {
  bool plus = false, minus = false, sharp = false, zero = false, space = false;
  int width = -1, prec = -1;
};

void Pad(std::string& out, std::string_view s, const Spec& sp, bool zero_ok) {
  size_t runes = 0;
  for (size_t i = 0; i < s.size();) {
    size_t w;
    DecodeRune(s, i, &w);
    i += w;
    ++runes;
  }
  if (sp.width < 0 || runes >= static_cast<size_t>(sp.width)) {
    out.append(s);
    return;
  }
  size_t pad = static_cast<size_t>(sp.width) - runes;
  if (sp.minus) {
    out.append(s);
    out.append(pad, ' ');
  } else if (sp.zero && zero_ok) {
    // Zeros go after the sign.
    size_t signlen = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
    out.append(s.substr(0, signlen));
    out.append(pad, '0');
    out.append(s.substr(signlen));
  } else {
    out.append(pad, ' ');
    out.append(s);
  }
}

void QuoteGo(std::string& out, std::string_view s, char q) {
  out.push_back(q);
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (r == 0xFFFD && w == 1) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
      out.append(buf);
      i += w;
      continue;
    }
    i += w;
    if (r == static_cast<uint32_t>(q) || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
      continue;
    }
    switch (r) {
      case '\a': out.append("\\a"); continue;
      case '\b': out.append("\\b"); continue;
      case '\f': out.append("\\f"); continue;
      case '\n': out.append("\\n"); continue;
      case '\r': out.append("\\r"); continue;
      case '\t': out.append("\\t"); continue;
      case '\v': out.append("\\v"); continue;
      default: break;
    }
    if (r < ' ' || r == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", r);
      out.append(buf);
    } else if ((r >= 0x80 && r < 0xA0) || r == 0xAD || r == 0xFEFF || (r >= 0x2028 && r <= 0x2029)) {
      char buf[12];
      std::snprintf(buf, sizeof buf, "\\u%04x", r);
      out.append(buf);
    } else {
      AppendRune(out, r);
    }
  }
  out.push_back(q);
}

void FormatFloatVerb(std::string& out, double f, char verb, const Spec& sp) {
  std::string num;
  if (std::isinf(f) || std::isnan(f)) {
    if (std::isnan(f)) num = (sp.plus ? "+NaN" : sp.space ? " NaN" : "NaN");
    else num = f > 0 ? (sp.space && !sp.plus ? " Inf" : "+Inf") : "-Inf";
    Spec s2 = sp;
    s2.zero = false;
    Pad(out, num, s2, false);
    return;
  }
  if (verb == 'v' || ((verb == 'g' || verb == 'G') && sp.prec < 0)) {
    AppendGoFloat(num, f);
    if (verb == 'G') {
      for (char& c : num) c = c == 'e' ? 'E' : c;
    }
  } else {
    int prec = sp.prec < 0 ? 6 : sp.prec;
    char fmt[16];
    std::snprintf(fmt, sizeof fmt, "%%%s.*%c", sp.sharp ? "#" : "", verb == 'F' ? 'f' : verb);
    int n = std::snprintf(nullptr, 0, fmt, prec, f);
    std::string buf(static_cast<size_t>(n) + 1, '\0');
    std::snprintf(buf.data(), buf.size(), fmt, prec, f);
    buf.resize(static_cast<size_t>(n));
    num = std::move(buf);
  }
  if (num[0] != '-') {
    if (sp.plus) num.insert(num.begin(), '+');
    else if (sp.space) num.insert(num.begin(), ' ');
  }
  Pad(out, num, sp, true);
}

void FormatIntVerb(std::string& out, int64_t v, char verb, const Spec& sp) {
  if (verb == 'c') {
    std::string s;
    AppendRune(s, static_cast<uint32_t>(v));
    Pad(out, s, sp, false);
    return;
  }
  if (verb == 'q') {
    std::string s;
    std::string r;
    AppendRune(r, static_cast<uint32_t>(v));
    QuoteGo(s, r, '\'');
    Pad(out, s, sp, false);
    return;
  }
  if (verb == 'U') {
    char buf[24];
    std::snprintf(buf, sizeof buf, "U+%04llX", static_cast<unsigned long long>(v));
    Pad(out, buf, sp, false);
    return;
  }
  bool neg = v < 0;
  uint64_t mag = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int base = 10;
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string prefix;
  switch (verb) {
    case 'b': base = 2; if (sp.sharp) prefix = "0b"; break;
    case 'o': base = 8; if (sp.sharp) prefix = "0"; break;
    case 'O': base = 8; prefix = "0o"; break;
    case 'x': base = 16; if (sp.sharp) prefix = "0x"; break;
    case 'X': base = 16; digits = "0123456789ABCDEF"; if (sp.sharp) prefix = "0X"; break;
    default: break;
  }
  std::string d;
  if (mag == 0) d = "0";
  while (mag > 0) {
    d.push_back(digits[mag % static_cast<uint64_t>(base)]);
    mag /= static_cast<uint64_t>(base);
  }
  std::reverse(d.begin(), d.end());
  if (sp.prec >= 0) {
    if (sp.prec == 0 && v == 0) d.clear();
    while (d.size() < static_cast<size_t>(sp.prec)) d.insert(d.begin(), '0');
  }
  std::string num;
  if (neg) num.push_back('-');
  else if (sp.plus) num.push_back('+');
  else if (sp.space) num.push_back(' ');
  num += prefix;
  num += d;
  Spec s2 = sp;
  if (sp.prec >= 0) s2.zero = false;
  if (!prefix.empty() && s2.zero && !s2.minus && s2.width > 0) {
    // Go pads zeros between the prefix and digits.
    std::string head = num.substr(0, num.size() - d.size());
    size_t total = num.size();
    if (total < static_cast<size_t>(s2.width)) {
      out += head;
      out.append(static_cast<size_t>(s2.width) - total, '0');
      out += d;
      return;
    }
  }
  Pad(out, num, s2, true);
}

void AppendVerbose(std::string& out, const Value& v) {
  Status st = AppendValue(out, v, false);
  (void)st;
}

void BadVerb(std::string& out, char verb, const Value& v) {
  out += "%!";
  out.push_back(verb);
  out.push_back('(');
  if (v.kind == Kind::kNil) {
    out += "<nil>";
  } else {
    out += TypeName(v);
    out.push_back('=');
    AppendVerbose(out, v);
  }
  out.push_back(')');
}

void FormatArg(std::string& out, const Value& v, uint32_t verb_rune, const Spec& sp) {
  char verb = verb_rune < 0x80 ? static_cast<char>(verb_rune) : '?';
  if (verb == 'T') {
    Pad(out, v.kind == Kind::kNil ? std::string_view("<nil>") : TypeName(v), sp, false);
    return;
  }
  switch (v.kind) {
    case Kind::kNil:
      if (verb == 'v') Pad(out, "<nil>", sp, false);
      else BadVerb(out, verb, v);
      return;
    case Kind::kBool:
      if (verb == 'v' || verb == 't') Pad(out, v.b ? "true" : "false", sp, false);
      else BadVerb(out, verb, v);
      return;
    case Kind::kInt:
      switch (verb) {
        case 'v': case 'd': case 'b': case 'o': case 'O': case 'x': case 'X': case 'c': case 'q': case 'U':
          FormatIntVerb(out, v.i, verb == 'v' ? 'd' : verb, sp);
          return;
        default:
          BadVerb(out, verb, v);
          return;
      }
    case Kind::kFloat:
      switch (verb) {
        case 'v': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
          FormatFloatVerb(out, v.f, verb, sp);
          return;
        default:
          BadVerb(out, verb, v);
          return;
      }
    case Kind::kString: {
      std::string_view s = v.str();
      switch (verb) {
        case 'v':
        case 's': {
          if (sp.prec >= 0) {
            size_t i = 0;
            int n = 0;
            while (i < s.size() && n < sp.prec) {
              size_t w;
              DecodeRune(s, i, &w);
              i += w;
              ++n;
            }
            s = s.substr(0, i);
          }
          Pad(out, s, sp, false);
          return;
        }
        case 'q': {
          std::string q;
          QuoteGo(q, s, '"');
          Pad(out, q, sp, false);
          return;
        }
        case 'x':
        case 'X': {
          std::string h;
          const char* digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
          size_t n = s.size();
          if (sp.prec >= 0 && static_cast<size_t>(sp.prec) < n) n = static_cast<size_t>(sp.prec);
          for (size_t i = 0; i < n; ++i) {
            if (sp.space && i > 0) h.push_back(' ');
            if (sp.sharp && (sp.space || i == 0)) h += verb == 'x' ? "0x" : "0X";
            unsigned char c = static_cast<unsigned char>(s[i]);
            h.push_back(digits[c >> 4]);
            h.push_back(digits[c & 15]);
          }
          Pad(out, h, sp, false);
          return;
        }
        default:
          BadVerb(out, verb, v);
          return;
      }
    }
    case Kind::kTime:
      if (verb == 'v' || verb == 's') {
        std::string s;
        AppendTimeString(s, v.t);
        Pad(out, s, sp, false);
      } else {
        BadVerb(out, verb, v);
      }
      return;
    case Kind::kList: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : *v.list) {
        if (!first) out.push_back(' ');
        first = false;
        FormatArg(out, e, verb_rune, sp);
      }
      out.push_back(']');
      return;
    }
    case Kind::kMap: {
      out += "map[";
      bool first = true;
      for (const auto& [k, e] : *v.map) {
        if (!first) out.push_back(' ');
        first = false;
        FormatArg(out, Value::View(k), verb_rune, sp);
        out.push_back(':');
        FormatArg(out, e, verb_rune, sp);
      }
      out.push_back(']');
      return;
    }
    case Kind::kLabels:
      out += "map[]";
      return;
  }
}

Result<std::string> Sprintf(std::string_view format, std::span<Value> args) {
  std::string out;
  size_t argi = 0;
  size_t i = 0;
  while (i < format.size()) {
    if (out.size() > kMaxValueBytes) return TooLarge();
    char c = format[i];
    if (c != '%') {
      size_t next = format.find('%', i);
      if (next == std::string_view::npos) next = format.size();
      out.append(format.substr(i, next - i));
      i = next;
      continue;
    }
    ++i;
    Spec sp;
    for (; i < format.size(); ++i) {
      char f = format[i];
      if (f == '+') sp.plus = true;
      else if (f == '-') sp.minus = true, sp.zero = false;
      else if (f == '#') sp.sharp = true;
      else if (f == '0') sp.zero = !sp.minus;
      else if (f == ' ') sp.space = true;
      else break;
    }
    auto read_num = [&](int* out_n) -> bool {
      // Returns false when the number is too large (Go's BADWIDTH/BADPREC).
      int64_t n = 0;
      bool big = false;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        n = n * 10 + (format[i] - '0');
        if (n > 1000000) big = true, n = 1000000;
        ++i;
      }
      *out_n = static_cast<int>(n);
      return !big;
    };
    bool bad_width = false, bad_prec = false;
    if (i < format.size() && format[i] == '*') {
      ++i;
      if (argi < args.size() && args[argi].kind == Kind::kInt && std::llabs(args[argi].i) <= 1000000) {
        int64_t w = args[argi].i;
        if (w < 0) sp.minus = true, sp.zero = false, w = -w;
        sp.width = static_cast<int>(w);
      } else {
        bad_width = true;
      }
      ++argi;
    } else if (i < format.size() && format[i] >= '0' && format[i] <= '9') {
      if (!read_num(&sp.width)) bad_width = true, sp.width = -1;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (i < format.size() && format[i] == '*') {
        ++i;
        if (argi < args.size() && args[argi].kind == Kind::kInt && args[argi].i <= 1000000) {
          sp.prec = args[argi].i < 0 ? -1 : static_cast<int>(args[argi].i);
        } else {
          bad_prec = true;
        }
        ++argi;
      } else {
        sp.prec = 0;
        if (!read_num(&sp.prec)) bad_prec = true, sp.prec = -1;
      }
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    size_t w;
    uint32_t verb = DecodeRune(format, i, &w);
    i += w;
    if (bad_width) out += "%!(BADWIDTH)";
    if (bad_prec) out += "%!(BADPREC)";
    if (verb == '%') {
      out.push_back('%');
      continue;
    }
    if (argi >= args.size()) {
      out += "%!";
      AppendRune(out, verb);
      out += "(MISSING)";
      continue;
    }
    FormatArg(out, args[argi++], verb, sp);
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      if (args[k].kind == Kind::kNil) {
        out += "<nil>";
        continue;
      }
      out += TypeName(args[k]);
      out.push_back('=');
      AppendVerbose(out, args[k]);
    }
    out.push_back(')');
  }
  if (out.size() > kMaxValueBytes) return TooLarge();
  return out;
}

// fmt.Sprint: spaces between operands when neither is a string.
std::string Sprint(std::span<Value> args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && args[i].kind != Kind::kString && args[i - 1].kind != Kind::kString) out.push_back(' ');
    AppendVerbose(out, args[i]);
  }
  return out;
}

// text/template's evalArgs: a lone string is used as is.
std::string EvalArgs(std::span<Value> args) {
  if (args.size() == 1 && args[0].kind == Kind::kString) return std::string(args[0].str());
  return Sprint(args);
}

// ---------------------------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------------------------

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

std::string QueryEscape(std::string_view s) {
  std::string out;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (Unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int Unhex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> QueryUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || Unhex(s[i + 1]) < 0 || Unhex(s[i + 2]) < 0) {
        std::string esc(s.substr(i, 3));
        return Err("invalid URL escape \"" + esc + "\"");
      }
      out.push_back(static_cast<char>(Unhex(s[i + 1]) * 16 + Unhex(s[i + 2])));
      i += 2;
    } else if (c == '+') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\0': out += "\xEF\xBF\xBD"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    char buf[16];
    switch (r) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '<': out += "\\u003C"; break;
      case '>': out += "\\u003E"; break;
      case '&': out += "\\u0026"; break;
      case '=': out += "\\u003D"; break;
      default:
        if (r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xA0)) {
          std::snprintf(buf, sizeof buf, "\\u%04X", r);
          out += buf;
        } else {
          out.append(s.substr(i, w));
        }
    }
    i += w;
  }
  return out;
}

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string B64Encode(std::string_view s) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= s.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  size_t rem = s.size() - i;
  if (rem > 0) {
    uint32_t v = static_cast<unsigned char>(s[i]) << 16;
    if (rem == 2) v |= static_cast<unsigned char>(s[i + 1]) << 8;
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(rem == 2 ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// base64.StdEncoding.DecodeString; on error returns the error text (as Sprig's b64dec does).
std::string B64Decode(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  auto val = [](char c) -> int {
    const char* p = std::strchr(kB64, c);
    return (c != '\0' && p != nullptr) ? static_cast<int>(p - kB64) : -1;
  };
  auto fail = [](size_t at) { return "illegal base64 data at input byte " + std::to_string(at); };
  size_t quantum_start = 0;
  int in_quantum = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r') continue;
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return fail(i);
    if (in_quantum == 0) quantum_start = i;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++in_quantum;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
    if (in_quantum == 4) in_quantum = 0, acc = 0, bits = 0;
  }
  (void)quantum_start;
  if (i < s.size()) {
    // Padding: the quantum must have 2 or 3 symbols, followed by the right number of '='.
    if (in_quantum < 2) return fail(i);
    size_t need = static_cast<size_t>(4 - in_quantum);
    size_t k = i;
    size_t got = 0;
    while (k < s.size() && got < need) {
      if (s[k] == '\n' || s[k] == '\r') {
        ++k;
        continue;
      }
      if (s[k] != '=') return fail(k);
      ++got;
      ++k;
    }
    if (got < need) return fail(s.size());
    while (k < s.size() && (s[k] == '\n' || s[k] == '\r')) ++k;
    if (k < s.size()) return fail(k);
    return out;
  }
  if (in_quantum != 0) return fail(s.size() - (in_quantum == 1 ? 1 : 0));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON (fromJson)
// ---------------------------------------------------------------------------------------------------------------

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}
  bool Parse(Value* out) {
    Ws();
    if (!ParseValue(out, 0)) return false;
    Ws();
    return i_ == s_.size();
  }

 private:
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Lit(std::string_view w) {
    if (s_.substr(i_).starts_with(w)) {
      i_ += w.size();
      return true;
    }
    return false;
  }
  bool ParseString(std::string* out) {
    if (i_ >= s_.size() || s_[i_] != '"') return false;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return false;
      char e = s_[i_ + 1];
      i_ += 2;
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          auto hex4 = [&](uint32_t* v) {
            if (i_ + 4 > s_.size()) return false;
            *v = 0;
            for (int k = 0; k < 4; ++k) {
              int h = Unhex(s_[i_ + static_cast<size_t>(k)]);
              if (h < 0) return false;
              *v = *v * 16 + static_cast<uint32_t>(h);
            }
            i_ += 4;
            return true;
          };
          uint32_t r;
          if (!hex4(&r)) return false;
          if (r >= 0xD800 && r < 0xDC00 && s_.substr(i_).starts_with("\\u")) {
            size_t save = i_;
            i_ += 2;
            uint32_t lo;
            if (hex4(&lo) && lo >= 0xDC00 && lo < 0xE000) {
              r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              i_ = save;
              r = 0xFFFD;
            }
          } else if (r >= 0xD800 && r < 0xE000) {
            r = 0xFFFD;
          }
          AppendRune(*out, r);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool ParseValue(Value* out, int depth) {
    if (depth > 64 || i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{') {
      ++i_;
      auto m = std::make_shared<Map>();
      Ws();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
      } else {
        while (true) {
          Ws();
          std::string key;
          if (!ParseString(&key)) return false;
          Ws();
          if (i_ >= s_.size() || s_[i_] != ':') return false;
          ++i_;
          Ws();
          Value v;
          if (!ParseValue(&v, depth + 1)) return false;
          m->emplace_back(std::move(key), std::move(v));
          Ws();
          if (i_ < s_.size() && s_[i_] == ',') {
            ++i_;
            continue;
          }
          if (i_ < s_.size() && s_[i_] == '}') {
            ++i_;
            break;
          }
          return false;
        }
      }
      std::stable_sort(m->begin(), m->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      // Later duplicates win.
      Map dedup;
      for (size_t k = 0; k < m->size(); ++k) {
        if (k + 1 < m->size() && (*m)[k + 1].first == (*m)[k].first) continue;
        dedup.push_back(std::move((*m)[k]));
      }
      *m = std::move(dedup);
      out->kind = Kind::kMap;
      out->map = std::move(m);
      return true;
    }
    if (c == '[') {
      ++i_;
      auto l = std::make_shared<List>();
      Ws();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
      } else {
        while (true) {
          Ws();
          Value v;
          if (!ParseValue(&v, depth + 1)) return false;
          l->push_back(std::move(v));
          Ws();
          if (i_ < s_.size() && s_[i_] == ',') {
            ++i_;
            continue;
          }
          if (i_ < s_.size() && s_[i_] == ']') {
            ++i_;
            break;
          }
          return false;
        }
      }
      out->kind = Kind::kList;
      out->list = std::move(l);
      return true;
    }
    if (c == '"') {
      std::string s;
      if (!ParseString(&s)) return false;
      *out = Value::Str(std::move(s));
      return true;
    }
    if (Lit("true")) {
      *out = Value::Bool(true);
      return true;
    }
    if (Lit("false")) {
      *out = Value::Bool(false);
      return true;
    }
    if (Lit("null")) {
      *out = Value::Nil();
      return true;
    }
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !(s_[i_] >= '0' && s_[i_] <= '9')) return false;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (Digit(s_, i_)) ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!Digit(s_, i_)) return false;
      while (Digit(s_, i_)) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!Digit(s_, i_)) return false;
      while (Digit(s_, i_)) ++i_;
    }
    std::string num(s_.substr(start, i_ - start));
    *out = Value::Float(std::strtod(num.c_str(), nullptr));
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------------------------------------------

Result<std::shared_ptr<re2::RE2>> RegexFor(CallContext& ctx, std::string_view pattern) {
  if (ctx.regex != nullptr && ctx.regex->pattern() == pattern) {
    // Shares nothing with the caller: wrap without ownership.
    return std::shared_ptr<re2::RE2>(std::shared_ptr<re2::RE2>{}, const_cast<re2::RE2*>(ctx.regex));
  }
  return CompileRegex(pattern);
}

// Go's Regexp.expand of a $-template.
void Expand(std::string& out, std::string_view tmpl, const re2::RE2& re, const re2::StringPiece* groups, int ngroups) {
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    out.append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // extract
    std::string_view str = tmpl;
    bool brace = false;
    if (!str.empty() && str[0] == '{') {
      brace = true;
      str.remove_prefix(1);
    }
    size_t i = 0;
    while (i < str.size()) {
      size_t w;
      uint32_t r = DecodeRune(str, i, &w);
      if (!(r == '_' || IsLetterOrDigit(r))) break;
      i += w;
    }
    if (i == 0 || (brace && (i >= str.size() || str[i] != '}'))) {
      out.push_back('$');
      continue;
    }
    std::string_view name = str.substr(0, i);
    if (brace) ++i;
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    tmpl = str.substr(i);
    if (num >= 0) {
      if (num < ngroups && groups[num].data() != nullptr) out.append(groups[num].data(), groups[num].size());
    } else {
      for (const auto& [idx, gname] : re.CapturingGroupNames()) {
        if (gname == name) {
          if (idx < ngroups && groups[idx].data() != nullptr) out.append(groups[idx].data(), groups[idx].size());
          break;
        }
      }
    }
  }
  out.append(tmpl);
}

Result<std::string> ReplaceAllRegex(const re2::RE2& re, std::string_view src, std::string_view repl, bool literal) {
  int ngroups = literal ? 1 : re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups));
  std::string out;
  size_t last_end = 0;
  size_t search = 0;
  re2::StringPiece text(src.data(), src.size());
  while (search <= src.size()) {
    if (!re.Match(text, search, src.size(), re2::RE2::UNANCHORED, groups.data(), ngroups)) break;
    size_t a0 = static_cast<size_t>(groups[0].data() - src.data());
    size_t a1 = a0 + groups[0].size();
    out.append(src.substr(last_end, a0 - last_end));
    if (a1 > last_end || a0 == 0) {
      if (literal) out.append(repl);
      else Expand(out, repl, re, groups.data(), ngroups);
    }
    if (out.size() > kMaxValueBytes) return TooLarge();
    last_end = a1;
    size_t width = 1;
    if (search < src.size()) DecodeRune(src, search, &width);
    if (search + width > a1) search += width;
    else if (search + 1 > a1) search += 1;
    else search = a1;
  }
  out.append(src.substr(std::min(last_end, src.size())));
  if (out.size() > kMaxValueBytes) return TooLarge();
  return out;
}

int64_t CountMatches(const re2::RE2& re, std::string_view s) {
  re2::StringPiece text(s.data(), s.size());
  re2::StringPiece m;
  int64_t n = 0;
  size_t pos = 0;
  int64_t prev_end = -1;
  while (pos <= s.size()) {
    if (!re.Match(text, pos, s.size(), re2::RE2::UNANCHORED, &m, 1)) break;
    size_t m0 = static_cast<size_t>(m.data() - s.data());
    size_t m1 = m0 + m.size();
    bool accept = true;
    if (m1 == pos) {
      if (static_cast<int64_t>(m0) == prev_end) accept = false;
      if (pos < s.size()) {
        size_t w;
        DecodeRune(s, pos, &w);
        pos += w;
      } else {
        pos = s.size() + 1;
      }
    } else {
      pos = m1;
    }
    prev_end = static_cast<int64_t>(m1);
    if (accept) ++n;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Durations and byte sizes (Loki's `duration` and `bytes`)
// ---------------------------------------------------------------------------------------------------------------

Result<int64_t> ParseGoDuration(std::string_view orig) {
  auto invalid = [&]() { return Err("time: invalid duration \"" + std::string(orig) + "\""); };
  std::string_view s = orig;
  uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid();
  const uint64_t kLimit = uint64_t{1} << 63;
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    size_t pl = s.size();
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (v > kLimit / 10) return invalid();
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kLimit) return invalid();
    }
    s.remove_prefix(i);
    bool pre = pl != s.size();
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t pl2 = s.size();
      bool overflow = false;
      size_t k = 0;
      for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) {
        if (overflow) continue;
        if (f > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t y = f * 10 + static_cast<uint64_t>(s[k] - '0');
        if (y > kLimit) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      s.remove_prefix(k);
      post = pl2 != s.size();
    }
    if (!pre && !post) return invalid();
    size_t u = 0;
    while (u < s.size() && !(s[u] == '.' || (s[u] >= '0' && s[u] <= '9'))) ++u;
    if (u == 0) return Err("time: missing unit in duration \"" + std::string(orig) + "\"");
    std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    uint64_t unit = 0;
    if (unit_name == "ns") unit = 1;
    else if (unit_name == "us" || unit_name == "\xC2\xB5s" || unit_name == "\xCE\xBCs") unit = 1000;
    else if (unit_name == "ms") unit = 1000000;
    else if (unit_name == "s") unit = 1000000000;
    else if (unit_name == "m") unit = 60000000000ULL;
    else if (unit_name == "h") unit = 3600000000000ULL;
    else return Err("time: unknown unit \"" + std::string(unit_name) + "\" in duration \"" + std::string(orig) + "\"");
    if (v > kLimit / unit) return invalid();
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kLimit) return invalid();
    }
    d += v;
    if (d > kLimit) return invalid();
  }
  if (neg) return static_cast<int64_t>(0 - d);
  if (d > kLimit - 1) return invalid();
  return static_cast<int64_t>(d);
}

double DurationSeconds(int64_t d) {
  int64_t sec = d / 1000000000;
  int64_t nsec = d % 1000000000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

// humanize.ParseBytes.
Result<double> ParseBytes(std::string_view s) {
  size_t last = 0;
  bool comma = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || c == '.' || c == ',')) break;
    if (c == ',') comma = true;
    ++last;
  }
  std::string num(s.substr(0, last));
  if (comma) num.erase(std::remove(num.begin(), num.end(), ','), num.end());
  double f = 0;
  if (!ParseGoFloat(num, &f)) return Err("strconv.ParseFloat: parsing \"" + num + "\": invalid syntax");
  std::string extra;
  for (char c : TrimSpaceView(s.substr(last))) extra.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  static const std::unordered_map<std::string, double> kTable = {
      {"b", 1},       {"kib", 1024.0}, {"kb", 1e3},     {"mib", 1048576.0}, {"mb", 1e6},
      {"gib", 1073741824.0}, {"gb", 1e9}, {"tib", 1099511627776.0}, {"tb", 1e12},
      {"pib", 1125899906842624.0}, {"pb", 1e15}, {"eib", 1152921504606846976.0}, {"eb", 1e18},
      {"", 1},        {"ki", 1024.0},  {"k", 1e3},      {"mi", 1048576.0},  {"m", 1e6},
      {"gi", 1073741824.0}, {"g", 1e9}, {"ti", 1099511627776.0}, {"t", 1e12},
      {"pi", 1125899906842624.0}, {"p", 1e15}, {"ei", 1152921504606846976.0}, {"e", 1e18},
  };
  auto it = kTable.find(extra);
  if (it == kTable.end()) return Err("unhandled size name: " + extra);
  f *= it->second;
  if (f >= 18446744073709551615.0) return Err("too large: " + std::string(s));
  if (f < 0 || std::isnan(f)) f = 0;
  return static_cast<double>(static_cast<uint64_t>(f));
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison (text/template's eq/lt)
// ---------------------------------------------------------------------------------------------------------------

enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString, kOther };

BasicKind Basic(const Value& v) {
  switch (v.kind) {
    case Kind::kNil: return BasicKind::kInvalid;
    case Kind::kBool: return BasicKind::kBool;
    case Kind::kInt: return BasicKind::kInt;
    case Kind::kFloat: return BasicKind::kFloat;
    case Kind::kString: return BasicKind::kString;
    default: return BasicKind::kOther;
  }
}

Result<bool> Eq(std::span<Value> args) {
  if (args.size() < 2) return Err("missing argument for comparison");
  const Value& a = args[0];
  BasicKind k1 = Basic(a);
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& b = args[i];
    BasicKind k2 = Basic(b);
    bool truth = false;
    if (k1 != k2) {
      if (a.kind != Kind::kNil && b.kind != Kind::kNil) return Err("incompatible types for comparison");
    } else {
      switch (k1) {
        case BasicKind::kBool: truth = a.b == b.b; break;
        case BasicKind::kInt: truth = a.i == b.i; break;
        case BasicKind::kFloat: truth = a.f == b.f; break;
        case BasicKind::kString: truth = a.str() == b.str(); break;
        case BasicKind::kInvalid: truth = true; break;
        case BasicKind::kOther:
          if (a.kind == Kind::kTime && b.kind == Kind::kTime) {
            truth = a.t.sec == b.t.sec && a.t.nsec == b.t.nsec && a.t.offset == b.t.offset && a.t.utc == b.t.utc;
          } else {
            return Err("non-comparable types " + std::string(TypeName(a)) + ", " + std::string(TypeName(b)));
          }
          break;
      }
    }
    if (truth) return true;
  }
  return false;
}

Result<bool> Lt(const Value& a, const Value& b) {
  BasicKind k1 = Basic(a), k2 = Basic(b);
  if (k1 == BasicKind::kInvalid || k1 == BasicKind::kOther || k2 == BasicKind::kInvalid || k2 == BasicKind::kOther)
    return Err("invalid type for comparison");
  if (k1 != k2) return Err("incompatible types for comparison");
  switch (k1) {
    case BasicKind::kBool: return Err("invalid type for comparison");
    case BasicKind::kInt: return a.i < b.i;
    case BasicKind::kFloat: return a.f < b.f;
    case BasicKind::kString: return a.str() < b.str();
    default: return Err("invalid type for comparison");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The functions
// ---------------------------------------------------------------------------------------------------------------

using Args = std::span<Value>;
#define FN(name) Result<Value> name(CallContext& ctx, Args a)

FN(FnLine) { return Value::View(ctx.input->line); }
FN(FnTimestamp) { return Value::Time(UnixTime(0, ctx.input->timestamp_ns)); }

FN(FnNot) { return Value::Bool(!(a[0].kind == Kind::kLabels || Truth(a[0]))); }
FN(FnLen) {
  switch (a[0].kind) {
    case Kind::kString: return Value::Int(static_cast<int64_t>(a[0].str().size()));
    case Kind::kList: return Value::Int(static_cast<int64_t>(a[0].list->size()));
    case Kind::kMap: return Value::Int(static_cast<int64_t>(a[0].map->size()));
    case Kind::kNil: return Err("len of nil pointer");
    case Kind::kLabels: return Err("len of the label set is not supported");
    default: return Err("len of type " + std::string(TypeName(a[0])));
  }
}
FN(FnIndex) {
  Value item = std::move(a[0]);
  if (item.kind == Kind::kNil) return Err("index of untyped nil");
  for (size_t k = 1; k < a.size(); ++k) {
    const Value& idx = a[k];
    switch (item.kind) {
      case Kind::kString:
      case Kind::kList: {
        if (idx.kind == Kind::kNil) return Err("cannot index slice/array with nil");
        if (idx.kind != Kind::kInt) return Err("cannot index slice/array with type " + std::string(TypeName(idx)));
        int64_t len = item.kind == Kind::kString ? static_cast<int64_t>(item.str().size())
                                                 : static_cast<int64_t>(item.list->size());
        if (idx.i < 0 || idx.i >= len) return Err("index out of range: " + std::to_string(idx.i));
        if (item.kind == Kind::kString) {
          item = Value::Int(static_cast<unsigned char>(item.str()[static_cast<size_t>(idx.i)]), IntType::kUint8);
        } else {
          Value e = (*item.list)[static_cast<size_t>(idx.i)];
          item = std::move(e);
        }
        break;
      }
      case Kind::kMap:
      case Kind::kLabels: {
        if (idx.kind != Kind::kString) {
          if (idx.kind == Kind::kNil) return Err("value is nil; should be of type string");
          return Err("value has type " + std::string(TypeName(idx)) + "; should be string");
        }
        if (item.kind == Kind::kLabels) {
          std::optional<std::string_view> v;
          if (ctx.input->label) v = ctx.input->label(idx.str());
          item = Value::View(v ? *v : std::string_view());
        } else {
          const Map& m = *item.map;
          std::string key(idx.str());
          auto it = std::lower_bound(m.begin(), m.end(), key,
                                     [](const auto& kv, const std::string& k2) { return kv.first < k2; });
          Value e = (it != m.end() && it->first == key) ? it->second : Value::Nil();
          item = std::move(e);
        }
        break;
      }
      case Kind::kNil:
        return Err("index of nil pointer");
      default:
        return Err("can't index item of type " + std::string(TypeName(item)));
    }
  }
  return item;
}
FN(FnPrint) { return Value::Str(Sprint(a)); }
FN(FnPrintln) {
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0) out.push_back(' ');
    AppendVerbose(out, a[i]);
  }
  out.push_back('\n');
  return Value::Str(std::move(out));
}
FN(FnPrintf) {
  auto r = Sprintf(a[0].str(), a.subspan(1));
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnHtml) { return Value::Str(HtmlEscape(EvalArgs(a))); }
FN(FnJs) { return Value::Str(JsEscape(EvalArgs(a))); }
FN(FnUrlquery) { return Value::Str(QueryEscape(EvalArgs(a))); }
FN(FnEq) {
  auto r = Eq(a);
  if (!r.ok()) return r.status();
  return Value::Bool(*r);
}
FN(FnNe) {
  auto r = Eq(a);
  if (!r.ok()) return r.status();
  return Value::Bool(!*r);
}
FN(FnLt) {
  auto r = Lt(a[0], a[1]);
  if (!r.ok()) return r.status();
  return Value::Bool(*r);
}
FN(FnLe) {
  auto r = Lt(a[0], a[1]);
  if (!r.ok()) return r.status();
  if (*r) return Value::Bool(true);
  auto e = Eq(a);
  if (!e.ok()) return e.status();
  return Value::Bool(*e);
}
FN(FnGt) {
  auto r = FnLe(ctx, a);
  if (!r.ok()) return r;
  return Value::Bool(!r->b);
}
FN(FnGe) {
  auto r = Lt(a[0], a[1]);
  if (!r.ok()) return r.status();
  return Value::Bool(!*r);
}

FN(FnToLower) { return MapRunes(a[0], ToLowerRune); }
FN(FnToUpper) { return MapRunes(a[0], ToUpperRune); }
FN(FnTitle) {
  std::string_view s = a[0].str();
  std::string out;
  out.reserve(s.size());
  uint32_t prev = ' ';
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    bool sep;
    if (prev < 0x80) {
      sep = !((prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') || (prev >= '0' && prev <= '9') ||
              prev == '_');
    } else {
      sep = IsUnicodeSpace(prev);
    }
    if (sep && !(r == 0xFFFD && w == 1)) AppendRune(out, ToUpperRune(r));
    else out.append(s.substr(i, w));
    prev = r;
    i += w;
  }
  return Value::Str(std::move(out));
}
FN(FnGoReplace) {
  auto r = ReplaceN(a[0].str(), a[1].str(), a[2].str(), a[3].i);
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnSprigReplace) {
  auto r = ReplaceN(a[2].str(), a[0].str(), a[1].str(), -1);
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnGoTrim) {
  std::string_view s = TrimRightSet(TrimLeftSet(a[0].str(), a[1].str()), a[1].str());
  return SubOf(a[0], s);
}
FN(FnGoTrimLeft) { return SubOf(a[0], TrimLeftSet(a[0].str(), a[1].str())); }
FN(FnGoTrimRight) { return SubOf(a[0], TrimRightSet(a[0].str(), a[1].str())); }
FN(FnGoTrimPrefix) {
  std::string_view s = a[0].str();
  if (s.starts_with(a[1].str())) s.remove_prefix(a[1].str().size());
  return SubOf(a[0], s);
}
FN(FnGoTrimSuffix) {
  std::string_view s = a[0].str();
  if (s.ends_with(a[1].str())) s.remove_suffix(a[1].str().size());
  return SubOf(a[0], s);
}
FN(FnTrimSpace) { return SubOf(a[0], TrimSpaceView(a[0].str())); }
FN(FnTrimAll) {
  std::string_view s = TrimRightSet(TrimLeftSet(a[1].str(), a[0].str()), a[0].str());
  return SubOf(a[1], s);
}
FN(FnTrimPrefix) {
  std::string_view s = a[1].str();
  if (s.starts_with(a[0].str())) s.remove_prefix(a[0].str().size());
  return SubOf(a[1], s);
}
FN(FnTrimSuffix) {
  std::string_view s = a[1].str();
  if (s.ends_with(a[0].str())) s.remove_suffix(a[0].str().size());
  return SubOf(a[1], s);
}
FN(FnContains) { return Value::Bool(a[1].str().find(a[0].str()) != std::string_view::npos); }
FN(FnHasPrefix) { return Value::Bool(a[1].str().starts_with(a[0].str())); }
FN(FnHasSuffix) { return Value::Bool(a[1].str().ends_with(a[0].str())); }
FN(FnTrunc) {
  int64_t c = a[0].i;
  std::string_view s = a[1].str();
  auto offs = RuneOffsets(s);
  int64_t l = static_cast<int64_t>(offs.size()) - 1;
  if (c < 0 && l + c > 0) return SubOf(a[1], s.substr(offs[static_cast<size_t>(l + c)]));
  if (c >= 0 && l > c) return SubOf(a[1], s.substr(0, offs[static_cast<size_t>(c)]));
  return SubOf(a[1], s);
}
FN(FnSubstr) {
  int64_t start = a[0].i, end = a[1].i;
  std::string_view s = a[2].str();
  auto offs = RuneOffsets(s);
  int64_t l = static_cast<int64_t>(offs.size()) - 1;
  if (end > l) end = l;
  if (start > l) start = l;
  auto sub = [&](int64_t b, int64_t e) {
    return SubOf(a[2], s.substr(offs[static_cast<size_t>(b)], offs[static_cast<size_t>(e)] - offs[static_cast<size_t>(b)]));
  };
  if (start < 0) {
    if (end < 0) return Value::View({});
    return sub(0, end);
  }
  if (end < 0) return sub(start, l);
  if (start > end) return Value::View({});
  return sub(start, end);
}
Result<std::string> IndentStr(int64_t spaces, std::string_view s) {
  if (spaces < 0) spaces = 0;  // strings.Repeat would panic; Sprig's indent is only used with counts >= 0
  if (static_cast<uint64_t>(spaces) > kMaxValueBytes) return TooLarge();
  std::string pad(static_cast<size_t>(spaces), ' ');
  std::string out = pad;
  for (char c : s) {
    out.push_back(c);
    if (c == '\n') {
      out += pad;
      if (out.size() > kMaxValueBytes) return TooLarge();
    }
  }
  if (out.size() > kMaxValueBytes) return TooLarge();
  return out;
}
FN(FnIndent) {
  auto r = IndentStr(a[0].i, a[1].str());
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnNindent) {
  auto r = IndentStr(a[0].i, a[1].str());
  if (!r.ok()) return r.status();
  return Value::Str("\n" + std::move(r).value());
}
FN(FnRepeat) {
  int64_t n = a[0].i;
  std::string_view s = a[1].str();
  if (n < 0) return Err("strings: negative Repeat count");
  if (!s.empty() && static_cast<uint64_t>(n) > kMaxValueBytes / s.size()) return TooLarge();
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) out.append(s);
  return Value::Str(std::move(out));
}
Result<Value> Align(Args a, bool left) {
  int64_t count = a[0].i;
  std::string_view s = a[1].str();
  auto offs = RuneOffsets(s);
  int64_t l = static_cast<int64_t>(offs.size()) - 1;
  if (count < 0 || count == l) return SubOf(a[1], s);
  if (count > l) {
    if (static_cast<uint64_t>(count) > kMaxValueBytes) return TooLarge();
    std::string pad(static_cast<size_t>(count - l), ' ');
    return Value::Str(left ? std::string(s) + pad : pad + std::string(s));
  }
  if (left) return SubOf(a[1], s.substr(0, offs[static_cast<size_t>(count)]));
  return SubOf(a[1], s.substr(offs[static_cast<size_t>(l - count)]));
}
FN(FnAlignLeft) { return Align(a, true); }
FN(FnAlignRight) { return Align(a, false); }

FN(FnRegexReplaceAll) {
  auto re = RegexFor(ctx, a[0].str());
  if (!re.ok()) return re.status();
  auto r = ReplaceAllRegex(**re, a[1].str(), a[2].str(), false);
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnRegexReplaceAllLiteral) {
  auto re = RegexFor(ctx, a[0].str());
  if (!re.ok()) return re.status();
  auto r = ReplaceAllRegex(**re, a[1].str(), a[2].str(), true);
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnCount) {
  auto re = RegexFor(ctx, a[0].str());
  if (!re.ok()) return re.status();
  return Value::Int(CountMatches(**re, a[1].str()));
}

FN(FnUrlencode) { return Value::Str(QueryEscape(a[0].str())); }
FN(FnUrldecode) {
  auto r = QueryUnescape(a[0].str());
  if (!r.ok()) return r.status();
  return Value::Str(std::move(r).value());
}
FN(FnB64enc) {
  if (a[0].str().size() > kMaxValueBytes / 4 * 3) return TooLarge();
  return Value::Str(B64Encode(a[0].str()));
}
FN(FnB64dec) { return Value::Str(B64Decode(a[0].str())); }
FN(FnBytes) {
  auto r = ParseBytes(a[0].str());
  if (!r.ok()) return r.status();
  return Value::Float(*r);
}
FN(FnDuration) {
  auto r = ParseGoDuration(a[0].str());
  if (!r.ok()) return r.status();
  return Value::Float(DurationSeconds(*r));
}

FN(FnInt) { return Value::Int(ToInt64(a[0])); }
FN(FnFloat64) { return Value::Float(ToFloat64(a[0])); }
FN(FnAdd) {
  int64_t s = 0;
  for (const Value& v : a) s = static_cast<int64_t>(static_cast<uint64_t>(s) + static_cast<uint64_t>(ToInt64(v)));
  return Value::Int(s, IntType::kInt64);
}
FN(FnSub) {
  return Value::Int(static_cast<int64_t>(static_cast<uint64_t>(ToInt64(a[0])) - static_cast<uint64_t>(ToInt64(a[1]))),
                    IntType::kInt64);
}
FN(FnMul) {
  uint64_t p = static_cast<uint64_t>(ToInt64(a[0]));
  for (size_t k = 1; k < a.size(); ++k) p *= static_cast<uint64_t>(ToInt64(a[k]));
  return Value::Int(static_cast<int64_t>(p), IntType::kInt64);
}
FN(FnDiv) {
  int64_t x = ToInt64(a[0]), y = ToInt64(a[1]);
  if (y == 0) return Err("runtime error: integer divide by zero");
  if (x == INT64_MIN && y == -1) return Value::Int(INT64_MIN, IntType::kInt64);
  return Value::Int(x / y, IntType::kInt64);
}
FN(FnMod) {
  int64_t x = ToInt64(a[0]), y = ToInt64(a[1]);
  if (y == 0) return Err("runtime error: integer divide by zero");
  if (y == -1) return Value::Int(0, IntType::kInt64);
  return Value::Int(x % y, IntType::kInt64);
}
FN(FnMax) {
  int64_t m = ToInt64(a[0]);
  for (size_t k = 1; k < a.size(); ++k) m = std::max(m, ToInt64(a[k]));
  return Value::Int(m, IntType::kInt64);
}
FN(FnMin) {
  int64_t m = ToInt64(a[0]);
  for (size_t k = 1; k < a.size(); ++k) m = std::min(m, ToInt64(a[k]));
  return Value::Int(m, IntType::kInt64);
}
// Sprig's float arithmetic goes through shopspring/decimal: exact on the shortest decimal forms of the operands.
FN(FnAddf) {
  double s = 0;
  int places = 0;
  for (const Value& v : a) {
    double f = ToFloat64(v);
    s += f;
    places = std::max(places, FracDigits(f));
  }
  return Value::Float(RoundToPlaces(s, places));
}
FN(FnSubf) {
  double s = ToFloat64(a[0]);
  int places = FracDigits(s);
  for (size_t k = 1; k < a.size(); ++k) {
    double f = ToFloat64(a[k]);
    s -= f;
    places = std::max(places, FracDigits(f));
  }
  return Value::Float(RoundToPlaces(s, places));
}
FN(FnMulf) {
  double p = ToFloat64(a[0]);
  int places = FracDigits(p);
  for (size_t k = 1; k < a.size(); ++k) {
    double f = ToFloat64(a[k]);
    p *= f;
    places += FracDigits(f);
  }
  return Value::Float(RoundToPlaces(p, places));
}
FN(FnDivf) {
  double q = ToFloat64(a[0]);
  for (size_t k = 1; k < a.size(); ++k) {
    double f = ToFloat64(a[k]);
    if (f == 0) return Err("decimal division by 0");
    q = RoundToPlaces(q / f, 16);
  }
  return Value::Float(q);
}
FN(FnMaxf) {
  double m = ToFloat64(a[0]);
  for (size_t k = 1; k < a.size(); ++k) {
    double f = ToFloat64(a[k]);
    if (std::isnan(m) || std::isnan(f)) m = std::nan("");
    else m = std::max(m, f);
  }
  return Value::Float(m);
}
FN(FnMinf) {
  double m = ToFloat64(a[0]);
  for (size_t k = 1; k < a.size(); ++k) {
    double f = ToFloat64(a[k]);
    if (std::isnan(m) || std::isnan(f)) m = std::nan("");
    else m = std::min(m, f);
  }
  return Value::Float(m);
}
FN(FnCeil) { return Value::Float(std::ceil(ToFloat64(a[0]))); }
FN(FnFloor) { return Value::Float(std::floor(ToFloat64(a[0]))); }
FN(FnRound) {
  double round_on = a.size() > 2 ? a[2].f : 0.5;
  double val = ToFloat64(a[0]);
  double pow = std::pow(10.0, static_cast<double>(a[1].i));
  double digit = pow * val;
  double ip;
  double frac = std::modf(digit, &ip);
  double r = frac >= round_on ? std::ceil(digit) : std::floor(digit);
  return Value::Float(r / pow);
}
FN(FnDefault) {
  if (a.size() < 2 || IsEmpty(a[1])) return std::move(a[0]);
  return std::move(a[1]);
}
FN(FnFromJson) {
  Value v;
  JsonParser p(a[0].str());
  if (!p.Parse(&v)) return Value::Nil();
  return v;
}

FN(FnDate) {
  TimeVal t{};
  switch (a[1].kind) {
    case Kind::kTime: t = a[1].t; break;
    case Kind::kInt:
      if (a[1].itype == IntType::kUint8) {
        t = Now();
      } else {
        t = UnixTime(a[1].i, 0);
      }
      break;
    default: t = Now(); break;
  }
  std::string out;
  FormatTime(out, InUTC(t), a[0].str());
  return Value::Str(std::move(out));
}
FN(FnToDate) {
  TimeVal t{};
  if (!ParseTime(a[0].str(), a[1].str(), &t)) t = ZeroTime();
  return Value::Time(t);
}
FN(FnToDateInZone) {
  // Zones other than UTC/Local are not loaded: like Loki on an unknown zone, UTC is used.
  TimeVal t{};
  if (!ParseTime(a[0].str(), a[2].str(), &t)) t = ZeroTime();
  return Value::Time(t);
}
FN(FnNow) { return Value::Time(Now()); }
FN(FnUnixEpoch) { return Value::Str(std::to_string(a[0].t.sec)); }
FN(FnUnixEpochMillis) {
  // Go's UnixMilli: sec*1e3 + nsec/1e6 (wrapping like Go's int64 arithmetic).
  uint64_t v = static_cast<uint64_t>(a[0].t.sec) * 1000u + static_cast<uint64_t>(a[0].t.nsec / 1000000);
  return Value::Str(std::to_string(static_cast<int64_t>(v)));
}
FN(FnUnixEpochNanos) {
  uint64_t v = static_cast<uint64_t>(a[0].t.sec) * 1000000000u + static_cast<uint64_t>(a[0].t.nsec);
  return Value::Str(std::to_string(static_cast<int64_t>(v)));
}
FN(FnUnixToTime) {
  // strconv.ParseInt(epoch, 10, 64), then the unit from the digit count (Loki).
  std::string_view s = a[0].str();
  int64_t v = 0;
  bool ok = !s.empty();
  size_t k = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (k == s.size()) ok = false;
  uint64_t mag = 0;
  for (; ok && k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9' || mag > (uint64_t{1} << 63) / 10) {
      ok = false;
      break;
    }
    mag = mag * 10 + static_cast<uint64_t>(s[k] - '0');
  }
  bool neg = !s.empty() && s[0] == '-';
  if (ok && mag > (neg ? (uint64_t{1} << 63) : static_cast<uint64_t>(INT64_MAX))) ok = false;
  if (!ok) {
    return Err("unable to parse time '" + std::string(s) + "': strconv.ParseInt: parsing \"" + std::string(s) +
               "\": invalid syntax");
  }
  v = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  switch (s.size()) {
    case 5: return Value::Time(UnixTime(v * 86400, 0));
    case 10: return Value::Time(UnixTime(v, 0));
    case 13: return Value::Time(UnixTime(v / 1000, (v % 1000) * 1000000));
    case 16: return Value::Time(UnixTime(v / 1000000, (v % 1000000) * 1000));
    case 19: return Value::Time(UnixTime(v / 1000000000, v % 1000000000));
    default: return Err("unable to parse time '" + std::string(s) + "': unsupported length");
  }
}

#undef FN

const FuncSpec kFunctions[] = {
    // text/template builtins
    {"and", "aa*", nullptr, FuncSpecial::kAnd},
    {"or", "aa*", nullptr, FuncSpecial::kOr},
    {"not", "a", FnNot},
    {"len", "a", FnLen},
    {"index", "aa*", FnIndex},
    {"print", "a*", FnPrint},
    {"printf", "sa*", FnPrintf},
    {"println", "a*", FnPrintln},
    {"html", "a*", FnHtml},
    {"js", "a*", FnJs},
    {"urlquery", "a*", FnUrlquery},
    {"eq", "aa*", FnEq},
    {"ne", "aa", FnNe},
    {"lt", "aa", FnLt},
    {"le", "aa", FnLe},
    {"gt", "aa", FnGt},
    {"ge", "aa", FnGe},
    // Loki
    {"__line__", "", FnLine},
    {"line", "", FnLine},
    {"__timestamp__", "", FnTimestamp},
    {"ToLower", "s", FnToLower},
    {"ToUpper", "s", FnToUpper},
    {"Replace", "sssi", FnGoReplace},
    {"Trim", "ss", FnGoTrim},
    {"TrimLeft", "ss", FnGoTrimLeft},
    {"TrimRight", "ss", FnGoTrimRight},
    {"TrimPrefix", "ss", FnGoTrimPrefix},
    {"TrimSuffix", "ss", FnGoTrimSuffix},
    {"TrimSpace", "s", FnTrimSpace},
    {"regexReplaceAll", "sss", FnRegexReplaceAll, FuncSpecial::kNone, true},
    {"regexReplaceAllLiteral", "sss", FnRegexReplaceAllLiteral, FuncSpecial::kNone, true},
    {"count", "ss", FnCount, FuncSpecial::kNone, true},
    {"urldecode", "s", FnUrldecode},
    {"urlencode", "s", FnUrlencode},
    {"bytes", "s", FnBytes},
    {"duration", "s", FnDuration},
    {"duration_seconds", "s", FnDuration},
    {"unixEpochMillis", "t", FnUnixEpochMillis},
    {"unixEpochNanos", "t", FnUnixEpochNanos},
    {"toDateInZone", "sss", FnToDateInZone},
    {"unixToTime", "s", FnUnixToTime},
    {"alignLeft", "is", FnAlignLeft},
    {"alignRight", "is", FnAlignRight},
    // Sprig (Loki's selection)
    {"b64enc", "s", FnB64enc},
    {"b64dec", "s", FnB64dec},
    {"lower", "s", FnToLower},
    {"upper", "s", FnToUpper},
    {"title", "s", FnTitle},
    {"trunc", "is", FnTrunc},
    {"substr", "iis", FnSubstr},
    {"contains", "ss", FnContains},
    {"hasPrefix", "ss", FnHasPrefix},
    {"hasSuffix", "ss", FnHasSuffix},
    {"indent", "is", FnIndent},
    {"nindent", "is", FnNindent},
    {"replace", "sss", FnSprigReplace},
    {"repeat", "is", FnRepeat},
    {"trim", "s", FnTrimSpace},
    {"trimAll", "ss", FnTrimAll},
    {"trimSuffix", "ss", FnTrimSuffix},
    {"trimPrefix", "ss", FnTrimPrefix},
    {"int", "a", FnInt},
    {"float64", "a", FnFloat64},
    {"add", "a*", FnAdd},
    {"sub", "aa", FnSub},
    {"mul", "aa*", FnMul},
    {"div", "aa", FnDiv},
    {"mod", "aa", FnMod},
    {"addf", "a*", FnAddf},
    {"subf", "aa*", FnSubf},
    {"mulf", "aa*", FnMulf},
    {"divf", "aa*", FnDivf},
    {"max", "aa*", FnMax},
    {"min", "aa*", FnMin},
    {"maxf", "aa*", FnMaxf},
    {"minf", "aa*", FnMinf},
    {"ceil", "a", FnCeil},
    {"floor", "a", FnFloor},
    {"round", "aif*", FnRound},
    {"fromJson", "s", FnFromJson},
    {"date", "sa", FnDate},
    {"toDate", "ss", FnToDate},
    {"now", "", FnNow},
    {"unixEpoch", "t", FnUnixEpoch},
    {"default", "aa*", FnDefault},
};

}  // namespace

Param FuncSpec::ParamAt(size_t i) const {
  size_t fixed = NumFixed();
  char c = i < fixed ? params[i] : params[params.size() - 2];
  switch (c) {
    case 's': return Param::kString;
    case 'i': return Param::kInt;
    case 'f': return Param::kFloat;
    case 't': return Param::kTime;
    case 'b': return Param::kBool;
    default: return Param::kAny;
  }
}

const FuncSpec* FindFunction(std::string_view name) {
  static const std::unordered_map<std::string_view, const FuncSpec*> kIndex = [] {
    std::unordered_map<std::string_view, const FuncSpec*> m;
    for (const FuncSpec& f : kFunctions) m.emplace(f.name, &f);
    return m;
  }();
  auto it = kIndex.find(name);
  return it == kIndex.end() ? nullptr : it->second;
}

Result<std::shared_ptr<re2::RE2>> CompileRegex(std::string_view pattern) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) return Err("error parsing regexp: " + re->error());
  return re;
}

std::string_view TypeName(const Value& v) {
  switch (v.kind) {
    case Kind::kNil: return "<nil>";
    case Kind::kBool: return "bool";
    case Kind::kInt:
      switch (v.itype) {
        case IntType::kInt: return "int";
        case IntType::kInt64: return "int64";
        case IntType::kInt32: return "int32";
        case IntType::kUint8: return "uint8";
      }
      return "int";
    case Kind::kFloat: return "float64";
    case Kind::kString: return "string";
    case Kind::kTime: return "time.Time";
    case Kind::kList: return "[]interface {}";
    case Kind::kMap: return "map[string]interface {}";
    case Kind::kLabels: return "map[string]string";
  }
  return "?";
}

bool Truth(const Value& v) {
  switch (v.kind) {
    case Kind::kNil: return false;
    case Kind::kBool: return v.b;
    case Kind::kInt: return v.i != 0;
    case Kind::kFloat: return v.f != 0;
    case Kind::kString: return !v.str().empty();
    case Kind::kTime: return true;
    case Kind::kList: return !v.list->empty();
    case Kind::kMap: return !v.map->empty();
    case Kind::kLabels: return true;
  }
  return false;
}

bool IsEmpty(const Value& v) { return v.kind != Kind::kTime && v.kind != Kind::kLabels && !Truth(v); }

void AppendGoFloat(std::string& out, double f) {
  if (std::isnan(f)) {
    out += "NaN";
    return;
  }
  if (std::isinf(f)) {
    out += f > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  size_t e = s.find('e');
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  std::string_view mant = s.substr(0, e);
  bool neg = !mant.empty() && mant[0] == '-';
  if (neg) mant.remove_prefix(1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  if (neg) out.push_back('-');
  if (exp < -4 || exp >= 6) {  // strconv's 'g' with the shortest precision
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    int ax = exp < 0 ? -exp : exp;
    if (ax < 10) out.push_back('0');
    out += std::to_string(ax);
    return;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out += digits;
    return;
  }
  size_t intlen = static_cast<size_t>(exp) + 1;
  if (digits.size() <= intlen) {
    out += digits;
    out.append(intlen - digits.size(), '0');
  } else {
    out.append(digits, 0, intlen);
    out.push_back('.');
    out.append(digits, intlen);
  }
}

void AppendTimeString(std::string& out, const TimeVal& t) {
  FormatTime(out, t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

Status AppendValue(std::string& out, const Value& v, bool top) {
  switch (v.kind) {
    case Kind::kNil:
      out += top ? "<no value>" : "<nil>";
      break;
    case Kind::kBool:
      out += v.b ? "true" : "false";
      break;
    case Kind::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.i);
      out.append(buf, static_cast<size_t>(r.ptr - buf));
      break;
    }
    case Kind::kFloat:
      AppendGoFloat(out, v.f);
      break;
    case Kind::kString:
      out.append(v.str());
      break;
    case Kind::kTime:
      AppendTimeString(out, v.t);
      break;
    case Kind::kList: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : *v.list) {
        if (!first) out.push_back(' ');
        first = false;
        RETURN_IF_ERROR(AppendValue(out, e, false));
      }
      out.push_back(']');
      break;
    }
    case Kind::kMap: {
      out += "map[";
      bool first = true;
      for (const auto& [k, e] : *v.map) {
        if (!first) out.push_back(' ');
        first = false;
        out += k;
        out.push_back(':');
        RETURN_IF_ERROR(AppendValue(out, e, false));
      }
      out.push_back(']');
      break;
    }
    case Kind::kLabels:
      out += "map[]";
      break;
  }
  if (out.size() > kMaxValueBytes) return TooLarge();
  return Status::Ok();
}

}  // namespace strata::query::tmpl
