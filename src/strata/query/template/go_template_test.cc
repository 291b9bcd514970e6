// GoTemplate tests. Expected outputs are worked out from Go's text/template, fmt, strconv, time and regexp
// semantics and from Sprig / Loki's function definitions (not from this implementation's output).
#include "strata/query/template/go_template.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace strata::query {
namespace {

const std::map<std::string, std::string, std::less<>>& Labels() {
  static const std::map<std::string, std::string, std::less<>> kLabels = {
      {"app", "nginx"},
      {"method", "GET"},
      {"path", "/api/v1/users"},
      {"status", "200"},
      {"msg", "Hello World"},
      {"empty", ""},
      {"spaces", "  padded  "},
      {"num", "42"},
      {"float", "3.75"},
      {"dur", "1h30m"},
      {"size", "1.5 KB"},
      {"json", R"({"a":1,"b":"x","c":[1,2]})"},
      {"url", "a b&c=d"},
      {"b64", "aGVsbG8="},
      {"multi", "line1\nline2"},
  };
  return kLabels;
}

TemplateInput Input() {
  TemplateInput in;
  in.label = [](std::string_view name) -> std::optional<std::string_view> {
    auto it = Labels().find(name);
    if (it == Labels().end()) return std::nullopt;
    return std::string_view(it->second);
  };
  in.line = "the quick brown fox";
  in.timestamp_ns = 1700000000123456789;  // 2023-11-14T22:13:20.123456789Z, a Tuesday
  return in;
}

struct Case {
  const char* tmpl;
  const char* want;
};

void RunCases(const std::vector<Case>& cases) {
  TemplateInput in = Input();
  for (const Case& c : cases) {
    auto t = GoTemplate::Compile(c.tmpl);
    ASSERT_TRUE(t.ok()) << c.tmpl << ": " << t.status().message();
    auto out = t->Execute(in);
    ASSERT_TRUE(out.ok()) << c.tmpl << ": " << out.status().message();
    EXPECT_EQ(*out, c.want) << "template: " << c.tmpl;
  }
}

TEST(GoTemplateTest, TextAndActions) {
  RunCases({
      {"plain text", "plain text"},
      {"", ""},
      {"{{.app}}", "nginx"},
      {"{{ .app }}-{{ .method }}", "nginx-GET"},
      {"[{{.missing}}]", "[]"},
      {"[{{ .empty }}]", "[]"},
      {"a {{- \" b \" -}} c", "a b c"},
      {"a  {{- .app }}  \n b", "anginx  \n b"},
      {"x {{/* comment */}} y", "x  y"},
      {"x {{- /* comment */ -}} y", "xy"},
      {"{{ __line__ }}", "the quick brown fox"},
      {"{{ line }}", "the quick brown fox"},
      {"{{ __line__ | upper }}", "THE QUICK BROWN FOX"},
      {"{{ $.app }}", "nginx"},
      {"{{ .app\n}}", "nginx"},
      {"{{- if true -}}\n  yes\n{{- end -}}", "yes"},
      {"{{-3}}", "-3"},
  });
}

TEST(GoTemplateTest, Literals) {
  RunCases({
      {R"({{ "a\tb\x41\u00e9" }})", "a\tbA\xC3\xA9"},
      {"{{ `raw\\n` }}", "raw\\n"},
      {"{{ 42 }}", "42"},
      {"{{ 1.5 }}", "1.5"},
      {"{{ 0x1F }}", "31"},
      {"{{ 'a' }}", "97"},
      {"{{ 1e3 }}", "1000"},
      {"{{ -7 }}", "-7"},
      {"{{ 1_000 }}", "1000"},
      {"{{ true }} {{ false }}", "true false"},
  });
}

TEST(GoTemplateTest, VariablesAndScopes) {
  RunCases({
      {"{{ $x := .app }}{{ $x }}", "nginx"},
      {"{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", "2"},
      {R"({{ $x := "a" }}{{ if true }}{{ $x := "b" }}{{ $x }}{{ end }}{{ $x }})", "ba"},
      {R"({{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }})", "b"},
      {"{{ if $v := .app }}{{ $v }}{{ end }}", "nginx"},
      {"{{ with $x := .app }}{{ $x }}{{ . }}{{ end }}", "nginxnginx"},
      {"{{ $u := upper .app }}{{ $u }}-{{ lower $u }}", "NGINX-nginx"},
  });
}

TEST(GoTemplateTest, Pipelines) {
  RunCases({
      {"{{ .app | upper }}", "NGINX"},
      {R"({{ .path | replace "/" "_" | trunc 5 | upper }})", "_API_"},
      {"{{ (upper .app) }}", "NGINX"},
      {R"({{ printf "%s-%s" .app (lower .method) }})", "nginx-get"},
      {R"({{ .app | printf "%s!" }})", "nginx!"},
      {R"({{ "abc" | len }})", "3"},
      {"{{ .num | int | add 1 }}", "43"},
      {"{{ (fromJson .json).b }}", "x"},
  });
}

TEST(GoTemplateTest, Conditionals) {
  RunCases({
      {"{{ if .app }}yes{{ end }}", "yes"},
      {"{{ if .missing }}yes{{ else }}no{{ end }}", "no"},
      {R"({{ if eq .status "500" }}err{{ else if eq .status "200" }}ok{{ else }}other{{ end }})", "ok"},
      {R"({{ if eq .status "500" }}err{{ else if eq .status "404" }}nf{{ else }}other{{ end }})", "other"},
      {"{{ with .app }}[{{ . }}]{{ end }}", "[nginx]"},
      {"{{ with .missing }}[{{ . }}]{{ else }}none{{ end }}", "none"},
      {"{{ with .missing }}a{{ else with .app }}{{ . }}{{ end }}", "nginx"},
      {R"({{ if and (contains "he" "hello") (contains "llo" "hello") }}yes{{ end }})", "yes"},
      {"{{ if or .missing .app }}{{ or .missing .app }}{{ end }}", "nginx"},
      {"{{ and 1 0 2 }}", "0"},
      {"{{ and 1 2 }}", "2"},
      {R"({{ or 0 "" "x" }})", "x"},
      {"{{ not .missing }}", "true"},
      {"{{ if 0 }}a{{ else if 0.0 }}b{{ else if \"\" }}c{{ else }}d{{ end }}", "d"},
      {"{{ if .empty }}a{{ else }}b{{ end }}", "b"},
      {"{{ if __timestamp__ }}t{{ end }}", "t"},
  });
}

TEST(GoTemplateTest, Comparisons) {
  RunCases({
      {R"({{ eq .app "apache" "nginx" }})", "true"},
      {"{{ eq 1 2 }}", "false"},
      {"{{ ne 1 2 }}", "true"},
      {"{{ lt 1 2 }}", "true"},
      {"{{ le 2 2 }}", "true"},
      {R"({{ gt "b" "a" }})", "true"},
      {"{{ ge 1.5 2.5 }}", "false"},
      {"{{ len .app }}", "5"},
      {"{{ index .app 1 }}", "103"},
      {R"({{ index . "app" }})", "nginx"},
      {R"([{{ index . "nope" }}])", "[]"},
  });
}

TEST(GoTemplateTest, LokiStringFunctions) {
  RunCases({
      {"{{ ToLower .method }}", "get"},
      {R"({{ ToUpper "abc" }})", "ABC"},
      {R"({{ Replace "aaaa" "a" "b" 2 }})", "bbaa"},
      {R"({{ Replace "aaaa" "a" "b" -1 }})", "bbbb"},
      {R"({{ Replace "ab" "" "-" -1 }})", "-a-b-"},
      {R"({{ Trim "xxhixx" "x" }})", "hi"},
      {R"({{ TrimLeft "xxhixx" "x" }})", "hixx"},
      {R"({{ TrimRight "xxhixx" "x" }})", "xxhi"},
      {R"({{ TrimPrefix .path "/api" }})", "/v1/users"},
      {R"({{ TrimSuffix .path "/users" }})", "/api/v1"},
      {"[{{ TrimSpace .spaces }}]", "[padded]"},
  });
}

TEST(GoTemplateTest, SprigStringFunctions) {
  RunCases({
      {R"({{ title "hello wORLD foo_bar" }})", "Hello WORLD Foo_bar"},
      {R"({{ trunc 3 "hello" }})", "hel"},
      {R"({{ trunc -3 "hello" }})", "llo"},
      {R"({{ trunc 10 "hi" }})", "hi"},
      {R"({{ trunc 2 "héllo" }})", "h\xC3\xA9"},
      {R"({{ substr 1 3 "hello" }})", "el"},
      {R"({{ substr 2 -1 "hello" }})", "llo"},
      {R"({{ substr -1 2 "hello" }})", "he"},
      {R"({{ contains "ng" .app }} {{ hasPrefix "ng" .app }} {{ hasSuffix "x" .app }} {{ hasSuffix "q" .app }})",
       "true true true false"},
      {"{{ indent 2 .multi }}", "  line1\n  line2"},
      {R"({{ nindent 2 "a" }})", "\n  a"},
      {R"({{ repeat 3 "ab" }})", "ababab"},
      {R"({{ replace " " "_" .msg }})", "Hello_World"},
      {"[{{ trim .spaces }}]", "[padded]"},
      {R"({{ trimAll "$" "$5.00$" }})", "5.00"},
      {R"({{ trimPrefix "/" .path }})", "api/v1/users"},
      {R"({{ trimSuffix "s" .path }})", "/api/v1/user"},
      {"{{ lower \"\xC3\x80" "B\" }}", "\xC3\xA0" "b"},
      {"{{ upper \"stra\xC3\x9F" "e\" }}", "STRA\xC3\x9F" "E"},
      {R"({{ alignLeft 5 "ab" }}|)", "ab   |"},
      {R"({{ alignRight 5 "ab" }})", "   ab"},
      {R"({{ alignLeft 2 "abcdef" }})", "ab"},
      {R"({{ alignRight 2 "abcdef" }})", "ef"},
  });
}

TEST(GoTemplateTest, Regex) {
  RunCases({
      {R"~({{ regexReplaceAll "(\\w+)@(\\w+)" "bob@example" "$2:$1" }})~", "example:bob"},
      {R"~({{ regexReplaceAll "(a)" "abc" "$1x" }})~", "bc"},  // $1x names group "1x": empty
      {R"~({{ regexReplaceAll "(a)" "abc" "${1}x" }})~", "axbc"},
      {R"~({{ regexReplaceAll "(?P<first>\\w+) (?P<last>\\w+)" "John Smith" "${last}, ${first}" }})~", "Smith, John"},
      {R"({{ regexReplaceAll "a*" "baaac" "-" }})", "-b-c-"},
      {R"({{ regexReplaceAll "o" "foo" "$$" }})", "f$$"},
      {R"({{ regexReplaceAll "^f" "ff" "x" }})", "xf"},
      // The piped value is the LAST argument: here the replacement, applied to the empty string.
      {R"({{ .path | regexReplaceAll "/v[0-9]+" "" }})", ""},
      {R"({{ regexReplaceAll "/v[0-9]+" .path "" }})", "/api/users"},
      {R"({{ regexReplaceAllLiteral "o" "foo" "$1" }})", "f$1$1"},
      {R"({{ count "o" "foo boo" }})", "4"},
      {R"({{ count "" "abc" }})", "4"},
      {R"({{ count "x" "abc" }})", "0"},
  });
}

TEST(GoTemplateTest, Encoding) {
  RunCases({
      {"{{ urlencode .url }}", "a+b%26c%3Dd"},
      {R"({{ urldecode "a+b%26c" }})", "a b&c"},
      {R"({{ b64enc "hello" }})", "aGVsbG8="},
      {R"({{ b64enc "hi" }})", "aGk="},
      {"{{ b64dec .b64 }}", "hello"},
      {R"({{ b64dec "!!" }})", "illegal base64 data at input byte 0"},
      {R"({{ urlquery "a b" }})", "a+b"},
      {R"({{ html "<a href='x'>" }})", "&lt;a href=&#39;x&#39;&gt;"},
      {R"({{ js "it's" }})", "it\\'s"},
  });
}

TEST(GoTemplateTest, Arithmetic) {
  RunCases({
      {"{{ add 1 2 3 }}", "6"},
      {"{{ add .num 1 }}", "43"},
      {"{{ sub 10 3 }}", "7"},
      {"{{ mul 2 3 4 }}", "24"},
      {"{{ div 7 2 }}", "3"},
      {"{{ mod 7 3 }}", "1"},
      {"{{ max 1 5 3 }}", "5"},
      {"{{ min 4 2 8 }}", "2"},
      {"{{ addf 1.1 2.2 }}", "3.3"},
      {"{{ subf 5.5 1.2 }}", "4.3"},
      {"{{ mulf 1.1 3 }}", "3.3"},
      {"{{ divf 10 4 }}", "2.5"},
      {"{{ divf 1 3 }}", "0.3333333333333333"},
      {"{{ maxf 1.5 2.5 }} {{ minf 1.5 2.5 }}", "2.5 1.5"},
      {"{{ ceil 1.2 }}", "2"},
      {R"({{ floor "1.8" }})", "1"},
      {"{{ round 3.14159 2 }}", "3.14"},
      {"{{ round 2.5 0 }}", "3"},
      {R"({{ int "42" }})", "42"},
      {R"({{ int "3.75" }})", "0"},
      {R"({{ int "10.00" }})", "10"},
      {"{{ int 3.75 }}", "3"},
      {"{{ float64 .float }}", "3.75"},
      {R"({{ float64 "abc" }})", "0"},
      {"{{ mul 1000 1000 | float64 }}", "1e+06"},
      {"{{ float64 123456 }}", "123456"},
      {"{{ float64 0.0001 }} {{ float64 0.00001 }}", "0.0001 1e-05"},
  });
}

TEST(GoTemplateTest, Printf) {
  RunCases({
      {R"({{ add 1 2 | printf "%05d" }})", "00003"},
      {R"({{ printf "%d|%5d|%-5d|%05d" 42 42 42 42 }})", "42|   42|42   |00042"},
      {R"({{ printf "%s|%5s|%-5s|%.2s" "ab" "ab" "ab" "abc" }})", "ab|   ab|ab   |ab"},
      {R"({{ printf "%.2f|%f|%e|%g" 3.14159 1.5 1234.5678 0.000012 }})", "3.14|1.500000|1.234568e+03|1.2e-05"},
      {R"({{ printf "%q|%x|%X|%v|%t" "hi" 255 "hi" 1.5 true }})", "\"hi\"|ff|6869|1.5|true"},
      {R"~({{ printf "%d" "x" }})~", "%!d(string=x)"},
      {R"~({{ printf "%s" }})~", "%!s(MISSING)"},
      {R"~({{ printf "a" 1 }})~", "a%!(EXTRA int=1)"},
      {R"({{ printf "100%%" }})", "100%"},
      {R"({{ printf "%v %T" .num .num }})", "42 string"},
      {R"({{ printf "%+d %x %o %b %c" 5 -255 8 5 65 }})", "+5 -ff 10 101 A"},
      {R"({{ printf "%8.3f|%-8.2f|" 3.14159 2.5 }})", "   3.142|2.50    |"},
      {R"({{ printf "%v" __timestamp__ }})", "2023-11-14 22:13:20.123456789 +0000 UTC"},
      {R"({{ print 1 2 "a" 3 }})", "1 2a3"},
      {R"({{ println "a" 1 }})", "a 1\n"},
  });
}

TEST(GoTemplateTest, Default) {
  RunCases({
      {R"({{ .missing | default "-" }})", "-"},
      {R"({{ .app | default "-" }})", "nginx"},
      {R"({{ default "x" 0 }})", "x"},
      {R"({{ default "x" 5 }})", "5"},
      {R"({{ default "x" }})", "x"},
  });
}

TEST(GoTemplateTest, Time) {
  RunCases({
      {"{{ __timestamp__ }}", "2023-11-14 22:13:20.123456789 +0000 UTC"},
      {R"({{ __timestamp__ | date "2006-01-02T15:04:05.00Z07:00" }})", "2023-11-14T22:13:20.12Z"},
      {"{{ __timestamp__ | unixEpoch }}", "1700000000"},
      {"{{ __timestamp__ | unixEpochMillis }}", "1700000000123"},
      {"{{ __timestamp__ | unixEpochNanos }}", "1700000000123456789"},
      {R"({{ date "Mon Jan _2 3:04PM 2006 .000" __timestamp__ }})", "Tue Nov 14 10:13PM 2023 .123"},
      {R"({{ date "Monday, 02-January-06 15h04 -0700 MST .999999999" __timestamp__ }})",
       "Tuesday, 14-November-23 22h13 +0000 UTC .123456789"},
      {R"({{ date "002 __2" __timestamp__ }})", "318 318"},
      {R"({{ date "2006-01-02" 86400 }})", "1970-01-02"},
      {R"({{ toDate "2006-01-02" "2024-02-29" | unixEpoch }})", "1709164800"},
      {R"({{ toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T02:00:00+02:00" | unixEpoch }})", "1704067200"},
      {R"({{ toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T02:00:00+02:00" }})",
       "2024-01-01 02:00:00 +0200 +0200"},
      {R"({{ toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T02:00:00.5Z" | unixEpochMillis }})", "1704074400500"},
      {R"({{ toDate "2006-01-02" "bad" }})", "0001-01-01 00:00:00 +0000 UTC"},
      {R"({{ toDate "2006-01-02" "2023-02-29" }})", "0001-01-01 00:00:00 +0000 UTC"},
      {R"({{ date "2006-01-02 15:04:05" (toDate "02/01/06 3:04pm" "25/12/23 5:30pm") }})", "2023-12-25 17:30:00"},
      {R"({{ toDate "Jan 2 2006" "feb 3 2021" | date "2006-01-02" }})", "2021-02-03"},
      {R"({{ unixToTime "1700000000" | unixEpochMillis }})", "1700000000000"},
      {R"({{ unixToTime "1700000000123" | unixEpochMillis }})", "1700000000123"},
      {R"({{ unixToTime "19675" | date "2006-01-02" }})", "2023-11-14"},
      {R"({{ toDateInZone "2006-01-02" "UTC" "2024-01-01" | unixEpoch }})", "1704067200"},
      {R"({{ if lt (now | unixEpoch | int) 1600000000 }}past{{ else }}now{{ end }})", "now"},
  });
}

TEST(GoTemplateTest, DurationsAndBytes) {
  RunCases({
      {"{{ duration .dur }}", "5400"},
      {R"({{ duration_seconds "1.5s" }})", "1.5"},
      {R"({{ duration "-1m" }})", "-60"},
      {R"({{ duration "100ms" }})", "0.1"},
      {R"({{ duration "1h2m3.5s" }})", "3723.5"},
      {"{{ bytes .size }}", "1500"},
      {R"({{ bytes "2 MiB" }})", "2.097152e+06"},
      {R"({{ bytes "10" }})", "10"},
      {R"({{ bytes "1,024 B" }})", "1024"},
  });
}

TEST(GoTemplateTest, FromJson) {
  RunCases({
      {"{{ (fromJson .json).a }}", "1"},
      {"{{ fromJson .json }}", "map[a:1 b:x c:[1 2]]"},
      {"{{ index (fromJson .json).c 1 }}", "2"},
      {R"({{ index (fromJson .json) "b" }})", "x"},
      {"{{ len (fromJson .json).c }}", "2"},
      {R"({{ fromJson "not json" }})", "<no value>"},
      {"{{ (fromJson .json).zz }}", "<no value>"},
  });
}

struct ErrCase {
  const char* tmpl;
  const char* want_substr;
};

TEST(GoTemplateTest, CompileErrors) {
  std::vector<ErrCase> cases = {
      {"{{ foo }}", "template: line:1: function \"foo\" not defined"},
      {"x\n{{ foo }}", "template: line:2: function \"foo\" not defined"},
      {"{{ .app ", "unclosed action"},
      {"{{ if .app }}x", "unexpected EOF"},
      {"{{ end }}", "unexpected {{end}}"},
      {"{{ else }}", "unexpected {{else}}"},
      {"{{ }}", "missing value for command"},
      {"{{ $y }}", "undefined variable \"$y\""},
      {"{{ $y = 1 }}", "undefined variable \"$y\""},
      {"{{ if true }}{{ $z := 1 }}{{ end }}{{ $z }}", "undefined variable \"$z\""},
      {"{{ \"abc }}", "unterminated quoted string"},
      {"{{ `abc }}", "unterminated raw quoted string"},
      {"{{ 12ab }}", "bad number syntax: \"12a\""},
      {"{{ .a | \"x\" }}", "non executable command in pipeline stage 2"},
      {"{{ range .x }}{{ end }}", "not supported"},
      {"{{ define \"x\" }}{{ end }}", "not supported"},
      {"{{/* unclosed", "unclosed comment"},
      {"{{/* c */ x }}", "comment ends before closing delimiter"},
      {"{{ (upper .app }}", "unclosed left paren"},
      {"{{ upper .app) }}", "unexpected right paren"},
      {"{{ \"a\\q\" }}", "invalid syntax"},
      {"{{ \"x\".y }}", "unexpected . after term"},
      {"{{ if true }}{{ else }}{{ else }}{{ end }}", "expected end"},
      {"{{ .a # }}", "unexpected \"#\" in operand"},
  };
  std::string deep = "{{ " + std::string(200, '(') + "1" + std::string(200, ')') + " }}";
  cases.push_back({deep.c_str(), "max expression depth exceeded"});
  std::string deep_if;
  for (int i = 0; i < 150; ++i) deep_if += "{{ if true }}";
  for (int i = 0; i < 150; ++i) deep_if += "{{ end }}";
  cases.push_back({deep_if.c_str(), "max expression depth exceeded"});
  for (const ErrCase& c : cases) {
    auto t = GoTemplate::Compile(c.tmpl);
    ASSERT_FALSE(t.ok()) << c.tmpl;
    EXPECT_EQ(t.status().code(), base::StatusCode::kInvalidArgument) << c.tmpl;
    EXPECT_NE(t.status().message().find(c.want_substr), std::string::npos)
        << c.tmpl << " -> " << t.status().message() << " (want " << c.want_substr << ")";
    EXPECT_EQ(t.status().message().rfind("template: line:", 0), 0u) << t.status().message();
  }
}

TEST(GoTemplateTest, ExecuteErrors) {
  std::vector<ErrCase> cases = {
      {"{{ div 1 0 }}",
       "template: line:1:3: executing \"line\" at <div 1 0>: error calling div: runtime error: integer divide by zero"},
      {"{{ mod 1 0 }}", "integer divide by zero"},
      {"{{ divf 1 0 }}", "error calling divf: decimal division by 0"},
      {R"({{ regexReplaceAll "(" .app "x" }})", "error calling regexReplaceAll: error parsing regexp"},
      {"{{ upper 5 }}", "expected string; found 5"},
      {"{{ add 1 2 | upper }}", "wrong type for value; expected string; got int64"},
      {R"({{ trunc "a" .app }})", "expected integer; found \"a\""},
      {"{{ trunc .num .app }}", "wrong type for value; expected int; got string"},
      {"{{ trunc 1.5 .app }}", "expected integer; found 1.5"},
      {"{{ eq .num 42 }}", "error calling eq: incompatible types for comparison"},
      {"{{ lt true false }}", "invalid type for comparison"},
      {"{{ eq 1 }}", "missing argument for comparison"},
      {R"({{ urldecode "%zz" }})", "invalid URL escape \"%zz\""},
      {R"({{ duration "abc" }})", "time: invalid duration \"abc\""},
      {R"({{ duration "10x" }})", "time: unknown unit \"x\" in duration \"10x\""},
      {R"({{ bytes "10 parsecs" }})", "unhandled size name: parsecs"},
      {R"({{ unixToTime "123" }})", "unsupported length"},
      {R"({{ repeat 2000000 "ab" }})", "exceeds"},
      {R"({{ repeat -1 "ab" }})", "negative Repeat count"},
      {"{{ unixEpoch .app }}", "wrong type for value; expected time.Time; got string"},
      {"{{ upper }}", "wrong number of args for upper: want 1 got 0"},
      {R"({{ "a" | upper "b" }})", "wrong number of args for upper: want 1 got 2"},
      {"{{ printf }}", "wrong number of args for printf: want at least 1 got 0"},
      {"{{ .app.foo }}", "can't evaluate field foo in type string"},
      {"{{ nil }}", "nil is not a command"},
      {"{{ .app 1 }}", "app is not a method but has arguments"},
      {"{{ upper nil }}", "cannot assign nil to string"},
      {"{{ index .app 10 }}", "index out of range: 10"},
      {"{{ len 3 }}", "len of type int"},
      {"{{ . }}", "not supported"},
      {R"({{ repeat 500000 "ab" }}{{ repeat 500000 "ab" }})", "exceeds 1048576 bytes"},
      {R"({{ Replace .line "" "0123456789" -1 }}{{ Replace (repeat 200000 "abcde") "" "0123456789" -1 }})",
       "exceeds"},
  };
  TemplateInput in = Input();
  for (const ErrCase& c : cases) {
    auto t = GoTemplate::Compile(c.tmpl);
    ASSERT_TRUE(t.ok()) << c.tmpl << ": " << t.status().message();
    auto out = t->Execute(in);
    ASSERT_FALSE(out.ok()) << c.tmpl << " -> " << *out;
    EXPECT_NE(out.status().message().find(c.want_substr), std::string::npos)
        << c.tmpl << " -> " << out.status().message() << " (want " << c.want_substr << ")";
  }
}

TEST(GoTemplateTest, LiteralRegexIsCheckedAtExecutionLikeGo) {
  // A bad literal pattern compiles (Go only compiles the regexp when the function runs) and fails per line.
  auto t = GoTemplate::Compile(R"({{ if .missing }}{{ regexReplaceAll "(" .app "x" }}{{ end }}ok)");
  ASSERT_TRUE(t.ok());
  auto out = t->Execute(Input());
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "ok");
  // A pattern coming from a label is compiled at execution.
  auto dyn = GoTemplate::Compile(R"({{ regexReplaceAll .app "an nginx box" "X" }})");
  ASSERT_TRUE(dyn.ok());
  auto dout = dyn->Execute(Input());
  ASSERT_TRUE(dout.ok()) << dout.status().message();
  EXPECT_EQ(*dout, "an X box");
}

TEST(GoTemplateTest, IsConstant) {
  auto a = GoTemplate::Compile("plain");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->IsConstant());
  auto b = GoTemplate::Compile("x{{/* c */}}y");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->IsConstant());
  auto out = b->Execute(Input());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "xy");
  auto c = GoTemplate::Compile("{{ .app }}");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->IsConstant());
}

TEST(GoTemplateTest, NoLabelFunctionMeansMissingLabels) {
  auto t = GoTemplate::Compile("[{{ .app }}|{{ .app | upper }}|{{ __line__ }}]");
  ASSERT_TRUE(t.ok());
  TemplateInput in;
  in.line = "L";
  auto out = t->Execute(in);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "[||L]");
}

TEST(GoTemplateTest, ConcurrentExecuteOnSharedCopies) {
  auto t = GoTemplate::Compile(R"({{ $x := .app | upper }}{{ $x }}-{{ regexReplaceAll "o" __line__ "0" }})");
  ASSERT_TRUE(t.ok());
  GoTemplate copy = *t;
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      const GoTemplate& tt = (i % 2 == 0) ? *t : copy;
      for (int k = 0; k < 500; ++k) {
        auto out = tt.Execute(Input());
        if (!out.ok() || *out != "NGINX-the quick br0wn f0x") bad++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(GoTemplateTest, DefaultConstructedTemplateIsEmpty) {
  GoTemplate t;
  EXPECT_TRUE(t.IsConstant());
  auto out = t.Execute(Input());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "");
}

}  // namespace
}  // namespace strata::query
