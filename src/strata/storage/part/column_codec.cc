#include "strata/storage/part/column_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <system_error>
#include <utility>

#include "strata/common/coding.h"

// Byte layouts (all varints are LEB128, see common/coding.h). Every encoding starts with varint(rows) so a decoder
// can tell a column that holds a different row count from the block header. Lengths and bytes, indices and
// dictionary, and the byte planes of numbers are kept in separate homogeneous runs because the part writer
// zstd-compresses each column afterwards.
//
//   kConst      varint rows | value bytes (the rest)
//   kDict       varint rows | varint n (<= 255, 0 iff rows == 0) | n x varint len | dictionary bytes
//               | rows x u8 index          (dictionary sorted ascending, so index order = value order)
//   kRaw        varint rows | varint fixed (0: variable lengths follow; k > 0: every value is k - 1 bytes)
//               | [rows x varint len] | value bytes
//   numeric     varint rows | varint n_empty | [bitmap: ceil(rows / 8) bytes, LSB first, 1 = empty row]
//   (kUint,     | [kTimestamp only: u8 precision (0, 3, 6 or 9 fraction digits)]
//    kInt, ...) | [kFloat only: u8 form (0 binary64, 1 decimal) | form 1: u8 scale (0..18)]
//               | u64 stream of the rows - n_empty non-empty values, mapped to u64 in an order-preserving way:
//                 kUint identity; kInt v ^ 2^63; kFloat binary64: IEEE bits with the sign bit set, or all bits
//                 inverted for negatives; kFloat decimal: (v * 10^scale) ^ 2^63, printed back with trailing
//                 fraction zeros dropped; kIpv4 the address as a big-endian number; kTimestamp units of
//                 10^-precision s since the epoch ^ 2^63.
//   u64 stream  u8 mode, then
//                 mode 0 (frame of reference):  varint base | u8 width | n residuals
//                 mode 1 (delta, n >= 2):       varint v0 | varint base | u8 width | n - 1 residuals
//                 mode 2 (delta-of-delta, n>=3): varint v0 | varint zigzag(d1) | varint base | u8 width
//                                                | n - 2 residuals
//               where in modes 1 and 2 each delta d (or delta of deltas) is taken mod 2^64, read as signed
//               and stored as (d ^ 2^63) - base. Residuals are fixed-width little-endian integers of `width`
//               (0..8) bytes, transposed into byte planes: all the low bytes, then all the next bytes, ...
//               The encoder picks the mode with the fewest bytes.
//   timestamps  (EncodeTimestamps) zigzag(ts[0]) | zigzag(ts[1] - ts[0]) | zigzag(dod) ..., all varints,
//               arithmetic mod 2^64.
//
// Decoders validate everything before they append, so a failed decode leaves *out unchanged.

namespace strata::storage {
namespace {

using base::Result;
using base::Status;
using common::GetVarint64;
using common::PutVarint64;

constexpr size_t kMaxDictValues = 255;
constexpr size_t kStatsMaxLen = 64;
constexpr uint64_t kSignBit = uint64_t{1} << 63;
constexpr int64_t kPow10[] = {1LL,
                              10LL,
                              100LL,
                              1000LL,
                              10000LL,
                              100000LL,
                              1000000LL,
                              10000000LL,
                              100000000LL,
                              1000000000LL,
                              10000000000LL,
                              100000000000LL,
                              1000000000000LL,
                              10000000000000LL,
                              100000000000000LL,
                              1000000000000000LL,
                              10000000000000000LL,
                              100000000000000000LL,
                              1000000000000000000LL};

Status Corrupt(ColumnType type, std::string_view what) {
  return base::DataLoss("corrupt " + std::string(ColumnTypeName(type)) + " column: " + std::string(what));
}

bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') <= 9; }

// ---------------------------------------------------------------------------------------------------------------
// Canonical value parsers. Each accepts exactly the strings its formatter prints back byte for byte.

// "0" or [1-9][0-9]*, fitting u64.
bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s[0] == '0' && s.size() > 1)) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    if (__builtin_mul_overflow(v, uint64_t{10}, &v) ||
        __builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v)) {
      return false;
    }
  }
  *out = v;
  return true;
}

// An optional '-' then a canonical unsigned magnitude; "-0" is not canonical. Fits i64.
bool ParseInt(std::string_view s, int64_t* out) {
  const bool neg = !s.empty() && s[0] == '-';
  uint64_t mag;
  if (!ParseUint(neg ? s.substr(1) : s, &mag)) return false;
  if (neg) {
    if (mag == 0 || mag > kSignBit) return false;
    *out = static_cast<int64_t>(uint64_t{0} - mag);  // modular: 2^63 -> INT64_MIN
  } else {
    if (mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(mag);
  }
  return true;
}

// A plain decimal: -?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?, not "-0", as mantissa * 10^-scale with |mantissa| < 2^63
// and scale <= 18. These print back exactly from (mantissa, scale) without going through a double, which also
// takes in the many decimals std::to_chars would print in exponent form ("0.0001" -> "1e-04").
constexpr int kMaxDecimalScale = 18;
bool ParseDecimal(std::string_view s, int64_t* mantissa, int* scale) {
  size_t i = 0;
  const bool neg = !s.empty() && s[0] == '-';
  i += neg;
  if (i >= s.size() || !IsDigit(s[i]) || (s[i] == '0' && i + 1 < s.size() && s[i + 1] != '.')) return false;
  uint64_t m = 0;
  int e = -1;  // fraction digits, -1 before the '.'
  for (; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (e >= 0) return false;
      e = 0;
      continue;
    }
    if (!IsDigit(s[i])) return false;
    if (__builtin_mul_overflow(m, uint64_t{10}, &m) || __builtin_add_overflow(m, uint64_t(s[i] - '0'), &m)) {
      return false;
    }
    if (e >= 0) ++e;
  }
  if (e == 0 || (e > 0 && s.back() == '0') || e > kMaxDecimalScale || m >= kSignBit || (neg && m == 0)) return false;
  *mantissa = neg ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
  *scale = e < 0 ? 0 : e;
  return true;
}

// Prints mantissa * 10^-scale with trailing fraction zeros dropped. buf holds >= 48 chars.
size_t FormatDecimal(int64_t mantissa, int scale, char* buf) {
  uint64_t mag = mantissa < 0 ? uint64_t{0} - static_cast<uint64_t>(mantissa) : static_cast<uint64_t>(mantissa);
  while (scale > 0 && mag % 10 == 0) {
    mag /= 10;
    --scale;
  }
  char digits[24];
  const auto n = static_cast<int>(std::to_chars(digits, digits + sizeof(digits), mag).ptr - digits);
  char* p = buf;
  if (mantissa < 0) *p++ = '-';
  if (scale == 0) {
    std::memcpy(p, digits, static_cast<size_t>(n));
    p += n;
  } else if (n > scale) {
    std::memcpy(p, digits, static_cast<size_t>(n - scale));
    p += n - scale;
    *p++ = '.';
    std::memcpy(p, digits + n - scale, static_cast<size_t>(scale));
    p += scale;
  } else {
    *p++ = '0';
    *p++ = '.';
    std::memset(p, '0', static_cast<size_t>(scale - n));
    p += scale - n;
    std::memcpy(p, digits, static_cast<size_t>(n));
    p += n;
  }
  return static_cast<size_t>(p - buf);
}

size_t FormatDouble(double d, char* buf) {  // buf holds >= 32 chars
  return static_cast<size_t>(std::to_chars(buf, buf + 32, d).ptr - buf);
}

// Any string std::from_chars reads as a non-NaN double that std::to_chars' shortest form prints back identically.
// NaN is refused so that min/max stay meaningful for pruning.
bool ParseFloat(std::string_view s, double* out) {
  if (s.empty() || s.size() > 32) return false;  // the longest shortest form is 24 chars
  double d;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || ptr != s.data() + s.size() || std::isnan(d)) return false;
  char buf[32];
  if (std::string_view(buf, FormatDouble(d, buf)) != s) return false;
  *out = d;
  return true;
}

// Dotted quad, each octet "0" or [1-9][0-9]{0,2} <= 255.
bool ParseIpv4(std::string_view s, uint32_t* out) {
  if (s.size() < 7 || s.size() > 15) return false;
  uint32_t v = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const size_t start = i;
    uint32_t octet = 0;
    while (i < s.size() && i - start < 3 && IsDigit(s[i])) octet = octet * 10 + static_cast<uint32_t>(s[i++] - '0');
    const size_t len = i - start;
    if (len == 0 || (len > 1 && s[start] == '0') || octet > 255) return false;
    v = (v << 8) | octet;
  }
  if (i != s.size()) return false;
  *out = v;
  return true;
}

size_t FormatIpv4(uint32_t v, char* buf) {  // buf holds >= 16 chars
  char* p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = std::to_chars(p, buf + 16, (v >> shift) & 0xff).ptr;
    if (shift) *p++ = '.';
  }
  return static_cast<size_t>(p - buf);
}

// Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}
unsigned DaysInMonth(unsigned y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool ParseDigits(const char* p, int n, unsigned* out) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(p[i])) return false;
    v = v * 10 + static_cast<unsigned>(p[i] - '0');
  }
  *out = v;
  return true;
}

// A timestamp in units of 10^-precision seconds must also be representable in int64 nanoseconds (1677..2262).
bool TimestampUnitsValid(int64_t units, int precision) {
  int64_t ns;
  return !__builtin_mul_overflow(units, kPow10[9 - precision], &ns);
}

// "YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z".
bool ParseTimestamp(std::string_view s, int* precision, int64_t* units) {
  int p;
  switch (s.size()) {
    case 20: p = 0; break;
    case 24: p = 3; break;
    case 27: p = 6; break;
    case 30: p = 9; break;
    default: return false;
  }
  const char* c = s.data();
  if (c[4] != '-' || c[7] != '-' || c[10] != 'T' || c[13] != ':' || c[16] != ':' || c[s.size() - 1] != 'Z' ||
      (p > 0 && c[19] != '.')) {
    return false;
  }
  unsigned year, mon, day, hh, mm, ss, frac = 0;
  if (!ParseDigits(c, 4, &year) || !ParseDigits(c + 5, 2, &mon) || !ParseDigits(c + 8, 2, &day) ||
      !ParseDigits(c + 11, 2, &hh) || !ParseDigits(c + 14, 2, &mm) || !ParseDigits(c + 17, 2, &ss) ||
      (p > 0 && !ParseDigits(c + 20, p, &frac))) {
    return false;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > DaysInMonth(year, mon) || hh > 23 || mm > 59 || ss > 59) return false;
  const int64_t secs = DaysFromCivil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;  // |secs| < 2^39
  // secs * 10^p alone may leave int64 when the sum does not (1677-09-21T00:12:43.145224192Z): use 128 bits.
  const __int128 u = static_cast<__int128>(secs) * kPow10[p] + frac;
  if (u < std::numeric_limits<int64_t>::min() || u > std::numeric_limits<int64_t>::max() ||
      !TimestampUnitsValid(static_cast<int64_t>(u), p)) {
    return false;
  }
  *precision = p;
  *units = static_cast<int64_t>(u);
  return true;
}

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Formats timestamps; caches the date part, which rarely changes within a block.
class TimestampFormatter {
 public:
  explicit TimestampFormatter(int precision) : precision_(precision) {}
  // units must satisfy TimestampUnitsValid. buf holds >= 32 chars.
  size_t Format(int64_t units, char* buf) {
    int64_t secs = units / kPow10[precision_], frac = units % kPow10[precision_];  // no overflow at INT64_MIN
    if (frac < 0) {
      frac += kPow10[precision_];
      --secs;
    }
    const int64_t days = FloorDiv(secs, 86400);
    const auto sod = static_cast<unsigned>(secs - days * 86400);
    if (days != cached_days_) {
      int64_t y;
      unsigned m, d;
      CivilFromDays(days, &y, &m, &d);  // 1677..2262 by TimestampUnitsValid
      const auto yy = static_cast<unsigned>(y);
      Put2(date_, yy / 100);
      Put2(date_ + 2, yy % 100);
      date_[4] = '-';
      Put2(date_ + 5, m);
      date_[7] = '-';
      Put2(date_ + 8, d);
      date_[10] = 'T';
      cached_days_ = days;
    }
    std::memcpy(buf, date_, 11);
    Put2(buf + 11, sod / 3600);
    buf[13] = ':';
    Put2(buf + 14, sod / 60 % 60);
    buf[16] = ':';
    Put2(buf + 17, sod % 60);
    size_t n = 19;
    if (precision_ > 0) {
      buf[n++] = '.';
      auto f = static_cast<uint64_t>(frac);
      for (int i = precision_ - 1; i >= 0; --i) {
        buf[n + i] = static_cast<char>('0' + f % 10);
        f /= 10;
      }
      n += precision_;
    }
    buf[n++] = 'Z';
    return n;
  }

 private:
  int precision_;
  int64_t cached_days_ = std::numeric_limits<int64_t>::min();
  char date_[11] = {};
};

// ---------------------------------------------------------------------------------------------------------------
// Order-preserving maps of numeric values onto u64.

uint64_t MapInt(int64_t v) { return static_cast<uint64_t>(v) ^ kSignBit; }
int64_t UnmapInt(uint64_t u) { return static_cast<int64_t>(u ^ kSignBit); }
uint64_t MapDouble(double d) {
  const auto b = std::bit_cast<uint64_t>(d);
  return (b & kSignBit) ? ~b : (b | kSignBit);
}
double UnmapDouble(uint64_t u) { return std::bit_cast<double>((u & kSignBit) ? (u & ~kSignBit) : ~u); }

// Directed conversions to double, so that min/max stay bounds after rounding.
constexpr double kTwo64 = 18446744073709551616.0;
constexpr double kTwo63 = 9223372036854775808.0;
double U64Down(uint64_t v) {
  double d = static_cast<double>(v);
  if (d >= kTwo64 || static_cast<uint64_t>(d) > v) d = std::nextafter(d, -HUGE_VAL);
  return d;
}
double U64Up(uint64_t v) {
  double d = static_cast<double>(v);
  if (d < kTwo64 && static_cast<uint64_t>(d) < v) d = std::nextafter(d, HUGE_VAL);
  return d;
}
double I64Down(int64_t v) {
  double d = static_cast<double>(v);
  if (d >= kTwo63 || static_cast<int64_t>(d) > v) d = std::nextafter(d, -HUGE_VAL);
  return d;
}
double I64Up(int64_t v) {
  double d = static_cast<double>(v);
  if (d < kTwo63 && static_cast<int64_t>(d) < v) d = std::nextafter(d, HUGE_VAL);
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// The u64 stream: frame of reference, delta or delta-of-delta, with fixed-width residuals in byte planes.

int WidthFor(uint64_t range) { return range == 0 ? 0 : (std::bit_width(range) + 7) / 8; }
size_t VarintLen(uint64_t v) { return v < 0x80 ? 1 : static_cast<size_t>(std::bit_width(v) + 6) / 7; }

void PutPlanes(const uint64_t* residuals, size_t n, int width, std::string* out) {
  const size_t at = out->size();
  out->resize(at + n * static_cast<size_t>(width));
  char* dst = out->data() + at;
  for (int p = 0; p < width; ++p) {
    const int shift = 8 * p;
    for (size_t i = 0; i < n; ++i) *dst++ = static_cast<char>(residuals[i] >> shift);
  }
}

void PutU64Stream(const std::vector<uint64_t>& v, std::string* out) {
  const size_t n = v.size();
  // Range of each candidate series: values; deltas; deltas of deltas (signed, flipped to unsigned order).
  uint64_t lo[3] = {~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}}, hi[3] = {0, 0, 0};
  uint64_t d_prev = 0;
  for (size_t i = 0; i < n; ++i) {
    lo[0] = std::min(lo[0], v[i]);
    hi[0] = std::max(hi[0], v[i]);
    if (i == 0) continue;
    const uint64_t d = v[i] - v[i - 1];
    lo[1] = std::min(lo[1], d ^ kSignBit);
    hi[1] = std::max(hi[1], d ^ kSignBit);
    if (i >= 2) {
      const uint64_t dd = (d - d_prev) ^ kSignBit;
      lo[2] = std::min(lo[2], dd);
      hi[2] = std::max(hi[2], dd);
    }
    d_prev = d;
  }
  if (n == 0) lo[0] = 0;
  int best = 0;
  size_t best_size = std::numeric_limits<size_t>::max();
  for (int mode = 0; mode < 3; ++mode) {
    if (mode > 0 && n <= static_cast<size_t>(mode)) break;
    const size_t count = n - static_cast<size_t>(mode);
    size_t size = 2 + VarintLen(lo[mode]) + count * static_cast<size_t>(WidthFor(hi[mode] - lo[mode]));
    if (mode >= 1) size += VarintLen(v[0]);
    if (mode == 2) size += VarintLen(common::ZigZag(static_cast<int64_t>(v[1] - v[0])));
    if (size < best_size) {
      best = mode;
      best_size = size;
    }
  }
  const uint64_t base = lo[best];
  const int width = WidthFor(hi[best] - base);
  out->push_back(static_cast<char>(best));
  if (best >= 1) PutVarint64(*out, v[0]);
  if (best == 2) PutVarint64(*out, common::ZigZag(static_cast<int64_t>(v[1] - v[0])));
  PutVarint64(*out, base);
  out->push_back(static_cast<char>(width));
  std::vector<uint64_t> residuals;
  residuals.reserve(n);
  if (best == 0) {
    for (size_t i = 0; i < n; ++i) residuals.push_back(v[i] - base);
  } else if (best == 1) {
    for (size_t i = 1; i < n; ++i) residuals.push_back(((v[i] - v[i - 1]) ^ kSignBit) - base);
  } else {
    for (size_t i = 2; i < n; ++i) {
      residuals.push_back((((v[i] - v[i - 1]) - (v[i - 1] - v[i - 2])) ^ kSignBit) - base);
    }
  }
  PutPlanes(residuals.data(), residuals.size(), width, out);
}

// Reads a u64 stream of n values. Init validates sizes; Next() is then valid exactly n times and cannot fail.
class U64StreamReader {
 public:
  bool Init(std::string_view* in, size_t n) {
    n_ = n;
    if (in->empty()) return false;
    mode_ = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    if (mode_ > 2 || (mode_ > 0 && n <= mode_)) return false;
    if (mode_ >= 1 && !GetVarint64(*in, &prev_)) return false;
    if (mode_ == 2) {
      uint64_t zz;
      if (!GetVarint64(*in, &zz)) return false;
      delta_ = static_cast<uint64_t>(common::UnZigZag(zz));
    }
    if (!GetVarint64(*in, &base_) || in->empty()) return false;
    width_ = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    if (width_ > 8) return false;
    count_ = n - mode_;
    if (width_ > 0 && count_ > in->size() / width_) return false;
    planes_ = reinterpret_cast<const uint8_t*>(in->data());
    in->remove_prefix(count_ * width_);
    return true;
  }

  uint64_t Next() {
    const size_t i = i_++;
    if (mode_ == 0) return base_ + Residual(i);
    if (i == 0) return prev_;
    if (mode_ == 1) return prev_ += (base_ + Residual(i - 1)) ^ kSignBit;
    if (i >= 2) delta_ += (base_ + Residual(i - 2)) ^ kSignBit;
    return prev_ += delta_;
  }

 private:
  uint64_t Residual(size_t j) const {
    uint64_t r = 0;
    const uint8_t* p = planes_ + j;
    for (int b = 0; b < width_; ++b, p += count_) r |= static_cast<uint64_t>(*p) << (8 * b);
    return r;
  }

  size_t n_ = 0, count_ = 0, i_ = 0;
  uint8_t mode_ = 0, width_ = 0;
  uint64_t base_ = 0, prev_ = 0, delta_ = 0;
  const uint8_t* planes_ = nullptr;
};

// ---------------------------------------------------------------------------------------------------------------
// Numeric encodings.

bool IsNumericType(ColumnType t) {
  return t == ColumnType::kUint || t == ColumnType::kInt || t == ColumnType::kFloat || t == ColumnType::kIpv4 ||
         t == ColumnType::kTimestamp;
}

// kFloat forms.
constexpr uint8_t kFloatBinary = 0;   // u64 stream of MapDouble(value)
constexpr uint8_t kFloatDecimal = 1;  // u8 scale, u64 stream of MapInt(value * 10^scale)

struct NumericColumn {
  std::vector<uint64_t> mapped;  // non-empty values, order-preserving u64
  std::string empty_bitmap;      // ceil(rows / 8) bytes when n_empty > 0
  size_t n_empty = 0;
  int precision = -1;  // kTimestamp only
  uint8_t float_form = kFloatBinary;
  int scale = 0;  // kFloatDecimal only
};

// Maps one non-empty value; false if it is not canonical for the type.
bool MapValue(ColumnType type, std::string_view s, int* precision, uint64_t* out) {
  switch (type) {
    case ColumnType::kUint:
      return ParseUint(s, out);
    case ColumnType::kInt: {
      int64_t v;
      if (!ParseInt(s, &v)) return false;
      *out = MapInt(v);
      return true;
    }
    case ColumnType::kFloat: {
      double d;
      if (!ParseFloat(s, &d)) return false;
      *out = MapDouble(d);
      return true;
    }
    case ColumnType::kIpv4: {
      uint32_t ip;
      if (!ParseIpv4(s, &ip)) return false;
      *out = ip;
      return true;
    }
    case ColumnType::kTimestamp: {
      int p;
      int64_t units;
      if (!ParseTimestamp(s, &p, &units) || (*precision >= 0 && p != *precision)) return false;
      *precision = p;
      *out = MapInt(units);
      return true;
    }
    default:
      return false;
  }
}

// Parses every value as `type`; false at the first value that does not qualify.
bool CollectNumeric(const StringColumn& values, ColumnType type, NumericColumn* nc) {
  const size_t rows = values.size();
  nc->mapped.clear();
  nc->mapped.reserve(rows);
  nc->empty_bitmap.clear();
  nc->n_empty = 0;
  nc->precision = -1;
  for (size_t i = 0; i < rows; ++i) {
    const std::string_view s = values.at(i);
    if (s.empty()) {
      if (nc->empty_bitmap.empty()) nc->empty_bitmap.assign((rows + 7) / 8, '\0');
      nc->empty_bitmap[i / 8] = static_cast<char>(nc->empty_bitmap[i / 8] | (1 << (i % 8)));
      ++nc->n_empty;
      continue;
    }
    uint64_t u;
    if (!MapValue(type, s, &nc->precision, &u)) return false;
    nc->mapped.push_back(u);
  }
  if (type == ColumnType::kTimestamp && nc->precision < 0) nc->precision = 0;  // every value empty
  return true;
}

// kFloat: the decimal form if every value is a plain decimal and fits at a common scale, else binary64.
bool CollectFloat(const StringColumn& values, NumericColumn* nc) {
  const size_t rows = values.size();
  nc->mapped.clear();
  nc->mapped.reserve(rows);
  std::vector<uint8_t> scales;
  scales.reserve(rows);
  int max_scale = 0;
  bool decimal = true;
  for (size_t i = 0; i < rows && decimal; ++i) {
    const std::string_view s = values.at(i);
    if (s.empty()) continue;
    int64_t m = 0;
    int e = 0;
    decimal = ParseDecimal(s, &m, &e);
    nc->mapped.push_back(static_cast<uint64_t>(m));
    scales.push_back(static_cast<uint8_t>(e));
    max_scale = std::max(max_scale, e);
  }
  for (size_t i = 0; i < nc->mapped.size() && decimal; ++i) {
    int64_t m;
    decimal = !__builtin_mul_overflow(static_cast<int64_t>(nc->mapped[i]), kPow10[max_scale - scales[i]], &m);
    nc->mapped[i] = MapInt(m);
  }
  if (!decimal) {
    if (!CollectNumeric(values, ColumnType::kFloat, nc)) return false;
    nc->float_form = kFloatBinary;
    return true;
  }
  // The empties, as CollectNumeric records them.
  nc->empty_bitmap.clear();
  nc->n_empty = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (!values.at(i).empty()) continue;
    if (nc->empty_bitmap.empty()) nc->empty_bitmap.assign((rows + 7) / 8, '\0');
    nc->empty_bitmap[i / 8] = static_cast<char>(nc->empty_bitmap[i / 8] | (1 << (i % 8)));
    ++nc->n_empty;
  }
  nc->float_form = kFloatDecimal;
  nc->scale = max_scale;
  return true;
}

// mantissa * 10^-scale rounded toward -inf (down) or +inf.
double DecimalBound(int64_t mantissa, int scale, bool down) {
  static constexpr double kPow10d[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                       1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
  const auto m = static_cast<double>(mantissa);
  double d = m / kPow10d[scale];
  const double toward = down ? -HUGE_VAL : HUGE_VAL;
  if (std::fabs(m) <= 9007199254740992.0) {  // m exact, so the residual tells the direction of the rounding
    const double r = std::fma(d, kPow10d[scale], -m);
    if (down ? r > 0 : r < 0) d = std::nextafter(d, toward);
  } else {  // two roundings: widen by two ulps
    d = std::nextafter(std::nextafter(d, toward), toward);
  }
  return d;
}

ColumnStats NumericStats(ColumnType type, const NumericColumn& nc, int precision) {
  ColumnStats st;
  st.numeric = true;
  if (nc.mapped.empty()) {  // no values at all: an empty range
    st.min_num = HUGE_VAL;
    st.max_num = -HUGE_VAL;
    return st;
  }
  const auto [lo_it, hi_it] = std::minmax_element(nc.mapped.begin(), nc.mapped.end());
  const uint64_t lo = *lo_it, hi = *hi_it;
  switch (type) {
    case ColumnType::kUint:
    case ColumnType::kIpv4:
      st.min_num = U64Down(lo);
      st.max_num = U64Up(hi);
      break;
    case ColumnType::kInt:
      st.min_num = I64Down(UnmapInt(lo));
      st.max_num = I64Up(UnmapInt(hi));
      break;
    case ColumnType::kFloat:
      if (nc.float_form == kFloatDecimal) {
        st.min_num = DecimalBound(UnmapInt(lo), nc.scale, true);
        st.max_num = DecimalBound(UnmapInt(hi), nc.scale, false);
      } else {
        st.min_num = UnmapDouble(lo);
        st.max_num = UnmapDouble(hi);
      }
      break;
    case ColumnType::kTimestamp:  // in ns; TimestampUnitsValid guarantees no overflow
      st.min_num = I64Down(UnmapInt(lo) * kPow10[9 - precision]);
      st.max_num = I64Up(UnmapInt(hi) * kPow10[9 - precision]);
      break;
    default:
      break;
  }
  return st;
}

EncodedColumn WriteNumeric(ColumnType type, size_t rows, const NumericColumn& nc) {
  EncodedColumn col;
  col.type = type;
  std::string& out = col.data;
  out.reserve(16 + nc.empty_bitmap.size() + nc.mapped.size() * 2);
  PutVarint64(out, rows);
  PutVarint64(out, nc.n_empty);
  if (nc.n_empty > 0) out.append(nc.empty_bitmap);
  if (type == ColumnType::kTimestamp) out.push_back(static_cast<char>(nc.precision));
  if (type == ColumnType::kFloat) {
    out.push_back(static_cast<char>(nc.float_form));
    if (nc.float_form == kFloatDecimal) out.push_back(static_cast<char>(nc.scale));
  }
  PutU64Stream(nc.mapped, &out);
  col.stats = NumericStats(type, nc, nc.precision);
  return col;
}

// ---------------------------------------------------------------------------------------------------------------
// String encodings.

std::string StatsMin(std::string_view v) { return std::string(v.substr(0, kStatsMaxLen)); }
std::string StatsMax(std::string_view v) {
  if (v.size() <= kStatsMaxLen) return std::string(v);
  std::string s(v.substr(0, kStatsMaxLen));
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::string(v);  // 64 bytes of 0xff: no shorter upper bound exists
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}
ColumnStats StringStats(std::string_view lo, std::string_view hi) {
  ColumnStats st;
  st.min_str = StatsMin(lo);
  st.max_str = StatsMax(hi);
  return st;
}

bool AllEqual(const StringColumn& values) {
  if (values.empty()) return true;
  const std::string_view first = values.at(0);
  const std::vector<uint32_t>& ends = values.ends();
  const char* bytes = values.bytes().data();
  const size_t len = first.size();
  // Equal values mean equally spaced ends; check that first, then the bytes.
  for (size_t i = 1; i < ends.size(); ++i) {
    if (ends[i] - ends[i - 1] != len) return false;
  }
  for (size_t i = 1; i < ends.size(); ++i) {
    if (std::memcmp(bytes + ends[i - 1], first.data(), len) != 0) return false;
  }
  return true;
}

EncodedColumn WriteConst(const StringColumn& values) {
  EncodedColumn col;
  col.type = ColumnType::kConst;
  const std::string_view v = values.empty() ? std::string_view() : values.at(0);
  PutVarint64(col.data, values.size());
  col.data.append(v);
  col.stats = StringStats(v, v);
  return col;
}

// The distinct values of a column, if there are at most kMaxDictValues, and each row's index.
struct Dict {
  std::vector<std::string_view> values;  // sorted ascending
  std::vector<uint8_t> indices;          // per row
};

bool BuildDict(const StringColumn& values, Dict* dict) {
  // Open addressing with 1024 slots for <= 255 keys: load factor <= 1/4.
  constexpr size_t kSlots = 1024;
  std::array<int16_t, kSlots> slots;
  slots.fill(-1);
  std::vector<std::string_view> seen;  // first-appearance order
  seen.reserve(kMaxDictValues);
  dict->indices.resize(values.size());
  const std::hash<std::string_view> hasher;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string_view v = values.at(i);
    size_t slot = hasher(v) & (kSlots - 1);
    while (slots[slot] >= 0 && seen[static_cast<size_t>(slots[slot])] != v) slot = (slot + 1) & (kSlots - 1);
    if (slots[slot] < 0) {
      if (seen.size() == kMaxDictValues) return false;
      slots[slot] = static_cast<int16_t>(seen.size());
      seen.push_back(v);
    }
    dict->indices[i] = static_cast<uint8_t>(slots[slot]);
  }
  // Sort the dictionary so that index order is value order, then renumber the rows.
  std::vector<uint8_t> order(seen.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint8_t>(i);
  std::sort(order.begin(), order.end(), [&](uint8_t a, uint8_t b) { return seen[a] < seen[b]; });
  std::array<uint8_t, 256> remap{};
  dict->values.resize(seen.size());
  for (size_t i = 0; i < order.size(); ++i) {
    remap[order[i]] = static_cast<uint8_t>(i);
    dict->values[i] = seen[order[i]];
  }
  for (uint8_t& idx : dict->indices) idx = remap[idx];
  return true;
}

EncodedColumn WriteDict(const Dict& dict) {
  EncodedColumn col;
  col.type = ColumnType::kDict;
  std::string& out = col.data;
  size_t dict_bytes = 0;
  for (std::string_view v : dict.values) dict_bytes += v.size();
  out.reserve(16 + dict.values.size() * 2 + dict_bytes + dict.indices.size());
  PutVarint64(out, dict.indices.size());
  PutVarint64(out, dict.values.size());
  for (std::string_view v : dict.values) PutVarint64(out, v.size());
  for (std::string_view v : dict.values) out.append(v);
  out.append(reinterpret_cast<const char*>(dict.indices.data()), dict.indices.size());
  if (!dict.values.empty()) col.stats = StringStats(dict.values.front(), dict.values.back());
  return col;
}

// Fixed length + 1 if all values have the same length, else 0.
uint64_t RawFixed(const StringColumn& values) {
  if (values.empty()) return 1;
  const std::vector<uint32_t>& ends = values.ends();
  const uint64_t len = ends[0];
  for (size_t i = 1; i < ends.size(); ++i) {
    if (ends[i] - ends[i - 1] != len) return 0;
  }
  return len + 1;
}

size_t RawSize(const StringColumn& values, uint64_t fixed) {
  size_t size = VarintLen(values.size()) + VarintLen(fixed) + values.total_bytes();
  if (fixed == 0) {
    for (size_t i = 0; i < values.size(); ++i) size += VarintLen(values.at(i).size());
  }
  return size;
}

EncodedColumn WriteRaw(const StringColumn& values) {
  EncodedColumn col;
  col.type = ColumnType::kRaw;
  std::string& out = col.data;
  const uint64_t fixed = RawFixed(values);
  out.reserve(RawSize(values, fixed));
  PutVarint64(out, values.size());
  PutVarint64(out, fixed);
  if (fixed == 0) {
    for (size_t i = 0; i < values.size(); ++i) PutVarint64(out, values.at(i).size());
  }
  out.append(values.bytes());
  if (!values.empty()) {
    std::string_view lo = values.at(0), hi = lo;
    for (size_t i = 1; i < values.size(); ++i) {
      const std::string_view v = values.at(i);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    col.stats = StringStats(lo, hi);
  }
  return col;
}

// Grows *out geometrically, so that many decodes into one column stay linear.
void ReserveMore(StringColumn* out, size_t rows, size_t bytes) {
  const size_t want_rows = out->size() + rows, want_bytes = out->total_bytes() + bytes;
  const size_t cap_rows = out->ends().capacity(), cap_bytes = out->bytes().capacity();
  if (want_rows > cap_rows || want_bytes > cap_bytes) {
    out->Reserve(std::max(want_rows, want_rows > cap_rows ? cap_rows * 2 : cap_rows),
                 std::max(want_bytes, want_bytes > cap_bytes ? cap_bytes * 2 : cap_bytes));
  }
}

// StringColumn offsets are u32: refuse output that would overflow them (rows copies of `len` bytes).
bool FitsStringColumn(const StringColumn& out, uint64_t rows, uint64_t len) {
  const uint64_t room = std::numeric_limits<uint32_t>::max() - out.total_bytes();
  return len == 0 || rows <= room / len;
}

// `wanted` is a per-row mask (nullptr: every row): an unwanted row is appended as "" without materialising its
// value. Validation does not depend on it, so a corrupt column fails the same way either way.
bool Wanted(const uint8_t* wanted, size_t i) { return wanted == nullptr || wanted[i] != 0; }

bool ReadRows(std::string_view* in, size_t rows) {
  uint64_t stored;
  return GetVarint64(*in, &stored) && stored == rows;
}

Status DecodeConst(std::string_view in, size_t rows, const uint8_t* wanted, StringColumn* out) {
  if (!ReadRows(&in, rows)) return Corrupt(ColumnType::kConst, "row count");
  if (!FitsStringColumn(*out, rows, in.size())) return Corrupt(ColumnType::kConst, "column too large");
  ReserveMore(out, rows, rows * in.size());
  for (size_t i = 0; i < rows; ++i) {
    if (Wanted(wanted, i)) {
      out->Append(in);
    } else {
      out->AppendEmpty();
    }
  }
  return Status::Ok();
}

Status DecodeDict(std::string_view in, size_t rows, const uint8_t* wanted, StringColumn* out) {
  constexpr ColumnType kType = ColumnType::kDict;
  if (!ReadRows(&in, rows)) return Corrupt(kType, "row count");
  uint64_t n;
  if (!GetVarint64(in, &n) || n > kMaxDictValues || (n == 0) != (rows == 0)) {
    return Corrupt(kType, "dictionary size");
  }
  std::array<std::string_view, kMaxDictValues> dict;
  std::array<uint64_t, kMaxDictValues> lens;
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!GetVarint64(in, &lens[i]) || lens[i] > in.size() || total + lens[i] > in.size()) {
      return Corrupt(kType, "dictionary lengths");
    }
    total += lens[i];
  }
  for (size_t i = 0; i < n; ++i) {
    dict[i] = in.substr(0, lens[i]);
    in.remove_prefix(lens[i]);
  }
  if (in.size() != rows) return Corrupt(kType, "index count");
  const auto* idx = reinterpret_cast<const uint8_t*>(in.data());
  uint64_t bytes = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (idx[i] >= n) return Corrupt(kType, "index out of range");
    bytes += dict[idx[i]].size();
  }
  if (!FitsStringColumn(*out, 1, bytes)) return Corrupt(kType, "column too large");
  ReserveMore(out, rows, bytes);
  for (size_t i = 0; i < rows; ++i) {
    if (Wanted(wanted, i)) {
      out->Append(dict[idx[i]]);
    } else {
      out->AppendEmpty();
    }
  }
  return Status::Ok();
}

Status DecodeRaw(std::string_view in, size_t rows, const uint8_t* wanted, StringColumn* out) {
  constexpr ColumnType kType = ColumnType::kRaw;
  if (!ReadRows(&in, rows)) return Corrupt(kType, "row count");
  uint64_t fixed;
  if (!GetVarint64(in, &fixed)) return Corrupt(kType, "length mode");
  if (fixed > 0) {
    const uint64_t len = fixed - 1;
    if (len == 0 ? !in.empty() : (in.size() % len != 0 || in.size() / len != rows)) {
      return Corrupt(kType, "byte count");
    }
    if (!FitsStringColumn(*out, 1, in.size())) return Corrupt(kType, "column too large");
    ReserveMore(out, rows, in.size());
    for (size_t i = 0; i < rows; ++i) {
      if (Wanted(wanted, i)) {
        out->Append(in.substr(i * len, len));
      } else {
        out->AppendEmpty();
      }
    }
    return Status::Ok();
  }
  // Validate every length first, then append.
  std::string_view lens = in;
  uint64_t total = 0;
  for (size_t i = 0; i < rows; ++i) {
    uint64_t len;
    if (!GetVarint64(in, &len) || len > in.size() || total + len > in.size()) return Corrupt(kType, "lengths");
    total += len;
  }
  if (total != in.size()) return Corrupt(kType, "byte count");
  if (!FitsStringColumn(*out, 1, total)) return Corrupt(kType, "column too large");
  std::string_view bytes = in;
  ReserveMore(out, rows, total);
  for (size_t i = 0; i < rows; ++i) {
    uint64_t len = 0;
    GetVarint64(lens, &len);  // validated above
    if (Wanted(wanted, i)) {
      out->Append(bytes.substr(0, len));
    } else {
      out->AppendEmpty();
    }
    bytes.remove_prefix(len);
  }
  return Status::Ok();
}

// Emits the values of a numeric column; `emit(u, buf)` formats one mapped value into buf and returns its length.
template <typename Emit>
void EmitNumeric(std::string_view bitmap, size_t rows, U64StreamReader reader, const uint8_t* wanted,
                 StringColumn* out, Emit emit) {
  char buf[48];
  for (size_t i = 0; i < rows; ++i) {
    if (!bitmap.empty() && (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8) & 1)) {
      out->AppendEmpty();
      continue;
    }
    const uint64_t u = reader.Next();  // the delta modes need every value to reach the next
    if (!Wanted(wanted, i)) {
      out->AppendEmpty();
      continue;
    }
    out->Append(std::string_view(buf, emit(u, buf)));
  }
}

// A numeric column's layout up to its values, validated (every value in range for its type).
struct NumericLayout {
  std::string_view bitmap;  // empty when no row is empty
  int precision = 0;        // kTimestamp
  uint8_t float_form = kFloatBinary;
  int scale = 0;            // kFloat decimal
  U64StreamReader reader;   // the rows - n_empty values
  size_t n = 0;
};

Status ReadNumericLayout(ColumnType type, std::string_view in, size_t rows, NumericLayout* layout) {
  if (!ReadRows(&in, rows)) return Corrupt(type, "row count");
  uint64_t n_empty;
  if (!GetVarint64(in, &n_empty) || n_empty > rows) return Corrupt(type, "empty count");
  if (n_empty > 0) {
    const size_t len = rows / 8 + (rows % 8 != 0);
    if (in.size() < len) return Corrupt(type, "empty bitmap");
    layout->bitmap = in.substr(0, len);
    in.remove_prefix(len);
    size_t ones = 0;
    for (char c : layout->bitmap) ones += static_cast<size_t>(std::popcount(static_cast<uint8_t>(c)));
    if (ones != n_empty || (rows % 8 != 0 && (static_cast<uint8_t>(layout->bitmap.back()) >> (rows % 8)) != 0)) {
      return Corrupt(type, "empty bitmap");
    }
  }
  if (type == ColumnType::kTimestamp) {
    if (in.empty()) return Corrupt(type, "precision");
    layout->precision = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    if (const int p = layout->precision; p != 0 && p != 3 && p != 6 && p != 9) return Corrupt(type, "precision");
  }
  if (type == ColumnType::kFloat) {
    if (in.empty()) return Corrupt(type, "form");
    layout->float_form = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    if (layout->float_form == kFloatDecimal) {
      if (in.empty()) return Corrupt(type, "scale");
      layout->scale = static_cast<uint8_t>(in.front());
      in.remove_prefix(1);
      if (layout->scale > kMaxDecimalScale) return Corrupt(type, "scale");
    } else if (layout->float_form != kFloatBinary) {
      return Corrupt(type, "form");
    }
  }
  const size_t n = layout->n = rows - n_empty;
  if (!layout->reader.Init(&in, n) || !in.empty()) return Corrupt(type, "value stream");

  // Types whose u64 domain is wider than their values: validate every value before appending any.
  if ((type == ColumnType::kFloat && layout->float_form == kFloatBinary) || type == ColumnType::kIpv4 ||
      type == ColumnType::kTimestamp) {
    U64StreamReader check = layout->reader;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t u = check.Next();
      const bool ok = type == ColumnType::kFloat   ? !std::isnan(UnmapDouble(u))
                      : type == ColumnType::kIpv4 ? u <= std::numeric_limits<uint32_t>::max()
                                                   : TimestampUnitsValid(UnmapInt(u), layout->precision);
      if (!ok) return Corrupt(type, "value out of range");
    }
  }
  return Status::Ok();
}

Status DecodeNumeric(ColumnType type, std::string_view in, size_t rows, const uint8_t* wanted, StringColumn* out) {
  NumericLayout layout;
  RETURN_IF_ERROR(ReadNumericLayout(type, in, rows, &layout));
  const std::string_view bitmap = layout.bitmap;
  const U64StreamReader& reader = layout.reader;
  const size_t n = layout.n;
  const int precision = layout.precision, scale = layout.scale;
  const uint8_t float_form = layout.float_form;
  ReserveMore(out, rows, std::min<size_t>(n, size_t{1} << 20) * 8);  // a guess; Append grows geometrically
  switch (type) {
    case ColumnType::kUint:
      EmitNumeric(bitmap, rows, reader, wanted, out, [](uint64_t u, char* buf) {
        return static_cast<size_t>(std::to_chars(buf, buf + 32, u).ptr - buf);
      });
      break;
    case ColumnType::kInt:
      EmitNumeric(bitmap, rows, reader, wanted, out, [](uint64_t u, char* buf) {
        return static_cast<size_t>(std::to_chars(buf, buf + 32, UnmapInt(u)).ptr - buf);
      });
      break;
    case ColumnType::kFloat:
      if (float_form == kFloatDecimal) {
        EmitNumeric(bitmap, rows, reader, wanted, out,
                    [scale](uint64_t u, char* buf) { return FormatDecimal(UnmapInt(u), scale, buf); });
      } else {
        EmitNumeric(bitmap, rows, reader, wanted, out, [](uint64_t u, char* buf) { return FormatDouble(UnmapDouble(u), buf); });
      }
      break;
    case ColumnType::kIpv4:
      EmitNumeric(bitmap, rows, reader, wanted, out,
                  [](uint64_t u, char* buf) { return FormatIpv4(static_cast<uint32_t>(u), buf); });
      break;
    case ColumnType::kTimestamp: {
      TimestampFormatter fmt(precision);
      EmitNumeric(bitmap, rows, reader, wanted, out, [&fmt](uint64_t u, char* buf) { return fmt.Format(UnmapInt(u), buf); });
      break;
    }
    default:
      return Corrupt(type, "not numeric");
  }
  return Status::Ok();
}

// 2^53: every integer of smaller magnitude is an exact double.
constexpr uint64_t kExactDoubleIntLimit = uint64_t{1} << 53;
constexpr double kPow10Double[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                   1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

Status DecodeNumbers(ColumnType type, std::string_view in, size_t rows, std::vector<double>* out, bool* exact) {
  *exact = false;
  if (type != ColumnType::kUint && type != ColumnType::kInt && type != ColumnType::kFloat) return Status::Ok();
  NumericLayout layout;
  RETURN_IF_ERROR(ReadNumericLayout(type, in, rows, &layout));
  const bool decimal = type == ColumnType::kFloat && layout.float_form == kFloatDecimal;
  if (decimal) {
    // m / 10^scale is correctly rounded (like std::from_chars of the printed text) when m and 10^scale are both
    // exact doubles: one IEEE division of exact operands. Larger mantissas are left to the text.
    U64StreamReader check = layout.reader;
    for (size_t i = 0; i < layout.n; ++i) {
      const int64_t m = UnmapInt(check.Next());
      if (m <= -static_cast<int64_t>(kExactDoubleIntLimit) || m >= static_cast<int64_t>(kExactDoubleIntLimit)) {
        return Status::Ok();
      }
    }
  }
  const size_t first = out->size();
  out->resize(first + rows);
  double* dst = out->data() + first;
  U64StreamReader reader = layout.reader;
  const double pow10 = kPow10Double[layout.scale];
  for (size_t i = 0; i < rows; ++i) {
    if (!layout.bitmap.empty() && (static_cast<uint8_t>(layout.bitmap[i / 8]) >> (i % 8) & 1)) {
      dst[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const uint64_t u = reader.Next();
    // u64 and i64 to double round to nearest, ties to even, as std::from_chars does on their decimal text.
    switch (type) {
      case ColumnType::kUint: dst[i] = static_cast<double>(u); break;
      case ColumnType::kInt: dst[i] = static_cast<double>(UnmapInt(u)); break;
      default: dst[i] = decimal ? static_cast<double>(UnmapInt(u)) / pow10 : UnmapDouble(u); break;
    }
  }
  *exact = true;
  return Status::Ok();
}

constexpr ColumnType kNumericOrder[] = {ColumnType::kUint, ColumnType::kInt, ColumnType::kFloat, ColumnType::kIpv4,
                                        ColumnType::kTimestamp};

}  // namespace

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kConst: return "const";
    case ColumnType::kDict: return "dict";
    case ColumnType::kUint: return "uint";
    case ColumnType::kInt: return "int";
    case ColumnType::kFloat: return "float";
    case ColumnType::kIpv4: return "ipv4";
    case ColumnType::kTimestamp: return "timestamp";
    case ColumnType::kRaw: return "raw";
  }
  return "unknown";
}

EncodedColumn EncodeColumn(const StringColumn& values) {
  if (AllEqual(values)) return WriteConst(values);

  // A numeric type if every value fits one (the first of kNumericOrder), and dict if it fits: the smaller wins,
  // numeric on a tie (it keeps range stats). Raw only when neither fits, even where it would be a little smaller
  // (binary64 floats): typed columns keep range pruning and cheap comparisons.
  std::optional<EncodedColumn> best;
  auto consider = [&best](EncodedColumn col) {
    if (!best || col.data.size() < best->data.size()) best = std::move(col);
  };
  NumericColumn nc;
  for (ColumnType type : kNumericOrder) {
    if (type == ColumnType::kFloat ? CollectFloat(values, &nc) : CollectNumeric(values, type, &nc)) {
      consider(WriteNumeric(type, values.size(), nc));
      break;
    }
  }
  Dict dict;
  if (BuildDict(values, &dict)) consider(WriteDict(dict));
  if (!best) return WriteRaw(values);
  return std::move(*best);
}

Result<EncodedColumn> EncodeColumnAs(const StringColumn& values, ColumnType type) {
  switch (type) {
    case ColumnType::kConst:
      if (!AllEqual(values)) return base::InvalidArgument("const encoding: values differ");
      return WriteConst(values);
    case ColumnType::kDict: {
      Dict dict;
      if (!BuildDict(values, &dict)) return base::InvalidArgument("dict encoding: more than 255 distinct values");
      return WriteDict(dict);
    }
    case ColumnType::kRaw:
      return WriteRaw(values);
    default:
      break;
  }
  if (!IsNumericType(type)) return base::InvalidArgument("unknown column type");
  NumericColumn nc;
  if (!(type == ColumnType::kFloat ? CollectFloat(values, &nc) : CollectNumeric(values, type, &nc))) {
    return base::InvalidArgument(std::string(ColumnTypeName(type)) + " encoding: a value is not canonical");
  }
  return WriteNumeric(type, values.size(), nc);
}

namespace {
Status DecodeMasked(ColumnType type, std::string_view data, size_t rows, const uint8_t* wanted, StringColumn* out) {
  switch (type) {
    case ColumnType::kConst: return DecodeConst(data, rows, wanted, out);
    case ColumnType::kDict: return DecodeDict(data, rows, wanted, out);
    case ColumnType::kRaw: return DecodeRaw(data, rows, wanted, out);
    case ColumnType::kUint:
    case ColumnType::kInt:
    case ColumnType::kFloat:
    case ColumnType::kIpv4:
    case ColumnType::kTimestamp: return DecodeNumeric(type, data, rows, wanted, out);
  }
  return base::DataLoss("unknown column type " + std::to_string(static_cast<int>(type)));
}
}  // namespace

base::Status DecodeColumn(ColumnType type, std::string_view data, size_t rows, StringColumn* out) {
  return DecodeMasked(type, data, rows, nullptr, out);
}

base::Status DecodeColumnRows(ColumnType type, std::string_view data, size_t rows,
                              const std::vector<uint32_t>& wanted_rows, StringColumn* out) {
  thread_local std::vector<uint8_t> mask;
  mask.assign(rows, 0);
  for (uint32_t r : wanted_rows) {
    if (r >= rows) return base::InvalidArgument("wanted row " + std::to_string(r) + " beyond the column's rows");
    mask[r] = 1;
  }
  return DecodeMasked(type, data, rows, mask.data(), out);
}

base::Status DecodeColumnNumbers(ColumnType type, std::string_view data, size_t rows, std::vector<double>* out,
                                 bool* exact) {
  return DecodeNumbers(type, data, rows, out, exact);
}

void EncodeTimestamps(const std::vector<int64_t>& ts, std::string* out) {
  uint64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const auto v = static_cast<uint64_t>(ts[i]);
    const uint64_t delta = v - prev;
    // i == 0: the value; i == 1: the first delta; then deltas of deltas. All mod 2^64.
    const uint64_t x = i == 0 ? v : i == 1 ? delta : delta - prev_delta;
    PutVarint64(*out, common::ZigZag(static_cast<int64_t>(x)));
    prev = v;
    prev_delta = delta;
  }
}

base::Status DecodeTimestamps(std::string_view data, size_t rows, std::vector<int64_t>* out) {
  // Every value takes at least one byte: bound the row count before allocating.
  if (rows > data.size()) return base::DataLoss("corrupt timestamps: fewer bytes than rows");
  const size_t at = out->size();
  out->resize(at + rows);
  uint64_t prev = 0, delta = 0;
  for (size_t i = 0; i < rows; ++i) {
    uint64_t zz;
    if (!GetVarint64(data, &zz)) {
      out->resize(at);
      return base::DataLoss("corrupt timestamps: truncated at row " + std::to_string(i));
    }
    const auto x = static_cast<uint64_t>(common::UnZigZag(zz));
    if (i == 0) {
      prev = x;
    } else {
      delta = i == 1 ? x : delta + x;
      prev += delta;
    }
    (*out)[at + i] = static_cast<int64_t>(prev);
  }
  if (!data.empty()) {
    out->resize(at);
    return base::DataLoss("corrupt timestamps: trailing bytes");
  }
  return base::Status::Ok();
}

}  // namespace strata::storage
