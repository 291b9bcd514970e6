#include "strata/storage/stream_selector.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::storage {
namespace {

const char* kEmptyCompatible =
    "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible "
    "value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";

model::LabelSet Labels(std::initializer_list<std::pair<const char*, const char*>> kv) {
  model::LabelSet out;
  for (const auto& [k, v] : kv) out.push_back({k, v});
  model::CanonicalizeLabels(out);
  return out;
}

StreamSelector MustParse(std::string_view text, bool allow_line_filter = true) {
  auto s = ParseStreamSelector(text, allow_line_filter);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status().ToString();
  return s.ok() ? std::move(s).value() : StreamSelector{};
}

std::string ErrorOf(std::string_view text, bool allow_line_filter = true) {
  auto s = ParseStreamSelector(text, allow_line_filter);
  if (s.ok()) return "<ok>";
  EXPECT_EQ(s.status().code(), base::StatusCode::kInvalidArgument);
  return s.status().message();
}

TEST(StreamSelectorTest, ParsesMatchersOfEveryOperator) {
  auto s = MustParse(R"({service="api", env=~"prod|staging", host!="h1", level!~"DEBUG|TRACE"})");
  ASSERT_EQ(s.matchers.size(), 4u);
  EXPECT_EQ(s.matchers[0].name, "service");
  EXPECT_EQ(s.matchers[0].op, LabelMatcher::Op::kEq);
  EXPECT_EQ(s.matchers[0].value, "api");
  EXPECT_EQ(s.matchers[1].op, LabelMatcher::Op::kRegex);
  EXPECT_EQ(s.matchers[2].op, LabelMatcher::Op::kNeq);
  EXPECT_EQ(s.matchers[3].op, LabelMatcher::Op::kNotRegex);
  EXPECT_FALSE(s.line_filter.has_value());
  EXPECT_EQ(s.text, R"({service="api", env=~"prod|staging", host!="h1", level!~"DEBUG|TRACE"})");

  EXPECT_TRUE(s.MatchesStream(Labels({{"service", "api"}, {"env", "prod"}, {"host", "h2"}, {"level", "INFO"}})));
  EXPECT_FALSE(s.MatchesStream(Labels({{"service", "api"}, {"env", "dev"}, {"host", "h2"}})));
  EXPECT_FALSE(s.MatchesStream(Labels({{"service", "api"}, {"env", "prod"}, {"host", "h1"}})));
  EXPECT_FALSE(s.MatchesStream(Labels({{"service", "api"}, {"env", "prod"}, {"level", "DEBUG"}})));
  EXPECT_FALSE(s.MatchesStream(Labels({{"service", "web"}, {"env", "prod"}})));
}

TEST(StreamSelectorTest, LabelRegexesAreFullyAnchored) {
  auto s = MustParse(R"({env=~"prod"})");
  EXPECT_TRUE(s.MatchesStream(Labels({{"env", "prod"}})));
  EXPECT_FALSE(s.MatchesStream(Labels({{"env", "preprod"}})));
  EXPECT_FALSE(s.MatchesStream(Labels({{"env", "production"}})));
  auto alt = MustParse(R"({env=~"a|b"})");
  EXPECT_TRUE(alt.MatchesStream(Labels({{"env", "b"}})));
  EXPECT_FALSE(alt.MatchesStream(Labels({{"env", "ab"}})));
}

TEST(StreamSelectorTest, AbsentLabelsCompareAsEmpty) {
  auto s = MustParse(R"({service="api", env!="prod"})");
  EXPECT_TRUE(s.MatchesStream(Labels({{"service", "api"}})));
  auto t = MustParse(R"({service="api", env=""})");
  EXPECT_TRUE(t.MatchesStream(Labels({{"service", "api"}})));
  EXPECT_FALSE(t.MatchesStream(Labels({{"service", "api"}, {"env", "x"}})));
}

TEST(StreamSelectorTest, LineFilters) {
  auto contains = MustParse(R"({service="api"} |= "password")");
  ASSERT_TRUE(contains.line_filter.has_value());
  EXPECT_EQ(contains.line_filter->kind, Predicate::Kind::kSubstring);
  EXPECT_EQ(contains.line_filter->field, kMessageField);
  EXPECT_TRUE(contains.line_filter->Matches("user password=x"));
  EXPECT_FALSE(contains.line_filter->Matches("user PASSWORD=x"));

  auto not_contains = MustParse(R"({service="api"} != "ok")");
  EXPECT_EQ(not_contains.line_filter->kind, Predicate::Kind::kNotSubstring);
  EXPECT_FALSE(not_contains.line_filter->Matches("all ok"));
  EXPECT_TRUE(not_contains.line_filter->Matches("failed"));

  auto regex = MustParse(R"({service="api"} |~ "user=[0-9]+")");
  EXPECT_EQ(regex.line_filter->kind, Predicate::Kind::kRegex);
  EXPECT_TRUE(regex.line_filter->Matches("login user=42 ok"));  // unanchored, as Loki's |~
  EXPECT_FALSE(regex.line_filter->Matches("login user=x"));

  auto not_regex = MustParse("{service=\"api\"} !~ `(?i)secret`");
  EXPECT_EQ(not_regex.line_filter->kind, Predicate::Kind::kNotRegex);
  EXPECT_FALSE(not_regex.line_filter->Matches("a SeCrEt"));
  EXPECT_TRUE(not_regex.line_filter->Matches("public"));
}

TEST(StreamSelectorTest, StringEscapesAndRawStrings) {
  auto s = MustParse(R"({a="q\"uo\\te\n\t\x41\u00e9\101"})");
  EXPECT_EQ(s.matchers[0].value, "q\"uo\\te\n\tA\xC3\xA9" "A");
  auto raw = MustParse(R"({a=`C:\path\n`})");
  EXPECT_EQ(raw.matchers[0].value, R"(C:\path\n)");
  auto re = MustParse(R"({a=~"\\d+"})");
  EXPECT_TRUE(re.MatchesStream(Labels({{"a", "123"}})));
  auto re_raw = MustParse(R"({a=~`\d+`})");
  EXPECT_TRUE(re_raw.MatchesStream(Labels({{"a", "123"}})));
  auto utf8 = MustParse("{a=\"h\xC3\xA9llo\"} |= \"caf\xC3\xA9\"");
  EXPECT_EQ(utf8.matchers[0].value, "h\xC3\xA9llo");
}

TEST(StreamSelectorTest, WhitespaceNewlinesAndComments) {
  auto s = MustParse("  {\n  service = \"api\" ,\n  env=\"prod\"  # the env\n}\n |= \"x\"  # trailing\n");
  EXPECT_EQ(s.matchers.size(), 2u);
  EXPECT_TRUE(s.line_filter.has_value());
}

TEST(StreamSelectorTest, SyntaxErrorsCarryLokiPositions) {
  EXPECT_EQ(ErrorOf(R"({ foo = })"), "parse error at line 1, col 9: syntax error: unexpected }, expecting STRING");
  EXPECT_EQ(ErrorOf(R"({foo="bar")"), "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,");
  EXPECT_EQ(ErrorOf(R"(foo="bar")"), "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER, expecting {");
  EXPECT_EQ(ErrorOf(""), "parse error at line 1, col 1: syntax error: unexpected $end, expecting {");
  EXPECT_EQ(ErrorOf(R"({foo=1})"), "parse error at line 1, col 6: syntax error: unexpected NUMBER, expecting STRING");
  EXPECT_EQ(ErrorOf(R"({foo "bar"})"),
            "parse error at line 1, col 6: syntax error: unexpected STRING, expecting =, !=, =~ or !~");
  EXPECT_EQ(ErrorOf(R"({foo="bar",})"),
            "parse error at line 1, col 12: syntax error: unexpected }, expecting IDENTIFIER");
  EXPECT_EQ(ErrorOf("{foo=\"bar\"}\n  & x"),
            "parse error at line 2, col 3: syntax error: unexpected &, expecting $end, |=, !=, |~ or !~");
  EXPECT_EQ(ErrorOf(R"({foo="bar"} |= )"),
            "parse error at line 1, col 16: syntax error: unexpected $end, expecting STRING");
  EXPECT_EQ(ErrorOf(R"({foo="bar"} |= "x" extra)"),
            "parse error at line 1, col 20: syntax error: unexpected IDENTIFIER, expecting $end");
}

TEST(StreamSelectorTest, StringErrors) {
  EXPECT_EQ(ErrorOf(R"({foo="bar})"), "parse error at line 1, col 6: unterminated string literal");
  EXPECT_EQ(ErrorOf("{foo=`bar}"), "parse error at line 1, col 6: unterminated string literal");
  EXPECT_EQ(ErrorOf("{foo=\"a\nb\"}"), "parse error at line 1, col 6: unterminated string literal");
  EXPECT_EQ(ErrorOf(R"({foo="a\qb"})"), "parse error at line 1, col 8: invalid escape sequence \\q in string literal");
  EXPECT_EQ(ErrorOf(R"({foo="\ud800"})"),
            "parse error at line 1, col 7: invalid escape sequence \\u in string literal");
  EXPECT_EQ(ErrorOf("{foo=\"\xff\"}"), "parse error : invalid UTF-8 in query");
}

TEST(StreamSelectorTest, EmptyCompatibleSelectorsAreRejectedAsLokiDoes) {
  EXPECT_EQ(ErrorOf("{}"), kEmptyCompatible);
  EXPECT_EQ(ErrorOf(R"({a=""})"), kEmptyCompatible);
  EXPECT_EQ(ErrorOf(R"({a=~".*"})"), kEmptyCompatible);
  EXPECT_EQ(ErrorOf(R"({a!="x"})"), kEmptyCompatible);
  EXPECT_EQ(ErrorOf(R"({a!~"x", b=""} |= "y")"), kEmptyCompatible);
  // One selective matcher is enough, whatever the others are.
  EXPECT_TRUE(ParseStreamSelector(R"({a=~".+"})").ok());
  EXPECT_TRUE(ParseStreamSelector(R"({a!=""})").ok());
  EXPECT_TRUE(ParseStreamSelector(R"({a="", b="x"})").ok());
  EXPECT_TRUE(ParseStreamSelector(R"({a!~".*"})").ok());
}

TEST(StreamSelectorTest, BadRegexes) {
  std::string e = ErrorOf(R"({a=~"(unclosed"})");
  EXPECT_EQ(e.rfind("parse error at line 1, col 5: invalid regex \"(unclosed\"", 0), 0u) << e;
  e = ErrorOf(R"({a="x"} |~ "[z-a]")");
  EXPECT_EQ(e.rfind("parse error at line 1, col 12: invalid regex", 0), 0u) << e;
}

TEST(StreamSelectorTest, PipelinesAndSecondFiltersAreRejected) {
  EXPECT_EQ(ErrorOf(R"({a="x"} | json)"),
            "parse error at line 1, col 9: unsupported pipeline stage |: only a stream selector and one line filter "
            "(|=, !=, |~, !~) are allowed here");
  EXPECT_EQ(ErrorOf(R"({a="x"} |= "a" |= "b")"),
            "parse error at line 1, col 16: at most one line filter is supported here");
  EXPECT_EQ(ErrorOf(R"({a="x"} |> "<_> a")"),
            "parse error at line 1, col 9: unsupported pipeline stage |>: only a stream selector and one line filter "
            "(|=, !=, |~, !~) are allowed here");
}

TEST(StreamSelectorTest, LineFilterCanBeForbidden) {
  EXPECT_TRUE(ParseStreamSelector(R"({a="x"})", false).ok());
  EXPECT_EQ(ErrorOf(R"({a="x"} |= "y")", false),
            "parse error at line 1, col 9: line filters are not allowed here: the selector must select whole streams");
  EXPECT_EQ(ErrorOf(R"({a="x"} y)", false),
            "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER, expecting $end");
}

TEST(StreamSelectorTest, InputSizeLimit) {
  std::string big = "{a=\"" + std::string(128 * 1024, 'x') + "\"}";
  EXPECT_EQ(ErrorOf(big).rfind("parse error : input size too long (", 0), 0u);
}

TEST(StreamSelectorTest, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(ErrorOf("{\xC3\xA9=\"x\"}"),
            "parse error at line 1, col 2: syntax error: unexpected \xC3\xA9, expecting IDENTIFIER");
  EXPECT_EQ(ErrorOf("{a=\"\xC3\xA9\" b"),
            "parse error at line 1, col 8: syntax error: unexpected IDENTIFIER, expecting } or ,");
}

}  // namespace
}  // namespace strata::storage
