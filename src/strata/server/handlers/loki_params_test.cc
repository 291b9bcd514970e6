#include "strata/server/handlers/loki_params.h"

#include <gtest/gtest.h>

namespace strata::server::loki {
namespace {

constexpr int64_t kS = 1000000000;
constexpr int64_t kNow = 1700000000 * kS;

std::string Err(const base::Status& st) { return st.message(); }

template <typename T>
T V(base::Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return T{};
  return std::move(r).value();
}

TEST(LokiTimestamp, EmptyIsTheDefault) { EXPECT_EQ(V(ParseTimestamp("", 42)), 42); }

TEST(LokiTimestamp, TenCharactersOrFewerAreSeconds) {
  EXPECT_EQ(V(ParseTimestamp("1700000000", 0)), 1700000000 * kS);
  EXPECT_EQ(V(ParseTimestamp("5", 0)), 5 * kS);
  EXPECT_EQ(V(ParseTimestamp("-5", 0)), -5 * kS);
}

TEST(LokiTimestamp, LongerIntegersAreNanosecondsEvenAMillisecondEpoch) {
  EXPECT_EQ(V(ParseTimestamp("1700000000000000000", 0)), 1700000000000000000);
  // A 13-digit ms epoch is read as ns: Loki's gotcha, kept on purpose.
  EXPECT_EQ(V(ParseTimestamp("1700000000000", 0)), 1700000000000);
}

TEST(LokiTimestamp, FloatsAreSecondsRoundedToMilliseconds) {
  EXPECT_EQ(V(ParseTimestamp("1568404331.324", 0)), 1568404331324000000);
  EXPECT_EQ(V(ParseTimestamp("1.0004", 0)), 1 * kS);
  EXPECT_EQ(V(ParseTimestamp("1.0006", 0)), 1 * kS + 1000000);
  EXPECT_EQ(V(ParseTimestamp("-1.5", 0)), -1500000000);
  EXPECT_EQ(V(ParseTimestamp("1.5e3", 0)), 1500 * kS);
}

TEST(LokiTimestamp, Rfc3339Nano) {
  EXPECT_EQ(V(ParseTimestamp("2023-11-14T22:13:20Z", 0)), 1700000000 * kS);
  EXPECT_EQ(V(ParseTimestamp("2023-11-14T22:13:20.5Z", 0)), 1700000000 * kS + 500000000);
  EXPECT_EQ(V(ParseTimestamp("2023-11-15T00:13:20.000000001+02:00", 0)), 1700000000 * kS + 1);
}

TEST(LokiTimestamp, ErrorsAreGoParseIntErrors) {
  EXPECT_EQ(Err(ParseTimestamp("abc", 0).status()), "strconv.ParseInt: parsing \"abc\": invalid syntax");
  EXPECT_EQ(Err(ParseTimestamp("2023-11-14", 0).status()), "strconv.ParseInt: parsing \"2023-11-14\": invalid syntax");
  EXPECT_EQ(Err(ParseTimestamp("99999999999999999999", 0).status()),
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(Err(ParseTimestamp("1.2.3", 0).status()), "strconv.ParseInt: parsing \"1.2.3\": invalid syntax");
}

TEST(GoQuote, EscapesLikeStrconvQuote) {
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("x\n\x01"), "\"x\\n\\x01\"");
  EXPECT_EQ(GoQuote("é"), "\"é\"");
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");
}

TEST(PromDuration, Units) {
  EXPECT_EQ(V(ParsePromDuration("0")), 0);
  EXPECT_EQ(V(ParsePromDuration("1h30m")), 5400 * kS);
  EXPECT_EQ(V(ParsePromDuration("100ms")), 100000000);
  EXPECT_EQ(V(ParsePromDuration("2d")), 2 * 86400 * kS);
  EXPECT_EQ(V(ParsePromDuration("1w")), 7 * 86400 * kS);
  EXPECT_EQ(V(ParsePromDuration("1y")), 365 * 86400 * kS);
}

TEST(PromDuration, Errors) {
  EXPECT_EQ(Err(ParsePromDuration("").status()), "empty duration string");
  EXPECT_EQ(Err(ParsePromDuration("HI!").status()), "not a valid duration string: \"HI!\"");
  EXPECT_EQ(Err(ParsePromDuration("-1").status()), "not a valid duration string: \"-1\"");
  EXPECT_EQ(Err(ParsePromDuration("5").status()), "not a valid duration string: \"5\"");
  EXPECT_EQ(Err(ParsePromDuration("1m1h").status()), "not a valid duration string: \"1m1h\"");
  EXPECT_EQ(Err(ParsePromDuration("1x").status()), "unknown unit \"x\" in duration \"1x\"");
  EXPECT_EQ(Err(ParsePromDuration("1.5h").status()), "unknown unit \".\" in duration \"1.5h\"");
  EXPECT_EQ(Err(ParsePromDuration("300y").status()), "duration out of range");
}

TEST(SecondsOrDuration, FloatSecondsThenDuration) {
  EXPECT_EQ(V(ParseSecondsOrDuration("60")), 60 * kS);
  EXPECT_EQ(V(ParseSecondsOrDuration("0.5")), kS / 2);
  EXPECT_EQ(V(ParseSecondsOrDuration("1m")), 60 * kS);
  EXPECT_EQ(V(ParseSecondsOrDuration("-5")), -5 * kS);
  EXPECT_EQ(Err(ParseSecondsOrDuration("x").status()), "cannot parse \"x\" to a valid duration");
  EXPECT_EQ(Err(ParseSecondsOrDuration("1e300").status()),
            "cannot parse \"1e300\" to a valid duration. It overflows int64");
}

TEST(Bounds, Defaults) {
  auto b = V(DetermineBounds(kNow, "", "", ""));
  EXPECT_EQ(b.end_ns, kNow);
  EXPECT_EQ(b.start_ns, kNow - 3600 * kS);
  b = V(DetermineBounds(kNow, "", "", "1d"));
  EXPECT_EQ(b.start_ns, kNow - 86400 * kS);
  // start defaults relative to end when end is in the past, to now when it is in the future.
  b = V(DetermineBounds(kNow, "", "1600000000", ""));
  EXPECT_EQ(b.start_ns, 1600000000 * kS - 3600 * kS);
  b = V(DetermineBounds(kNow, "", std::to_string(kNow + 7200 * kS), ""));
  EXPECT_EQ(b.start_ns, kNow - 3600 * kS);
  EXPECT_EQ(b.end_ns, kNow + 7200 * kS);
  // An explicit start wins over since.
  b = V(DetermineBounds(kNow, "1600000000", "", "5m"));
  EXPECT_EQ(b.start_ns, 1600000000 * kS);
}

TEST(Bounds, ErrorsNameTheParameter) {
  EXPECT_EQ(Err(DetermineBounds(kNow, "", "", "HI!").status()),
            "could not parse 'since' parameter: not a valid duration string: \"HI!\"");
  EXPECT_EQ(Err(DetermineBounds(kNow, "", "x", "").status()),
            "could not parse 'end' parameter: strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(Err(DetermineBounds(kNow, "y", "", "").status()),
            "could not parse 'start' parameter: strconv.ParseInt: parsing \"y\": invalid syntax");
}

TEST(DefaultStep, QuarterThousandthOfTheRangeAtLeastOneSecond) {
  EXPECT_EQ(DefaultStepNs(0, 3600 * kS), 14 * kS);
  EXPECT_EQ(DefaultStepNs(0, 10 * kS), kS);
  EXPECT_EQ(DefaultStepNs(0, 0), kS);
}

LokiParams P(std::vector<std::pair<std::string, std::string>> v) { return LokiParams(std::move(v)); }

TEST(RangeQuery, Defaults) {
  auto r = V(ParseRangeQuery(P({{"query", "{a=\"b\"}"}}), kNow));
  EXPECT_EQ(r.query, "{a=\"b\"}");
  EXPECT_EQ(r.end_ns, kNow);
  EXPECT_EQ(r.start_ns, kNow - 3600 * kS);
  EXPECT_EQ(r.limit, 100u);
  EXPECT_EQ(r.direction, storage::Direction::kBackward);
  EXPECT_EQ(r.step_ns, 14 * kS);
  EXPECT_EQ(r.interval_ns, 0);
}

TEST(RangeQuery, ParsesEveryParameter) {
  auto r = V(ParseRangeQuery(P({{"start", "1600000000"}, {"end", "1600003600"}, {"limit", "5"},
                               {"direction", "FORWARD"}, {"step", "60000ms"}, {"interval", "0.5"}}),
                            kNow));
  EXPECT_EQ(r.start_ns, 1600000000 * kS);
  EXPECT_EQ(r.end_ns, 1600003600 * kS);
  EXPECT_EQ(r.limit, 5u);
  EXPECT_EQ(r.direction, storage::Direction::kForward);
  EXPECT_EQ(r.step_ns, 60 * kS);
  EXPECT_EQ(r.interval_ns, kS / 2);
}

TEST(RangeQuery, EqualStartAndEndIsAccepted) {
  EXPECT_TRUE(ParseRangeQuery(P({{"start", "10"}, {"end", "10"}}), kNow).ok());
}

TEST(RangeQuery, ErrorTexts) {
  auto err = [](std::vector<std::pair<std::string, std::string>> v) {
    return Err(ParseRangeQuery(LokiParams(std::move(v)), kNow).status());
  };
  EXPECT_EQ(err({{"start", "20"}, {"end", "10"}}), "end timestamp must not be before or equal to start time");
  EXPECT_EQ(err({{"limit", "0"}}), "limit must be a positive value");
  EXPECT_EQ(err({{"limit", "-3"}}), "limit must be a positive value");
  EXPECT_EQ(err({{"limit", "abc"}}), "strconv.Atoi: parsing \"abc\": invalid syntax");
  EXPECT_EQ(err({{"direction", "sideways"}}), "invalid direction 'sideways'");
  EXPECT_EQ(err({{"step", "0"}}), "zero or negative query resolution step widths are not accepted. Try a positive integer");
  EXPECT_EQ(err({{"step", "-1"}}), "zero or negative query resolution step widths are not accepted. Try a positive integer");
  EXPECT_EQ(err({{"step", "abc"}}), "cannot parse \"abc\" to a valid duration");
  EXPECT_EQ(err({{"start", "0"}, {"end", "11001"}, {"step", "1"}}),
            "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step "
            "parameter");
  EXPECT_EQ(err({{"interval", "-1"}}), "interval must be >= 0");
  // Loki's order: bounds before limit before direction.
  EXPECT_EQ(err({{"end", "x"}, {"limit", "0"}}),
            "could not parse 'end' parameter: strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(err({{"limit", "0"}, {"direction", "up"}}), "limit must be a positive value");
}

TEST(RangeQuery, ElevenThousandPointsExactlyIsAllowed) {
  EXPECT_TRUE(ParseRangeQuery(P({{"start", "0"}, {"end", "11000"}, {"step", "1"}}), kNow).ok());
}

TEST(InstantQuery, DefaultsAndErrors) {
  auto r = V(ParseInstantQuery(P({{"query", "1+1"}}), kNow));
  EXPECT_EQ(r.time_ns, kNow);
  EXPECT_EQ(r.limit, 100u);
  r = V(ParseInstantQuery(P({{"time", "1600000000"}, {"direction", "forward"}}), kNow));
  EXPECT_EQ(r.time_ns, 1600000000 * kS);
  EXPECT_EQ(r.direction, storage::Direction::kForward);
  EXPECT_EQ(Err(ParseInstantQuery(P({{"time", "soon"}}), kNow).status()),
            "strconv.ParseInt: parsing \"soon\": invalid syntax");
}

TEST(MaxEntries, LokiText) {
  EXPECT_TRUE(CheckMaxEntriesLimit(5000, 5000).ok());
  EXPECT_EQ(Err(CheckMaxEntriesLimit(5001, 5000)),
            "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)");
  EXPECT_TRUE(CheckMaxEntriesLimit(1000000, 0).ok());
}

TEST(Volume, DefaultsAndOptions) {
  auto v = V(ParseVolumeQuery(P({{"query", "{a=\"b\"}"}}), kNow, false));
  EXPECT_EQ(v.limit, 100u);
  EXPECT_FALSE(v.aggregate_by_labels);
  EXPECT_TRUE(v.target_labels.empty());
  v = V(ParseVolumeQuery(P({{"limit", "0"}, {"targetLabels", "a,b"}, {"aggregateBy", "labels"}}), kNow, true));
  EXPECT_EQ(v.limit, 100u);
  EXPECT_EQ(v.step_ns, 14 * kS);
  EXPECT_EQ(v.target_labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(v.aggregate_by_labels);
  EXPECT_EQ(Err(ParseVolumeQuery(P({{"aggregateBy", "pods"}}), kNow, false).status()), "invalid aggregation option");
  EXPECT_EQ(Err(ParseVolumeQuery(P({{"limit", "-1"}}), kNow, false).status()), "limit must be a positive value");
  EXPECT_EQ(Err(ParseVolumeQuery(P({{"step", "0"}}), kNow, true).status()),
            "zero or negative query resolution step widths are not accepted. Try a positive integer");
}

TEST(DetectedFields, LimitsAndAlias) {
  auto d = V(ParseDetectedFieldsQuery(P({{"query", "{a=\"b\"}"}}), kNow));
  EXPECT_EQ(d.line_limit, 100u);
  EXPECT_EQ(d.limit, 1000u);
  d = V(ParseDetectedFieldsQuery(P({{"field_limit", "7"}, {"line_limit", "9"}}), kNow));
  EXPECT_EQ(d.limit, 7u);
  EXPECT_EQ(d.line_limit, 9u);
  d = V(ParseDetectedFieldsQuery(P({{"limit", "3"}, {"field_limit", "7"}}), kNow));
  EXPECT_EQ(d.limit, 3u);
  EXPECT_EQ(Err(ParseDetectedFieldsQuery(P({{"line_limit", "0"}}), kNow).status()), "limit must be a positive value");
}

TEST(Params, FormBodyComesFirstThenUrl) {
  HttpRequest req;
  req.method = "POST";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  req.body = "query=%7Bapp%3D%22x%22%7D&limit=5&match=a";
  req.query = {{"limit", "7"}, {"match", "b"}, {"start", "1"}};
  auto p = LokiParams::From(req);
  EXPECT_EQ(p.Get("query"), "{app=\"x\"}");
  EXPECT_EQ(p.Get("limit"), "5");
  EXPECT_EQ(p.Get("start"), "1");
  EXPECT_EQ(p.GetAll("match"), (std::vector<std::string>{"a", "b"}));
}

TEST(Params, BodyIgnoredForGetOrOtherContentTypes) {
  HttpRequest req;
  req.method = "GET";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "limit=5";
  EXPECT_EQ(LokiParams::From(req).Get("limit"), "");
  req.method = "POST";
  req.headers = {{"Content-Type", "application/json"}};
  EXPECT_EQ(LokiParams::From(req).Get("limit"), "");
}

TEST(Params, SeriesMatchersUnionBothSpellings) {
  auto p = P({{"match[]", "{a=\"1\"}"}, {"match", "{b=\"2\"}"}, {"match[]", "{b=\"2\"}"}, {"match", "{c=\"3\"}"}});
  EXPECT_EQ(SeriesMatchers(p), (std::vector<std::string>{"{b=\"2\"}", "{c=\"3\"}", "{a=\"1\"}"}));
}

TEST(Params, CategorizeLabelsFlag) {
  HttpRequest req;
  EXPECT_FALSE(CategorizeLabels(req));
  req.headers = {{"X-Loki-Response-Encoding-Flags", "other,categorize-labels"}};
  EXPECT_TRUE(CategorizeLabels(req));
  req.headers = {{"x-loki-response-encoding-flags", "categorize-labels"}};
  EXPECT_TRUE(CategorizeLabels(req));
  req.headers = {{"X-Loki-Response-Encoding-Flags", "categorize-labels-x"}};
  EXPECT_FALSE(CategorizeLabels(req));
}

}  // namespace
}  // namespace strata::server::loki
