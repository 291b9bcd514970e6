#include <gtest/gtest.h>

#include <sstream>

#include "cli/cli_common.h"
#include "cli/http_client.h"
#include "cli/loki_response.h"
#include "cli/output_format.h"

namespace strata::cli {
namespace {

TEST(ServerAddress, ParsesSchemePortAndPrefix) {
  auto a = ParseServerAddress("http://loki.example:3100/proxy/");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "loki.example");
  EXPECT_EQ(a->port, "3100");
  EXPECT_EQ(a->path_prefix, "/proxy");
  auto b = ParseServerAddress("127.0.0.1:9000");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, "9000");
  EXPECT_EQ(b->path_prefix, "");
  auto c = ParseServerAddress("http://[::1]:3100");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(ParseServerAddress("http://localhost").value().port, "80");
  EXPECT_FALSE(ParseServerAddress("https://x:443").ok());
  EXPECT_FALSE(ParseServerAddress("http://x:port").ok());
}

TEST(QueryString, EncodesLogQL) {
  EXPECT_EQ(QueryString({{"query", "{app=\"x\"} |= \"a b\""}, {"limit", "5"}}),
            "?query=%7Bapp%3D%22x%22%7D%20%7C%3D%20%22a%20b%22&limit=5");
}

TEST(TimeFlags, Rfc3339AndUnix) {
  EXPECT_EQ(ParseTimeFlag("--from", "2026-02-01T10:00:00Z").value(), 1769940000'000000000);
  EXPECT_EQ(ParseTimeFlag("--from", "1769940000").value(), 1769940000'000000000);
  EXPECT_EQ(ParseTimeFlag("--from", "1769940000000000001").value(), 1769940000'000000001);
  EXPECT_FALSE(ParseTimeFlag("--from", "yesterday").ok());
  EXPECT_EQ(ParseDurationFlag("--since", "1h30m").value(), 5400'000000000);
  EXPECT_FALSE(ParseDurationFlag("--since", "0s").ok());
}

TEST(Format, Timestamps) {
  EXPECT_EQ(FormatRfc3339Seconds(1769940000'500000000), "2026-02-01T10:00:00Z");
  EXPECT_EQ(FormatRfc3339NanoTrimmed(1769940000'500000000), "2026-02-01T10:00:00.5Z");
  EXPECT_EQ(FormatRfc3339NanoTrimmed(1769940000'000000000), "2026-02-01T10:00:00Z");
}

TEST(Format, LabelsAreGoQuoted) {
  EXPECT_EQ(FormatLabels({{"app", "x"}, {"msg", "a\"b\n"}}), "{app=\"x\", msg=\"a\\\"b\\n\"}");
}

TEST(Format, EntriesInEachMode) {
  Labels a = {{"app", "x"}};
  Labels b = {{"app", "longer"}};
  LogEntry e1{1769940000'000000000, "first"};
  LogEntry e2{1769940001'250000000, "second <tag>\n"};
  std::vector<PrintedEntry> entries = {{&a, &e1}, {&b, &e2}};
  std::ostringstream table, raw, json;
  PrintEntries(table, OutputMode::kTable, entries);
  PrintEntries(raw, OutputMode::kRaw, entries);
  PrintEntries(json, OutputMode::kJson, entries);
  EXPECT_EQ(table.str(),
            "2026-02-01T10:00:00Z {app=\"x\"}      first\n"
            "2026-02-01T10:00:01Z {app=\"longer\"} second <tag>\n");
  EXPECT_EQ(raw.str(), "first\nsecond <tag>\n");
  EXPECT_EQ(json.str(),
            "{\"labels\":{\"app\":\"x\"},\"line\":\"first\",\"timestamp\":\"2026-02-01T10:00:00Z\"}\n"
            "{\"labels\":{\"app\":\"longer\"},\"line\":\"second <tag>\\n\",\"timestamp\":\"2026-02-01T10:00:01.25Z\"}\n");
}

TEST(Response, Streams) {
  auto r = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"streams","result":[{"stream":{"b":"2","a":"1"},)"
      R"("values":[["1769940001000000000","x"],["1769940000000000000","y",{"structuredMetadata":{"k":"v"}}]]}],)"
      R"("stats":{}}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->streams.size(), 1u);
  EXPECT_EQ(r->streams[0].labels, (Labels{{"a", "1"}, {"b", "2"}}));
  ASSERT_EQ(r->streams[0].entries.size(), 2u);
  EXPECT_EQ(r->streams[0].entries[1].ts_ns, 1769940000'000000000);
  EXPECT_EQ(r->streams[0].entries[1].line, "y");
}

TEST(Response, MatrixPrintsTableAndJson) {
  auto r = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"app":"x"},)"
      R"("values":[[1769940000,"3"],[1769940014.5,"NaN"]]}]}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::ostringstream table, raw;
  PrintSeries(table, OutputMode::kTable, r->series);
  PrintSeries(raw, OutputMode::kRaw, r->series);
  EXPECT_EQ(table.str(), "2026-02-01T10:00:00Z {app=\"x\"} 3\n2026-02-01T10:00:14Z {app=\"x\"} NaN\n");
  EXPECT_EQ(raw.str(), "[{\"metric\":{\"app\":\"x\"},\"values\":[[1769940000,\"3\"],[1769940014.5,\"NaN\"]]}]\n");
}

TEST(Response, RejectsFailures) {
  EXPECT_FALSE(ParseQueryRangeResponse("not json").ok());
  EXPECT_FALSE(ParseQueryRangeResponse(R"({"status":"error"})").ok());
  EXPECT_FALSE(ParseQueryRangeResponse(R"({"status":"success","data":{"resultType":"streams","result":[{}]}})").ok());
}

TEST(Response, TailFrame) {
  auto f = ParseTailFrame(
      R"({"streams":[{"stream":{"app":"x"},"values":[["5","hello"]]}],)"
      R"("dropped_entries":[{"labels":{"app":"y"},"timestamp":"7"}]})");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->streams.size(), 1u);
  EXPECT_EQ(f->streams[0].entries[0].line, "hello");
  ASSERT_EQ(f->dropped.size(), 1u);
  EXPECT_EQ(f->dropped[0].second, 7);
}

}  // namespace
}  // namespace strata::cli
