#include "strata/model/time_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace strata::model {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr char kNotTimestamp[] = "not ISO-8601 or epoch";

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). Pure arithmetic so the
// result never depends on the process time zone or locale, which timegm/mktime would drag in.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

// The inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                       // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  return {y + (m <= 2 ? 1 : 0), m, d};
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the input; every Read* fails (returns false) instead of reading past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  // Exactly `n` digits.
  bool ReadDigits(int n, unsigned& out) {
    if (s_.size() - pos_ < static_cast<size_t>(n)) return false;
    unsigned v = 0;
    for (int i = 0; i < n; ++i) {
      char c = s_[pos_ + i];
      if (!IsDigit(c)) return false;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    pos_ += n;
    out = v;
    return true;
  }
  // 1..9 fraction digits scaled to nanoseconds; more than 9 digits is an error (sub-nanosecond precision would be
  // silently dropped, and no producer we know of emits it).
  bool ReadFractionNanos(int64_t& out) {
    int64_t v = 0;
    int n = 0;
    while (!AtEnd() && IsDigit(s_[pos_])) {
      if (++n > 9) return false;
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    if (n == 0) return false;
    for (int i = n; i < 9; ++i) v *= 10;
    out = v;
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

base::Status OutOfRange(std::string_view what) {
  return base::InvalidArgument(std::string(kNotTimestamp) + ": " + std::string(what) + " out of range");
}

// seconds * 1e9 + nanos (0 <= nanos < 1e9) without signed overflow.
base::Result<int64_t> CombineNanos(int64_t seconds, int64_t nanos) {
  // Near the minimum (1677-09-21T00:12:43.145224192Z) seconds * 1e9 alone would underflow although the sum fits.
  if (seconds < 0 && nanos > 0) {
    ++seconds;
    nanos -= kNanosPerSecond;
  }
  int64_t ns = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &ns) || __builtin_add_overflow(ns, nanos, &ns)) {
    return OutOfRange("timestamp");
  }
  return ns;
}

// The factor that turns an epoch in its inferred unit (from its magnitude, see the header) into nanoseconds.
int64_t UnitFactor(int64_t magnitude_hint) {
  // The thresholds compare magnitudes so negative epochs (before 1970) infer the same unit as positive ones.
  const uint64_t mag = magnitude_hint < 0 ? 0 - static_cast<uint64_t>(magnitude_hint)
                                          : static_cast<uint64_t>(magnitude_hint);
  if (mag < 100'000'000'000ULL) return kNanosPerSecond;  // < 1e11: seconds (until year 5138)
  if (mag < 100'000'000'000'000ULL) return 1'000'000;     // < 1e14: milliseconds
  if (mag < 100'000'000'000'000'000ULL) return 1'000;     // < 1e17: microseconds
  return 1;                                               // nanoseconds
}

// "-?digits(.digits)?" exactly, parsed without going through double so 1714564800.123456789 keeps every digit.
bool LooksLikeEpoch(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t int_start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == int_start) return false;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  size_t frac_start = ++i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i == s.size() && i > frac_start;
}

base::Result<int64_t> ParseEpochText(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = s.substr(negative ? 1 : 0);
  std::string_view int_part = digits.substr(0, digits.find('.'));
  std::string_view frac_part;
  if (int_part.size() < digits.size()) frac_part = digits.substr(int_part.size() + 1);

  int64_t whole = 0;
  auto [ptr, ec] = std::from_chars(int_part.data(), int_part.data() + int_part.size(), whole);
  if (ec != std::errc() || ptr != int_part.data() + int_part.size()) return OutOfRange("epoch");
  const int64_t factor = UnitFactor(whole);

  // The fraction of one unit, in ns: only the digits that are still >= 1 ns matter (the rest are truncated).
  int64_t frac_ns = 0;
  int64_t scale = factor;
  for (char c : frac_part) {
    if (scale < 10) break;
    scale /= 10;
    frac_ns += (c - '0') * scale;
  }
  int64_t ns = 0;
  if (__builtin_mul_overflow(whole, factor, &ns) || __builtin_add_overflow(ns, frac_ns, &ns)) {
    return OutOfRange("epoch");
  }
  if (negative) ns = -ns;  // |ns| <= INT64_MAX here, so negation cannot overflow
  return ns;
}

}  // namespace

base::Result<int64_t> ParseIso8601(std::string_view text) {
  Cursor c(text);
  unsigned year = 0, month = 0, day = 0;
  if (!c.ReadDigits(4, year) || !c.Consume('-') || !c.ReadDigits(2, month) || !c.Consume('-') ||
      !c.ReadDigits(2, day)) {
    return base::InvalidArgument(kNotTimestamp);
  }
  if (month < 1 || month > 12) return OutOfRange("month");
  if (day < 1 || day > DaysInMonth(year, month)) return OutOfRange("day");

  unsigned hour = 0, minute = 0, second = 0;
  int64_t frac_ns = 0;
  int64_t offset_seconds = 0;
  if (!c.AtEnd()) {
    if (!(c.Consume('T') || c.Consume('t') || c.Consume(' '))) return base::InvalidArgument(kNotTimestamp);
    if (!c.ReadDigits(2, hour) || !c.Consume(':') || !c.ReadDigits(2, minute)) {
      return base::InvalidArgument(kNotTimestamp);
    }
    // Seconds are optional (ISO-8601 "hh:mm"); a fraction needs seconds.
    if (c.Consume(':')) {
      if (!c.ReadDigits(2, second)) return base::InvalidArgument(kNotTimestamp);
      if (c.Consume('.') || c.Consume(',')) {
        if (!c.ReadFractionNanos(frac_ns)) return base::InvalidArgument(kNotTimestamp);
      }
    }
    if (hour > 23) return OutOfRange("hour");
    if (minute > 59) return OutOfRange("minute");
    // 60 is a leap second; like timegm we let it roll into the next minute rather than reject real clock output.
    if (second > 60) return OutOfRange("second");

    if (c.Consume('Z') || c.Consume('z')) {
      // UTC
    } else if (c.Peek() == '+' || c.Peek() == '-') {
      const bool negative = c.Peek() == '-';
      c.Consume(c.Peek());
      unsigned oh = 0, om = 0;
      if (!c.ReadDigits(2, oh)) return base::InvalidArgument(kNotTimestamp);
      if (!c.AtEnd()) {  // ±hh:mm or ±hhmm; a bare ±hh is ISO-8601 too
        c.Consume(':');
        if (!c.ReadDigits(2, om)) return base::InvalidArgument(kNotTimestamp);
      }
      if (oh > 23 || om > 59) return OutOfRange("UTC offset");
      offset_seconds = (static_cast<int64_t>(oh) * 3600 + om * 60) * (negative ? -1 : 1);
    }
    // No zone designator: UTC, as documented.
  }
  if (!c.AtEnd()) return base::InvalidArgument(kNotTimestamp);

  // Local time = UTC + offset, so UTC = local - offset.
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second -
                          offset_seconds;
  return CombineNanos(seconds, frac_ns);
}

base::Result<int64_t> EpochIntegerToNanos(int64_t value) {
  int64_t ns = 0;
  if (__builtin_mul_overflow(value, UnitFactor(value), &ns)) return OutOfRange("epoch");
  return ns;
}

base::Result<int64_t> EpochToNanos(double value) {
  if (!std::isfinite(value)) return base::InvalidArgument(kNotTimestamp);
  // Bound before converting: casting a double outside int64 range is undefined behaviour.
  constexpr double kLimit = 9.2e18;
  if (value >= kLimit || value <= -kLimit) return OutOfRange("epoch");
  const double whole = std::trunc(value);
  const auto whole_int = static_cast<int64_t>(whole);
  const int64_t factor = UnitFactor(whole_int);
  // Integer part exactly, fraction rounded to the nearest ns: better than value * factor, which loses the low
  // digits of seconds-with-fraction at today's magnitudes.
  int64_t ns = 0;
  const auto frac_ns = static_cast<int64_t>(std::llround((value - whole) * static_cast<double>(factor)));
  if (__builtin_mul_overflow(whole_int, factor, &ns) || __builtin_add_overflow(ns, frac_ns, &ns)) {
    return OutOfRange("epoch");
  }
  return ns;
}

base::Result<int64_t> ParseTimestamp(std::string_view text) {
  if (LooksLikeEpoch(text)) return ParseEpochText(text);
  return ParseIso8601(text);
}

std::string FormatRfc3339Nanos(int64_t ns) {
  // Floor division so times before 1970 get a non-negative sub-second part (…T23:59:59.999999999Z, not -1 ns).
  int64_t seconds = ns / kNanosPerSecond;
  int64_t nanos = ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t sod = seconds % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ",
                              static_cast<long long>(date.year), date.month, date.day,
                              static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                              static_cast<long long>(sod % 60), static_cast<long long>(nanos));
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

}  // namespace strata::model

namespace strata::model {

uint32_t UtcDayOf(int64_t ns) {
  int64_t seconds = ns / kNanosPerSecond;
  if (ns % kNanosPerSecond < 0) --seconds;
  int64_t days = seconds / kSecondsPerDay;
  if (seconds % kSecondsPerDay < 0) --days;
  const CivilDate date = CivilFromDays(days);
  int64_t year = std::clamp<int64_t>(date.year, 0, 9999);
  return static_cast<uint32_t>(year * 10000 + date.month * 100 + date.day);
}

int64_t UtcDayStartNanos(uint32_t day) {
  return DaysFromCivil(day / 10000, (day / 100) % 100, day % 100) * kSecondsPerDay * kNanosPerSecond;
}

}  // namespace strata::model
