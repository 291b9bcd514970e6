#include "strata/ingest/otlp/otlp_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "google/rpc/status.pb.h"
#include "strata/ingest/otlp/otlp_values.h"

namespace strata::ingest::otlp {
namespace {

using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;

const model::LabelPolicy kPolicy;  // service, env, host, instance, level

MapOptions Options() {
  MapOptions o;
  o.labels = &kPolicy;
  o.receive_time_ns = 42;
  return o;
}

const std::string* FieldOf(const model::LogRecord& rec, std::string_view name) {
  for (const auto& f : rec.fields) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

std::string LabelOf(const model::LogRecord& rec, std::string_view name) {
  for (const auto& l : rec.labels) {
    if (l.name == name) return l.value;
  }
  return "<none>";
}

void SetAttr(google::protobuf::RepeatedPtrField<KeyValue>* attrs, const std::string& key, const std::string& s) {
  KeyValue* kv = attrs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(s);
}

// One resource with service.name + k8s.pod.name + host.name, one scope, the given records.
ExportRequest RequestWith(std::vector<LogRecord> logs) {
  ExportRequest req;
  auto* rl = req.add_resource_logs();
  auto* attrs = rl->mutable_resource()->mutable_attributes();
  SetAttr(attrs, "service.name", "checkout");
  SetAttr(attrs, "k8s.pod.name", "checkout-7d9");
  SetAttr(attrs, "deployment.environment.name", "prod");
  SetAttr(attrs, "host.name", "node-1");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("app.logger");
  sl->mutable_scope()->set_version("1.2");
  SetAttr(sl->mutable_scope()->mutable_attributes(), "scope.attr", "s");
  for (auto& l : logs) *sl->add_log_records() = std::move(l);
  return req;
}

TEST(OtlpMapTest, ResourceAttributesBecomeLokiStyleLabelsAndTheRestFields) {
  LogRecord log;
  log.set_time_unix_nano(1767323045123456789ull);
  log.set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
  log.set_severity_text("WARNING");
  log.mutable_body()->set_string_value("payment slow");
  SetAttr(log.mutable_attributes(), "http.route", "/pay");
  log.set_trace_id(std::string("\x5b\x8e\xfc\xf3\x82\x52\x4d\x39\x4f\x5e\x61\x19\x8e\x8a\x2b\x1f", 16));
  log.set_span_id(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  log.set_event_name("checkout.slow");

  auto r = MapExportRequest(RequestWith({log}), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_TRUE(r->rejected.empty());
  EXPECT_EQ(r->total, 1u);
  const auto& rec = r->records[0];
  EXPECT_EQ(rec.timestamp_ns, 1767323045123456789);
  EXPECT_EQ(rec.message, "payment slow");
  EXPECT_EQ(rec.labels, (model::LabelSet{{"deployment_environment_name", "prod"},
                                         {"k8s_pod_name", "checkout-7d9"},
                                         {"level", "WARN"},
                                         {"service_name", "checkout"}}));
  EXPECT_EQ(rec.fields, (std::vector<model::Field>{{"host.name", "node-1"},
                                                   {"scope.name", "app.logger"},
                                                   {"scope.version", "1.2"},
                                                   {"scope.attr", "s"},
                                                   {"http.route", "/pay"},
                                                   {"trace_id", "5b8efcf382524d394f5e61198e8a2b1f"},
                                                   {"span_id", "0102030405060708"},
                                                   {"event_name", "checkout.slow"}}));
}

TEST(OtlpMapTest, EveryAttributeKindAsText) {
  LogRecord log;
  auto* attrs = log.mutable_attributes();
  auto add = [&](const std::string& key) {
    KeyValue* kv = attrs->Add();
    kv->set_key(key);
    return kv->mutable_value();
  };
  add("s")->set_string_value("text");
  add("b")->set_bool_value(true);
  add("i")->set_int_value(-9223372036854775807 - 1);
  add("d")->set_double_value(0.1);
  add("nan")->set_double_value(std::nan(""));
  add("inf")->set_double_value(-std::numeric_limits<double>::infinity());
  add("bytes")->set_bytes_value(std::string("\x00\xff\x10", 3));
  AnyValue* arr = add("arr");
  arr->mutable_array_value()->add_values()->set_string_value("a\"b");
  arr->mutable_array_value()->add_values()->set_int_value(7);
  arr->mutable_array_value()->add_values()->set_double_value(std::numeric_limits<double>::infinity());
  arr->mutable_array_value()->add_values();  // empty value -> null
  arr->mutable_array_value()->add_values()->mutable_kvlist_value();
  AnyValue* kvl = add("kv");
  auto* inner = kvl->mutable_kvlist_value()->add_values();
  inner->set_key("x");
  inner->mutable_value()->set_bool_value(false);
  auto* inner2 = kvl->mutable_kvlist_value()->add_values();
  inner2->set_key("y");
  inner2->mutable_value()->mutable_array_value();
  add("empty");  // no value set: skipped
  attrs->Add()->set_key("novalue");

  auto r = MapExportRequest(RequestWith({log}), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  const auto& rec = r->records[0];
  EXPECT_EQ(*FieldOf(rec, "s"), "text");
  EXPECT_EQ(*FieldOf(rec, "b"), "true");
  EXPECT_EQ(*FieldOf(rec, "i"), "-9223372036854775808");
  EXPECT_EQ(*FieldOf(rec, "d"), "0.1");
  EXPECT_EQ(*FieldOf(rec, "nan"), "NaN");
  EXPECT_EQ(*FieldOf(rec, "inf"), "-Infinity");
  EXPECT_EQ(*FieldOf(rec, "bytes"), "AP8Q");
  EXPECT_EQ(*FieldOf(rec, "arr"), R"(["a\"b",7,"Infinity",null,{}])");
  EXPECT_EQ(*FieldOf(rec, "kv"), R"({"x":false,"y":[]})");
  EXPECT_EQ(FieldOf(rec, "empty"), nullptr);
  EXPECT_EQ(FieldOf(rec, "novalue"), nullptr);
  EXPECT_EQ(rec.timestamp_ns, 42);  // no time at all: the receive time
  EXPECT_EQ(rec.message, "");
  EXPECT_EQ(LabelOf(rec, "level"), "<none>");
}

TEST(OtlpMapTest, NonStringBodiesAreTheirText) {
  std::vector<LogRecord> logs(4);
  logs[0].mutable_body()->set_int_value(12);
  logs[1].mutable_body()->set_bool_value(false);
  auto* kv = logs[2].mutable_body()->mutable_kvlist_value()->add_values();
  kv->set_key("event");
  kv->mutable_value()->set_string_value("login");
  logs[3].mutable_body()->set_bytes_value("hi");
  auto r = MapExportRequest(RequestWith(logs), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 4u);
  EXPECT_EQ(r->records[0].message, "12");
  EXPECT_EQ(r->records[1].message, "false");
  EXPECT_EQ(r->records[2].message, R"({"event":"login"})");
  EXPECT_EQ(r->records[3].message, "aGk=");
}

TEST(OtlpMapTest, SeverityMapping) {
  struct Case {
    int number;
    std::string text;
    std::string level;
    std::string severity_text_field;  // "" = none
  };
  const std::vector<Case> cases = {
      {1, "", "TRACE", ""},        {4, "", "TRACE", ""},          {5, "", "DEBUG", ""},
      {8, "", "DEBUG", ""},        {9, "", "INFO", ""},           {12, "", "INFO", ""},
      {13, "", "WARN", ""},        {16, "", "WARN", ""},          {17, "", "ERROR", ""},
      {20, "", "ERROR", ""},       {21, "", "FATAL", ""},         {24, "", "FATAL", ""},
      {0, "", "<none>", ""},       {25, "", "<none>", ""},        {0, "warning", "WARN", ""},
      {0, "Critical", "FATAL", ""}, {0, "verbose", "VERBOSE", ""}, {17, "ERROR", "ERROR", ""},
      {9, "NOTICE", "INFO", ""},   {10, "INFO2", "INFO", "INFO2"}, {-3, "err", "ERROR", ""},
  };
  for (const auto& c : cases) {
    LogRecord log;
    log.set_severity_number(static_cast<opentelemetry::proto::logs::v1::SeverityNumber>(c.number));
    log.set_severity_text(c.text);
    auto r = MapExportRequest(RequestWith({log}), Options());
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->records.size(), 1u);
    EXPECT_EQ(LabelOf(r->records[0], "level"), c.level) << c.number << " " << c.text;
    const std::string* st = FieldOf(r->records[0], "severity_text");
    EXPECT_EQ(st ? *st : "", c.severity_text_field) << c.number << " " << c.text;
  }
}

TEST(OtlpMapTest, LevelIsAFieldWhenThePolicyHasNoLevelLabel) {
  model::LabelPolicy no_level(std::vector<std::string>{"service"});
  MapOptions o = Options();
  o.labels = &no_level;
  LogRecord log;
  log.set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR);
  auto r = MapExportRequest(RequestWith({log}), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(LabelOf(r->records[0], "level"), "<none>");
  EXPECT_EQ(*FieldOf(r->records[0], "level"), "ERROR");
}

TEST(OtlpMapTest, MissingServiceNameIsUnknownServiceAndObservedTimeIsTheFallback) {
  ExportRequest req;
  auto* rl = req.add_resource_logs();
  SetAttr(rl->mutable_resource()->mutable_attributes(), "k8s.namespace.name", "shop");
  auto* log = rl->add_scope_logs()->add_log_records();
  log->set_observed_time_unix_nano(1700000000000000000ull);
  log->set_trace_id(std::string(16, '\0'));  // all-zero: invalid, no field
  auto r = MapExportRequest(req, Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].labels,
            (model::LabelSet{{"k8s_namespace_name", "shop"}, {"service_name", "unknown_service"}}));
  EXPECT_EQ(r->records[0].timestamp_ns, 1700000000000000000);
  EXPECT_EQ(FieldOf(r->records[0], "trace_id"), nullptr);
  EXPECT_TRUE(r->records[0].fields.empty());
}

TEST(OtlpMapTest, MostSpecificAttributeWinsKeepingTheFirstPosition) {
  ExportRequest req = RequestWith({});
  SetAttr(req.mutable_resource_logs(0)->mutable_resource()->mutable_attributes(), "dup", "resource");
  SetAttr(req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_scope()->mutable_attributes(), "dup",
          "scope");
  auto* log = req.mutable_resource_logs(0)->mutable_scope_logs(0)->add_log_records();
  SetAttr(log->mutable_attributes(), "dup", "log");
  auto r = MapExportRequest(req, Options());
  ASSERT_TRUE(r.ok());
  const auto& fields = r->records[0].fields;
  EXPECT_EQ(fields[1], (model::Field{"dup", "log"}));
  EXPECT_EQ(fields[0].name, "host.name");
}

TEST(OtlpMapTest, PartialSuccessCountsAndReportsRejectedRecords) {
  std::vector<LogRecord> logs(4);
  logs[0].mutable_body()->set_string_value("ok");
  logs[1].set_time_unix_nano(std::numeric_limits<uint64_t>::max());  // after 2262
  logs[2].mutable_body()->set_string_value(std::string(300, 'x'));
  for (int i = 0; i < 5; ++i) SetAttr(logs[3].mutable_attributes(), "a" + std::to_string(i), "v");
  MapOptions o = Options();
  o.max_line_bytes = 250;
  o.max_fields = 6;  // resource + scope contribute 4
  auto r = MapExportRequest(RequestWith(logs), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 1u);
  ASSERT_EQ(r->rejected.size(), 3u);
  EXPECT_EQ(r->rejected[0], (Rejection{1, "timestamp: out of range"}));
  EXPECT_EQ(r->rejected[1].index, 2u);
  EXPECT_EQ(r->rejected[1].reason.rfind("line too long: ", 0), 0u) << r->rejected[1].reason;
  EXPECT_EQ(r->rejected[2], (Rejection{3, "too many fields: 9 > limit 6"}));
  ExportResponse resp = ResponseFor(*r);
  ASSERT_TRUE(resp.has_partial_success());
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 3);
  EXPECT_EQ(resp.partial_success().error_message(),
            "3 of 4 log records rejected; first: #1 timestamp: out of range");
  EXPECT_EQ(ResponseToJson(resp), "{\"partialSuccess\":{\"rejectedLogRecords\":\"3\",\"errorMessage\":\"3 of 4 log "
                                  "records rejected; first: #1 timestamp: out of range\"}}");
  EXPECT_FALSE(ResponseFor(MapResult{}).has_partial_success());
  EXPECT_EQ(ResponseToJson(ExportResponse()), "{}");
}

TEST(OtlpMapTest, NullLabelPolicyIsACallerBug) {
  MapOptions o;
  EXPECT_EQ(MapExportRequest(ExportRequest(), o).status().code(), base::StatusCode::kInternal);
}

TEST(OtlpProtobufTest, DecodesTheWireFormatAndRejectsGarbage) {
  LogRecord log;
  log.mutable_body()->set_string_value("hello");
  log.set_time_unix_nano(5);
  std::string wire = RequestWith({log}).SerializeAsString();
  auto r = DecodeProtobufBody(wire, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].message, "hello");
  EXPECT_EQ(r->records[0].timestamp_ns, 5);

  EXPECT_TRUE(DecodeProtobufBody("", Options()).ok());  // an empty request is valid protobuf
  auto bad = DecodeProtobufBody(wire.substr(0, wire.size() - 3), Options());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("malformed protobuf", 0), 0u);
  EXPECT_FALSE(DecodeProtobufBody("\xff\xff\xff", Options()).ok());
}

TEST(OtlpProtobufTest, StatusBodies) {
  google::rpc::Status st;
  ASSERT_TRUE(st.ParseFromString(StatusToProtobuf(8, "slow down \xff")));
  EXPECT_EQ(st.code(), 8);
  EXPECT_EQ(st.message(), "slow down \xEF\xBF\xBD");
  EXPECT_EQ(StatusToJson(3, "bad \"x\""), R"({"code":3,"message":"bad \"x\""})");
}

// The OTLP/JSON example of the specification's shape, with every value kind and both key spellings.
constexpr std::string_view kJson = R"({
  "resourceLogs": [{
    "resource": {"attributes": [
      {"key": "service.name", "value": {"stringValue": "cart"}},
      {"key": "service.instance.id", "value": {"stringValue": "cart-1"}},
      {"key": "telemetry.sdk.language", "value": {"stringValue": "python"}},
      {"key": "pid", "value": {"intValue": "4242"}}
    ], "droppedAttributesCount": 0},
    "scopeLogs": [{
      "scope": {"name": "my.library", "version": "1.0.0", "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "some scope attribute"}}]},
      "logRecords": [{
        "timeUnixNano": "1544712660300000000",
        "observedTimeUnixNano": "1544712660300000000",
        "severityNumber": 10,
        "severityText": "Information",
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "body": {"stringValue": "Example log record"},
        "attributes": [
          {"key": "string.attribute", "value": {"stringValue": "some string"}},
          {"key": "boolean.attribute", "value": {"boolValue": true}},
          {"key": "int.attribute", "value": {"intValue": "10"}},
          {"key": "int.number", "value": {"intValue": 11}},
          {"key": "double.attribute", "value": {"doubleValue": 637.704}},
          {"key": "double.nan", "value": {"doubleValue": "NaN"}},
          {"key": "bytes.attribute", "value": {"bytesValue": "AP8Q"}},
          {"key": "array.attribute", "value": {"arrayValue": {"values": [{"stringValue": "many"}, {"intValue": "2"}]}}},
          {"key": "map.attribute", "value": {"kvlistValue": {"values": [{"key": "some.map.key", "value": {"stringValue": "some value"}}]}}},
          {"key": "null.attribute", "value": null},
          {"key": "empty.attribute", "value": {}}
        ],
        "flags": 1,
        "unknownField": {"ignored": [1, 2]}
      }, {
        "time_unix_nano": 1544712660400000000,
        "severity_number": "SEVERITY_NUMBER_ERROR",
        "body": {"kvlistValue": {"values": [{"key": "k", "value": {"arrayValue": {}}}]}},
        "trace_id": "",
        "event_name": "evt"
      }]
    }]
  }]
})";

TEST(OtlpJsonTest, DecodesEveryKindAndBothKeySpellings) {
  auto r = DecodeJsonBody(kJson, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_TRUE(r->rejected.empty());
  const auto& a = r->records[0];
  EXPECT_EQ(a.timestamp_ns, 1544712660300000000);
  EXPECT_EQ(a.message, "Example log record");
  EXPECT_EQ(a.labels, (model::LabelSet{{"level", "INFO"}, {"service_instance_id", "cart-1"}, {"service_name", "cart"}}));
  EXPECT_EQ(*FieldOf(a, "telemetry.sdk.language"), "python");
  EXPECT_EQ(*FieldOf(a, "pid"), "4242");
  EXPECT_EQ(*FieldOf(a, "scope.name"), "my.library");
  EXPECT_EQ(*FieldOf(a, "scope.version"), "1.0.0");
  EXPECT_EQ(*FieldOf(a, "my.scope.attribute"), "some scope attribute");
  EXPECT_EQ(*FieldOf(a, "string.attribute"), "some string");
  EXPECT_EQ(*FieldOf(a, "boolean.attribute"), "true");
  EXPECT_EQ(*FieldOf(a, "int.attribute"), "10");
  EXPECT_EQ(*FieldOf(a, "int.number"), "11");
  EXPECT_EQ(*FieldOf(a, "double.attribute"), "637.704");
  EXPECT_EQ(*FieldOf(a, "double.nan"), "NaN");
  EXPECT_EQ(*FieldOf(a, "bytes.attribute"), "AP8Q");
  EXPECT_EQ(*FieldOf(a, "array.attribute"), R"(["many",2])");
  EXPECT_EQ(*FieldOf(a, "map.attribute"), R"({"some.map.key":"some value"})");
  EXPECT_EQ(FieldOf(a, "null.attribute"), nullptr);
  EXPECT_EQ(FieldOf(a, "empty.attribute"), nullptr);
  EXPECT_EQ(*FieldOf(a, "trace_id"), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(*FieldOf(a, "span_id"), "eee19b7ec3c1b174");
  EXPECT_EQ(FieldOf(a, "severity_text"), nullptr);  // "Information" normalises to INFO

  const auto& b = r->records[1];
  EXPECT_EQ(b.timestamp_ns, 1544712660400000000);
  EXPECT_EQ(LabelOf(b, "level"), "ERROR");
  EXPECT_EQ(b.message, R"({"k":[]})");
  EXPECT_EQ(FieldOf(b, "trace_id"), nullptr);
  EXPECT_EQ(*FieldOf(b, "event_name"), "evt");
}

TEST(OtlpJsonTest, JsonAndProtobufMapTheSame) {
  std::vector<Rejection> rejected;
  auto req = ParseJsonRequest(kJson, &rejected);
  ASSERT_TRUE(req.ok());
  auto via_json = DecodeJsonBody(kJson, Options());
  auto via_proto = DecodeProtobufBody(req->SerializeAsString(), Options());
  ASSERT_TRUE(via_json.ok() && via_proto.ok());
  EXPECT_EQ(via_json->records, via_proto->records);
}

TEST(OtlpJsonTest, BadRecordsAreRejectedOneByOne) {
  constexpr std::string_view body = R"({"resourceLogs": [{"scopeLogs": [{"logRecords": [
    {"body": {"stringValue": "good 0"}},
    {"traceId": "xyz", "body": {"stringValue": "bad trace"}},
    {"spanId": "0102", "body": {"stringValue": "short span"}},
    {"timeUnixNano": "-5"},
    {"timeUnixNano": "12abc"},
    {"severityNumber": "LOUD"},
    {"attributes": {"not": "an array"}},
    {"body": {"intValue": "1.5"}},
    {"body": {"bytesValue": "!!"}},
    "not an object",
    {"body": {"stringValue": "good 10"}}
  ]}]}, {"scopeLogs": [{"logRecords": [{"body": {"stringValue": "good 11"}}]}]}]})";
  auto r = DecodeJsonBody(body, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->records[0].message, "good 0");
  EXPECT_EQ(r->records[1].message, "good 10");
  EXPECT_EQ(r->records[2].message, "good 11");
  EXPECT_EQ(r->total, 12u);
  const std::vector<Rejection> expected = {
      {1, "traceId: expected 32 hex digits"},
      {2, "spanId: expected 16 hex digits"},
      {3, "timeUnixNano: expected an unsigned integer"},
      {4, "timeUnixNano: expected an unsigned integer"},
      {5, "severityNumber: expected an integer"},
      {6, "attributes: expected an array"},
      {7, "body.intValue: expected an integer"},
      {8, "body.bytesValue: expected base64"},
      {9, "logRecord: expected an object"},
  };
  EXPECT_EQ(r->rejected, expected);
}

TEST(OtlpJsonTest, BodyLevelErrorsNameThePath) {
  struct Case {
    std::string_view body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "malformed JSON: "},
      {"{\"resourceLogs\": [", "malformed JSON: "},
      {"[]", "expected a JSON object with resourceLogs"},
      {R"({"resourceLogs": {}})", "resourceLogs: expected an array"},
      {R"({"resourceLogs": [1]})", "resourceLogs[0]: expected an object"},
      {R"({"resourceLogs": [{"resource": []}]})", "resourceLogs[0].resource: expected an object"},
      {R"({"resourceLogs": [{"resource": {"attributes": [{"key": 1}]}}]})",
       "resourceLogs[0].resource.attributes[0].key: expected a string"},
      {R"({"resourceLogs": [{"scopeLogs": [{"scope": {"name": 5}}]}]})",
       "resourceLogs[0].scopeLogs[0].scope.name: expected a string"},
      {R"({"resourceLogs": [{"scopeLogs": [{"logRecords": {}}]}]})",
       "resourceLogs[0].scopeLogs[0].logRecords: expected an array"},
  };
  for (const auto& c : cases) {
    auto r = DecodeJsonBody(c.body, Options());
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), base::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind(c.message, 0), 0u) << r.status().message();
  }
  auto empty = DecodeJsonBody("{}", Options());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->total, 0u);
  EXPECT_TRUE(DecodeJsonBody(R"({"resourceLogs": null})", Options()).ok());
}

TEST(OtlpJsonTest, DeepNestingIsBounded) {
  std::string value = R"({"stringValue":"leaf"})";
  for (int i = 0; i < 70; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  std::string body = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)" + value + "}]}]}]}";
  auto r = DecodeJsonBody(body, Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_NE(r->rejected[0].reason.find("nesting deeper than 64"), std::string::npos) << r->rejected[0].reason;
}

TEST(OtlpValuesTest, Encodings) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(*Base64Decode("Zm8="), "fo");
  EXPECT_EQ(*Base64Decode("Zm8"), "fo");
  EXPECT_EQ(*Base64Decode("_-8"), "\xff\xef");
  EXPECT_FALSE(Base64Decode("Z").has_value());
  EXPECT_EQ(*HexDecode("0aFf"), "\x0a\xff");
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_EQ(FormatDouble(1e100), "1e+100");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(ValidUtf8("ok \xc3\xa9 \xc0\x80 \xed\xa0\x80"), "ok \xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace strata::ingest::otlp
