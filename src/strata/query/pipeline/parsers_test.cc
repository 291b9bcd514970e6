// json, unpack, logfmt, regexp and pattern parsers: cases from Loki's documentation plus edge cases worked out from
// its documented rules.

#include <gtest/gtest.h>

#include "strata/query/pipeline/test_util.h"

namespace strata::query {
namespace {

struct ParseCase {
  const char* pipeline;
  const char* line;
  const char* labels;         // all labels afterwards (the stream is {app="a"})
  const char* line_after = nullptr;  // nullptr: unchanged
};

void RunCases(const std::vector<ParseCase>& cases) {
  for (const auto& c : cases) {
    auto o = testing::Run(c.pipeline, c.line);
    EXPECT_TRUE(o.kept) << c.pipeline << " on " << c.line;
    EXPECT_EQ(o.labels, c.labels) << c.pipeline << " on " << c.line;
    EXPECT_EQ(o.line, c.line_after ? c.line_after : c.line) << c.pipeline << " on " << c.line;
  }
}

// The error label is set; details are present but their text is ours.
void ExpectError(const char* pipeline, const char* line, const char* error) {
  auto p = testing::CompileOrDie(pipeline);
  LabelsBuilder b;
  b.Reset({{"app", "a"}});
  std::string l = line;
  EXPECT_TRUE(p.Process(0, l, b)) << pipeline << " on " << line;
  EXPECT_EQ(b.Get("__error__"), error) << pipeline << " on " << line;
  EXPECT_TRUE(b.Has("__error_details__")) << pipeline << " on " << line;
}

constexpr const char* kDocsJson =
    R"({"protocol": "HTTP/2.0","servers": ["129.0.1.1","10.2.1.3"],"request": {"time": "6.032","method": "GET",)"
    R"("host": "foo.grafana.net","size": "55","headers": {"Accept": "*/*", "User-Agent": "curl/7.68.0"}},)"
    R"("response": {"status": 401,"size": "228","latency_seconds": "6.031"}})";

TEST(JsonParser, DocsFlatteningExample) {
  RunCases({
      {"| json", kDocsJson,
       R"({app="a", protocol="HTTP/2.0", request_headers_Accept="*/*", request_headers_User_Agent="curl/7.68.0", )"
       R"(request_host="foo.grafana.net", request_method="GET", request_size="55", request_time="6.032", )"
       R"(response_latency_seconds="6.031", response_size="228", response_status="401"})"},
      {"| json", R"({ "a.b": {"c": "d"}, "e": "f" })", R"({a_b_c="d", app="a", e="f"})"},
  });
}

TEST(JsonParser, DocsExpressionExamples) {
  RunCases({
      {R"(| json first_server="servers[0]", ua="request.headers[\"User-Agent\"]")", kDocsJson,
       R"({app="a", first_server="129.0.1.1", ua="curl/7.68.0"})"},
      {R"(| json server_list="servers", headers="request.headers")", kDocsJson,
       R"({app="a", headers="{"Accept": "*/*", "User-Agent": "curl/7.68.0"}", server_list="["129.0.1.1","10.2.1.3"]"})"},
      {R"(| json servers)", kDocsJson, R"({app="a", servers="["129.0.1.1","10.2.1.3"]"})"},
  });
}

TEST(JsonParser, FlatteningValues) {
  RunCases({
      {"| json", R"({"n":1.50,"neg":-2e3,"t":true,"f":false,"z":null})", R"({app="a", f="false", n="1.50", neg="-2e3", t="true"})"},
      {"| json", R"({"s":"caf\u00e9 \"q\" \\ \/ \n","e":"\ud83d\ude00"})",
       "{app=\"a\", e=\"\xF0\x9F\x98\x80\", s=\"caf\xC3\xA9 \"q\" \\ / \n\"}"},
      {"| json", R"({"lone":"\ud83d","bad":"\ufffd","ok":"x"})", R"({app="a", bad="", lone="", ok="x"})"},
      {"| json", R"({"a":"1","a":"2"})", R"({a="1", app="a"})"},            // first value wins
      {"| json", R"({"app":"x"})", R"({app="a", app_extracted="x"})"},      // collides with the stream label
      {"| json", R"({"a":{},"b":[{"c":1}],"d":[]})", R"({app="a"})"},     // arrays skipped, empty objects add nothing
      {"| json", R"({"1a":"x","k-y":{"2b":"z"}})", R"({_1a="x", app="a", k_y_2b="z"})"},
      {"| json", R"({"":"x","a":{"":"y"}})", R"({a_="y", app="a"})"},
      {"| json", "  {\"a\" : \"b\" }  ", R"({a="b", app="a"})"},
      {"| json", R"({"a":"b"} trailing)", R"({a="b", app="a"})"},  // like Loki, text after the object is ignored
      {"| json | json", R"({"a":"b"})", R"({a="b", app="a"})"},
  });
}

TEST(JsonParser, Errors) {
  ExpectError("| json", "not json", "JSONParserErr");
  ExpectError("| json", "", "JSONParserErr");
  ExpectError("| json", "[1,2]", "JSONParserErr");
  ExpectError("| json", R"({"a":)", "JSONParserErr");
  ExpectError("| json", R"({"a":tru})", "JSONParserErr");
  ExpectError("| json", R"({"a":01})", "JSONParserErr");
  ExpectError("| json", R"({"a":"b\x"})", "JSONParserErr");
  ExpectError("| json", "{\"a\":\"b\n\"}", "JSONParserErr");  // raw control character
  ExpectError("| json", R"({"a" "b"})", "JSONParserErr");
  ExpectError("| json a=\"b\"", "plain text", "JSONParserErr");
  // Labels found before the error stay.
  auto o = testing::Run("| json", R"({"a":"1","b":)");
  EXPECT_EQ(o.labels.find("a=\"1\"") != std::string::npos, true) << o.labels;
}

TEST(JsonParser, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  ExpectError("| json", deep.c_str(), "JSONParserErr");
  std::string arrays = "{\"x\":";
  for (int i = 0; i < 200; ++i) arrays += "[";
  for (int i = 0; i < 200; ++i) arrays += "]";
  arrays += ",\"y\":\"z\"}";
  RunCases({{"| json", arrays.c_str(), R"({app="a", y="z"})"}});
  std::string too_deep = "{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  ExpectError("| json", too_deep.c_str(), "JSONParserErr");
}

TEST(JsonParser, Expressions) {
  RunCases({
      {R"(| json a="x.y")", R"({"x":{"y":"v"}})", R"({a="v", app="a"})"},
      {R"(| json a="x[\"y z\"]")", R"({"x":{"y z":"v"}})", R"({a="v", app="a"})"},
      {R"(| json a="l[1].b")", R"({"l":[{"b":1},{"b":"two"}]})", R"({a="two", app="a"})"},
      {R"(| json a="l[1][\"b\"]")", R"({"l":[{"b":1},{"b":[1, 2]}]})", R"({a="[1, 2]", app="a"})"},
      {R"(| json a="missing", b="x.y.z")", R"({"x":{"y":"s"}})", R"({a="", app="a", b=""})"},  // missing -> ""
      {R"(| json a="l[5]")", R"({"l":[1]})", R"({a="", app="a"})"},
      {R"(| json a="n", b="t", c="z")", R"({"n":-1.25e2,"t":false,"z":null})", R"({a="-1.25e2", app="a", b="false", c=""})"},
      {R"(| json a="s")", R"({"s":"tab\there"})", "{a=\"tab\there\", app=\"a\"}"},
      {R"(| json a="k")", R"({"k":"first","k":"second"})", R"({a="first", app="a"})"},
      {R"(| json app="v")", R"({"v":"x"})", R"({app="a", app_extracted="x"})"},
      {R"(| json app="missing")", R"({"v":"x"})", R"({app="a"})"},
      {R"(| json a="x")", "", R"({app="a"})"},  // an empty line is left alone
      {R"(| json a="[1]")", R"([10,20])", R"({a="20", app="a"})"},
  });
}

TEST(UnpackParser, DocsExampleAndRules) {
  RunCases({
      {"| unpack", R"({"container":"myapp","pod":"pod-3223f","_entry":"original log message"})",
       R"({app="a", container="myapp", pod="pod-3223f"})", "original log message"},
      {"| unpack", R"({"container":"myapp"})", R"({app="a"})"},  // not packed: nothing changes
      {"| unpack", R"({"_entry":"x \"q\"","n":5,"o":{"a":"b"},"app":"z"})", R"({app="a", app_extracted="z"})",
       "x \"q\""},
      {"| unpack | json", R"({"_entry":"{\"k\":\"v\"}","c":"1"})", R"({app="a", c="1", k="v"})", R"({"k":"v"})"},
      {"| unpack", "", R"({app="a"})"},
  });
  ExpectError("| unpack", "plain", "JSONParserErr");
  ExpectError("| unpack", R"({"_entry":"x",})", "JSONParserErr");
}

constexpr const char* kDocsLogfmt =
    R"(at=info method=GET path=/ host=grafana.net fwd="124.133.124.161" service=8ms status=200)";

TEST(LogfmtParser, DocsExamples) {
  RunCases({
      {"| logfmt", kDocsLogfmt,
       R"({app="a", at="info", fwd="124.133.124.161", host="grafana.net", method="GET", path="/", service="8ms", status="200"})"},
      {R"(| logfmt host, fwd_ip="fwd")", kDocsLogfmt, R"({app="a", fwd_ip="124.133.124.161", host="grafana.net"})"},
  });
}

TEST(LogfmtParser, BadPairsStrictAndDefault) {
  const char* line = R"(key=value =value foo=bar=buzz fo"o=bar ok=1)";
  RunCases({{"| logfmt", line, R"({app="a", key="value", ok="1"})"}});
  auto o = testing::Run("| logfmt --strict", line);
  EXPECT_TRUE(o.kept);
  EXPECT_NE(o.labels.find(R"(__error__="LogfmtParserErr")"), std::string::npos) << o.labels;
  EXPECT_NE(o.labels.find(R"(key="value")"), std::string::npos) << o.labels;
  EXPECT_EQ(o.labels.find(R"(ok=)"), std::string::npos) << "strict stops at the first bad pair: " << o.labels;
  ExpectError("| logfmt --strict", R"(a="unterminated)", "LogfmtParserErr");
  ExpectError("| logfmt --strict", R"(a="b"c d=e)", "LogfmtParserErr");
  ExpectError("| logfmt --strict", R"(a="bad \q escape")", "LogfmtParserErr");
  RunCases({{"| logfmt --strict", "a=1 b=\"two words\"", R"({a="1", app="a", b="two words"})"}});
}

TEST(LogfmtParser, EmptyValuesAndExtraction) {
  RunCases({
      {"| logfmt", "a=1 b c=", R"({a="1", app="a"})"},
      {"| logfmt --keep-empty", "a=1 b c=", R"({a="1", app="a", b="", c=""})"},
      {"| logfmt --keep-empty", R"(c="")", R"({app="a", c=""})"},
      {"| logfmt b", "a=1 b", R"({app="a", b=""})"},          // requested: no flag needed
      {"| logfmt x", "a=1", R"({app="a", x=""})"},            // requested but absent
      {R"(| logfmt y="a", z="a")", "a=1", R"({app="a", y="1", z="1"})"},
      {"| logfmt a", "a=1 a=2", R"({a="1", app="a"})"},
      {"| logfmt", "a=1 a=2", R"({a="1", app="a"})"},
      {"| logfmt app", "app=z", R"({app="a", app_extracted="z"})"},
  });
}

TEST(LogfmtParser, ValuesAndKeys) {
  RunCases({
      {"| logfmt", R"(msg="hello \"world\"\n" x=y)", "{app=\"a\", msg=\"hello \"world\"\n\", x=\"y\"}"},
      {"| logfmt", "req.id=5 1st=a", R"({_1st="a", app="a", req_id="5"})"},
      {"| logfmt", "  a=1\tb=2  ", R"({a="1", app="a", b="2"})"},
      {"| logfmt", "app=x", R"({app="a", app_extracted="x"})"},
      {"| logfmt", "k=caf\xC3\xA9", "{app=\"a\", k=\"caf\xC3\xA9\"}"},
      {"| logfmt", "just some text", R"({app="a"})"},
      {"| logfmt", "", R"({app="a"})"},
  });
}

TEST(RegexpParser, DocsExampleAndRules) {
  RunCases({
      {R"x(| regexp "(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)")x",
       "POST /api/prom/api/v1/query_range (200) 1.5s",
       R"({app="a", duration="1.5s", method="POST", path="/api/prom/api/v1/query_range", status="200"})"},
      {R"x(| regexp "(?P<a>x+)")x", "no match", R"({app="a"})"},
      {R"x(| regexp "(?P<a>x)(?P<b>y)?")x", "xz", R"({a="x", app="a", b=""})"},   // non-participating group: ""
      {R"x(| regexp "(?P<app>\\w+)")x", "word", R"({app="a", app_extracted="word"})"},
      {R"x(| regexp "v=(?P<v>\\d+)")x", "a v=1 v=2", R"({app="a", v="1"})"},   // leftmost match
  });
}

constexpr const char* kNginx =
    R"(0.191.12.2 - - [10/Jun/2021:09:14:29 +0000] "GET /api/plugins/versioncheck HTTP/1.1" 200 2 "-" )"
    R"("Go-http-client/2.0" "13.76.247.102, 34.120.177.193" "TLSv1.2" "US" "")";

TEST(PatternParser, DocsExamples) {
  RunCases({
      {R"(| pattern `<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>`)", kNginx,
       R"({agent="Go-http-client/2.0", app="a", ip="0.191.12.2", method="GET", size="2", status="200", uri="/api/plugins/versioncheck"})"},
      {R"(| pattern `<_> msg="<method> <path> (<status>) <latency>"`)",
       R"(level=debug ts=2021-06-10T09:24:13.472094048Z caller=logging.go:66 traceID=0568b66ad2d9294c msg="POST /loki/api/v1/push (204) 16.652862ms")",
       R"({app="a", latency="16.652862ms", method="POST", path="/loki/api/v1/push", status="204"})"},
  });
}

TEST(PatternParser, AnchoringAndPartialMatches) {
  RunCases({
      {R"(| pattern "foo <a>")", "bar foo x", R"({app="a"})"},            // anchored at the start
      {R"(| pattern "<_> foo <a>")", "bar foo x", R"({a="x", app="a"})"},
      {R"(| pattern "<a> x <b> y <c>")", "1 x 2", R"({a="1", app="a", b="2"})"},  // b takes the rest; stop
      {R"(| pattern "<a>,<b>")", "no comma", R"({a="no comma", app="a"})"},
      {R"(| pattern "<a> <b>")", "", R"({app="a"})"},
      {R"(| pattern "[<a>]")", "[x] y", R"({a="x", app="a"})"},
      {R"(| pattern "<app> <b>")", "p q", R"({app="a", app_extracted="p", b="q"})"},
  });
}

TEST(Parsers, InvalidArgumentsFailToCompile) {
  auto bad = [](const ParserStage& s) { return !Pipeline::Compile({Stage{s}}).ok(); };
  ParserStage re;
  re.kind = ParserKind::kRegexp;
  re.pattern = "(unclosed";
  EXPECT_TRUE(bad(re));
  re.pattern = "(no)(names)";
  EXPECT_TRUE(bad(re));
  ParserStage pat;
  pat.kind = ParserKind::kPattern;
  pat.pattern = "<a><b>";
  EXPECT_TRUE(bad(pat));
  ParserStage js;
  js.kind = ParserKind::kJson;
  js.extractions = {{"a", std::string("x..y")}};
  EXPECT_TRUE(bad(js));
  js.extractions = {{"a", std::string("x[")}};
  EXPECT_TRUE(bad(js));
}

}  // namespace
}  // namespace strata::query
