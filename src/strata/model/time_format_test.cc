#include "strata/model/time_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace strata::model {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMay1Noon = 1714564800;  // 2024-05-01T12:00:00Z
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct GoodCase {
  const char* text;
  int64_t ns;
};

TEST(ParseIso8601Test, AcceptsVariants) {
  const GoodCase cases[] = {
      {"2024-05-01T12:00:00Z", kMay1Noon * kSec},
      {"2024-05-01T12:00:00.123456789Z", kMay1Noon * kSec + 123456789},
      {"2024-05-01T12:00:00.5Z", kMay1Noon * kSec + 500000000},
      {"2024-05-01T12:00:00.000001Z", kMay1Noon * kSec + 1000},
      {"2024-05-01T12:00:00,25Z", kMay1Noon * kSec + 250000000},
      {"2024-05-01T14:00:00+02:00", kMay1Noon * kSec},
      {"2024-05-01T14:00:00+0200", kMay1Noon * kSec},
      {"2024-05-01T14:00:00+02", kMay1Noon * kSec},
      {"2024-05-01T07:30:00-04:30", kMay1Noon * kSec},
      {"2024-05-01T12:00:00-00:00", kMay1Noon * kSec},
      {"2024-05-01T14:00:00.123456789+02:00", kMay1Noon * kSec + 123456789},
      {"2024-05-01 12:00:00", kMay1Noon * kSec},
      {"2024-05-01T12:00:00", kMay1Noon * kSec},
      {"2024-05-01t12:00:00z", kMay1Noon * kSec},
      {"2024-05-01T12:00Z", kMay1Noon * kSec},
      {"2024-05-01T12:00", kMay1Noon * kSec},
      {"2024-05-01", 1714521600 * kSec},
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01", 0},
      {"1969-12-31T23:59:59.999999999Z", -1},
      {"1960-06-15T00:00:00Z", -301276800 * kSec},
      {"2024-02-29T00:00:00Z", 1709164800 * kSec},
      {"2000-02-29", 951782400 * kSec},
      {"2016-12-31T23:59:60Z", 1483228800 * kSec},  // leap second rolls over
      {"2024-05-01T00:30:00+01:00", (1714521600 - 1800) * kSec},  // previous UTC day
      {"1677-09-21T00:12:43.145224192Z", kMin},
      {"2262-04-11T23:47:16.854775807Z", kMax},
  };
  for (const auto& c : cases) {
    auto r = ParseIso8601(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.ns) << c.text;
  }
}

TEST(ParseIso8601Test, RejectsMalformedAndOutOfRange) {
  const char* cases[] = {
      "",
      "abc",
      "2024",
      "2024-5-1",
      "2024-05-1",
      "24-05-01",
      "2024/05/01",
      "2024-05-01T",
      "2024-05-01T12",
      "2024-05-01T12:0",
      "2024-05-01T12:00:0",
      "2024-05-01T12:00:00.",
      "2024-05-01T12:00:00.Z",
      "2024-05-01T12:00:00.1234567890Z",  // finer than 1 ns
      "2024-05-01T12:00.5Z",              // a fraction needs seconds
      "2024-05-01T12:00:00+2",
      "2024-05-01T12:00:00+02:",
      "2024-05-01T12:00:00+02:0",
      "2024-05-01T12:00:00+02:00:00",
      "2024-05-01T12:00:00ZZ",
      "2024-05-01T12:00:00Z ",
      " 2024-05-01T12:00:00Z",
      "2024-05-01X12:00:00",
      "2024-05-01Z",
      "2024-13-01",
      "2024-00-10",
      "2024-01-00",
      "2024-01-32",
      "2023-02-29",  // not a leap year
      "1900-02-29",  // divisible by 100, not by 400
      "2024-04-31",
      "2024-05-01T24:00:00Z",
      "2024-05-01T12:60:00Z",
      "2024-05-01T12:00:61Z",
      "2024-05-01T12:00:00+24:00",
      "2024-05-01T12:00:00+02:60",
      "9999-12-31T23:59:59Z",            // beyond int64 ns
      "1677-09-21T00:12:43.145224191Z",  // one ns before the minimum
      "2262-04-11T23:47:16.854775808Z",  // one ns after the maximum
      "0000-01-01",
  };
  for (const char* c : cases) {
    auto r = ParseIso8601(c);
    ASSERT_FALSE(r.ok()) << '"' << c << "\" parsed as " << *r;
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument) << c;
    EXPECT_EQ(r.status().message().rfind("not ISO-8601 or epoch", 0), 0u) << c << ": " << r.status().message();
  }
}

TEST(ParseIso8601Test, RangeErrorsSayWhat) {
  EXPECT_EQ(ParseIso8601("2024-13-01").status().message(), "not ISO-8601 or epoch: month out of range");
  EXPECT_EQ(ParseIso8601("2023-02-29").status().message(), "not ISO-8601 or epoch: day out of range");
  EXPECT_EQ(ParseIso8601("2024-01-01T25:00:00Z").status().message(), "not ISO-8601 or epoch: hour out of range");
  EXPECT_EQ(ParseIso8601("junk").status().message(), "not ISO-8601 or epoch");
}

TEST(EpochTest, IntegerUnitsByMagnitude) {
  const struct {
    int64_t value;
    int64_t ns;
  } cases[] = {
      {0, 0},
      {1, kSec},
      {kMay1Noon, kMay1Noon * kSec},                           // seconds
      {-kMay1Noon, -kMay1Noon * kSec},                         // before 1970, still seconds
      {1714564800123, kMay1Noon * kSec + 123000000},           // ms
      {-1714564800123, -(kMay1Noon * kSec + 123000000)},       // ms
      {1714564800123456, kMay1Noon * kSec + 123456000},        // us
      {1714564800123456789, kMay1Noon * kSec + 123456789},     // ns
      {9'223'372'036'854, 9'223'372'036'854'000'000},          // largest ms that fits
      {100'000'000'000'000, 100'000'000'000'000'000},          // smallest us
      {100'000'000'000'000'000, 100'000'000'000'000'000},      // smallest ns
      {9'223'372'036, 9'223'372'036 * kSec},                   // largest seconds that fit
      {kMax, kMax},
      {kMin, kMin},
  };
  for (const auto& c : cases) {
    auto r = EpochIntegerToNanos(c.value);
    ASSERT_TRUE(r.ok()) << c.value << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.ns) << c.value;
  }
  // Seconds between 2^63 ns and 1e11 s (year 2262..5138) do not fit.
  // Likewise ms between 2^63 ns and 1e14 ms.
  for (int64_t v : {int64_t{9'223'372'037}, int64_t{99'999'999'999}, int64_t{-99'999'999'999},
                    int64_t{9'223'372'036'855}, int64_t{99'999'999'999'999}}) {
    auto r = EpochIntegerToNanos(v);
    EXPECT_FALSE(r.ok()) << v;
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
  }
}

TEST(EpochTest, DoubleKeepsFractionsOfSecondsAndMillis) {
  const struct {
    double value;
    int64_t ns;
  } cases[] = {
      {0.0, 0},
      {1.5, 1'500'000'000},
      {-1.5, -1'500'000'000},
      {1714564800.5, kMay1Noon * kSec + 500'000'000},
      {1714564800.25, kMay1Noon * kSec + 250'000'000},
      {1714564800123.5, kMay1Noon * kSec + 123'500'000},
      {1714564800123456.0, kMay1Noon * kSec + 123'456'000},
      {1.7145648e9, kMay1Noon * kSec},
  };
  for (const auto& c : cases) {
    auto r = EpochToNanos(c.value);
    ASSERT_TRUE(r.ok()) << c.value << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.ns) << c.value;
  }
  for (double v : {std::nan(""), HUGE_VAL, -HUGE_VAL, 1e300, -1e300, 9.3e18, 5e10}) {
    EXPECT_FALSE(EpochToNanos(v).ok()) << v;
  }
}

TEST(ParseTimestampTest, EpochStringsAndIso) {
  const GoodCase cases[] = {
      {"1714564800", kMay1Noon * kSec},
      {"1714564800.123456789", kMay1Noon * kSec + 123456789},  // exact, no double rounding
      {"1714564800.1234567891", kMay1Noon * kSec + 123456789}, // sub-ns digits truncated
      {"1714564800123", kMay1Noon * kSec + 123000000},
      {"1714564800123.456", kMay1Noon * kSec + 123456000},
      {"1714564800123456", kMay1Noon * kSec + 123456000},
      {"1714564800123456.7", kMay1Noon * kSec + 123456700},
      {"1714564800123456789", kMay1Noon * kSec + 123456789},
      {"0", 0},
      {"-1", -kSec},
      {"-1.5", -1'500'000'000},
      {"0001714564800", kMay1Noon * kSec},
      {"2024-05-01T12:00:00Z", kMay1Noon * kSec},
      {"2024-05-01", 1714521600 * kSec},
  };
  for (const auto& c : cases) {
    auto r = ParseTimestamp(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.ns) << c.text;
  }
  for (const char* c : {"", "-", ".5", "1714564800.", "+1714564800", "1e9", "1714564800 ", "0x10", "12:00",
                        "99999999999999999999", "9999999999", "--1", "NaN"}) {
    auto r = ParseTimestamp(c);
    EXPECT_FALSE(r.ok()) << '"' << c << '"';
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument) << c;
  }
}

TEST(FormatRfc3339NanosTest, KnownInstants) {
  const struct {
    int64_t ns;
    const char* text;
  } cases[] = {
      {0, "1970-01-01T00:00:00.000000000Z"},
      {kMay1Noon * kSec + 123456789, "2024-05-01T12:00:00.123456789Z"},
      {kMay1Noon * kSec, "2024-05-01T12:00:00.000000000Z"},
      {-1, "1969-12-31T23:59:59.999999999Z"},
      {-kSec, "1969-12-31T23:59:59.000000000Z"},
      {1709164800 * kSec, "2024-02-29T00:00:00.000000000Z"},
      {kMin, "1677-09-21T00:12:43.145224192Z"},
      {kMax, "2262-04-11T23:47:16.854775807Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatRfc3339Nanos(c.ns), c.text) << c.ns;
}

// Printing and parsing are written independently (civil_from_days vs days_from_civil); agreeing on every day of
// the representable range, and on random instants, checks both.
TEST(FormatRfc3339NanosTest, RoundTripsEveryDayAndRandomInstants) {
  const int64_t first_day = kMin / (86400 * kSec) + 1;
  const int64_t last_day = kMax / (86400 * kSec) - 1;
  for (int64_t day = first_day; day <= last_day; ++day) {
    const int64_t ns = day * 86400 * kSec + 12345;
    auto r = ParseIso8601(FormatRfc3339Nanos(ns));
    ASSERT_TRUE(r.ok()) << FormatRfc3339Nanos(ns);
    ASSERT_EQ(*r, ns);
  }
  for (int64_t ns : {kMin, kMin + 1, kMax, kMax - 1, int64_t{-1}, int64_t{0}, int64_t{1}}) {
    auto r = ParseIso8601(FormatRfc3339Nanos(ns));
    ASSERT_TRUE(r.ok()) << FormatRfc3339Nanos(ns);
    ASSERT_EQ(*r, ns);
  }
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    const auto ns = static_cast<int64_t>(rng());
    auto r = ParseIso8601(FormatRfc3339Nanos(ns));
    ASSERT_TRUE(r.ok()) << FormatRfc3339Nanos(ns);
    ASSERT_EQ(*r, ns) << FormatRfc3339Nanos(ns);
  }
}

}  // namespace
}  // namespace strata::model
