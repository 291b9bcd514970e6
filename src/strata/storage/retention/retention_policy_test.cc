#include "strata/storage/retention/retention_policy.h"

#include <gtest/gtest.h>

namespace strata::storage {
namespace {

constexpr int64_t kDay = RetentionPolicy::kDay;
constexpr int64_t kHour = 3600LL * 1000000000LL;
constexpr int64_t kSecond = 1000000000LL;

StreamRetentionRule Rule(const std::string& selector, int64_t period, const std::string& tenant = "") {
  auto parsed = ParseStreamSelector(selector, /*allow_line_filter=*/false);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return {parsed.ok() ? *parsed : StreamSelector{}, period, tenant};
}

TEST(RetentionPolicyTest, DefaultsToSevenDays) {
  RetentionPolicy p;
  EXPECT_EQ(p.TenantPeriod("anyone"), 7 * kDay);
  EXPECT_EQ(p.StreamPeriod("anyone", {{"level", "DEBUG"}}), 7 * kDay);
  EXPECT_FALSE(p.HasStreamRules("anyone"));
}

TEST(RetentionPolicyTest, TenantPeriodsOverrideTheDefault) {
  RetentionPolicy p(30 * kDay, {{"acme", 90 * kDay}, {"globex", 2 * kDay}}, {});
  EXPECT_EQ(p.TenantPeriod("acme"), 90 * kDay);
  EXPECT_EQ(p.TenantPeriod("globex"), 2 * kDay);
  EXPECT_EQ(p.TenantPeriod("initech"), 30 * kDay);
  EXPECT_EQ(p.StreamPeriod("acme", {{"service", "api"}}), 90 * kDay);
}

TEST(RetentionPolicyTest, ShortestMatchingRuleWins) {
  RetentionPolicy p(7 * kDay, {{"acme", 30 * kDay}},
                    {Rule(R"({level="DEBUG"})", 1 * kDay), Rule(R"({level=~"DEBUG|TRACE", service="api"})", 6 * kHour),
                     Rule(R"({service="db"})", 60 * kDay),  // longer than the tenant period: never lengthens it
                     Rule(R"({service="web"})", 2 * kDay, "acme")});
  EXPECT_EQ(p.StreamPeriod("acme", {{"level", "DEBUG"}, {"service", "db"}}), 1 * kDay);
  EXPECT_EQ(p.StreamPeriod("acme", {{"level", "DEBUG"}, {"service", "api"}}), 6 * kHour);
  EXPECT_EQ(p.StreamPeriod("acme", {{"level", "TRACE"}, {"service", "api"}}), 6 * kHour);
  EXPECT_EQ(p.StreamPeriod("acme", {{"level", "INFO"}, {"service", "api"}}), 30 * kDay);
  EXPECT_EQ(p.StreamPeriod("acme", {{"level", "INFO"}, {"service", "db"}}), 30 * kDay);
  EXPECT_EQ(p.StreamPeriod("other", {{"level", "INFO"}, {"service", "db"}}), 7 * kDay);
  // A tenant-scoped rule applies to that tenant only.
  EXPECT_EQ(p.StreamPeriod("acme", {{"service", "web"}}), 2 * kDay);
  EXPECT_EQ(p.StreamPeriod("other", {{"service", "web"}}), 7 * kDay);
  EXPECT_TRUE(p.HasStreamRules("acme"));
  EXPECT_TRUE(p.HasStreamRules("other"));
}

TEST(RetentionPolicyTest, TenantScopedRulesOnly) {
  RetentionPolicy p(7 * kDay, {}, {Rule(R"({level="DEBUG"})", 1 * kDay, "acme")});
  EXPECT_TRUE(p.HasStreamRules("acme"));
  EXPECT_FALSE(p.HasStreamRules("globex"));
  EXPECT_EQ(p.StreamPeriod("globex", {{"level", "DEBUG"}}), 7 * kDay);
  EXPECT_EQ(p.StreamPeriod("acme", {{"level", "DEBUG"}}), 1 * kDay);
}

TEST(RetentionPolicyTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("7d").value(), 7 * kDay);
  EXPECT_EQ(ParseDuration("24h").value(), kDay);
  EXPECT_EQ(ParseDuration("90m").value(), 90 * 60 * kSecond);
  EXPECT_EQ(ParseDuration("45s").value(), 45 * kSecond);
  EXPECT_EQ(ParseDuration("2w").value(), 14 * kDay);
  EXPECT_EQ(ParseDuration("1d12h").value(), kDay + 12 * kHour);
  EXPECT_EQ(ParseDuration("1w2d3h4m5s").value(), 9 * kDay + 3 * kHour + 4 * 60 * kSecond + 5 * kSecond);
  EXPECT_EQ(ParseDuration(" 365d ").value(), 365 * kDay);
  EXPECT_EQ(ParseDuration("0s").value(), 0);
  EXPECT_EQ(ParseDuration("007d").value(), 7 * kDay);
}

TEST(RetentionPolicyTest, RejectsBadDurationsQuotingTheText) {
  for (const char* bad : {"", "   ", "7", "d", "7x", "7D", "1.5d", "-1d", "12h1d", "1d1d", "1d 12h", "7dd", "1ms",
                          "99999999999999999999d", "200000w"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("\"" + std::string(bad) + "\""), std::string::npos) << r.status().message();
  }
}

TEST(RetentionPolicyTest, FormatsDurationsBackToText) {
  EXPECT_EQ(FormatDuration(7 * kDay), "7d");
  EXPECT_EQ(FormatDuration(kDay + 12 * kHour), "1d12h");
  EXPECT_EQ(FormatDuration(90 * 60 * kSecond), "1h30m");
  EXPECT_EQ(FormatDuration(61 * kSecond), "1m1s");
  EXPECT_EQ(FormatDuration(0), "0s");
  for (const char* text : {"7d", "365d", "1d12h", "6h", "1h30m", "2d3h4m5s"}) {
    EXPECT_EQ(FormatDuration(ParseDuration(text).value()), text);
  }
}

}  // namespace
}  // namespace strata::storage
