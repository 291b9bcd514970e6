#include "strata/storage/part/column_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace strata::storage {
namespace {

constexpr ColumnType kAllTypes[] = {ColumnType::kConst, ColumnType::kDict,      ColumnType::kUint,
                                    ColumnType::kInt,   ColumnType::kFloat,     ColumnType::kIpv4,
                                    ColumnType::kTimestamp, ColumnType::kRaw};
constexpr ColumnType kNumericTypes[] = {ColumnType::kUint, ColumnType::kInt, ColumnType::kFloat, ColumnType::kIpv4,
                                        ColumnType::kTimestamp};

StringColumn Col(const std::vector<std::string>& values) {
  StringColumn c;
  for (const std::string& v : values) c.Append(v);
  return c;
}

std::vector<std::string> Values(const StringColumn& c) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.size(); ++i) out.emplace_back(c.at(i));
  return out;
}

std::string Printable(const std::vector<std::string>& values) {
  std::string s;
  for (size_t i = 0; i < values.size() && i < 8; ++i) s += "\"" + values[i] + "\" ";
  if (values.size() > 8) s += "... (" + std::to_string(values.size()) + " values)";
  return s;
}

void ExpectDecodesRows(const EncodedColumn& enc, const std::vector<std::string>& values);
void ExpectDecodesNumbers(const EncodedColumn& enc, const std::vector<std::string>& values);

// Decodes `enc` and checks it gives back `values` exactly; also into a non-empty column (decode appends).
void ExpectDecodes(const EncodedColumn& enc, const std::vector<std::string>& values) {
  StringColumn out;
  base::Status st = DecodeColumn(enc.type, enc.data, values.size(), &out);
  ASSERT_TRUE(st.ok()) << ColumnTypeName(enc.type) << ": " << st.ToString() << " for " << Printable(values);
  ASSERT_EQ(Values(out), values) << ColumnTypeName(enc.type);
  ExpectDecodesRows(enc, values);
  ExpectDecodesNumbers(enc, values);

  StringColumn appended = Col({"prefix"});
  ASSERT_TRUE(DecodeColumn(enc.type, enc.data, values.size(), &appended).ok());
  ASSERT_EQ(appended.size(), values.size() + 1);
  EXPECT_EQ(appended.at(0), "prefix");
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(appended.at(i + 1), values[i]);
}

// DecodeColumnNumbers gives, for uint/int/float columns (decimal floats with mantissas beyond 2^53 excepted), exactly
// what std::from_chars reads from each value's text, NaN for empty rows; for other types nothing (exact false).
void ExpectDecodesNumbers(const EncodedColumn& enc, const std::vector<std::string>& values) {
  std::vector<double> out = {42.0};
  bool exact = true;
  base::Status st = DecodeColumnNumbers(enc.type, enc.data, values.size(), &out, &exact);
  ASSERT_TRUE(st.ok()) << ColumnTypeName(enc.type) << ": " << st.ToString();
  const bool numeric = enc.type == ColumnType::kUint || enc.type == ColumnType::kInt || enc.type == ColumnType::kFloat;
  if (!exact) {
    EXPECT_EQ(out.size(), 1u);
    EXPECT_TRUE(enc.type == ColumnType::kFloat || !numeric) << ColumnTypeName(enc.type);
    return;
  }
  ASSERT_TRUE(numeric) << ColumnTypeName(enc.type);
  ASSERT_EQ(out.size(), values.size() + 1);
  EXPECT_EQ(out[0], 42.0);
  for (size_t i = 0; i < values.size(); ++i) {
    const double got = out[i + 1];
    if (values[i].empty()) {
      EXPECT_TRUE(std::isnan(got)) << "row " << i;
      continue;
    }
    double want;
    auto [ptr, ec] = std::from_chars(values[i].data(), values[i].data() + values[i].size(), want);
    ASSERT_TRUE(ec == std::errc() && ptr == values[i].data() + values[i].size()) << values[i];
    EXPECT_EQ(std::memcmp(&got, &want, sizeof(double)), 0) << ColumnTypeName(enc.type) << " \"" << values[i]
                                                             << "\" -> " << got << " want " << want;
  }
}

// DecodeColumnRows of `enc` for several row selections (none, all, strided, random, unordered with duplicates)
// equals DecodeColumn restricted to those rows, with "" for every other row; also appended to a non-empty column.
void ExpectDecodesRows(const EncodedColumn& enc, const std::vector<std::string>& values) {
  const size_t n = values.size();
  std::mt19937_64 rng(n * 31 + static_cast<size_t>(enc.type));
  std::vector<std::vector<uint32_t>> selections(5);
  for (uint32_t i = 0; i < n; ++i) {
    selections[1].push_back(i);
    if (i % 3 == 1) selections[2].push_back(i);
    if (rng() % 8 == 0) selections[3].push_back(i);
  }
  selections[4] = selections[3];
  std::reverse(selections[4].begin(), selections[4].end());
  if (n > 0) selections[4].push_back(static_cast<uint32_t>(rng() % n));
  for (const auto& rows : selections) {
    std::vector<std::string> want(n);
    for (uint32_t r : rows) want[r] = values[r];
    StringColumn out = Col({"prefix"});
    base::Status st = DecodeColumnRows(enc.type, enc.data, n, rows, &out);
    ASSERT_TRUE(st.ok()) << ColumnTypeName(enc.type) << ": " << st.ToString();
    ASSERT_EQ(out.size(), n + 1);
    EXPECT_EQ(out.at(0), "prefix");
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(out.at(i + 1), want[i]) << ColumnTypeName(enc.type) << " row " << i << " of " << rows.size();
    }
  }
  StringColumn out;
  EXPECT_EQ(DecodeColumnRows(enc.type, enc.data, n, {static_cast<uint32_t>(n)}, &out).code(),
            base::StatusCode::kInvalidArgument);
}

// EncodeColumn round trip, plus every forced encoding that accepts the values. Returns the chosen encoding.
EncodedColumn ExpectRoundTrip(const std::vector<std::string>& values) {
  const StringColumn col = Col(values);
  EncodedColumn enc = EncodeColumn(col);
  ExpectDecodes(enc, values);
  for (ColumnType t : kAllTypes) {
    base::Result<EncodedColumn> forced = EncodeColumnAs(col, t);
    if (!forced.ok()) {
      EXPECT_EQ(forced.status().code(), base::StatusCode::kInvalidArgument);
      continue;
    }
    EXPECT_EQ(forced->type, t);
    ExpectDecodes(*forced, values);
    // Where dict fits, the chosen encoding is never bigger.
    if (t == ColumnType::kDict) {
      EXPECT_LE(enc.data.size(), forced->data.size()) << ColumnTypeName(t) << " " << Printable(values);
    }
  }
  return enc;
}

// ------------------------------------------------------------------------------------------------------------------
// Edge values.

const std::vector<std::string>& EdgeValues() {
  static const std::vector<std::string> kValues = {
      "",
      "0",
      "-0",
      "00",
      "007",
      "1",
      "-1",
      "+1",
      "+0",
      "1e5",
      "1e+05",
      "1.5",
      "1.50",
      "0.1",
      ".5",
      "5.",
      "-0.0",
      "0.0",
      "NaN",
      "nan",
      "-nan",
      "inf",
      "-inf",
      "Infinity",
      "1.7976931348623157e+308",
      "5e-324",
      "1e400",
      "18446744073709551615",   // UINT64_MAX
      "18446744073709551616",   // UINT64_MAX + 1
      "9223372036854775807",    // INT64_MAX
      "-9223372036854775808",   // INT64_MIN
      "-9223372036854775809",
      "99999999999999999999",   // 20 digits, > UINT64_MAX
      "12345678901234567890",   // 20 digits, fits
      "123456789012345678901",  // 21 digits
      "0x10",
      " 1",
      "1 ",
      "1.2.3.4",
      "0.0.0.0",
      "255.255.255.255",
      "01.02.03.04",
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      "1..3.4",
      "1.2.3.4 ",
      "2026-01-02T03:04:05Z",
      "2026-01-02T03:04:05.123Z",
      "2026-01-02T03:04:05.123456Z",
      "2026-01-02T03:04:05.123456789Z",
      "2026-01-02T03:04:05.12Z",
      "2026-01-02t03:04:05Z",
      "2026-01-02T03:04:05z",
      "2026-01-02T03:04:05+00:00",
      "2026-02-29T00:00:00Z",  // not a leap year
      "2024-02-29T00:00:00Z",
      "2026-01-02T24:00:00Z",
      "2026-01-02T23:59:60Z",  // leap second
      "1970-01-01T00:00:00Z",
      "1969-12-31T23:59:59.999999999Z",
      "1677-09-21T00:12:43.145224192Z",  // int64 ns minimum
      "1677-09-21T00:12:43.145224191Z",  // one ns below
      "2262-04-11T23:47:16.854775807Z",  // int64 ns maximum
      "2262-04-11T23:47:16.854775808Z",
      "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
      std::string("\0", 1),
      std::string("a\0b", 3),
      "\xff\xfe\x80",
      "\xc3\x28",
      "héllo wörld",
      std::string(300, 'x'),
      std::string(70, '\xff'),
  };
  return kValues;
}

TEST(ColumnCodecTest, EdgeValuesRoundTripAlone) {
  for (const std::string& v : EdgeValues()) {
    SCOPED_TRACE(v);
    ExpectRoundTrip({v});
    ExpectRoundTrip({v, v, v});
    ExpectRoundTrip({v, ""});
    ExpectRoundTrip({"", v, "", v});
  }
}

TEST(ColumnCodecTest, EdgeValuesRoundTripMixed) {
  const std::vector<std::string>& edge = EdgeValues();
  ExpectRoundTrip(edge);
  // Each edge value inside a column of each numeric kind, so it can break that type.
  const std::vector<std::vector<std::string>> bases = {
      {"1", "2", "300", "0"},
      {"-1", "2", "-300"},
      {"1.5", "-2.25", "3"},
      {"10.0.0.1", "192.168.1.1"},
      {"2026-01-02T03:04:05.123Z", "2026-01-02T03:04:06.000Z"},
      {"2026-01-02T03:04:05Z", "2026-01-02T03:04:06Z"},
  };
  for (const auto& base_values : bases) {
    for (const std::string& v : edge) {
      std::vector<std::string> values = base_values;
      values.insert(values.begin() + 1, v);
      SCOPED_TRACE(v);
      ExpectRoundTrip(values);
    }
  }
}

TEST(ColumnCodecTest, EmptyColumn) {
  for (ColumnType t : kAllTypes) {
    base::Result<EncodedColumn> enc = EncodeColumnAs(StringColumn(), t);
    ASSERT_TRUE(enc.ok()) << ColumnTypeName(t);
    ExpectDecodes(*enc, {});
  }
  EXPECT_EQ(EncodeColumn(StringColumn()).type, ColumnType::kConst);
}

// ------------------------------------------------------------------------------------------------------------------
// Type selection.

std::vector<std::string> Seq(int n, const std::function<std::string(int)>& f) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(f(i));
  return v;
}

std::string Ts(int64_t ns, int precision) {
  const int64_t secs = ns >= 0 ? ns / 1000000000 : -((-(ns + 1)) / 1000000000) - 1;
  const int64_t frac = ns - secs * 1000000000;
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s(buf, n);
  if (precision > 0) {
    char f[32];
    snprintf(f, sizeof(f), ".%09" PRId64, frac);
    s += std::string(f, 1 + precision);
  }
  return s + "Z";
}

// prefix + decimal n (spelled out to keep GCC 12's -Wrestrict false positive on "lit" + std::string quiet).
std::string Cat(std::string prefix, int n) {
  prefix += std::to_string(n);
  return prefix;
}

struct SelectionCase {
  std::string name;
  std::vector<std::string> values;
  ColumnType want;
};

TEST(ColumnCodecTest, TypeSelection) {
  std::vector<SelectionCase> cases = {
      {"const", {"a", "a", "a"}, ColumnType::kConst},
      {"const empty", {"", "", ""}, ColumnType::kConst},
      {"const number", {"5", "5"}, ColumnType::kConst},
      {"uint", Seq(1000, [](int i) { return std::to_string(i * 7919); }), ColumnType::kUint},
      {"uint with empties", Seq(1000, [](int i) { return i % 3 ? std::to_string(i * 13) : ""; }), ColumnType::kUint},
      {"uint max", Seq(300, [](int i) { return std::to_string(UINT64_MAX - static_cast<uint64_t>(i)); }),
       ColumnType::kUint},
      {"int", Seq(1000, [](int i) { return std::to_string((i - 500) * 1000003); }), ColumnType::kInt},
      {"int min", Seq(300, [](int i) { return std::to_string(INT64_MIN + i); }), ColumnType::kInt},
      {"float", Seq(1000, [](int i) { return std::to_string(i) + ".25"; }), ColumnType::kFloat},
      {"ipv4", Seq(1000, [](int i) { return Cat(Cat("10.0.", i / 256) + ".", i % 256); }),
       ColumnType::kIpv4},
      {"timestamp s", Seq(1000, [](int i) { return Ts(1767225600LL * 1000000000 + i * 1000000000LL, 0); }),
       ColumnType::kTimestamp},
      {"timestamp ms",
       Seq(1000, [](int i) { return Ts(1767225600LL * 1000000000 + i * 1234567LL, 3); }), ColumnType::kTimestamp},
      {"timestamp ns", Seq(1000, [](int i) { return Ts(1767225600LL * 1000000000 + i * 1234567LL, 9); }),
       ColumnType::kTimestamp},
      // A dictionary of 3 status codes is one byte a row; uint needs two for 200..503.
      {"status codes dict",
       Seq(1000, [](int i) { return std::string(i % 3 == 0 ? "200" : i % 3 == 1 ? "404" : "503"); }),
       ColumnType::kDict},
      {"levels", Seq(1000, [](int i) { return std::string(i % 10 ? "info" : "error"); }), ColumnType::kDict},
      {"255 distinct", Seq(1000, [](int i) { return Cat("v", i % 255); }), ColumnType::kDict},
      {"256 distinct", Seq(1000, [](int i) { return Cat("v", i % 256); }), ColumnType::kRaw},
      {"almost uint, few distinct",
       Seq(1000, [](int i) { return i == 999 ? std::string("007") : std::to_string(i % 100); }), ColumnType::kDict},
      {"almost uint, many distinct",
       Seq(1000, [](int i) { return i == 999 ? std::string("007") : std::to_string(i * 31); }), ColumnType::kRaw},
      {"uint with a sign", Seq(1000, [](int i) { return i == 500 ? std::string("+5") : std::to_string(i * 31); }),
       ColumnType::kRaw},
      // 2^64 is exactly a double, and std::to_chars prints it back in full: a float column.
      {"uint over 2^64",
       Seq(1000, [](int i) { return i == 0 ? std::string("18446744073709551616") : std::to_string(i); }),
       ColumnType::kFloat},
      {"uint over 2^64, inexact",
       Seq(1000, [](int i) { return i == 0 ? std::string("18446744073709551617") : std::to_string(i); }),
       ColumnType::kRaw},
      {"decimals", Seq(1000, [](int i) { return i % 2 ? "0.000" + std::to_string(i % 9 + 1) : std::to_string(i); }),
       ColumnType::kFloat},
      {"int with -0", Seq(1000, [](int i) { return i == 1 ? std::string("-0") : std::to_string(-i * 31); }),
       ColumnType::kFloat},
      {"float with 1.50", Seq(1000, [](int i) { return i == 1 ? std::string("1.50") : std::to_string(i) + ".5"; }),
       ColumnType::kRaw},
      {"float with NaN", Seq(1000, [](int i) { return i == 1 ? std::string("NaN") : std::to_string(i) + ".5"; }),
       ColumnType::kRaw},
      {"ipv4 with leading zero",
       Seq(1000, [](int i) { return i == 7 ? std::string("10.0.0.01") : Cat(Cat("10.0.", i / 256) + ".", i % 256); }),
       ColumnType::kRaw},
      {"mixed timestamp precision",
       Seq(1000, [](int i) { return Ts(1767225600LL * 1000000000 + i * 1234567LL, i == 3 ? 6 : 3); }),
       ColumnType::kRaw},
      {"trace ids", Seq(1000, [](int i) {
         char buf[33];
         snprintf(buf, sizeof(buf), "%016" PRIx64 "%016" PRIx64, static_cast<uint64_t>(i * 0x9e3779b97f4a7c15ULL),
                  static_cast<uint64_t>(i * 0xc2b2ae3d27d4eb4fULL));
         return std::string(buf);
       }),
       ColumnType::kRaw},
  };
  for (const SelectionCase& c : cases) {
    SCOPED_TRACE(c.name);
    EncodedColumn enc = ExpectRoundTrip(c.values);
    EXPECT_EQ(ColumnTypeName(enc.type), ColumnTypeName(c.want));
  }
}

TEST(ColumnCodecTest, ForcedEncodingFailures) {
  struct Case {
    ColumnType type;
    std::vector<std::string> values;
  };
  const std::vector<Case> cases = {
      {ColumnType::kConst, {"a", "b"}},
      {ColumnType::kConst, {"a", ""}},
      {ColumnType::kDict, Seq(256, [](int i) { return std::to_string(i); })},
      {ColumnType::kUint, {"1", "007"}},
      {ColumnType::kUint, {"-1"}},
      {ColumnType::kUint, {"+1"}},
      {ColumnType::kUint, {"00"}},
      {ColumnType::kUint, {"18446744073709551616"}},
      {ColumnType::kUint, {"1.0"}},
      {ColumnType::kUint, {"1 "}},
      {ColumnType::kInt, {"-0"}},
      {ColumnType::kInt, {"-01"}},
      {ColumnType::kInt, {"9223372036854775808"}},
      {ColumnType::kInt, {"-9223372036854775809"}},
      {ColumnType::kInt, {"--1"}},
      {ColumnType::kInt, {"-"}},
      {ColumnType::kFloat, {"1.50"}},
      {ColumnType::kFloat, {"NaN"}},
      {ColumnType::kFloat, {"nan"}},
      {ColumnType::kFloat, {"1e5"}},
      {ColumnType::kFloat, {"+1.5"}},
      {ColumnType::kFloat, {".5"}},
      {ColumnType::kFloat, {"1e400"}},
      {ColumnType::kFloat, {"Infinity"}},
      {ColumnType::kFloat, {"0x1p3"}},
      {ColumnType::kIpv4, {"01.02.03.04"}},
      {ColumnType::kIpv4, {"256.1.1.1"}},
      {ColumnType::kIpv4, {"1.2.3"}},
      {ColumnType::kIpv4, {"1.2.3.4.5"}},
      {ColumnType::kIpv4, {"1.2.3.4 "}},
      {ColumnType::kIpv4, {"1.2.3.-4"}},
      {ColumnType::kTimestamp, {"2026-01-02T03:04:05z"}},
      {ColumnType::kTimestamp, {"2026-01-02 03:04:05Z"}},
      {ColumnType::kTimestamp, {"2026-01-02T03:04:05.12Z"}},
      {ColumnType::kTimestamp, {"2026-02-29T03:04:05Z"}},
      {ColumnType::kTimestamp, {"2026-13-01T03:04:05Z"}},
      {ColumnType::kTimestamp, {"2026-01-00T03:04:05Z"}},
      {ColumnType::kTimestamp, {"2026-01-02T03:60:05Z"}},
      {ColumnType::kTimestamp, {"2026-01-02T03:04:60Z"}},
      {ColumnType::kTimestamp, {"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"}},
      {ColumnType::kTimestamp, {"1677-09-21T00:12:43.145224191Z"}},
      {ColumnType::kTimestamp, {"2262-04-11T23:47:16.854775808Z"}},
      {ColumnType::kTimestamp, {"9999-12-31T23:59:59Z"}},
  };
  for (const Case& c : cases) {
    base::Result<EncodedColumn> enc = EncodeColumnAs(Col(c.values), c.type);
    EXPECT_FALSE(enc.ok()) << ColumnTypeName(c.type) << " accepted " << Printable(c.values);
    if (!enc.ok()) {
      EXPECT_EQ(enc.status().code(), base::StatusCode::kInvalidArgument);
    }
  }
  EXPECT_FALSE(EncodeColumnAs(Col({"a"}), static_cast<ColumnType>(42)).ok());
}

TEST(ColumnCodecTest, ForcedEncodingsAccept) {
  struct Case {
    ColumnType type;
    std::vector<std::string> values;
  };
  const std::vector<Case> cases = {
      {ColumnType::kUint, {"0", "18446744073709551615", "", "12345678901234567890"}},
      {ColumnType::kInt, {"-9223372036854775808", "9223372036854775807", "0", ""}},
      {ColumnType::kFloat, {"-0", "0", "1e+05", "inf", "-inf", "5e-324", "0.1", "1.7976931348623157e+308", "3"}},
      {ColumnType::kIpv4, {"0.0.0.0", "255.255.255.255", "1.2.3.4", ""}},
      {ColumnType::kTimestamp, {"1677-09-21T00:12:43.145224192Z", "2262-04-11T23:47:16.854775807Z", ""}},
      {ColumnType::kTimestamp, {"2024-02-29T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:00:00Z"}},
      {ColumnType::kTimestamp, {"", ""}},
      {ColumnType::kDict, Seq(255, [](int i) { return std::to_string(i); })},
  };
  for (const Case& c : cases) {
    base::Result<EncodedColumn> enc = EncodeColumnAs(Col(c.values), c.type);
    ASSERT_TRUE(enc.ok()) << ColumnTypeName(c.type) << " refused " << Printable(c.values);
    ExpectDecodes(*enc, c.values);
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Stats.

ColumnStats StatsAs(const std::vector<std::string>& values, ColumnType type) {
  base::Result<EncodedColumn> enc = EncodeColumnAs(Col(values), type);
  EXPECT_TRUE(enc.ok()) << ColumnTypeName(type);
  return enc.ok() ? enc->stats : ColumnStats();
}

TEST(ColumnCodecTest, NumericStats) {
  ColumnStats s = StatsAs({"5", "", "300", "17"}, ColumnType::kUint);
  EXPECT_TRUE(s.numeric);
  EXPECT_EQ(s.min_num, 5);
  EXPECT_EQ(s.max_num, 300);

  s = StatsAs({"-5", "300", "-17"}, ColumnType::kInt);
  EXPECT_EQ(s.min_num, -17);
  EXPECT_EQ(s.max_num, 300);

  s = StatsAs({"-0.5", "2.25", "-inf"}, ColumnType::kFloat);
  EXPECT_EQ(s.min_num, -HUGE_VAL);
  EXPECT_EQ(s.max_num, 2.25);

  s = StatsAs({"10.0.0.1", "9.255.255.255", "192.168.0.1"}, ColumnType::kIpv4);
  EXPECT_EQ(s.min_num, (9u << 24) | 0xffffff);
  EXPECT_EQ(s.max_num, (192u << 24) | (168u << 16) | 1);

  s = StatsAs({"1970-01-01T00:00:01.500Z", "1969-12-31T23:59:59.000Z"}, ColumnType::kTimestamp);
  EXPECT_EQ(s.min_num, -1e9);
  EXPECT_EQ(s.max_num, 1.5e9);

  s = StatsAs({"", ""}, ColumnType::kUint);
  EXPECT_TRUE(s.numeric);
  EXPECT_GT(s.min_num, s.max_num);  // empty range
}

TEST(ColumnCodecTest, NumericStatsRoundOutward) {
  // 2^53 + 1 and friends have no exact double: min must round down and max up.
  const uint64_t u = (uint64_t{1} << 53) + 1;
  ColumnStats s = StatsAs({std::to_string(u)}, ColumnType::kUint);
  EXPECT_LE(static_cast<long double>(s.min_num), static_cast<long double>(u));
  EXPECT_GE(static_cast<long double>(s.max_num), static_cast<long double>(u));
  EXPECT_LT(s.min_num, s.max_num);

  s = StatsAs({"18446744073709551615"}, ColumnType::kUint);
  EXPECT_LE(static_cast<long double>(s.min_num), 18446744073709551615.0L);
  EXPECT_GE(static_cast<long double>(s.max_num), 18446744073709551615.0L);

  s = StatsAs({"-9223372036854775807", "9223372036854775807"}, ColumnType::kInt);
  EXPECT_LE(static_cast<long double>(s.min_num), -9223372036854775807.0L);
  EXPECT_GE(static_cast<long double>(s.max_num), 9223372036854775807.0L);

  s = StatsAs({"2026-01-02T03:04:05.123456789Z"}, ColumnType::kTimestamp);
  const long double ns = 1767323045123456789.0L;
  EXPECT_LE(static_cast<long double>(s.min_num), ns);
  EXPECT_GE(static_cast<long double>(s.max_num), ns);
}

TEST(ColumnCodecTest, DecimalFloatStatsRoundOutward) {
  // 0.1 and 0.3 have no exact double: the nearest double of 0.1 is above it, that of 0.3 below.
  ColumnStats s = StatsAs({"0.1", "0.3", "", "0.2"}, ColumnType::kFloat);
  EXPECT_TRUE(s.numeric);
  EXPECT_LT(s.min_num, 0.1);
  EXPECT_GT(s.min_num, 0.0999999);
  EXPECT_GT(s.max_num, 0.3);
  EXPECT_LT(s.max_num, 0.3000001);
  s = StatsAs({"-2.5", "0.0001", "12"}, ColumnType::kFloat);
  EXPECT_EQ(s.min_num, -2.5);
  EXPECT_EQ(s.max_num, 12);
}

// The encoder finds the compact forms: delta for counters, frame of reference for clustered values, the decimal
// form for decimals, a shared precision for timestamps.
TEST(ColumnCodecTest, CompactForms) {
  struct Case {
    std::string name;
    std::vector<std::string> values;
    ColumnType type;
    size_t max_bytes;
  };
  const std::vector<Case> cases = {
      {"counter", Seq(1000, [](int i) { return std::to_string(1000000000 + i); }), ColumnType::kUint, 30},
      {"counter step 7", Seq(1000, [](int i) { return std::to_string(5000000000LL - 7 * i); }), ColumnType::kUint, 30},
      {"quadratic", Seq(1000, [](int i) { return std::to_string(int64_t{i} * i); }), ColumnType::kUint, 30},
      {"clustered", Seq(1000, [](int i) { return std::to_string(123456789 + (i * 7919) % 200); }), ColumnType::kUint,
       1030},
      {"negative", Seq(1000, [](int i) { return std::to_string(-1000 - (i * 7919) % 60000); }), ColumnType::kInt,
       2030},
      {"decimals", Seq(1000, [](int i) {
         int frac = (i * 7919) % 900 + 100;
         if (frac % 10 == 0) ++frac;
         return Cat(Cat("", i % 50) + ".", frac);  // "12.345": mantissas below 2^16
       }),
       ColumnType::kFloat, 2030},
      {"ipv4 /24", Seq(1000, [](int i) { return Cat("192.168.7.", (i * 7919) % 256); }), ColumnType::kIpv4, 1030},
      {"timestamps ms", Seq(1000, [](int i) { return Ts(1767225600000000000LL + i * 250000000LL, 3); }),
       ColumnType::kTimestamp, 30},
      {"sparse uint", Seq(1000, [](int i) { return i % 10 ? std::string() : std::to_string(i); }), ColumnType::kUint,
       160},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EncodedColumn enc = ExpectRoundTrip(c.values);
    EXPECT_EQ(ColumnTypeName(enc.type), ColumnTypeName(c.type));
    EXPECT_LE(enc.data.size(), c.max_bytes);
  }
}

TEST(ColumnCodecTest, StringStats) {
  EncodedColumn enc = EncodeColumn(Col({"b", "a", "c", "a"}));
  EXPECT_EQ(enc.type, ColumnType::kDict);
  EXPECT_FALSE(enc.stats.numeric);
  EXPECT_EQ(enc.stats.min_str, "a");
  EXPECT_EQ(enc.stats.max_str, "c");

  enc = EncodeColumn(Col({"same", "same"}));
  EXPECT_EQ(enc.stats.min_str, "same");
  EXPECT_EQ(enc.stats.max_str, "same");

  ColumnStats s = StatsAs({"zz", "", "m"}, ColumnType::kRaw);
  EXPECT_EQ(s.min_str, "");
  EXPECT_EQ(s.max_str, "zz");

  // Truncated to 64 bytes; the max rounded up past trailing 0xff bytes.
  const std::string long_a = std::string(100, 'a');
  std::string long_max = std::string(63, 'b') + "\xff" + "tail";
  s = StatsAs({long_a, long_max}, ColumnType::kRaw);
  EXPECT_EQ(s.min_str, std::string(64, 'a'));
  EXPECT_EQ(s.max_str, std::string(62, 'b') + "c");
  EXPECT_GE(s.max_str, long_max);

  s = StatsAs({std::string(65, 'q')}, ColumnType::kConst);
  EXPECT_EQ(s.max_str, std::string(63, 'q') + "r");
  // No 64-byte upper bound exists for 0xff...: the max is kept whole.
  const std::string ff(70, '\xff');
  s = StatsAs({ff, "a"}, ColumnType::kDict);
  EXPECT_EQ(s.max_str, ff);
}

// ------------------------------------------------------------------------------------------------------------------
// Randomized round trips.

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t U64() { return rng_(); }
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }

  std::string Value(int kind) {
    switch (kind) {
      case 0: return std::to_string(U64() >> Below(64));
      case 1: {
        int64_t v = static_cast<int64_t>(U64()) >> Below(64);
        if (Chance(2)) v = INT64_MIN;
        return std::to_string(v);
      }
      case 2: {
        if (Chance(40)) {  // a plain decimal, sometimes not canonical (leading or trailing zeros, "-0")
          std::string s = Chance(30) ? "-" : "";
          const size_t int_digits = 1 + Below(12), frac_digits = Below(21);
          for (size_t i = 0; i < int_digits; ++i) s += static_cast<char>('0' + Below(10));
          if (frac_digits > 0) s += '.';
          for (size_t i = 0; i < frac_digits; ++i) s += static_cast<char>('0' + Below(10));
          if (Chance(90)) {
            while (s.back() == '0' && s.find('.') != std::string::npos) s.pop_back();
            if (s.back() == '.') s.pop_back();
            const size_t lead = s[0] == '-';
            while (s.size() > lead + 1 && s[lead] == '0' && s[lead + 1] != '.') s.erase(lead, 1);
          }
          return s;
        }
        double d;
        if (Chance(50)) {
          d = static_cast<double>(static_cast<int64_t>(Below(2000000)) - 1000000) / 1000.0;
        } else {
          uint64_t bits = U64();
          std::memcpy(&d, &bits, 8);
          if (std::isnan(d)) d = 1.25;
        }
        char buf[32];
        return std::string(buf, std::to_chars(buf, buf + 32, d).ptr);
      }
      case 3:
        return std::to_string(Below(256)) + "." + std::to_string(Below(256)) + "." + std::to_string(Below(256)) +
               "." + std::to_string(Below(256));
      case 4: {
        static constexpr int kPrec[] = {0, 3, 6, 9};
        const int64_t ns = Chance(50) ? static_cast<int64_t>(U64())
                                      : static_cast<int64_t>(U64() % (uint64_t{1} << 50)) + 1767225600000000000LL;
        return Ts(ns, kPrec[precision_]);
      }
      case 5: {
        static const char* kWords[] = {"info", "warn", "error", "debug", "GET", "POST", "200", "404", "-", ""};
        return kWords[Below(10)];
      }
      case 6: {
        std::string s(Below(40), '\0');
        for (char& c : s) c = static_cast<char>(U64());
        return s;
      }
      default: {
        const std::vector<std::string>& edge = EdgeValues();
        return edge[Below(edge.size())];
      }
    }
  }

  std::vector<std::string> Column() {
    const size_t rows = Below(5) == 0 ? Below(4) : Below(400);
    precision_ = static_cast<int>(Below(4));
    const int main_kind = static_cast<int>(Below(8));
    const int noise = Chance(50) ? 0 : static_cast<int>(Below(10));  // % of rows of another kind
    const int empties = Chance(50) ? 0 : static_cast<int>(Below(50));
    const size_t cardinality = Chance(30) ? 1 + Below(300) : 0;  // repeat a small pool of values
    std::vector<std::string> pool;
    std::vector<std::string> values;
    for (size_t i = 0; i < rows; ++i) {
      if (Chance(empties)) {
        values.emplace_back();
        continue;
      }
      const int kind = Chance(noise) ? static_cast<int>(Below(8)) : main_kind;
      if (cardinality > 0 && pool.size() >= cardinality) {
        values.push_back(pool[Below(pool.size())]);
        continue;
      }
      values.push_back(Value(kind));
      if (cardinality > 0) pool.push_back(values.back());
    }
    return values;
  }

 private:
  std::mt19937_64 rng_;
  int precision_ = 0;
};

TEST(ColumnCodecTest, RandomizedRoundTrip) {
  int per_type[8] = {};
  for (uint64_t seed = 1; seed <= 600; ++seed) {
    Gen gen(seed);
    const std::vector<std::string> values = gen.Column();
    SCOPED_TRACE("seed " + std::to_string(seed));
    EncodedColumn enc = ExpectRoundTrip(values);
    ++per_type[static_cast<int>(enc.type)];
    if (HasFatalFailure()) return;
  }
  // The generator reaches every encoding.
  for (ColumnType t : kAllTypes) EXPECT_GT(per_type[static_cast<int>(t)], 0) << ColumnTypeName(t);
}

// ------------------------------------------------------------------------------------------------------------------
// Malformed input.

std::vector<std::pair<std::string, std::vector<std::string>>> MalformedSamples() {
  Gen gen(7);
  auto many = [&](int kind, int n, int empties) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back(gen.Chance(empties) ? "" : gen.Value(kind));
    return v;
  };
  return {
      {"const", {"abc", "abc", "abc"}},
      {"dict", {"x", "yy", "", "x", "zzz", "yy"}},
      {"uint", many(0, 40, 0)},
      {"uint empties", many(0, 40, 30)},
      {"uint delta", Seq(40, [](int i) { return std::to_string(1000000 + i * 3); })},
      {"uint dod", Seq(40, [](int i) { return std::to_string(1000000 + i * i); })},
      {"int", many(1, 40, 10)},
      {"float", many(2, 30, 10)},
      {"ipv4", many(3, 30, 10)},
      {"timestamp", Seq(30, [](int i) { return Ts(1767225600123000000LL + i * 1000000LL, 3); })},
      {"raw", many(6, 30, 10)},
      {"raw fixed", Seq(30, [](int i) { return "abcdef" + std::to_string(i % 10); })},
  };
}

TEST(ColumnCodecTest, TruncatedInputNeverCrashes) {
  for (const auto& [name, values] : MalformedSamples()) {
    SCOPED_TRACE(name);
    const StringColumn col = Col(values);
    std::vector<EncodedColumn> encs = {EncodeColumn(col)};
    for (ColumnType t : kAllTypes) {
      base::Result<EncodedColumn> forced = EncodeColumnAs(col, t);
      if (forced.ok()) encs.push_back(std::move(*forced));
    }
    for (const EncodedColumn& enc : encs) {
      for (size_t len = 0; len < enc.data.size(); ++len) {
        // A copy of exactly len bytes, so ASan catches a read past it.
        const std::string truncated = enc.data.substr(0, len);
        StringColumn out = Col({"keep"});
        base::Status st = DecodeColumn(enc.type, truncated, values.size(), &out);
        if (st.ok()) {
          EXPECT_EQ(out.size(), values.size() + 1) << ColumnTypeName(enc.type) << " len " << len;
        } else {
          EXPECT_EQ(st.code(), base::StatusCode::kDataLoss);
          EXPECT_EQ(Values(out), std::vector<std::string>{"keep"}) << "a failed decode appended";
        }
      }
      // Trailing garbage and a wrong row count are errors, except for const (which has no end marker).
      StringColumn out;
      if (enc.type != ColumnType::kConst) {
        EXPECT_FALSE(DecodeColumn(enc.type, enc.data + "x", values.size(), &out).ok()) << ColumnTypeName(enc.type);
      }
      EXPECT_FALSE(DecodeColumn(enc.type, enc.data, values.size() + 1, &out).ok()) << ColumnTypeName(enc.type);
      if (!values.empty()) {
        EXPECT_FALSE(DecodeColumn(enc.type, enc.data, values.size() - 1, &out).ok());
      }
      EXPECT_TRUE(out.empty());
      // Decoding with the wrong type never crashes.
      for (ColumnType other : kAllTypes) {
        StringColumn o;
        base::Status st = DecodeColumn(other, enc.data, values.size(), &o);
        if (st.ok()) {
          EXPECT_EQ(o.size(), values.size());
        }
      }
    }
  }
}

TEST(ColumnCodecTest, CorruptedInputNeverCrashes) {
  std::mt19937_64 rng(99);
  for (const auto& [name, values] : MalformedSamples()) {
    SCOPED_TRACE(name);
    const StringColumn col = Col(values);
    for (ColumnType t : kAllTypes) {
      base::Result<EncodedColumn> enc = EncodeColumnAs(col, t);
      if (!enc.ok() || enc->data.empty()) continue;
      for (int trial = 0; trial < 200; ++trial) {
        std::string data = enc->data;
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int f = 0; f < flips; ++f) data[rng() % data.size()] = static_cast<char>(rng());
        StringColumn out;
        base::Status st = DecodeColumn(t, data, values.size(), &out);
        if (st.ok()) {
          EXPECT_EQ(out.size(), values.size());
        } else {
          EXPECT_EQ(st.code(), base::StatusCode::kDataLoss);
          EXPECT_TRUE(out.empty());
        }
        if (t == ColumnType::kUint || t == ColumnType::kInt || t == ColumnType::kFloat) {
          std::vector<double> numbers;
          bool exact = false;
          base::Status num_st = DecodeColumnNumbers(t, data, values.size(), &numbers, &exact);
          EXPECT_EQ(num_st.ok(), st.ok());
          if (num_st.ok() && exact) {
            EXPECT_EQ(numbers.size(), values.size());
          } else {
            EXPECT_TRUE(numbers.empty());
          }
        }
        // Selective decoding validates the same way.
        StringColumn rows_out;
        std::vector<uint32_t> wanted;
        for (uint32_t i = 0; i < values.size(); i += 2) wanted.push_back(i);
        base::Status rows_st = DecodeColumnRows(t, data, values.size(), wanted, &rows_out);
        EXPECT_EQ(rows_st.ok(), st.ok());
        if (!rows_st.ok()) {
          EXPECT_TRUE(rows_out.empty());
        }
      }
    }
  }
}

TEST(ColumnCodecTest, HandCraftedMalformedInput) {
  struct Case {
    ColumnType type;
    std::string data;
    size_t rows;
    std::string why;  // a substring of the error message
  };
  using S = std::string;
  const std::vector<Case> cases = {
      {ColumnType::kConst, "", 0, "row count"},
      {ColumnType::kDict, S("\x02\x00", 2), 2, "dictionary size"},                    // no dictionary for 2 rows
      {ColumnType::kDict, S("\x01\x01\x01" "a" "\x01", 5), 1, "index out of range"},   // index 1 of 1 value
      {ColumnType::kDict, S("\x01\xff\x01", 3), 1, "dictionary lengths"},            // 255 values, no lengths
      {ColumnType::kDict, S("\x01\x80\x02", 3), 1, "dictionary size"},               // 256 values
      {ColumnType::kDict, S("\x01\x01\x05" "a" "\x00", 5), 1, "dictionary lengths"},  // length past the end
      {ColumnType::kDict, S("\x02\x01\x01" "a" "\x00", 5), 2, "index count"},         // one index for 2 rows
      {ColumnType::kRaw, S("\x02\x00\x05\x05" "abc", 7), 2, "lengths"},
      {ColumnType::kRaw, S("\x02\x00\x01\x01" "abc", 7), 2, "byte count"},            // 2 bytes of lengths, 3 of data
      {ColumnType::kRaw, S("\x02\x04" "abcdefg", 9), 2, "byte count"},               // fixed 3 bytes x 2 != 7
      {ColumnType::kRaw, S("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 13), 1, "lengths"},  // bad varint
      {ColumnType::kRaw, S("\x01", 1), 1, "length mode"},
      {ColumnType::kUint, S("\x01\x00\x00\x00\x09", 5), 1, "value stream"},         // width 9
      {ColumnType::kUint, S("\x01\x00\x03\x00\x01", 5), 1, "value stream"},         // mode 3
      {ColumnType::kUint, S("\x01\x00\x01\x00\x00\x01", 6), 1, "value stream"},     // delta mode needs 2 values
      {ColumnType::kUint, S("\x02\x00\x00\x00\x08" "1234567", 12), 2, "value stream"},  // 2 x 8 bytes wanted
      {ColumnType::kUint, S("\x01\x00\x00\x00\x00\x00", 6), 1, "value stream"},     // a trailing byte
      {ColumnType::kUint, S("\x02\x02\x01", 3), 2, "empty bitmap"},                  // 1 bit set, count says 2
      {ColumnType::kUint, S("\x02\x01\x04\x00\x00\x00", 6), 2, "empty bitmap"},     // a bit past the rows
      {ColumnType::kUint, S("\x10\x01", 2), 16, "empty bitmap"},                      // bitmap missing
      {ColumnType::kUint, S("\x02\x03", 2), 2, "empty count"},                        // more empties than rows
      {ColumnType::kIpv4, S("\x01\x00\x00\x80\x80\x80\x80\x10\x00", 9), 1, "out of range"},  // 2^32
      {ColumnType::kFloat, S("\x01\x00\x00\x00\x00\x00", 6), 1, "out of range"},    // mapped 0: a NaN
      {ColumnType::kFloat, S("\x01\x00\x02\x00\x00\x00", 6), 1, "form"},
      {ColumnType::kFloat, S("\x01\x00\x01\x13\x00\x00\x00", 7), 1, "scale"},     // scale 19
      {ColumnType::kFloat, S("\x01\x00\x01", 3), 1, "scale"},
      {ColumnType::kTimestamp, S("\x01\x00\x04\x00\x00\x00", 6), 1, "precision"},
      {ColumnType::kTimestamp, S("\x01\x00", 2), 1, "precision"},
      // 2^62 seconds.
      {ColumnType::kTimestamp, S("\x01\x00\x00\x00\x80\x80\x80\x80\x80\x80\x80\x80\xc0\x01\x00", 15), 1,
       "out of range"},
      {static_cast<ColumnType>(8), "", 0, "unknown column type"},
      {static_cast<ColumnType>(255), "\x01", 1, "unknown column type"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    StringColumn out;
    base::Status st = DecodeColumn(cases[i].type, cases[i].data, cases[i].rows, &out);
    EXPECT_EQ(st.code(), base::StatusCode::kDataLoss) << "case " << i << ": " << st.ToString();
    EXPECT_NE(st.message().find(cases[i].why), std::string::npos) << "case " << i << ": " << st.ToString();
    EXPECT_TRUE(out.empty()) << "case " << i;
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Timestamps codec.

void ExpectTimestampsRoundTrip(const std::vector<int64_t>& ts) {
  std::string data;
  EncodeTimestamps(ts, &data);
  std::vector<int64_t> out = {42};
  base::Status st = DecodeTimestamps(data, ts.size(), &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(out.size(), ts.size() + 1);
  EXPECT_EQ(out[0], 42);
  EXPECT_TRUE(std::equal(ts.begin(), ts.end(), out.begin() + 1));

  // Truncations fail and leave the output alone; so do wrong row counts and trailing bytes.
  const size_t step = data.size() / 300 + 1;
  for (size_t len = 0; len < data.size(); len += (len < 32 || data.size() - len < 32) ? 1 : step) {
    const std::string truncated = data.substr(0, len);
    std::vector<int64_t> o = {7};
    EXPECT_FALSE(DecodeTimestamps(truncated, ts.size(), &o).ok()) << len;
    EXPECT_EQ(o, std::vector<int64_t>{7});
  }
  std::vector<int64_t> o;
  EXPECT_FALSE(DecodeTimestamps(data + "\x01", ts.size(), &o).ok());
  EXPECT_FALSE(DecodeTimestamps(data, ts.size() + 1, &o).ok());
  if (!ts.empty()) {
    EXPECT_FALSE(DecodeTimestamps(data, ts.size() - 1, &o).ok());
  }
  EXPECT_TRUE(o.empty());
}

TEST(TimestampsCodecTest, RoundTrips) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  ExpectTimestampsRoundTrip({});
  ExpectTimestampsRoundTrip({0});
  ExpectTimestampsRoundTrip({kMin});
  ExpectTimestampsRoundTrip({kMax});
  ExpectTimestampsRoundTrip({kMin, kMax, kMin, kMax, 0, -1, 1});
  ExpectTimestampsRoundTrip({kMax, kMax, kMax});
  ExpectTimestampsRoundTrip({5, 5, 5, 5, 4, 4, 9, 1});  // duplicates and unsorted
  std::mt19937_64 rng(3);
  std::vector<int64_t> sorted, random;
  int64_t t = 1767225600LL * 1000000000;
  for (int i = 0; i < 2000; ++i) {
    t += 1000000 + static_cast<int64_t>(rng() % 50000);
    sorted.push_back(t);
    random.push_back(static_cast<int64_t>(rng()));
  }
  ExpectTimestampsRoundTrip(sorted);
  ExpectTimestampsRoundTrip(random);
}

TEST(TimestampsCodecTest, RegularSeriesIsSmall) {
  std::vector<int64_t> ts;
  for (int i = 0; i < 1000; ++i) ts.push_back(1767225600LL * 1000000000 + i * 1000000LL);
  std::string data;
  EncodeTimestamps(ts, &data);
  EXPECT_LT(data.size(), 1000u + 20);  // one byte per constant-step row after the first two
}

TEST(TimestampsCodecTest, HugeRowCountWithTinyData) {
  std::vector<int64_t> out;
  EXPECT_FALSE(DecodeTimestamps("\x01\x02", size_t{1} << 60, &out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace strata::storage
