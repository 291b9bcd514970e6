#include "strata/ingest/elasticsearch/bulk_decoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

namespace strata::ingest::elasticsearch {
namespace {

using model::Field;
using model::LabelSet;

BulkOptions Options() {
  BulkOptions o;
  o.receive_time_ns = 42;
  o.max_line_bytes = 2000;
  o.max_fields = 10;
  return o;
}

TEST(BulkDecoderTest, MapsMessageTimeLabelsAndFlattenedFields) {
  const std::string body =
      R"({"index":{"_index":"app-logs","_id":"1"}})"
      "\n"
      R"({"@timestamp":"2026-01-02T03:04:05.123Z","message":"hello","service":{"name":"api"},"host":{"name":"h1"},)"
      R"("http":{"status":200,"ok":true,"ratio":0.5},"tags":["a","b"],"nothing":null,"empty":{}})"
      "\n"
      R"({"create":{}})"
      "\n"
      R"({"msg":"second","timestamp":1767323045000,"kubernetes.pod_name":"p-1","kubernetes":{"namespace_name":"ns"}})"
      "\n";
  BulkOptions o = Options();
  o.default_index = "from-url";
  auto r = DecodeBulk(body, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 2u);
  ASSERT_EQ(r->records.size(), 2u);

  EXPECT_EQ(r->items[0].action, BulkAction::kIndex);
  EXPECT_EQ(r->items[0].index, "app-logs");
  EXPECT_EQ(r->items[0].id, "1");
  EXPECT_EQ(r->items[0].status, 201);
  EXPECT_EQ(r->items[0].record, 0u);
  const auto& a = r->records[0];
  EXPECT_EQ(a.timestamp_ns, 1767323045123000000);
  EXPECT_EQ(a.message, "hello");
  EXPECT_EQ(a.labels, (LabelSet{{"host_name", "h1"}, {"index", "app-logs"}, {"service_name", "api"}}));
  EXPECT_EQ(a.fields, (std::vector<Field>{{"http.status", "200"}, {"http.ok", "true"}, {"http.ratio", "0.5"},
                                          {"tags", "[\"a\",\"b\"]"}}));

  EXPECT_EQ(r->items[1].action, BulkAction::kCreate);
  EXPECT_EQ(r->items[1].index, "from-url");
  EXPECT_EQ(r->items[1].id, "");
  const auto& b = r->records[1];
  EXPECT_EQ(b.timestamp_ns, 1767323045000000000);
  EXPECT_EQ(b.message, "second");
  EXPECT_EQ(b.labels, (LabelSet{{"index", "from-url"}, {"kubernetes_namespace_name", "ns"},
                                {"kubernetes_pod_name", "p-1"}}));
  EXPECT_TRUE(b.fields.empty());
}

TEST(BulkDecoderTest, MessageAndTimeFieldsFollowTheConfiguredOrder) {
  struct Case {
    std::string doc;
    std::string message;
    int64_t ts;
  };
  const std::vector<Case> cases = {
      {R"({"log":"l","msg":"m"})", "m", 42},  // msg comes before log in the list
      {R"({"_msg":"x","log":"l"})", "l", 42},
      {R"({"message":{"a":1}})", "", 42},  // an object is flattened to message.a, not a message
      {R"({"message":5})", "5", 42},
      {R"({"time":"1767323045","timestamp":"2026-01-02T03:04:06Z"})", "", 1767323046000000000},
      {R"({"time":1767323045.5})", "", 1767323045500000000},
      {R"({"@timestamp":1767323045123})", "", 1767323045123000000},
      {R"({"other":"x"})", "", 42},
  };
  for (const auto& c : cases) {
    auto r = DecodeBulk("{\"index\":{}}\n" + c.doc + "\n", Options());
    ASSERT_TRUE(r.ok()) << c.doc;
    ASSERT_EQ(r->records.size(), 1u) << c.doc;
    EXPECT_EQ(r->records[0].message, c.message) << c.doc;
    EXPECT_EQ(r->records[0].timestamp_ns, c.ts) << c.doc;
  }
  BulkOptions o = Options();
  o.message_fields = {"event.original"};
  o.time_fields = {"ts"};
  o.label_fields = {"app"};
  auto r = DecodeBulk("{\"index\":{\"_index\":\"i\"}}\n{\"event\":{\"original\":\"raw\"},\"ts\":\"2026-01-01\","
                      "\"app\":\"a\",\"message\":\"m\"}\n",
                      o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].message, "raw");
  EXPECT_EQ(r->records[0].timestamp_ns, 1767225600000000000);
  EXPECT_EQ(r->records[0].labels, (LabelSet{{"app", "a"}}));  // _index is not in the list: no index label
  EXPECT_EQ(r->records[0].fields, (std::vector<Field>{{"message", "m"}}));
}

TEST(BulkDecoderTest, BodyLevelErrors) {
  struct Case {
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "request body is required"},
      {"{\"index\":{}}\n{\"message\":\"x\"}", "The bulk request must be terminated by a newline [\\n]"},
      {"{\"index\":{}}", "The bulk request must be terminated by a newline [\\n]"},
  };
  for (const auto& c : cases) {
    auto r = DecodeBulk(c.body, Options());
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().message(), c.error);
  }
  auto r = DecodeBulk("\n\n", Options());  // only blank lines: nothing to do
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->items.empty());
}

TEST(BulkDecoderTest, EveryItemErrorKeepsTheOtherItemsInOrder) {
  struct Case {
    std::string name;
    std::string lines;  // the bad pair (or single line), each ending with \n
    std::string action;
    int status;
    std::string type;
    std::string reason_prefix;
  };
  const std::vector<Case> cases = {
      {"delete", "{\"delete\":{\"_index\":\"i\",\"_id\":\"9\"}}\n", "delete", 400, "illegal_argument_exception",
       "delete is not supported"},
      {"update", "{\"update\":{\"_id\":\"9\"}}\n{\"doc\":{\"a\":1}}\n", "update", 400, "illegal_argument_exception",
       "update is not supported"},
      {"unknown action", "{\"upsert\":{}}\n{\"message\":\"x\"}\n", "index", 400, "illegal_argument_exception",
       "Malformed action/metadata line [3], expected field [create], [delete], [index] or [update] but found "
       "[upsert]"},
      {"action not JSON", "{index\n{\"message\":\"x\"}\n", "index", 400, "illegal_argument_exception",
       "Malformed action/metadata line [3], expected a JSON object"},
      {"action not an object", "[1]\n{\"message\":\"x\"}\n", "index", 400, "illegal_argument_exception",
       "Malformed action/metadata line [3], expected START_OBJECT but found a JSON array"},
      {"two actions in one line", "{\"index\":{},\"create\":{}}\n{\"message\":\"x\"}\n", "index", 400,
       "illegal_argument_exception", "Malformed action/metadata line [3], expected exactly one action field"},
      {"action value not an object", "{\"index\":1}\n{\"message\":\"x\"}\n", "index", 400,
       "illegal_argument_exception", "Malformed action/metadata line [3], expected START_OBJECT after [index]"},
      {"bad action followed by an action", "{\"oops\":{}}\n", "index", 400, "illegal_argument_exception",
       "Malformed action/metadata line [3]"},
      {"source not JSON", "{\"index\":{}}\n{\"message\":\n", "index", 400, "mapper_parsing_exception",
       "failed to parse: line [4]: "},
      {"source not an object", "{\"create\":{}}\n\"text\"\n", "create", 400, "mapper_parsing_exception",
       "failed to parse: line [4]: expected a JSON object but found a string"},
      {"bad time", "{\"create\":{\"_id\":\"x\"}}\n{\"@timestamp\":\"yesterday\"}\n", "create", 400,
       "mapper_parsing_exception",
       "failed to parse field [@timestamp] of type [date] in document at line [4]. Preview of field's value: "
       "'yesterday'"},
      {"too many fields", "{\"index\":{}}\n{\"a\":{\"b\":1,\"c\":2,\"d\":3,\"e\":4,\"f\":5,\"g\":6,\"h\":7,\"i\":8,"
                          "\"j\":9,\"k\":10,\"l\":11}}\n",
       "index", 400, "illegal_argument_exception", "too many fields: 11 > limit 10"},
      {"source line too long", "{\"index\":{}}\n{\"message\":\"" + std::string(2000, 'x') + "\"}\n", "index", 400,
       "illegal_argument_exception", "line too long: 2014 bytes > limit 2000"},
  };
  for (const auto& c : cases) {
    const std::string body = "{\"create\":{\"_id\":\"a\"}}\n{\"message\":\"first\"}\n" + c.lines +
                             "{\"index\":{}}\n{\"message\":\"last\"}\n";
    auto r = DecodeBulk(body, Options());
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().ToString();
    ASSERT_EQ(r->items.size(), 3u) << c.name;
    ASSERT_EQ(r->records.size(), 2u) << c.name;
    EXPECT_EQ(r->records[0].message, "first");
    EXPECT_EQ(r->records[1].message, "last");
    EXPECT_EQ(r->items[0].status, 201);
    EXPECT_EQ(r->items[2].status, 201);
    EXPECT_EQ(r->items[2].record, 1u);
    const BulkItem& bad = r->items[1];
    EXPECT_EQ(ActionName(bad.action), c.action) << c.name;
    EXPECT_EQ(bad.status, c.status) << c.name;
    EXPECT_EQ(bad.error_type, c.type) << c.name;
    EXPECT_EQ(bad.error_reason.rfind(c.reason_prefix, 0), 0u) << c.name << ": " << bad.error_reason;
    EXPECT_EQ(bad.record, BulkItem::kNoRecord);
  }
}

TEST(BulkDecoderTest, ActionWithoutSourceAtTheEnd) {
  auto r = DecodeBulk("{\"index\":{}}\n{\"message\":\"a\"}\n{\"create\":{}}\n", Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[1].status, 400);
  EXPECT_EQ(r->items[1].error_type, "action_request_validation_exception");
}

TEST(BulkDecoderTest, CrlfAndBlankLinesAreTolerated) {
  auto r = DecodeBulk("{\"index\":{}}\r\n\r\n{\"message\":\"a\"}\r\n\n", Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].message, "a");
}

TEST(BulkDecoderTest, LabelNames) {
  EXPECT_EQ(LabelNameFor("_index"), "index");
  EXPECT_EQ(LabelNameFor("service.name"), "service_name");
  EXPECT_EQ(LabelNameFor("a-b.c"), "a_b_c");
}

TEST(BulkDecoderTest, ResponseShape) {
  std::vector<BulkItem> items(2);
  items[0].action = BulkAction::kCreate;
  items[0].index = "i";
  items[0].id = "x";
  items[1].action = BulkAction::kCreate;
  items[1].index = "i";
  items[1].id = "x";
  items[1].status = 409;
  items[1].error_type = "version_conflict_engine_exception";
  items[1].error_reason = "[x]: version conflict, document already exists (current version [1])";
  const std::string json = FormatBulkResponse(items, 7);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(json).get(root)) << json;
  EXPECT_EQ(int64_t(root["took"]), 7);
  EXPECT_TRUE(bool(root["errors"]));
  EXPECT_EQ(int64_t(root["items"].at(0)["create"]["status"]), 201);
  EXPECT_EQ(std::string_view(root["items"].at(0)["create"]["result"]), "created");
  EXPECT_EQ(int64_t(root["items"].at(1)["create"]["status"]), 409);
  EXPECT_EQ(std::string_view(root["items"].at(1)["create"]["error"]["type"]), "version_conflict_engine_exception");

  items.pop_back();
  EXPECT_NE(FormatBulkResponse(items, 0).find("\"errors\":false"), std::string::npos);

  ASSERT_FALSE(parser.parse(FormatErrorBody(400, "illegal_argument_exception", "bad \"x\"")).get(root));
  EXPECT_EQ(int64_t(root["status"]), 400);
  EXPECT_EQ(std::string_view(root["error"]["root_cause"].at(0)["reason"]), "bad \"x\"");
}

TEST(BulkDecoderTest, GeneratedIdsAreUniqueAndUrlSafe) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) {
    std::string id = GenerateDocumentId();
    ASSERT_EQ(id.size(), 20u);
    for (char c : id) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    ids.insert(std::move(id));
  }
  EXPECT_EQ(ids.size(), 10000u);
}

}  // namespace
}  // namespace strata::ingest::elasticsearch

namespace strata::ingest::elasticsearch {
namespace {

// Lines inside a big body are parsed in place (the rest of the body is simdjson's padding); a one-document body is
// parsed from a padded copy. Both must give the same records and items, for documents of every shape: nested and
// repeated names (short and long member lists), escapes, numbers, arrays, labels, bad lines.
TEST(BulkDecoderTest, InPlaceParsingMatchesOneDocumentBodies) {
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 300; ++i) {
    std::string action = i % 7 == 0 ? R"({"create":{"_id":"id)" + std::to_string(i) + R"("}})" : R"({"index":{}})";
    std::string source = "{";
    source += R"("message":"line )" + std::to_string(i) + R"( \"quoted\" \u00e9\n tail",)";
    source += R"("@timestamp":"2026-01-02T03:04:)" + std::to_string(10 + i % 50) + R"(.5Z",)";
    source += R"("service":{"name":"svc)" + std::to_string(i % 5) + R"("},"host.name":"h)" + std::to_string(i % 3) + R"(",)";
    source += R"("n":)" + std::to_string(i * 37) + R"(,"f":)" + std::to_string(i) + R"(.25,"b":true,"arr":[1,"x",{"y":2}],)";
    source += R"("dup":"first","nested":{"a":{"b":"deep"}},"dup":")" + std::to_string(i) + R"(")";
    if (i % 11 == 0) {
      for (int k = 0; k < 40; ++k) source += R"(,"k)" + std::to_string(k % 30) + R"(":")" + std::to_string(k) + R"(")";
    }
    if (i % 13 == 0) source += R"(,"nothing":null,"empty":{})";
    source += "}";
    if (i % 17 == 0) source = R"({"broken": )";  // not JSON
    if (i % 19 == 0) source = R"(["not an object"])";
    docs.emplace_back(action, source);
  }
  BulkOptions o = Options();
  o.max_fields = 100;
  o.max_line_bytes = 100000;
  std::string body;
  for (const auto& [a, s] : docs) body += a + "\n" + s + "\n";
  auto whole = DecodeBulk(body, o);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->items.size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    auto one = DecodeBulk(docs[i].first + "\n" + docs[i].second + "\n", o);
    ASSERT_TRUE(one.ok()) << i;
    ASSERT_EQ(one->items.size(), 1u) << i;
    const BulkItem& a = whole->items[i];
    const BulkItem& b = one->items[0];
    EXPECT_EQ(a.status, b.status) << i;
    EXPECT_EQ(a.id, b.id) << i;
    EXPECT_EQ(a.error_type, b.error_type) << i;
    if (a.record == BulkItem::kNoRecord || b.record == BulkItem::kNoRecord) {
      EXPECT_EQ(a.record == BulkItem::kNoRecord, b.record == BulkItem::kNoRecord) << i;
      continue;
    }
    EXPECT_EQ(whole->records[a.record], one->records[b.record]) << i;
  }
  // Spot checks of the mapping itself.
  const model::LogRecord& r = whole->records[whole->items[11].record];
  EXPECT_EQ(r.message, "line 11 \"quoted\" \u00e9\n tail");
  bool saw_dup = false, saw_deep = false;
  for (const auto& f : r.fields) {
    if (f.name == "dup") saw_dup = f.value == "11";
    if (f.name == "nested.a.b") saw_deep = f.value == "deep";
  }
  EXPECT_TRUE(saw_dup);
  EXPECT_TRUE(saw_deep);
}

}  // namespace
}  // namespace strata::ingest::elasticsearch
