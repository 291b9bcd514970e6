#include "strata/ingest/native/native_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace strata::ingest::native {
namespace {

using model::Field;
using model::LabelSet;
using model::LogRecord;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kNow = 1'700'000'000 * kSec;  // receive time
constexpr int64_t kMay1Noon = 1714564800 * kSec;

const model::LabelPolicy& DefaultPolicy() {
  static const model::LabelPolicy policy;
  return policy;
}

DecodeOptions Options(const model::LabelPolicy* policy = &DefaultPolicy()) {
  DecodeOptions o;
  o.labels = policy;
  o.receive_time_ns = kNow;
  return o;
}

LogRecord Rec(std::string message, LabelSet labels = {}, std::vector<Field> fields = {}, int64_t ts = kNow) {
  LogRecord r;
  r.timestamp_ns = ts;
  r.labels = std::move(labels);
  r.message = std::move(message);
  r.fields = std::move(fields);
  return r;
}

DecodeResult Json(std::string_view body, const DecodeOptions& options = Options()) {
  auto r = DecodeJsonBody(body, options);
  EXPECT_TRUE(r.ok()) << body << " -> " << r.status().ToString();
  return r.ok() ? std::move(r).value() : DecodeResult{};
}

DecodeResult Ndjson(std::string_view body, const DecodeOptions& options = Options()) {
  auto r = DecodeNdjsonBody(body, options);
  EXPECT_TRUE(r.ok()) << body << " -> " << r.status().ToString();
  return r.ok() ? std::move(r).value() : DecodeResult{};
}

// `[item]`, built with append: GCC 12's -Wrestrict misfires on "[" + std::string(...) in Release builds.
std::string AsArray(std::string_view item) {
  std::string body = "[";
  body.append(item);
  body.push_back(']');
  return body;
}

// Decodes `item` as a one-element JSON array and returns its record (failing the test if it was rejected).
LogRecord One(std::string_view item, const DecodeOptions& options = Options()) {
  DecodeResult r = Json(AsArray(item), options);
  EXPECT_EQ(r.records.size(), 1u) << item << (r.rejected.empty() ? "" : " rejected: " + r.rejected[0].reason);
  return r.records.empty() ? LogRecord{} : r.records[0];
}

// The rejection reason of `item` decoded as a one-element JSON array ("" when it was accepted).
std::string Reason(std::string_view item, const DecodeOptions& options = Options()) {
  DecodeResult r = Json(AsArray(item), options);
  if (r.rejected.empty()) return "";
  EXPECT_EQ(r.rejected[0].index, 0u);
  return r.rejected[0].reason;
}

// ---- body shapes and body-level errors -------------------------------------------------------------------------

TEST(DecodeJsonBodyTest, AcceptsArrayLogsObjectAndSingleObject) {
  const std::vector<LogRecord> two = {Rec("a"), Rec("b")};
  EXPECT_EQ(Json(R"([{"message":"a"},{"message":"b"}])").records, two);
  EXPECT_EQ(Json(R"({"logs":[{"message":"a"},{"message":"b"}]})").records, two);
  EXPECT_EQ(Json(R"({"other":1,"logs":[{"message":"a"},{"message":"b"}],"more":{"x":[1]}})").records, two);
  EXPECT_EQ(Json(R"({"message":"a"})").records, std::vector<LogRecord>{Rec("a")});
  EXPECT_EQ(Json(" \n[ {\"message\" : \"a\"} ]\n ").records, std::vector<LogRecord>{Rec("a")});
  EXPECT_TRUE(Json("[]").records.empty());
  EXPECT_TRUE(Json(R"({"logs":[]})").records.empty());
  // {} is a single record with no keys at all.
  EXPECT_EQ(Json("{}").records, std::vector<LogRecord>{Rec("")});
  // A UTF-8 byte-order mark before the body is ignored.
  EXPECT_EQ(Json("\xEF\xBB\xBF[{\"message\":\"a\"}]").records, std::vector<LogRecord>{Rec("a")});
}

TEST(DecodeJsonBodyTest, SingleObjectRejectionHasIndexZero) {
  DecodeResult r = Json(R"({"message":"a","level":1})");
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.rejected, (std::vector<Rejection>{{0, "level: expected a string"}}));
}

TEST(DecodeJsonBodyTest, BodyLevelErrors) {
  const struct {
    std::string body;
    std::string message;  // exact, or a prefix when it ends with ": "
  } cases[] = {
      {"", "empty body"},
      {"   \r\n\t ", "empty body"},
      {"\xEF\xBB\xBF", "empty body"},
      {"[{\"message\":\"\xff\"}]", "invalid UTF-8 in JSON body"},
      {"[{\"message\":\"ok\"}, {\"message\":\"\xc3\x28\"}]", "invalid UTF-8 in JSON body"},
      {"[{\"message\":\"a\"},", "malformed JSON: "},
      {"[1, tru]", "malformed JSON: "},
      {"[{\"a\":1}] x", "malformed JSON: "},
      {"{\"a\":}", "malformed JSON: "},
      {"[{\"a\":1e400}]", "malformed JSON: "},
      {"[{\"a\":\"\\ud800\"}]", "malformed JSON: "},  // lone surrogate
      // simdjson's DOM rejects integers beyond 64 bits (a known limitation, see the report).
      {"[{\"a\":123456789012345678901234567890}]", "malformed JSON: "},
      {"42", "expected a JSON array of log objects or {\"logs\": [...]}"},
      {"\"text\"", "expected a JSON array of log objects or {\"logs\": [...]}"},
      {"null", "expected a JSON array of log objects or {\"logs\": [...]}"},
      {"true", "expected a JSON array of log objects or {\"logs\": [...]}"},
      {"{\"logs\":5}", "logs: expected a JSON array"},
      {"{\"logs\":{\"message\":\"a\"}}", "logs: expected a JSON array"},
      {"{\"logs\":null}", "logs: expected a JSON array"},
  };
  for (const auto& c : cases) {
    auto r = DecodeJsonBody(c.body, Options());
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument) << c.body;
    if (c.message.ends_with(": ")) {
      EXPECT_TRUE(r.status().message().starts_with(c.message)) << c.body << " -> " << r.status().message();
      EXPECT_GT(r.status().message().size(), c.message.size()) << "simdjson's message is appended";
    } else {
      EXPECT_EQ(r.status().message(), c.message) << c.body;
    }
  }
}

TEST(DecodeJsonBodyTest, MissingLabelPolicyIsACallerBug) {
  DecodeOptions o = Options(nullptr);
  EXPECT_EQ(DecodeJsonBody("[]", o).status().code(), base::StatusCode::kInternal);
  EXPECT_EQ(DecodeNdjsonBody("{}", o).status().code(), base::StatusCode::kInternal);
  EXPECT_EQ(DecodeTextBody("x", {}, o).status().code(), base::StatusCode::kInternal);
}

// ---- per-item rules ----------------------------------------------------------------------------------------------

TEST(DecodeJsonBodyTest, FullRecordMapsEveryKey) {
  const LogRecord r = One(R"({
    "timestamp": "2024-05-01T12:00:00.5Z", "level": "warning", "service": "api", "env": "prod",
    "hostname": "h1", "instance": "i-1", "message": "hello", "traceId": "abc",
    "metadata": {"user": {"id": 42, "name": "bob"}, "ok": true, "ratio": 1.50, "tags": ["a", 1.0], "gone": null},
    "region": "eu", "count": 7, "nested": {"x": {"y": "z"}}, "arr": [1, 2, {"k": "v"}], "nothing": null
  })");
  const LogRecord want = Rec("hello",
                             {{"env", "prod"},
                              {"host", "h1"},
                              {"instance", "i-1"},
                              {"level", "WARN"},
                              {"service", "api"}},
                             {{"traceId", "abc"},
                              {"metadata.user.id", "42"},
                              {"metadata.user.name", "bob"},
                              {"metadata.ok", "true"},
                              {"metadata.ratio", "1.50"},
                              {"metadata.tags", R"(["a",1.0])"},
                              {"region", "eu"},
                              {"count", "7"},
                              {"nested.x.y", "z"},
                              {"arr", R"([1,2,{"k":"v"}])"}},
                             kMay1Noon + 500'000'000);
  EXPECT_EQ(r, want);
}

TEST(DecodeJsonBodyTest, MixedBatchKeepsGoodItemsInOrder) {
  DecodeResult r = Json(R"([
    {"message": "a"},
    42,
    {"message": "b", "timestamp": true},
    {"message": "c", "level": 3},
    {"message": "d", "timestamp": "yesterday"},
    "str",
    {"message": "e", "timestamp": null},
    [1],
    {"message": "f", "timestamp": {"a": 1}},
    null,
    {"message": "g", "timestamp": 1714564800}
  ])");
  EXPECT_EQ(r.records, (std::vector<LogRecord>{Rec("a"), Rec("e"), Rec("g", {}, {}, kMay1Noon)}));
  EXPECT_EQ(r.rejected, (std::vector<Rejection>{
                            {1, "item: expected a JSON object"},
                            {2, "timestamp: not ISO-8601 or epoch"},
                            {3, "level: expected a string"},
                            {4, "timestamp: not ISO-8601 or epoch"},
                            {5, "item: expected a JSON object"},
                            {7, "item: expected a JSON object"},
                            {8, "timestamp: not ISO-8601 or epoch"},
                            {9, "item: expected a JSON object"},
                        }));
}

TEST(DecodeJsonBodyTest, Timestamps) {
  const struct {
    const char* json;  // the value of "timestamp"; nullptr = key absent
    int64_t ns;
  } cases[] = {
      {nullptr, kNow},
      {"null", kNow},
      {"1714564800", kMay1Noon},                          // seconds
      {"1714564800123", kMay1Noon + 123'000'000},         // ms
      {"1714564800123456", kMay1Noon + 123'456'000},      // us
      {"1714564800123456789", kMay1Noon + 123'456'789},   // ns
      {"-1", -kSec},
      {"1714564800.5", kMay1Noon + 500'000'000},
      {"1714564800.123456789", kMay1Noon + 123'456'789},  // exact: read from the text, not a double
      {"1714564800123.5", kMay1Noon + 123'500'000},
      {"1.7145648e9", kMay1Noon},
      {"17145648E2", kMay1Noon},                          // exponent form goes through double
      {"\"1714564800\"", kMay1Noon},
      {"\"1714564800123\"", kMay1Noon + 123'000'000},
      {"\"1714564800.25\"", kMay1Noon + 250'000'000},
      {"\"2024-05-01T12:00:00Z\"", kMay1Noon},
      {"\"2024-05-01T14:00:00.000000001+02:00\"", kMay1Noon + 1},
      {"\"2024-05-01 12:00:00\"", kMay1Noon},
      {"\"2024-05-01\"", kMay1Noon - 12 * 3600 * kSec},
  };
  for (const auto& c : cases) {
    const std::string item =
        c.json == nullptr ? R"({"message":"m"})" : std::string(R"({"message":"m","timestamp":)") + c.json + "}";
    EXPECT_EQ(One(item).timestamp_ns, c.ns) << item;
  }
  for (const char* bad : {"true", "false", "[1]", "{}", "\"\"", "\"yesterday\"", "\"2024-13-01\"",
                          "18446744073709551615", "9999999999", "1e300", "-1e300", "\"1e9\""}) {
    EXPECT_EQ(Reason(std::string(R"({"timestamp":)") + bad + "}"), "timestamp: not ISO-8601 or epoch") << bad;
  }
}

TEST(DecodeJsonBodyTest, Levels) {
  EXPECT_EQ(One(R"({"level":"err"})").labels, (LabelSet{{"level", "ERROR"}}));
  EXPECT_EQ(One(R"({"level":"Notice"})").labels, (LabelSet{{"level", "INFO"}}));
  EXPECT_EQ(One(R"({"level":"custom"})").labels, (LabelSet{{"level", "CUSTOM"}}));
  EXPECT_TRUE(One(R"({"level":null})").labels.empty());
  for (const char* bad : {"3", "1.5", "true", "[\"info\"]", "{\"name\":\"info\"}"}) {
    EXPECT_EQ(Reason(std::string(R"({"level":)") + bad + "}"), "level: expected a string") << bad;
  }
  // Without `level` in the policy the normalised level is a field.
  const model::LabelPolicy no_level({"service"});
  const LogRecord r = One(R"({"level":"warning","service":"s"})", Options(&no_level));
  EXPECT_EQ(r.labels, (LabelSet{{"service", "s"}}));
  EXPECT_EQ(r.fields, (std::vector<Field>{{"level", "WARN"}}));
}

TEST(DecodeJsonBodyTest, Messages) {
  const struct {
    const char* json;  // value of "message"; nullptr = absent
    const char* message;
  } cases[] = {
      {nullptr, ""},
      {"null", ""},
      {R"("plain")", "plain"},
      {R"("a\nb\t\"q\" \u00e9 \ud83d\ude00")", "a\nb\t\"q\" \xc3\xa9 \xf0\x9f\x98\x80"},
      {"1.50", "1.50"},
      {"-0", "-0"},
      {"1e3", "1e3"},
      {"true", "true"},
      {"false", "false"},
      {R"({ "a" : 1.0, "b" : [ 1 , 2 ], "s" : "x y \" z" })", R"({"a":1.0,"b":[1,2],"s":"x y \" z"})"},
      {R"([ "a b" , { } , [ ] ])", R"(["a b",{},[]])"},
      {R"({"u":"\u00e9\\"})", R"({"u":"\u00e9\\"})"},  // escapes kept in JSON text
  };
  for (const auto& c : cases) {
    const std::string item =
        c.json == nullptr ? std::string("{}") : std::string(R"({"message":)") + c.json + "}";
    EXPECT_EQ(One(item).message, c.message) << item;
  }
}

TEST(DecodeJsonBodyTest, MetadataAndNestedObjectsFlatten) {
  EXPECT_EQ(One(R"({"metadata":{"a":{"b":{"c":"deep"}},"n":-1.25e-3,"t":false,"empty":{},"nil":null}})").fields,
            (std::vector<Field>{{"metadata.a.b.c", "deep"}, {"metadata.n", "-1.25e-3"}, {"metadata.t", "false"}}));
  // A non-object metadata is the single field `metadata`.
  EXPECT_EQ(One(R"({"metadata":"text"})").fields, (std::vector<Field>{{"metadata", "text"}}));
  EXPECT_EQ(One(R"({"metadata":5})").fields, (std::vector<Field>{{"metadata", "5"}}));
  EXPECT_EQ(One(R"({"metadata":[1, "a"]})").fields, (std::vector<Field>{{"metadata", R"([1,"a"])"}}));
  EXPECT_TRUE(One(R"({"metadata":null})").fields.empty());
  // Escaped keys are unescaped in field names.
  EXPECT_EQ(One(R"({"m\u00e9ta":{"k\"q":"v"}})").fields, (std::vector<Field>{{"m\xc3\xa9ta.k\"q", "v"}}));
  // metadata is never a label, even if a policy names it.
  const model::LabelPolicy odd({"metadata"});
  EXPECT_EQ(One(R"({"metadata":"x"})", Options(&odd)).fields, (std::vector<Field>{{"metadata", "x"}}));
}

TEST(DecodeJsonBodyTest, LabelsFollowThePolicy) {
  EXPECT_EQ(One(R"({"service":5,"env":true,"host":"h"})").labels,
            (LabelSet{{"env", "true"}, {"host", "h"}, {"service", "5"}}));
  // hostname is an alias of host; the last spelling wins.
  EXPECT_EQ(One(R"({"host":"a","hostname":"b"})").labels, (LabelSet{{"host", "b"}}));
  EXPECT_EQ(One(R"({"hostname":"b","host":"a"})").labels, (LabelSet{{"host", "a"}}));
  EXPECT_EQ(One(R"({"service":"a","service":"b"})").labels, (LabelSet{{"service", "b"}}));
  // Values a label cannot hold become fields.
  const LogRecord r = One(R"({"service":{"name":"x"},"env":["a","b"],"instance":null})");
  EXPECT_TRUE(r.labels.empty());
  EXPECT_EQ(r.fields, (std::vector<Field>{{"service.name", "x"}, {"env", R"(["a","b"])"}}));
  // traceId is a field unless the policy makes it a label; custom policies pick their own keys.
  EXPECT_EQ(One(R"({"traceId":"t1","team":"core"})").fields,
            (std::vector<Field>{{"traceId", "t1"}, {"team", "core"}}));
  const model::LabelPolicy custom({"team", "traceId"});
  const LogRecord c = One(R"({"traceId":"t1","team":"core","service":"api"})", Options(&custom));
  EXPECT_EQ(c.labels, (LabelSet{{"team", "core"}, {"traceId", "t1"}}));
  EXPECT_EQ(c.fields, (std::vector<Field>{{"service", "api"}}));
}

TEST(DecodeJsonBodyTest, NumbersKeepTheirOriginalText) {
  const LogRecord r = One(R"({"a":1.50,"b":1e3,"c":-0.0,"d":18446744073709551615,"e":-9223372036854775808,"f":2E+2})");
  EXPECT_EQ(r.fields, (std::vector<Field>{{"a", "1.50"},
                                          {"b", "1e3"},
                                          {"c", "-0.0"},
                                          {"d", "18446744073709551615"},
                                          {"e", "-9223372036854775808"},
                                          {"f", "2E+2"}}));
}

TEST(DecodeJsonBodyTest, DuplicateFieldNamesLastValueWinsAtFirstPosition) {
  EXPECT_EQ(One(R"({"a.b":1,"c":2,"a":{"b":3},"c":4,"a.b":5})").fields,
            (std::vector<Field>{{"a.b", "5"}, {"c", "4"}}));
  // Wide records take a different (hashing) path: same result.
  std::string item = "{";
  std::vector<Field> want;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    item.append("\"f").append(n).append("\":").append(n).append(",");
    want.push_back({std::string("f").append(n), n});
  }
  item += R"("f3":"x","f39":"y","m":{"f":1},"m.f":2})";
  want[3].value = "x";
  want[39].value = "y";
  want.push_back({"m.f", "2"});
  EXPECT_EQ(One(item).fields, want);
}

TEST(DecodeJsonBodyTest, Limits) {
  DecodeOptions o = Options();
  // RawBytes = message 5 + "service"+"api" 10 + "k"+"v" 2 = 17.
  const std::string item = R"({"message":"hello","service":"api","k":"v"})";
  o.max_line_bytes = 17;
  EXPECT_EQ(Reason(item, o), "");
  o.max_line_bytes = 16;
  EXPECT_EQ(Reason(item, o), "line too long: 17 bytes > limit 16");

  o = Options();
  o.max_fields = 2;
  EXPECT_EQ(Reason(R"({"a":1,"b":{"c":2}})", o), "");
  EXPECT_EQ(Reason(R"({"a":1,"b":{"c":2,"d":3}})", o), "too many fields: 3 > limit 2");
  EXPECT_EQ(Reason(R"({"a":1,"b":2,"a":3})", o), "") << "counted after de-duplication";
  EXPECT_EQ(Reason(R"({"service":"s","env":"e","host":"h","a":1,"b":2})", o), "") << "labels are not fields";
  // Size is checked before the field count.
  o.max_line_bytes = 3;
  EXPECT_EQ(Reason(R"({"a":"1","b":"2","c":"3"})", o), "line too long: 6 bytes > limit 3");
}

TEST(DecodeJsonBodyTest, DeepNesting) {
  std::string deep = R"({"metadata":)";
  std::string name = "metadata";
  for (int i = 0; i < 500; ++i) {
    deep += R"({"k":)";
    name += ".k";
  }
  deep += "1";
  deep += std::string(501, '}');
  EXPECT_EQ(One(deep).fields, (std::vector<Field>{{name, "1"}}));
  // Beyond simdjson's depth limit (1024) the body is not parsed at all.
  std::string too_deep = "[" + std::string(3000, '[') + std::string(3000, ']') + "]";
  auto r = DecodeJsonBody(too_deep, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().message().starts_with("malformed JSON: ")) << r.status().message();
}

// ---- NDJSON ------------------------------------------------------------------------------------------------------

TEST(DecodeNdjsonBodyTest, LinesCrLfBlanksAndBrokenLines) {
  const std::string body =
      "{\"message\":\"a\",\"service\":\"s\"}\r\n"  // 0
      "\r\n"                                       // 1 blank
      "{\"message\":\"b\",\"timestamp\":1714564800000}\n"  // 2
      "{\"message\":\"c\",\n"                      // 3 broken
      "   \n"                                      // 4 whitespace only
      "[1,2]\n"                                    // 5 not an object
      "{\"message\":\"\xff\"}\n"                   // 6 invalid UTF-8
      "{\"message\":\"d\",\"level\":true}\n"       // 7
      "{\"message\":\"e\"} {\"message\":\"f\"}\n"  // 8 two values on one line
      "{\"message\":\"g\"}";                       // 9 last line without newline
  DecodeResult r = Ndjson(body);
  EXPECT_EQ(r.records,
            (std::vector<LogRecord>{Rec("a", {{"service", "s"}}), Rec("b", {}, {}, kMay1Noon), Rec("g")}));
  ASSERT_EQ(r.rejected.size(), 5u);
  EXPECT_EQ(r.rejected[0].index, 3u);
  EXPECT_TRUE(r.rejected[0].reason.starts_with("malformed JSON: ")) << r.rejected[0].reason;
  EXPECT_EQ(r.rejected[1], (Rejection{5, "item: expected a JSON object"}));
  EXPECT_EQ(r.rejected[2], (Rejection{6, "invalid UTF-8"}));
  EXPECT_EQ(r.rejected[3], (Rejection{7, "level: expected a string"}));
  EXPECT_EQ(r.rejected[4].index, 8u);
  EXPECT_TRUE(r.rejected[4].reason.starts_with("malformed JSON: ")) << r.rejected[4].reason;
}

TEST(DecodeNdjsonBodyTest, LongLinesAreRejectedBeforeParsing) {
  DecodeOptions o = Options();
  o.max_line_bytes = 20;
  // Line 1 (25 bytes) is also broken JSON: the length check comes first. The \r of CRLF does not count, so the
  // 20-byte line 2 passes the line check (and its RawBytes, 12, the record check).
  const std::string body =
      "{\"message\":\"ok\"}\r\n"
      "{\"message\":\"much too long\r\n"
      "{\"m\":\"123456789012\"}\r\n";
  DecodeResult r = Ndjson(body, o);
  EXPECT_EQ(r.records, (std::vector<LogRecord>{Rec("ok"), Rec("", {}, {{"m", "123456789012"}})}));
  EXPECT_EQ(r.rejected, (std::vector<Rejection>{{1, "line too long: 25 bytes > limit 20"}}));
}

TEST(DecodeNdjsonBodyTest, EmptyBodies) {
  for (const char* body : {"", "\n", "\r\n\r\n", "  \n\t\n"}) {
    auto r = DecodeNdjsonBody(body, Options());
    ASSERT_FALSE(r.ok()) << '"' << body << '"';
    EXPECT_EQ(r.status().message(), "empty body");
  }
  // A body of only bad lines is still a body: everything is rejected, nothing fails.
  DecodeResult r = Ndjson("x\ny\n");
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.rejected.size(), 2u);
}

TEST(DecodeNdjsonBodyTest, SameItemRulesAsJson) {
  const std::string item =
      R"({"timestamp":"2024-05-01T12:00:00Z","level":"warning","service":"api","metadata":{"a":{"b":1.50}},)"
      R"("tags":["x"]})";
  EXPECT_EQ(Ndjson(item + "\n").records, Json(AsArray(item)).records);
}

// ---- text --------------------------------------------------------------------------------------------------------

TEST(DecodeTextBodyTest, LinesWithAttributes) {
  TextAttributes attrs;
  attrs.pairs = {{"service", "api"}, {"level", "warning"}, {"tag.k", "v"}, {"hostname", "h1"}, {"custom", "x"}};
  const std::string body = "first line\r\n\r\n  \nsecond\tline \n\xff\xfe bad\nlast";
  auto r = DecodeTextBody(body, attrs, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const LabelSet labels = {{"host", "h1"}, {"level", "WARN"}, {"service", "api"}};
  const std::vector<Field> fields = {{"tag.k", "v"}, {"custom", "x"}};
  EXPECT_EQ(r->records, (std::vector<LogRecord>{Rec("first line", labels, fields),
                                                Rec("second\tline ", labels, fields), Rec("last", labels, fields)}));
  EXPECT_EQ(r->rejected, (std::vector<Rejection>{{4, "invalid UTF-8"}}));
}

TEST(DecodeTextBodyTest, LimitsAndEmptyBody) {
  DecodeOptions o = Options();
  o.max_line_bytes = 10;
  TextAttributes attrs;
  auto r = DecodeTextBody("0123456789\n01234567890\nshort", attrs, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->rejected, (std::vector<Rejection>{{1, "line too long: 11 bytes > limit 10"}}));
  // Attributes count toward the raw size.
  attrs.pairs = {{"k", "vv"}};  // 3 bytes
  r = DecodeTextBody("0123456\n01234567", attrs, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->rejected, (std::vector<Rejection>{{1, "line too long: 11 bytes > limit 10"}}));

  o = Options();
  o.max_fields = 1;
  attrs.pairs = {{"a", "1"}, {"b", "2"}, {"service", "s"}};
  r = DecodeTextBody("x", attrs, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, (std::vector<Rejection>{{0, "too many fields: 2 > limit 1"}}));

  for (const char* body : {"", "\r\n", " \n \n"}) {
    auto e = DecodeTextBody(body, {}, Options());
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().message(), "empty body");
  }
}

}  // namespace
}  // namespace strata::ingest::native

namespace strata::ingest::native {
namespace {

TEST(DecodeRetentionTest, RecordsOlderThanOldestAreRejectedWithTheirIndex) {
  DecodeOptions o = Options();
  o.oldest_ns = 1'700'000'000'000'000'000;
  auto r = DecodeNdjsonBody("{\"message\":\"new\",\"timestamp\":1700000001}\n"
                            "{\"message\":\"old\",\"timestamp\":1699999999}\n"
                            "{\"message\":\"edge\",\"timestamp\":1700000000}\n",
                            o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].message, "new");
  EXPECT_EQ(r->records[1].message, "edge");  // exactly at the bound is kept
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].index, 1u);
  EXPECT_EQ(r->rejected[0].reason,
            "timestamp: 2023-11-14T22:13:19.000000000Z is older than the retention period (oldest acceptable: "
            "2023-11-14T22:13:20.000000000Z)");
}

}  // namespace
}  // namespace strata::ingest::native
