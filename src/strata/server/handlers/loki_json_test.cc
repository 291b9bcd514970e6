#include "strata/server/handlers/loki_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace strata::server::loki {
namespace {

std::string Time(int64_t ns) {
  std::string out;
  AppendLokiTime(out, ns);
  return out;
}

std::string Html(std::string_view s) {
  std::string out;
  AppendHtmlEscapedJsonString(out, s);
  return out;
}

TEST(LokiJson, SampleValuesAreGoFormatFloat) {
  EXPECT_EQ(FormatSampleValue(2), "2");
  EXPECT_EQ(FormatSampleValue(3.45), "3.45");
  EXPECT_EQ(FormatSampleValue(0.013333333333333334), "0.013333333333333334");
  EXPECT_EQ(FormatSampleValue(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatSampleValue(1e-7), "0.0000001");
  EXPECT_EQ(FormatSampleValue(-2.5), "-2.5");
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(LokiJson, TimesAreSecondsWithUpToThreeDecimals) {
  EXPECT_EQ(Time(1568404331324000000), "1568404331.324");
  EXPECT_EQ(Time(1568404331320000000), "1568404331.32");
  EXPECT_EQ(Time(1568404331000000000), "1568404331");
  EXPECT_EQ(Time(1568404331324999999), "1568404331.324");  // truncated to ms
  EXPECT_EQ(Time(0), "0");
  EXPECT_EQ(Time(-500000000), "-0.5");
  EXPECT_EQ(Time(-1500000000), "-1.5");
  EXPECT_EQ(Time(-2000000000), "-2");
}

TEST(LokiJson, LinesAreHtmlEscapedLikeGo) {
  EXPECT_EQ(Html("<a href=\"x\">&</a>"), "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\"");
  EXPECT_EQ(Html("tab\there\nnl\x01"), "\"tab\\there\\nnl\\u0001\"");
  EXPECT_EQ(Html("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Html("bad\xff"), "\"bad\\ufffd\"");
  EXPECT_EQ(Html("\xe2\x80\xa8"), "\"\\u2028\"");
}

query::LogEntry Entry(int64_t ts, std::string line, model::LabelSet stream, model::LabelSet sm = {},
                      model::LabelSet parsed = {}) {
  query::LogEntry e;
  e.timestamp_ns = ts;
  e.line = std::move(line);
  e.stream = std::move(stream);
  e.structured_metadata = std::move(sm);
  e.parsed = std::move(parsed);
  return e;
}

// The stats object is long; tests compare the part before it and check it separately.
std::string BeforeStats(const std::string& body) { return body.substr(0, body.find(",\"stats\":")); }

TEST(LokiJson, StreamsDefaultEncodingGroupsByEveryLabel) {
  std::vector<query::LogEntry> entries = {
      Entry(3, "c <b>", {{"app", "x"}}, {{"trace", "t1"}}),
      Entry(2, "b", {{"app", "x"}}),
      Entry(1, "a", {{"app", "x"}}, {{"trace", "t1"}}, {{"level", "info"}}),
      Entry(0, "z", {{"app", "x"}}, {{"trace", "t1"}}),
  };
  std::string body = StreamsResponse(entries, false, {}, {});
  EXPECT_EQ(BeforeStats(body),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":["
            "{\"stream\":{\"app\":\"x\",\"trace\":\"t1\"},\"values\":[[\"3\",\"c \\u003cb\\u003e\"],[\"0\",\"z\"]]},"
            "{\"stream\":{\"app\":\"x\"},\"values\":[[\"2\",\"b\"]]},"
            "{\"stream\":{\"app\":\"x\",\"level\":\"info\",\"trace\":\"t1\"},\"values\":[[\"1\",\"a\"]]}]");
  EXPECT_EQ(body.substr(body.size() - 2), "}}");
}

TEST(LokiJson, StreamsCategorizedKeepsIndexedLabelsAndThreeTuples) {
  std::vector<query::LogEntry> entries = {
      Entry(123456789012345, "super line", {{"test", "test"}}),
      Entry(123456789012346, "super line with labels", {{"test", "test"}}, {{"bar", "b"}, {"foo", "a"}}),
      Entry(123456789012347, "msg=text", {{"test", "test"}}, {{"bar", "b"}}, {{"msg", "text"}}),
      Entry(123456789012348, "only parsed", {{"test", "test"}}, {}, {{"msg", "x"}}),
  };
  std::string body = StreamsResponse(entries, true, {}, {"this is a warning"});
  EXPECT_EQ(BeforeStats(body),
            "{\"status\":\"success\",\"warnings\":[\"this is a warning\"],\"data\":{\"resultType\":\"streams\","
            "\"encodingFlags\":[\"categorize-labels\"],\"result\":[{\"stream\":{\"test\":\"test\"},\"values\":["
            "[\"123456789012345\",\"super line\",{}],"
            "[\"123456789012346\",\"super line with labels\",{\"structuredMetadata\":{\"bar\":\"b\",\"foo\":\"a\"}}],"
            "[\"123456789012347\",\"msg=text\",{\"structuredMetadata\":{\"bar\":\"b\"},\"parsed\":{\"msg\":\"text\"}}],"
            "[\"123456789012348\",\"only parsed\",{\"parsed\":{\"msg\":\"x\"}}]]}]");
}

TEST(LokiJson, ParsedLabelsWinANameClashInTheDefaultEncoding) {
  std::vector<query::LogEntry> entries = {Entry(1, "a", {{"level", "s"}}, {{"level", "m"}}, {{"level", "p"}})};
  EXPECT_NE(StreamsResponse(entries, false, {}, {}).find("{\"stream\":{\"level\":\"p\"}"), std::string::npos);
}

TEST(LokiJson, EmptyStreams) {
  EXPECT_EQ(BeforeStats(StreamsResponse({}, false, {}, {})),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[]");
}

TEST(LokiJson, Vector) {
  std::vector<Sample> samples = {{{{"filename", "/var/log/a"}, {"job", "varlogs"}}, 1568404331324000000, 0.013333333333333334},
                                 {{}, 1568404331324000000, 2}};
  EXPECT_EQ(BeforeStats(VectorResponse(samples, {}, {})),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            "{\"metric\":{\"filename\":\"/var/log/a\",\"job\":\"varlogs\"},\"value\":[1568404331.324,\"0.013333333333333334\"]},"
            "{\"metric\":{},\"value\":[1568404331.324,\"2\"]}]");
}

TEST(LokiJson, Matrix) {
  query::metric::Series s;
  s.metric = {{"job", "varlogs"}};
  s.points = {{1568404331324000000, 3.45}, {1568404331339000000, std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(BeforeStats(MatrixResponse({s}, {}, {})),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            "{\"metric\":{\"job\":\"varlogs\"},\"values\":[[1568404331.324,\"3.45\"],[1568404331.339,\"+Inf\"]]}]");
}

TEST(LokiJson, Scalar) {
  EXPECT_EQ(BeforeStats(ScalarResponse(4000000000, 2, {}, {})),
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]");
}

TEST(LokiJson, StatsHaveLokisSectionsAndOurNumbers) {
  query::QueryStats st;
  st.bytes_processed = 1000;
  st.lines_processed = 10;
  st.post_filter_lines = 4;
  st.entries_returned = 3;
  st.exec_time_seconds = 0.5;
  st.scan.blocks_total = 7;
  st.scan.blocks_read = 2;
  std::string out;
  AppendStats(out, st);
  EXPECT_EQ(out.rfind("{\"summary\":{\"bytesProcessedPerSecond\":2000,\"linesProcessedPerSecond\":20,"
                      "\"totalBytesProcessed\":1000,\"totalLinesProcessed\":10,\"execTime\":0.5,\"queueTime\":0,"
                      "\"subqueries\":0,\"totalEntriesReturned\":3,\"splits\":0,\"shards\":0,"
                      "\"totalPostFilterLines\":4,\"totalStructuredMetadataBytesProcessed\":0},"
                      "\"querier\":{\"store\":{\"totalChunksRef\":7,\"totalChunksDownloaded\":2,",
                      0),
            0u);
  for (const char* key : {"\"ingester\":{\"totalReached\":0", "\"cache\":{\"chunk\":{\"entriesFound\":0",
                          "\"taskResult\":{", "\"index\":{\"totalChunks\":7,\"postFilterChunks\":2",
                          "\"chunk\":{\"headChunkBytes\":0", "\"querierExecTime\":0.5"}) {
    EXPECT_NE(out.find(key), std::string::npos) << key;
  }
  // Balanced braces: a cheap well-formedness check of the hand-written object.
  int depth = 0;
  for (char c : out) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
  EXPECT_EQ(depth, 0);
}

TEST(LokiJson, MetadataShapes) {
  EXPECT_EQ(StringListResponse({"a", "b"}), "{\"status\":\"success\",\"data\":[\"a\",\"b\"]}");
  EXPECT_EQ(StringListResponse({}), "{\"status\":\"success\",\"data\":[]}");
  EXPECT_EQ(SeriesResponse({{{"a", "1"}, {"b", "2"}}, {{"a", "3"}}}),
            "{\"status\":\"success\",\"data\":[{\"a\":\"1\",\"b\":\"2\"},{\"a\":\"3\"}]}");
  EXPECT_EQ(SeriesResponse({}), "{\"status\":\"success\",\"data\":[]}");
  EXPECT_EQ(IndexStatsResponse(1, 2, 3, 4), "{\"streams\":1,\"chunks\":2,\"bytes\":3,\"entries\":4}");
  EXPECT_EQ(DetectedLabelsResponse({{"app", 3}, {"env", 1}}),
            "{\"detectedLabels\":[{\"label\":\"app\",\"cardinality\":3},{\"label\":\"env\",\"cardinality\":1}]}");
  EXPECT_EQ(DetectedFieldValuesResponse({"debug", "info"}, 1000), "{\"values\":[\"debug\",\"info\"],\"limit\":1000}");
  EXPECT_EQ(FormatQueryResponse("{a=\"b\"} |= `x`"), "{\"status\":\"success\",\"data\":\"{a=\\\"b\\\"} |= `x`\"}");
}

TEST(LokiJson, DetectedFieldsMarkStructuredMetadataWithNullParsers) {
  query::DetectedField parsed{"level", "string", 3, {"logfmt"}, {}};
  query::DetectedField sm{"trace_id", "string", 10, {}, {}};
  query::DetectedField json{"user_id", "int", 2, {"json"}, {"user", "id"}};
  EXPECT_EQ(DetectedFieldsResponse({parsed, sm, json}, 1000),
            "{\"fields\":[{\"label\":\"level\",\"type\":\"string\",\"cardinality\":3,\"parsers\":[\"logfmt\"]},"
            "{\"label\":\"trace_id\",\"type\":\"string\",\"cardinality\":10,\"parsers\":null},"
            "{\"label\":\"user_id\",\"type\":\"int\",\"cardinality\":2,\"parsers\":[\"json\"],"
            "\"jsonPath\":[\"user\",\"id\"]}],\"limit\":1000}");
}

TEST(LokiJson, Patterns) {
  query::Pattern p{"<_> caller=<_>", "info", {{1700000000, 3}, {1700000010, 1}}};
  query::Pattern q{"GET <_>", "", {}};
  EXPECT_EQ(PatternsResponse({p, q}),
            "{\"status\":\"success\",\"data\":[{\"pattern\":\"<_> caller=<_>\",\"level\":\"info\","
            "\"samples\":[[1700000000,3],[1700000010,1]]},{\"pattern\":\"GET <_>\",\"samples\":[]}]}");
}

}  // namespace
}  // namespace strata::server::loki
