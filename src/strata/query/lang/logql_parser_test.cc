#include "strata/query/lang/logql_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/query/lang/logql_lexer.h"

namespace strata::query {
namespace {

struct Case {
  std::string in;
  std::string canonical;
};

void ExpectCanonical(const Case& c) {
  auto e = ParseLogQL(c.in);
  ASSERT_TRUE(e.ok()) << c.in << "\n  -> " << e.status().message();
  std::string printed = FormatLogQL(*e);
  EXPECT_EQ(printed, c.canonical) << c.in;
  auto again = ParseLogQL(printed);
  ASSERT_TRUE(again.ok()) << printed << "\n  -> " << again.status().message();
  EXPECT_TRUE(*again == *e) << c.in;
}

const Case kCases[] = {
    // selectors
    {R"({foo="bar"})", R"({foo="bar"})"},
    {R"({ foo = "bar" })", R"({foo="bar"})"},
    {R"({ namespace="buzz", foo != "bar" })", R"({namespace="buzz", foo!="bar"})"},
    {R"({ foo =~ "bar" })", R"({foo=~"bar"})"},
    {R"({ namespace="buzz", foo !~ "bar" })", R"({namespace="buzz", foo!~"bar"})"},
    {R"({app=~".+"})", R"({app=~".+"})"},
    {R"({app="#"})", R"({app="#"})"},
    {"{app=`raw\\w+`}", R"({app="raw\\w+"})"},
    {R"({app="a\"b\n"})", R"({app="a\"b\n"})"},
    {R"({app="\u00e9\x41"})", "{app=\"\xC3\xA9\x41\"}"},
    {R"({rate="x"})", R"({rate="x"})"},
    {R"({sum="x", by="y"})", R"({sum="x", by="y"})"},
    {"{app=\"foo\"} # comment", R"({app="foo"})"},
    {"{app=\"foo\"}\n# |= \"bar\"\n| json", R"({app="foo"} | json)"},
    {"{app=\"foo\"} | json #", R"({app="foo"} | json)"},
    {R"(({app="foo"}))", R"({app="foo"})"},
    // line filters
    {R"({foo="bar"} |= "baz")", R"({foo="bar"} |= "baz")"},
    {R"({foo="bar"} |= "baz" |~ "blip" != "flip" !~ "flap")", R"({foo="bar"} |= "baz" |~ "blip" != "flip" !~ "flap")"},
    {R"({foo="bar"} |> "<_> foo <_>")", R"({foo="bar"} |> "<_> foo <_>")"},
    {R"({foo="bar"} !> "<_> foo")", R"({foo="bar"} !> "<_> foo")"},
    {R"({foo="bar"} |= "a" or "b")", R"({foo="bar"} |= "a" or "b")"},
    {R"({foo="bar"} != "a" or "b" or "c")", R"({foo="bar"} != "a" or "b" or "c")"},
    {R"({foo="bar"} |~ "a.*" or "b+")", R"({foo="bar"} |~ "a.*" or "b+")"},
    {R"({foo="bar"} |= ip("123.123.123.123"))", R"({foo="bar"} |= ip("123.123.123.123"))"},
    {R"({foo="bar"} != ip("10.0.0.0/8"))", R"({foo="bar"} != ip("10.0.0.0/8"))"},
    {R"({foo="bar"} |= ip("10.0.0.1-10.0.0.9"))", R"({foo="bar"} |= ip("10.0.0.1-10.0.0.9"))"},
    {R"({foo="bar"} |= ip("::1"))", R"({foo="bar"} |= ip("::1"))"},
    {R"({foo="bar"} |= "baz" |= ip("1.2.3.4"))", R"({foo="bar"} |= "baz" |= ip("1.2.3.4"))"},
    {R"({foo="bar"} |= ip("1.2.3.4") or "x")", R"({foo="bar"} |= ip("1.2.3.4") or "x")"},
    {"{foo=\"bar\"} |~ `error\\\\`", R"({foo="bar"} |~ "error\\\\")"},
    {R"({foo="bar"} |= "#")", R"({foo="bar"} |= "#")"},
    {R"({foo="bar"} |= "")", R"({foo="bar"} |= "")"},
    // parsers
    {R"({foo="bar"} | json)", R"({foo="bar"} | json)"},
    {R"({foo="bar"} | JSON)", R"({foo="bar"} | json)"},
    {R"({foo="bar"} | logfmt)", R"({foo="bar"} | logfmt)"},
    {R"({foo="bar"} | logfmt --strict)", R"({foo="bar"} | logfmt --strict)"},
    {R"({foo="bar"} | logfmt --keep-empty)", R"({foo="bar"} | logfmt --keep-empty)"},
    {R"({foo="bar"} | logfmt --strict --keep-empty)", R"({foo="bar"} | logfmt --strict --keep-empty)"},
    {R"({foo="bar"} | logfmt --keep-empty --strict)", R"({foo="bar"} | logfmt --strict --keep-empty)"},
    {R"({foo="bar"} | logfmt --strict a, b="c")", R"({foo="bar"} | logfmt --strict a, b="c")"},
    {R"({foo="bar"} | logfmt a="b")", R"({foo="bar"} | logfmt a="b")"},
    {R"({foo="bar"} | json a="x.y")", R"({foo="bar"} | json a="x.y")"},
    {R"({app="foo"} | json bob="top.sub[\"index\"]")", R"({app="foo"} | json bob="top.sub[\"index\"]")"},
    {R"({app="foo"} | json bob="top.params[0]")", R"({app="foo"} | json bob="top.params[0]")"},
    {R"({app="foo"} | json response_code="response.code", api_key="request.headers[\"X-API-KEY\"]")",
     R"({app="foo"} | json response_code="response.code", api_key="request.headers[\"X-API-KEY\"]")"},
    {R"({app="foo"} | json a, b, c="d")", R"({app="foo"} | json a, b, c="d")"},
    {R"x({foo="bar"} | regexp "(?P<method>\\w+) (?P<path>.*)")x", R"x({foo="bar"} | regexp "(?P<method>\\w+) (?P<path>.*)")x"},
    {"{foo=\"bar\"} | regexp `(?P<a>x)`", R"x({foo="bar"} | regexp "(?P<a>x)")x"},
    {R"({foo="bar"} | pattern "<ip> - - <_> \"<method> <uri> <_>\" <status>")",
     R"({foo="bar"} | pattern "<ip> - - <_> \"<method> <uri> <_>\" <status>")"},
    {R"({foo="bar"} | unpack)", R"({foo="bar"} | unpack)"},
    {R"({foo="bar"} | unpack | json)", R"({foo="bar"} | unpack | json)"},
    // label filters
    {R"({foo="bar"} | logfmt | level="error")", R"({foo="bar"} | logfmt | level="error")"},
    {R"({ foo = "bar" }|logfmt|rate="a")", R"({foo="bar"} | logfmt | rate="a")"},
    {R"({foo="bar"} | logfmt | level!="error")", R"({foo="bar"} | logfmt | level!="error")"},
    {R"({foo="bar"} | logfmt | level=~"err.*")", R"({foo="bar"} | logfmt | level=~"err.*")"},
    {R"({foo="bar"} | logfmt | level!~"err.*")", R"({foo="bar"} | logfmt | level!~"err.*")"},
    {R"({foo="bar"} | logfmt | status>200)", R"({foo="bar"} | logfmt | status>200)"},
    {R"({foo="bar"} | logfmt | status>=200)", R"({foo="bar"} | logfmt | status>=200)"},
    {R"({foo="bar"} | logfmt | status<200)", R"({foo="bar"} | logfmt | status<200)"},
    {R"({foo="bar"} | logfmt | status<=200)", R"({foo="bar"} | logfmt | status<=200)"},
    {R"({foo="bar"} | logfmt | status==200)", R"({foo="bar"} | logfmt | status==200)"},
    {R"({foo="bar"} | logfmt | status=200)", R"({foo="bar"} | logfmt | status==200)"},
    {R"({foo="bar"} | logfmt | status!=200)", R"({foo="bar"} | logfmt | status!=200)"},
    {R"({foo="bar"} | logfmt | status>1.5)", R"({foo="bar"} | logfmt | status>1.5)"},
    {R"({foo="bar"} | logfmt | status>-5)", R"({foo="bar"} | logfmt | status>-5)"},
    {R"({foo="bar"} | logfmt | latency>250ms)", R"({foo="bar"} | logfmt | latency>250ms)"},
    {R"({foo="bar"} | logfmt | latency>=1h30m)", R"({foo="bar"} | logfmt | latency>=1h30m)"},
    {R"({foo="bar"} | logfmt | latency<1.5s)", R"({foo="bar"} | logfmt | latency<1.5s)"},
    {R"({foo="bar"} | logfmt | latency<100us)", R"({foo="bar"} | logfmt | latency<100us)"},
    {R"({foo="bar"} | logfmt | latency==5m)", R"({foo="bar"} | logfmt | latency==5m)"},
    {R"({foo="bar"} | logfmt | size>10KB)", R"({foo="bar"} | logfmt | size>10KB)"},
    {R"({foo="bar"} | logfmt | size<=5MiB)", R"({foo="bar"} | logfmt | size<=5MiB)"},
    {R"({foo="bar"} | logfmt | size>1.5GB)", R"({foo="bar"} | logfmt | size>1.5GB)"},
    {R"({foo="bar"} | logfmt | size>=20B)", R"({foo="bar"} | logfmt | size>=20B)"},
    {R"({foo="bar"} | logfmt | a="1" and b="2")", R"({foo="bar"} | logfmt | a="1" and b="2")"},
    {R"({foo="bar"} | logfmt | a="1", b="2")", R"({foo="bar"} | logfmt | a="1" and b="2")"},
    {R"({foo="bar"} | logfmt | a="1" b="2")", R"({foo="bar"} | logfmt | a="1" and b="2")"},
    {R"({foo="bar"} | logfmt | a="1" or b="2")", R"({foo="bar"} | logfmt | a="1" or b="2")"},
    {R"({foo="bar"} | logfmt | a="1" or b="2" and c="3")", R"({foo="bar"} | logfmt | a="1" or (b="2" and c="3"))"},
    {R"({foo="bar"} | logfmt | (a="1" or b="2") and c="3")", R"({foo="bar"} | logfmt | (a="1" or b="2") and c="3")"},
    {R"({foo="bar"} | logfmt | a="1" and (b="2" and c="3"))", R"({foo="bar"} | logfmt | a="1" and (b="2" and c="3"))"},
    {R"({foo="bar"} | logfmt | (duration > 1s or status==200) and method="POST")",
     R"({foo="bar"} | logfmt | (duration>1s or status==200) and method="POST")"},
    {R"({foo="bar"} | logfmt | addr=ip("1.2.3.4"))", R"({foo="bar"} | logfmt | addr=ip("1.2.3.4"))"},
    {R"({foo="bar"} | logfmt | addr!=ip("1.2.3.0/24"))", R"({foo="bar"} | logfmt | addr!=ip("1.2.3.0/24"))"},
    {R"({ foo = "bar" , ip="foo"}|logfmt|= ip("127.0.0.1")|ip="2.3.4.5"|ip="abc"|ipaddr=ip("4.5.6.7")|ip=ip("6.7.8.9"))",
     R"({foo="bar", ip="foo"} | logfmt |= ip("127.0.0.1") | ip="2.3.4.5" | ip="abc" | ipaddr=ip("4.5.6.7") | ip=ip("6.7.8.9"))"},
    {R"({foo="bar"} | __error__="")", R"({foo="bar"} | __error__="")"},
    {R"({app="foo"} | bar="#")", R"({app="foo"} | bar="#")"},
    {R"({foo="bar"} | logfmt | sum > 1)", R"({foo="bar"} | logfmt | sum>1)"},
    // formatting stages
    {R"({foo="bar"} | line_format "{{.foo}}")", R"({foo="bar"} | line_format "{{.foo}}")"},
    {"{foo=\"bar\"} | line_format `{{.foo}} \"x\"`", R"({foo="bar"} | line_format "{{.foo}} \"x\"")"},
    {R"({foo="bar"} | label_format foo=bar)", R"({foo="bar"} | label_format foo=bar)"},
    {R"({foo="bar"} | label_format foo="{{.bar}}", baz=qux)", R"({foo="bar"} | label_format foo="{{.bar}}", baz=qux)"},
    {R"({foo="bar"} | decolorize)", R"({foo="bar"} | decolorize)"},
    {R"({foo="bar"} | drop a)", R"({foo="bar"} | drop a)"},
    {R"({foo="bar"} | drop a, b="c", d=~"e.*")", R"({foo="bar"} | drop a, b="c", d=~"e.*")"},
    {R"({foo="bar"} | keep a, b!="c")", R"({foo="bar"} | keep a, b!="c")"},
    {R"({foo="bar"} | drop __error__, __error_details__)", R"({foo="bar"} | drop __error__, __error_details__)"},
    {R"x({job="cortex-ops/query-frontend"} |= "logging.go" | logfmt | line_format "{{.msg}}" | regexp "(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)" | (duration > 1s or status==200) and method="POST" | line_format "{{.duration}}|{{.method}}|{{.status}}")x",
     R"x({job="cortex-ops/query-frontend"} |= "logging.go" | logfmt | line_format "{{.msg}}" | regexp "(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)" | (duration>1s or status==200) and method="POST" | line_format "{{.duration}}|{{.method}}|{{.status}}")x"},
    // range aggregations
    {R"(count_over_time({ foo = "bar" }[12m]))", R"(count_over_time({foo="bar"} [12m]))"},
    {R"(bytes_over_time({ foo = "bar" }[12m]))", R"(bytes_over_time({foo="bar"} [12m]))"},
    {R"(bytes_rate({ foo = "bar" }[12m]))", R"(bytes_rate({foo="bar"} [12m]))"},
    {R"(rate({ foo = "bar" }[5h]))", R"(rate({foo="bar"} [5h]))"},
    {R"(rate({ foo = "bar" }[5d]))", R"(rate({foo="bar"} [5d]))"},
    {R"(count_over_time({ foo = "bar" }[1w]))", R"(count_over_time({foo="bar"} [1w]))"},
    {R"(absent_over_time({ foo = "bar" }[1w]))", R"(absent_over_time({foo="bar"} [1w]))"},
    {R"(rate({ foo = "bar" }[1y]))", R"(rate({foo="bar"} [1y]))"},
    {R"(rate({ foo = "bar" }[1h30m]))", R"(rate({foo="bar"} [1h30m]))"},
    {R"(rate({ foo = "bar" }[90s]))", R"(rate({foo="bar"} [1m30s]))"},
    {R"(rate({ foo = "bar" }[500ms]))", R"(rate({foo="bar"} [500ms]))"},
    {R"(RATE({ foo = "bar" }[5m]))", R"(rate({foo="bar"} [5m]))"},
    {"count_over_time({foo=~`bar\\w+`}[12h] |~ `error\\\\`)", R"(count_over_time({foo=~"bar\\w+"} |~ "error\\\\" [12h]))"},
    {R"(count_over_time({foo="bar"}[12h] |= "error"))", R"(count_over_time({foo="bar"} |= "error" [12h]))"},
    {R"(count_over_time({foo="bar"} |= "error" [12h]))", R"(count_over_time({foo="bar"} |= "error" [12h]))"},
    {R"(count_over_time(({foo="bar"} |= "baz" |~ "blip" != "flip" !~ "flap")[5m]))",
     R"(count_over_time({foo="bar"} |= "baz" |~ "blip" != "flip" !~ "flap" [5m]))"},
    {R"(bytes_over_time(({foo="bar"} |= "baz" | unpack)[5m]))", R"(bytes_over_time({foo="bar"} |= "baz" | unpack [5m]))"},
    {R"(count_over_time(({foo="bar"})[5m]))", R"(count_over_time({foo="bar"} [5m]))"},
    {R"(count_over_time(({foo="bar"}[5m])))", R"(count_over_time({foo="bar"} [5m]))"},
    {R"(count_over_time({foo="bar"}[5m] offset 1h))", R"(count_over_time({foo="bar"} [5m] offset 1h))"},
    {R"(count_over_time({foo="bar"} |= "x" [5m] offset 30s))", R"(count_over_time({foo="bar"} |= "x" [5m] offset 30s))"},
    {R"(count_over_time(({foo="bar"} |= "x")[5m] offset 2d))", R"(count_over_time({foo="bar"} |= "x" [5m] offset 2d))"},
    {R"(sum_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(avg_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(avg_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(min_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(min_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(max_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(max_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(first_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(first_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(last_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(last_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(stddev_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(stddev_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(stdvar_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(stdvar_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(rate_counter({foo="bar"} | logfmt | unwrap latency [5m]))", R"(rate_counter({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(rate({foo="bar"} | logfmt | unwrap latency [5m]))", R"(rate({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(absent_over_time({foo="bar"} | logfmt | unwrap latency [5m]))", R"(absent_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(quantile_over_time(0.99, {foo="bar"} | logfmt | unwrap latency [5m]))", R"(quantile_over_time(0.99, {foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(quantile_over_time(.5, {foo="bar"} | json | unwrap latency [5m]) by (a))", R"(quantile_over_time(0.5, {foo="bar"} | json | unwrap latency [5m]) by (a))"},
    {R"(avg_over_time({foo="bar"} | json | unwrap latency [5m]) without (a, b))", R"(avg_over_time({foo="bar"} | json | unwrap latency [5m]) without (a, b))"},
    {R"(sum_over_time({foo="bar"} | logfmt | unwrap duration(latency) [5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap duration(latency) [5m]))"},
    {R"(sum_over_time({foo="bar"} | logfmt | unwrap duration_seconds(latency) [5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap duration_seconds(latency) [5m]))"},
    {R"(sum_over_time({foo="bar"} | logfmt | unwrap bytes(size) [5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap bytes(size) [5m]))"},
    {R"(sum_over_time({foo="bar"} | logfmt | unwrap latency | __error__="" [5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap latency | __error__="" [5m]))"},
    {R"(sum_over_time({foo="bar"} | logfmt | unwrap latency | __error__="" | a>1 [5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap latency | __error__="" | a>1 [5m]))"},
    {R"(sum_over_time({foo="bar"}[5m] | logfmt | unwrap latency))", R"(sum_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(sum_over_time(({foo="bar"} | logfmt | unwrap latency)[5m]))", R"(sum_over_time({foo="bar"} | logfmt | unwrap latency [5m]))"},
    {R"(sum_over_time({namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m]))",
     R"(sum_over_time({namespace="tns"} |= "level=error" | json | foo>=5 and bar<25ms | unwrap latency [5m]))"},
    // vector aggregations
    {R"(sum(rate({ foo = "bar" }[5h])))", R"(sum(rate({foo="bar"} [5h])))"},
    {R"(avg(count_over_time({ foo = "bar" }[5h])) by (bar,foo))", R"(avg by (bar, foo) (count_over_time({foo="bar"} [5h])))"},
    {R"(avg(count_over_time({ foo = "bar" }[5h])) by ())", R"(avg by () (count_over_time({foo="bar"} [5h])))"},
    {R"(max without (bar) (count_over_time({ foo = "bar" }[5h])))", R"(max without (bar) (count_over_time({foo="bar"} [5h])))"},
    {R"(max without () (count_over_time({ foo = "bar" }[5h])))", R"(max without () (count_over_time({foo="bar"} [5h])))"},
    {R"(topk(10,count_over_time({ foo = "bar" }[5h])) without (bar))", R"(topk without (bar) (10, count_over_time({foo="bar"} [5h])))"},
    {R"(bottomk(30 ,sum(rate({ foo = "bar" }[5h])) by (foo)))", R"(bottomk(30, sum by (foo) (rate({foo="bar"} [5h]))))"},
    {R"(max( sum(count_over_time({ foo = "bar" }[5h])) without (foo,bar) ) by (foo))", R"(max by (foo) (sum without (foo, bar) (count_over_time({foo="bar"} [5h]))))"},
    {R"(min(rate({a="b"}[1m])))", R"(min(rate({a="b"} [1m])))"},
    {R"(count(rate({a="b"}[1m])))", R"(count(rate({a="b"} [1m])))"},
    {R"(stddev(rate({a="b"}[1m])))", R"(stddev(rate({a="b"} [1m])))"},
    {R"(stdvar(rate({a="b"}[1m])))", R"(stdvar(rate({a="b"} [1m])))"},
    {R"(sort(rate({a="b"}[1m])))", R"(sort(rate({a="b"} [1m])))"},
    {R"(sort_desc(rate({a="b"}[1m])))", R"(sort_desc(rate({a="b"} [1m])))"},
    {R"(SUM BY (a) (rate({a="b"}[1m])))", R"(sum by (a) (rate({a="b"} [1m])))"},
    {R"(sum(rate({a="b"}[1m])) by (a))", R"(sum by (a) (rate({a="b"} [1m])))"},
    {R"(sum(sum(rate({a="b"}[1m])) by (a)))", R"(sum(sum by (a) (rate({a="b"} [1m]))))"},
    {R"(topk(5, sum by (app) (rate({a="b"}[5m]))))", R"(topk(5, sum by (app) (rate({a="b"} [5m]))))"},
    {R"(sum by (a) (count_over_time({a="b"} | json | line_format "{{.x}}" [1m])))", R"(sum by (a) (count_over_time({a="b"} | json | line_format "{{.x}}" [1m])))"},
    // label_replace and vector
    {R"(label_replace(rate({a="b"}[5m]), "foo", "$1", "service", "(.*):.*"))", R"(label_replace(rate({a="b"} [5m]), "foo", "$1", "service", "(.*):.*"))"},
    {"avg(\n label_replace(\n  count_over_time({ foo = \"bar\" }[5h]),\n  \"bar\",\n  \"$1$2\",\n  \"foo\",\n  \"(.*).(.*)\"\n )\n) by (bar,foo)",
     R"x(avg by (bar, foo) (label_replace(count_over_time({foo="bar"} [5h]), "bar", "$1$2", "foo", "(.*).(.*)")))x"},
    {"vector(1)", "vector(1)"},
    {"vector(-2.5)", "vector(-2.5)"},
    {"vector(1)+vector(1)", "vector(1) + vector(1)"},
    // literals and binary ops
    {"1", "1"},
    {"-1", "-1"},
    {"+2.5", "2.5"},
    {"1e3", "1000"},
    {"0x10", "16"},
    {"1 + 1", "2"},
    {"1 + 1 + 1", "3"},
    {"2 * 3 + 1", "7"},
    {"2 ^ 3 ^ 2", "512"},
    {"1 == 1", "1"},
    {"1 != 1", "0"},
    {"1 > 1", "0"},
    {"1 >= 1", "1"},
    {"1 < 1", "0"},
    {"1 <= 1", "1"},
    {"1 >= 1 > 1", "0"},
    {"1 > 1 < 1", "1"},
    {"1 > 1 > bool 1", "0"},
    {"7 % 4", "3"},
    {"1 / 0", "(1 / 0)"},
    {"-1 / 0", "(-1 / 0)"},
    {"0 / 0", "(0 / 0)"},
    {R"(count_over_time({ foo ="bar" }[12m]) > count_over_time({ foo = "bar" }[12m]))", R"(count_over_time({foo="bar"} [12m]) > count_over_time({foo="bar"} [12m]))"},
    {R"(count_over_time({ foo = "bar" }[12m]) > 1)", R"(count_over_time({foo="bar"} [12m]) > 1)"},
    {R"(count_over_time({ foo = "bar" }[12m]) > bool 1)", R"(count_over_time({foo="bar"} [12m]) > bool 1)"},
    {R"(count_over_time({ foo = "bar" }[12m]) or count_over_time({ foo = "bar" }[12m]) > 1)", R"(count_over_time({foo="bar"} [12m]) or count_over_time({foo="bar"} [12m]) > 1)"},
    {R"((count_over_time({a="b"}[1m]) or count_over_time({a="b"}[1m])) > 1)", R"((count_over_time({a="b"} [1m]) or count_over_time({a="b"} [1m])) > 1)"},
    {R"(rate({a="b"}[1m]) + rate({a="b"}[1m]) * 2)", R"(rate({a="b"} [1m]) + rate({a="b"} [1m]) * 2)"},
    {R"((rate({a="b"}[1m]) + rate({a="b"}[1m])) * 2)", R"((rate({a="b"} [1m]) + rate({a="b"} [1m])) * 2)"},
    {R"(rate({a="b"}[1m]) - (rate({a="b"}[1m]) - 1))", R"(rate({a="b"} [1m]) - (rate({a="b"} [1m]) - 1))"},
    {R"(rate({a="b"}[1m]) - rate({a="b"}[1m]) - 1)", R"(rate({a="b"} [1m]) - rate({a="b"} [1m]) - 1)"},
    {R"(rate({a="b"}[1m]) ^ 2 ^ 3)", R"(rate({a="b"} [1m]) ^ 8)"},
    {R"(rate({a="b"}[1m]) ^ rate({a="b"}[1m]) ^ 3)", R"(rate({a="b"} [1m]) ^ rate({a="b"} [1m]) ^ 3)"},
    {R"((rate({a="b"}[1m]) ^ rate({a="b"}[1m])) ^ 3)", R"((rate({a="b"} [1m]) ^ rate({a="b"} [1m])) ^ 3)"},
    {R"(rate({a="b"}[1m]) / rate({a="b"}[1m]) % 3)", R"(rate({a="b"} [1m]) / rate({a="b"} [1m]) % 3)"},
    {R"(rate({a="b"}[1m]) and rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) and rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) unless rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) unless rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) or rate({a="b"}[1m]) and rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) or rate({a="b"} [1m]) and rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) == rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) == rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) != bool rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) != bool rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) >= 1)", R"(rate({a="b"} [1m]) >= 1)"},
    {R"(rate({a="b"}[1m]) <= 1)", R"(rate({a="b"} [1m]) <= 1)"},
    {R"(rate({a="b"}[1m]) < 1)", R"(rate({a="b"} [1m]) < 1)"},
    {R"(1 - rate({a="b"}[1m]))", R"(1 - rate({a="b"} [1m]))"},
    {R"(-1 * rate({a="b"}[1m]))", R"(-1 * rate({a="b"} [1m]))"},
    {R"(sum by (a) (rate({a="b"}[1m])) / on (a) group_left sum by (a) (rate({a="b"}[1m])))",
     R"(sum by (a) (rate({a="b"} [1m])) / on (a) group_left () sum by (a) (rate({a="b"} [1m])))"},
    {R"(rate({a="b"}[1m]) / ignoring (c) rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) / ignoring (c) rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) / on () rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) / on () rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) * on (a) group_left (b, c) rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) * on (a) group_left (b, c) rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) * ignoring (a) group_right (b) rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) * ignoring (a) group_right (b) rate({a="b"} [1m]))"},
    {R"(rate({a="b"}[1m]) > bool on (a) rate({a="b"}[1m]))", R"(rate({a="b"} [1m]) > bool on (a) rate({a="b"} [1m]))"},
    {R"(sum(rate({a="b"}[1m])) or vector(0))", R"(sum(rate({a="b"} [1m])) or vector(0))"},
    {R"(((rate({a="b"}[1m]))))", R"(rate({a="b"} [1m]))"},
    {R"(1 + count_over_time({app=~".+"}[5m]) + count_over_time({app=~".+"}[5m]) + 1)",
     R"(1 + count_over_time({app=~".+"} [5m]) + count_over_time({app=~".+"} [5m]) + 1)"},
};

TEST(LogqlParser, Canonical) {
  for (const Case& c : kCases) ExpectCanonical(c);
}

// Every range function in every range shape.
TEST(LogqlParser, RangeFunctionMatrix) {
  struct Fn {
    const char* name;
    bool unwrap;  // required (true) or not allowed/optional (false)
    bool param;
  };
  const Fn kFns[] = {{"count_over_time", false, false}, {"rate", false, false}, {"bytes_over_time", false, false},
                     {"bytes_rate", false, false}, {"absent_over_time", false, false},
                     {"sum_over_time", true, false}, {"avg_over_time", true, false}, {"min_over_time", true, false},
                     {"max_over_time", true, false}, {"first_over_time", true, false}, {"last_over_time", true, false},
                     {"stddev_over_time", true, false}, {"stdvar_over_time", true, false},
                     {"rate_counter", true, false}, {"quantile_over_time", true, true}};
  const char* kPipelines[] = {"", R"( |= "x")", R"( | json)", R"( | logfmt | a>1)", R"( |~ "y" | json | b="c")"};
  const char* kRanges[] = {"1m", "5m", "1h", "1d", "1h30m", "10s"};
  int n = 0;
  for (const Fn& fn : kFns) {
    for (const char* pipe : kPipelines) {
      for (const char* range : kRanges) {
        std::string inner = std::string(R"({app="x"})") + pipe + (fn.unwrap ? " | unwrap v" : "");
        std::string prefix = std::string(fn.name) + "(" + (fn.param ? "0.9, " : "");
        std::string canonical = prefix + inner + " [" + range + "])";
        ExpectCanonical({prefix + inner + "[" + range + "])", canonical});
        ExpectCanonical({prefix + "(" + inner + ")[" + range + "])", canonical});
        ExpectCanonical({prefix + inner + " [" + range + "] offset 5m)",
                         prefix + inner + " [" + range + "] offset 5m)"});
        n += 3;
      }
    }
  }
  EXPECT_EQ(n, 15 * 5 * 6 * 3);
}

// Every vector aggregation with each grouping placement.
TEST(LogqlParser, VectorAggregationMatrix) {
  const char* kOps[] = {"sum", "avg", "min", "max", "count", "stddev", "stdvar"};
  const char* kInner = R"(rate({a="b"} [1m]))";
  for (const char* op : kOps) {
    std::string o = op;
    ExpectCanonical({o + "(" + kInner + ")", o + "(" + kInner + ")"});
    ExpectCanonical({o + " by (x) (" + kInner + ")", o + " by (x) (" + kInner + ")"});
    ExpectCanonical({o + "(" + kInner + ") by (x, y)", o + " by (x, y) (" + kInner + ")"});
    ExpectCanonical({o + " without (x) (" + kInner + ")", o + " without (x) (" + kInner + ")"});
    ExpectCanonical({o + "(" + kInner + ") without (x)", o + " without (x) (" + kInner + ")"});
  }
  for (const char* op : {"topk", "bottomk"}) {
    std::string o = op;
    ExpectCanonical({o + "(3, " + kInner + ")", o + "(3, " + kInner + ")"});
    ExpectCanonical({o + " by (x) (3, " + kInner + ")", o + " by (x) (3, " + kInner + ")"});
    ExpectCanonical({o + "(3, " + kInner + ") by (x)", o + " by (x) (3, " + kInner + ")"});
  }
}

// Every binary operator between two metric legs, with and without bool / matching.
TEST(LogqlParser, BinaryOperatorMatrix) {
  const char* kOps[] = {"+", "-", "*", "/", "%", "^", "==", "!=", ">", ">=", "<", "<=", "and", "or", "unless"};
  const char* kCmp[] = {"==", "!=", ">", ">=", "<", "<="};
  const std::string l = R"(rate({a="b"} [1m]))";
  for (const char* op : kOps) {
    ExpectCanonical({l + " " + op + " " + l, l + " " + op + " " + l});
    ExpectCanonical({l + " " + op + " on (x) " + l, l + " " + op + " on (x) " + l});
    ExpectCanonical({l + " " + op + " ignoring (x) " + l, l + " " + op + " ignoring (x) " + l});
  }
  for (const char* op : kCmp) {
    ExpectCanonical({l + " " + op + " bool " + l, l + " " + op + " bool " + l});
    ExpectCanonical({l + " " + op + " 2", l + " " + op + " 2"});
  }
}

TEST(LogqlParser, AstShapes) {
  auto e = ParseLogQL(R"(sum by (a) (rate({app="x"} |= "err" | json | unwrap latency [5m] offset 1m)))");
  ASSERT_TRUE(e.ok()) << e.status().message();  // rate accepts an optional unwrap
  auto ok = ParseLogQL(R"(sum by (a) (rate({app="x"} |= "err" | json [5m] offset 1m)))");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  const auto& va = std::get<VectorAggregation>(ok->node);
  EXPECT_EQ(va.op, VectorOp::kSum);
  const auto& ra = std::get<RangeAggregation>(va.inner->node);
  EXPECT_EQ(ra.range.range_ns, 300'000'000'000);
  EXPECT_EQ(ra.range.offset_ns, 60'000'000'000);
  ASSERT_EQ(ra.range.log.stages.size(), 2u);
  EXPECT_EQ(std::get<LineFilterStage>(ra.range.log.stages[0]).args[0].value, "err");
  EXPECT_EQ(std::get<ParserStage>(ra.range.log.stages[1]).kind, ParserKind::kJson);

  auto lf = ParseLogQL(R"({a="b"} | logfmt | size > 10KB and d < 1h30m)");
  ASSERT_TRUE(lf.ok());
  const auto& f = std::get<LabelFilterStage>(std::get<LogExpr>(lf->node).stages[1]).filter;
  EXPECT_EQ(f.kind, LabelFilter::Kind::kAnd);
  EXPECT_EQ(f.left->bytes, 10000u);
  EXPECT_EQ(f.right->duration_ns, 5'400'000'000'000);
  auto mib = ParseLogQL(R"({a="b"} | logfmt | size > 5MiB)");
  ASSERT_TRUE(mib.ok());
  EXPECT_EQ(std::get<LabelFilterStage>(std::get<LogExpr>(mib->node).stages[1]).filter.bytes, 5u * 1024 * 1024);
}

struct ErrorCase {
  std::string in;
  std::string error;
};

const char* kEmptyMatcherErr =
    "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible "
    "value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";

const ErrorCase kErrors[] = {
    // syntax errors with positions (Loki's texts and columns)
    {R"(unk({ foo = "bar" }[5m]))", "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"},
    {R"(rate({ foo = "bar" }[5minutes]))", R"(parse error at line 0, col 21: not a valid duration string: "5minutes")"},
    {R"(label_replace(rate({ foo = "bar" }[5m]),""))", "parse error at line 1, col 43: syntax error: unexpected ), expecting ,"},
    {R"(rate({ foo = "bar" }[5))", "parse error at line 0, col 21: missing closing ']' in duration"},
    {R"(min({ foo = "bar" }[5m]))", "parse error at line 0, col 20: syntax error: unexpected RANGE"},
    {R"({ foo = "bar" }|logfmt|addr>=ip("1.2.3.4"))", "parse error at line 1, col 30: syntax error: unexpected ip, expecting BYTES or NUMBER or DURATION"},
    {R"({ foo = "bar" }|logfmt|addr>ip("1.2.3.4"))", "parse error at line 1, col 29: syntax error: unexpected ip, expecting BYTES or NUMBER or DURATION"},
    {R"({ foo = "bar" }|logfmt|addr<=ip("1.2.3.4"))", "parse error at line 1, col 30: syntax error: unexpected ip, expecting BYTES or NUMBER or DURATION"},
    {R"({ foo = "bar" }|logfmt|addr<ip("1.2.3.4"))", "parse error at line 1, col 29: syntax error: unexpected ip, expecting BYTES or NUMBER or DURATION"},
    {R"(bottomk(he,count_over_time({ foo = "bar" }[5h])))", "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER"},
    {R"(stddev({ foo = "bar" }))", "parse error at line 1, col 23: syntax error: unexpected )"},
    {"bool 1 > 1 > bool 1", "parse error at line 1, col 1: syntax error: unexpected bool"},
    {R"(quantile_over_time(foo,{namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m]))",
     "parse error at line 1, col 20: syntax error: unexpected IDENTIFIER, expecting NUMBER or { or ("},
    {R"(#{app="foo"} | json)", "parse error at line 1, col 20: syntax error: unexpected $end"},
    {R"({ foo = })", "parse error at line 1, col 9: syntax error: unexpected }, expecting STRING"},
    {R"({foo="bar")", "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,"},
    {R"({foo})", "parse error at line 1, col 5: syntax error: unexpected }, expecting = or != or =~ or !~"},
    {R"({foo="bar"} |= )", "parse error at line 1, col 16: syntax error: unexpected $end, expecting STRING"},
    {R"({foo="bar"} |= 5)", "parse error at line 1, col 16: syntax error: unexpected NUMBER, expecting STRING"},
    {R"({foo="bar"} | line_format)", "parse error at line 1, col 26: syntax error: unexpected $end, expecting STRING"},
    {R"({foo="bar"} | regexp)", "parse error at line 1, col 21: syntax error: unexpected $end, expecting STRING"},
    {R"({foo="bar"} | label_format a)", "parse error at line 1, col 29: syntax error: unexpected $end, expecting ="},
    {R"({foo="bar"} | logfmt | a=~5)", "parse error at line 1, col 27: syntax error: unexpected NUMBER, expecting STRING"},
    {R"({foo="bar"} | logfmt | a>"x")", "parse error at line 1, col 26: syntax error: unexpected STRING, expecting BYTES or NUMBER or DURATION"},
    {R"(rate({foo="bar"}))", "parse error at line 1, col 17: syntax error: unexpected )"},
    {R"(sum(rate({foo="bar"}[1m])) by (a) by (b))", "parse error at line 1, col 35: syntax error: unexpected by"},
    {R"(sum by (a) (rate({foo="bar"}[1m])) by (b))", "parse error at line 1, col 36: syntax error: unexpected by"},
    {R"(vector(a))", "parse error at line 1, col 8: syntax error: unexpected IDENTIFIER, expecting NUMBER"},
    {"{foo=\"bar\"}\n|= \"x\" |", "parse error at line 2, col 9: syntax error: unexpected $end"},
    {R"({foo="bar)", "parse error at line 1, col 6: literal not terminated"},
    {R"({foo="\q"})", "parse error at line 1, col 6: invalid syntax"},
    {R"(rate({foo="bar"}[5m]) +)", "parse error at line 1, col 24: syntax error: unexpected $end"},
    {R"(rate({foo="bar"}[5m]) offset 5m)", "parse error at line 1, col 23: syntax error: unexpected offset"},
    {R"({foo="bar"} | unwrap x)", "parse error at line 1, col 13: syntax error: unexpected |"},
    {R"(rate({foo="bar"}[5m] offset))", "parse error at line 1, col 28: syntax error: unexpected ), expecting DURATION"},
    {R"({foo="bar"} !~ ip("1.2.3.4"))", "parse error at line 1, col 16: syntax error: unexpected ip, expecting STRING"},
    {R"({foo="bar"} |~ ip("1.2.3.4"))", "parse error at line 1, col 16: syntax error: unexpected ip, expecting STRING"},
    {"{foo=\"bar\"} ! \"x\"", "parse error at line 1, col 13: syntax error: unexpected $unk"},
    // semantic errors (no position)
    {R"(absent_over_time({ foo = "bar" }[5h]) by (foo))", "parse error : grouping not allowed for absent_over_time aggregation"},
    {R"(label_replace(rate({ foo = "bar" }[5m]),"foo","$1","bar","^^^^x43\\q"))",
     "parse error : invalid regex in label_replace: error parsing regexp: invalid escape sequence: \\q"},
    {R"(sum(3 ,count_over_time({ foo = "bar" }[5h])))", "parse error : unsupported parameter for operation sum(3,"},
    {R"(topk(count_over_time({ foo = "bar" }[5h])))", "parse error : parameter required for operation topk"},
    {R"(bottomk(1.2,count_over_time({ foo = "bar" }[5h])))", "parse error : invalid parameter bottomk(1.2,"},
    {R"(topk(0,count_over_time({ foo = "bar" }[5h])))", "parse error : invalid parameter (must be greater than 0) topk(0,"},
    {R"(sort by (a) (count_over_time({ foo = "bar" }[5h])))", "parse error : grouping not allowed for sort and sort_desc operations"},
    {R"({foo="bar"} + {foo="bar"})", "parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr"},
    {R"(sum(count_over_time({foo="bar"}[5m])) by (foo) - {foo="bar"})", "parse error : unexpected type for right leg of binary operation (-): *syntax.MatchersExpr"},
    {R"({foo="bar"} / sum(count_over_time({foo="bar"}[5m])) by (foo))", "parse error : unexpected type for left leg of binary operation (/): *syntax.MatchersExpr"},
    {R"({foo="bar"} |= "x" > 1)", "parse error : unexpected type for left leg of binary operation (>): *syntax.PipelineExpr"},
    {R"(count_over_time({ foo = "bar" }[12m]) > { foo = "bar" })", "parse error : unexpected type for right leg of binary operation (>): *syntax.MatchersExpr"},
    {R"(sum(count_over_time({foo="bar"}[5m])) by (foo) or 1)", "parse error : unexpected literal for right leg of logical/set binary operation (or): 1.000000"},
    {R"(1 unless sum(count_over_time({foo="bar"}[5m])) by (foo))", "parse error : unexpected literal for left leg of logical/set binary operation (unless): 1.000000"},
    {R"(sum(count_over_time({foo="bar"}[5m])) by (foo) + 1 or 1)", "parse error : unexpected literal for right leg of logical/set binary operation (or): 1.000000"},
    {R"(sum_over_time({namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m]) by (foo))", "parse error : grouping not allowed for sum_over_time aggregation"},
    {R"(sum_over_time(50,{namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m]))", "parse error : parameter 50 not supported for operation sum_over_time"},
    {R"(quantile_over_time({namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m]))", "parse error : parameter required for operation quantile_over_time"},
    {R"(count_over_time({a="b"} | json | unwrap x [5m]))", "parse error : invalid aggregation count_over_time with unwrap"},
    {R"(bytes_over_time({a="b"} | json | unwrap x [5m]))", "parse error : invalid aggregation bytes_over_time with unwrap"},
    {R"(bytes_rate({a="b"} | json | unwrap x [5m]))", "parse error : invalid aggregation bytes_rate with unwrap"},
    {R"(sum_over_time({a="b"} [5m]))", "parse error : invalid aggregation sum_over_time without unwrap"},
    {R"(avg_over_time({a="b"} [5m]))", "parse error : invalid aggregation avg_over_time without unwrap"},
    {R"(rate_counter({a="b"} [5m]))", "parse error : invalid aggregation rate_counter without unwrap"},
    {R"(rate({a="b"} [5m]) by (x))", "parse error : grouping not allowed for rate aggregation"},
    {R"(count_over_time({a="b"} [5m]) by (x))", "parse error : grouping not allowed for count_over_time aggregation"},
    {R"(rate(5, {a="b"} [5m]))", "parse error : parameter 5 not supported for operation rate"},
    {R"x({foo="bar"} | regexp "(\\w+)")x", "parse error : at least one named capture must be supplied"},
    {R"({foo="bar"} | regexp "(?P<a>")", "parse error : error parsing regexp: missing ): (?P<a>"},
    {R"({foo="bar"} | pattern "<_> foo")", "parse error : at least one capture is required"},
    {R"({foo="bar"} | pattern "<a><b>")", "parse error : found consecutive capture 'b'"},
    {R"({foo="bar"} | label_format a=b, a="x")", "parse error : multiple label name 'a' appears in formatting"},
    {R"({foo="bar"} |= ip("not-an-ip"))", "parse error : invalid ip filter: \"not-an-ip\""},
    {R"({foo="bar"} | logfmt | a=ip("1.2.3.4/99"))", "parse error : invalid ip filter: \"1.2.3.4/99\""},
    {R"({foo=~"("})", "parse error : error parsing regexp: missing ): ("},
    {R"({foo="bar"} |~ "(")", "parse error : error parsing regexp: missing ): ("},
    {R"(rate({a="b"}[1m]) + bool rate({a="b"}[1m]))", "parse error : bool modifier can only be used on comparison operators"},
    // selector validation
    {R"({})", kEmptyMatcherErr},
    {R"({foo!="bar"})", kEmptyMatcherErr},
    {R"({app=~".*"})", kEmptyMatcherErr},
    {R"({foo!~"bar|baz"})", kEmptyMatcherErr},
    {R"({a=""})", kEmptyMatcherErr},
    {R"(count_over_time({foo!="bar"}[5m]))", kEmptyMatcherErr},
    {R"(count_over_time({app=~".*"}[5m]))", kEmptyMatcherErr},
    {R"(count_over_time({app!~"bar|baz"}[5m]))", kEmptyMatcherErr},
    {R"(1 + count_over_time({app=~".*"}[5m]))", kEmptyMatcherErr},
    {R"(1 + count_over_time({app=~".+"}[5m]) + count_over_time({app=~".*"}[5m]))", kEmptyMatcherErr},
    {R"(1 + count_over_time({app=~".+"}[5m]) + count_over_time({app=~".*"}[5m]) + 1)", kEmptyMatcherErr},
};

TEST(LogqlParser, Errors) {
  for (const ErrorCase& c : kErrors) {
    auto e = ParseLogQL(c.in);
    ASSERT_FALSE(e.ok()) << c.in << " parsed as " << FormatLogQL(*e);
    EXPECT_EQ(e.status().message(), c.error) << c.in;
    EXPECT_EQ(e.status().code(), base::StatusCode::kInvalidArgument);
  }
}

TEST(LogqlParser, ValidSelectorsPassValidation) {
  for (const char* q : {R"({foo="bar"})", R"({app="baz", foo!="bar"})", R"({app=~".+"})", R"({foo=~"bar|baz"})",
                        R"({a!=""})", R"(count_over_time({app="baz", foo!="bar"}[5m]))",
                        R"(1 + count_over_time({app=~".+"}[5m]) + count_over_time({app=~".+"}[5m]))"}) {
    EXPECT_TRUE(ParseLogQL(q).ok()) << q;
  }
}

TEST(LogqlParser, InputTooLong) {
  std::string q = R"({a="b"} |= ")" + std::string(kMaxQueryLength, 'x') + "\"";
  auto e = ParseLogQL(q);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "parse error : input size too long");
}

TEST(LogqlLexer, Durations) {
  int64_t ns = 0;
  EXPECT_TRUE(ParsePromDuration("1h30m", &ns));
  EXPECT_EQ(ns, 5'400'000'000'000);
  EXPECT_FALSE(ParsePromDuration("30m1h", &ns));
  EXPECT_FALSE(ParsePromDuration("1.5h", &ns));
  EXPECT_TRUE(ParseGoDuration("1.5h", &ns));
  EXPECT_EQ(ns, 5'400'000'000'000);
  EXPECT_TRUE(ParseGoDuration("250us", &ns));
  EXPECT_EQ(ns, 250'000);
  EXPECT_TRUE(ParseAnyDuration("1d", &ns));
  EXPECT_EQ(FormatDuration(ns), "1d");
  EXPECT_EQ(FormatDuration(90'000'000'000), "1m30s");
  EXPECT_EQ(FormatDuration(3'600'000'005'000), "1h5us");
  uint64_t b = 0;
  EXPECT_TRUE(ParseBytes("10KB", &b));
  EXPECT_EQ(b, 10000u);
  EXPECT_TRUE(ParseBytes("5MiB", &b));
  EXPECT_EQ(b, 5u << 20);
  EXPECT_FALSE(ParseBytes("5EB", &b));
  EXPECT_EQ(QuoteString("a\"b\\\n\x01"), "\"a\\\"b\\\\\\n\\x01\"");
}

}  // namespace
}  // namespace strata::query
