#include <gtest/gtest.h>

#include "strata/query/pipeline/ip_matcher.h"
#include "strata/query/pipeline/pattern_matcher.h"
#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

struct FilterCase {
  const char* pipeline;
  const char* line;
  bool kept;
};

const FilterCase kLineFilterCases[] = {
    // Substrings, case-sensitive.
    {R"(|= "error")", "level=error msg=boom", true},
    {R"(|= "error")", "level=ERROR msg=boom", false},
    {R"(!= "error")", "level=error", false},
    {R"(!= "error")", "level=info", true},
    {R"(|= "")", "anything", true},
    {R"(|= "error" != "timeout")", "error: timeout", false},
    {R"(|= "error" != "timeout")", "error: refused", true},
    {R"(!= "kafka.server:type=ReplicaManager")", "kafka.server:type=ReplicaManager x", false},
    // `or` alternatives: positive = any, negative = none.
    {R"(|= "a" or "b")", "xxbxx", true},
    {R"(|= "a" or "b")", "xxcxx", false},
    {R"(!= "a" or "b")", "xxbxx", false},
    {R"(!= "a" or "b")", "xxaxx", false},
    {R"(!= "a" or "b")", "xxcxx", true},
    // Regexes: RE2, unanchored, (?i) for case-insensitivity.
    {R"(|~ "tsdb-ops.*io:2003")", "conn tsdb-ops-1.io:2003 ok", true},
    {R"(|~ `error=\w+`)", "x error=boom", true},
    {R"(|~ `error=\w+`)", "x error= boom", false},
    {R"(|~ "^GET")", "POST GET", false},
    {R"(|~ "(?i)error")", "ERROR happened", true},
    {R"(!~ "err(or)?")", "an err", false},
    {R"(!~ "err(or)?")", "all fine", true},
    {R"(|~ "a" or "^b")", "bcd", true},
    {R"(!~ "a" or "^b")", "cbd", true},
    // Pattern filters match the whole line.
    {R"(|> "<_> foo <_>")", "x foo y", true},
    {R"(|> "<_> foo <_>")", "foo y", false},
    {R"(|> "<_> foo <_>")", "x foo ", false},   // empty trailing capture
    {R"(|> "<_> foo")", "x foo", true},
    {R"(|> "<_> foo")", "x foo bar", false},
    {R"(|> "<_> foo")", "a foo b foo", true},  // the trailing literal is anchored at the end
    {R"(|> "GET <_>")", "GET /index", true},
    {R"(|> "GET <_>")", "POST GET /index", false},
    {R"(|> "<_> level=error <_>" or "<_> level=warn <_>")", "ts=1 level=warn msg=x", true},
    {R"(!> "<_> level=debug <_>")", "ts=1 level=debug msg=x", false},
    {R"(!> "<_> level=debug <_>")", "ts=1 level=info msg=x", true},
    // ip() line filters find any address inside the line.
    {R"(|= ip("192.168.4.5/16"))", "client 192.168.77.1 connected", true},
    {R"(|= ip("192.168.4.5/16"))", "client 192.169.0.1 connected", false},
    {R"(|= ip("192.168.4.5-192.168.4.20"))", "from=192.168.4.7:443", true},
    {R"(|= ip("192.168.4.5-192.168.4.20"))", "from=192.168.4.21", false},
    {R"(!= ip("192.168.4.5-192.168.4.20"))", "from=192.168.4.21", true},
    {R"(|= ip("3.180.71.3"))", "93.180.71.3 - - [17/May/2015]", false},  // the docs' motivating example
    {R"(|= ip("3.180.71.3"))", "3.180.71.3 - - [17/May/2015]", true},
    {R"(|= ip("::1"))", "listening on ::1 port 80", true},
    {R"(|= ip("2001:db8::/32"))", "peer 2001:db8:1::5 up", true},
    {R"(|= ip("2001:db8::/32"))", "peer 2001:db9::5 up", false},
    {R"(|= ip("10.0.0.0/8"))", "no address here", false},
    {R"(|= ip("10.0.0.0/8"))", "bad 10.0.0.256 and 010.0.0.1", false},
    {R"(|= ip("10.0.0.0/8") or "fallback")", "fallback", true},
};

TEST(LineFilter, Table) {
  for (const auto& c : kLineFilterCases) {
    auto o = testing::Run(c.pipeline, c.line);
    EXPECT_EQ(o.kept, c.kept) << c.pipeline << " on [" << c.line << "]";
    EXPECT_EQ(o.line, c.line) << "line filters never rewrite";
  }
}

TEST(IpMatcher, RangesAndFamilies) {
  auto m = IpMatcher::Compile("10.1.0.0/16");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->MatchesAddress("10.1.255.255"));
  EXPECT_FALSE(m->MatchesAddress("10.2.0.0"));
  EXPECT_FALSE(m->MatchesAddress("::ffff:10.1.0.1"));  // IPv4-mapped IPv6 is IPv6
  EXPECT_FALSE(m->MatchesAddress("10.1.0.1 "));
  auto all6 = IpMatcher::Compile("::/0");
  ASSERT_TRUE(all6.ok());
  EXPECT_TRUE(all6->MatchesAddress("fe80::1"));
  EXPECT_FALSE(all6->MatchesAddress("1.2.3.4"));
  EXPECT_FALSE(IpMatcher::Compile("1.2.3.4/33").ok());
  EXPECT_FALSE(IpMatcher::Compile("1.2.3.4-::1").ok());
  EXPECT_FALSE(IpMatcher::Compile("nope").ok());
}

TEST(PatternMatcher, RejectsAdjacentCapturesAndRequiresANamedOne) {
  EXPECT_FALSE(PatternMatcher::Compile("<a><b>", true).ok());
  EXPECT_FALSE(PatternMatcher::Compile("<_> foo <_>", true).ok());
  EXPECT_TRUE(PatternMatcher::Compile("<_> foo <_>", false).ok());
  auto m = PatternMatcher::Compile("<a> <b-c> <d>", true);  // `<b-c>` is not a capture: literal text
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->names(), (std::vector<std::string>{"a", "d"}));
}

}  // namespace
}  // namespace strata::query
