#include "strata/query/pipeline/value_parse.h"

#include <gtest/gtest.h>

#include <cmath>

namespace strata::query::values {
namespace {

TEST(ParseGoDuration, GoSemantics) {
  struct Case {
    const char* in;
    bool ok;
    int64_t ns;
  };
  const Case cases[] = {
      {"300ms", true, 300'000'000},
      {"1.5h", true, 5'400'000'000'000},
      {"-1.5h", true, -5'400'000'000'000},
      {"+2s", true, 2'000'000'000},
      {"2h45m", true, 9'900'000'000'000},
      {"1h30m", true, 5'400'000'000'000},
      {"0", true, 0},
      {"0.10ms", true, 100'000},
      {".5s", true, 500'000'000},
      {"1.s", true, 1'000'000'000},
      {"10us", true, 10'000},
      {"10\xC2\xB5s", true, 10'000},  // µs (micro sign)
      {"10\xCE\xBCs", true, 10'000},  // μs (Greek mu)
      {"1ns", true, 1},
      {"2562047h", true, 2562047ll * 3600 * 1'000'000'000},
      {"", false, 0},
      {"1", false, 0},       // missing unit
      {"1d", false, 0},      // days are a LogQL literal unit, not a Go one
      {"s", false, 0},
      {"1e3s", false, 0},
      {"1.5.5s", false, 0},
      {"3000000h", false, 0},  // overflows int64 ns
      {" 1s", false, 0},
  };
  for (const auto& c : cases) {
    int64_t ns = -42;
    EXPECT_EQ(ParseGoDuration(c.in, &ns), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(ns, c.ns) << c.in;
    }
  }
}

TEST(ParseHumanBytes, HumanizeSemantics) {
  struct Case {
    const char* in;
    bool ok;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"42MB", true, 42'000'000},   {"1.5KiB", true, 1536},      {"20B", true, 20},
      {"10 KB", true, 10'000},      {"10kb", true, 10'000},      {"1,000", true, 1000},
      {"5kib", true, 5120},         {"1ki", true, 1024},         {"2k", true, 2000},
      {"1GiB", true, 1ull << 30},   {"3TB", true, 3'000'000'000'000}, {"7", true, 7},
      {"1EiB", true, 1ull << 60},   {"", false, 0},              {"abc", false, 0},
      {"1XB", false, 0},            {"-1", false, 0},            {"20EB", false, 0},  // >= 2^64
      {"1 kilobyte", false, 0},
  };
  for (const auto& c : cases) {
    uint64_t b = 0;
    EXPECT_EQ(ParseHumanBytes(c.in, &b), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(b, c.bytes) << c.in;
    }
  }
}

TEST(ParseGoFloat, GoSemantics) {
  double d;
  EXPECT_TRUE(ParseGoFloat("1.5", &d));
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(ParseGoFloat("-2", &d));
  EXPECT_EQ(d, -2);
  EXPECT_TRUE(ParseGoFloat("+3", &d));
  EXPECT_EQ(d, 3);
  EXPECT_TRUE(ParseGoFloat("1e3", &d));
  EXPECT_EQ(d, 1000);
  EXPECT_TRUE(ParseGoFloat(".5", &d));
  EXPECT_EQ(d, 0.5);
  EXPECT_TRUE(ParseGoFloat("Inf", &d));
  EXPECT_TRUE(std::isinf(d));
  EXPECT_TRUE(ParseGoFloat("-infinity", &d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_TRUE(ParseGoFloat("NaN", &d));
  EXPECT_TRUE(std::isnan(d));
  EXPECT_TRUE(ParseGoFloat("0x1p-2", &d));
  EXPECT_EQ(d, 0.25);
  for (const char* bad : {"", "1_000", "1.2.3", " 1", "1 ", "abc", "0x10", "1e", "--1", "1e999"}) {
    EXPECT_FALSE(ParseGoFloat(bad, &d)) << bad;
  }
}

TEST(SanitizeKey, LokiRules) {
  auto s = [](std::string_view k, bool start) {
    std::string out;
    AppendSanitizedKey(k, start, out);
    return out;
  };
  EXPECT_EQ(s("a.b-c", true), "a_b_c");
  EXPECT_EQ(s("User-Agent", true), "User_Agent");
  EXPECT_EQ(s("1abc", true), "_1abc");
  EXPECT_EQ(s("1abc", false), "1abc");
  EXPECT_EQ(s("a:b", true), "a_b");  // colons too
  EXPECT_EQ(s("caf\xC3\xA9", true), "caf_");  // one `_` per code point
  EXPECT_TRUE(IsSanitizedKey("abc_1"));
  EXPECT_FALSE(IsSanitizedKey("1abc"));
  EXPECT_FALSE(IsSanitizedKey("a.b"));
}

}  // namespace
}  // namespace strata::query::values
