#include "bench/common/log_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace strata::bench {
namespace {

std::vector<model::LogRecord> Generate(uint64_t seed, size_t n, LogGeneratorOptions options = {}) {
  LogGenerator gen(seed, options);
  std::vector<model::LogRecord> out(n);
  for (auto& r : out) gen.Next(&r);
  return out;
}

TEST(LogGeneratorTest, SameSeedSameOutput) {
  auto a = Generate(7, 20000);
  auto b = Generate(7, 20000);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "record " << i;
  auto c = Generate(8, 20000);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i].message == c[i].message;
  EXPECT_LT(same, a.size() / 10);
}

TEST(LogGeneratorTest, ReusedRecordEqualsFreshRecord) {
  // Next() reuses the buffers of *out; the content must not depend on what was there before.
  LogGenerator a(3), b(3);
  model::LogRecord reused;
  for (int i = 0; i < 5000; ++i) {
    model::LogRecord fresh;
    a.Next(&reused);
    b.Next(&fresh);
    ASSERT_EQ(reused, fresh) << "record " << i;
  }
}

TEST(LogGeneratorTest, AverageSizeAndMix) {
  auto recs = Generate(1, 100000);
  uint64_t raw = 0, ndjson = 0, multiline = 0, with_trace = 0;
  std::string line;
  for (const auto& r : recs) {
    raw += r.RawBytes();
    line.clear();
    AppendNdjsonLine(r, &line);
    ndjson += line.size();
    multiline += r.message.find('\n') != std::string::npos;
    for (const auto& f : r.fields) with_trace += f.name == "trace_id";
  }
  double avg = static_cast<double>(raw) / static_cast<double>(recs.size());
  EXPECT_GE(avg, 220.0);
  EXPECT_LE(avg, 280.0);
  EXPECT_GT(ndjson, raw);
  EXPECT_GT(multiline, 100u);                // Java stack traces (~0.3% of lines)
  EXPECT_LT(multiline, recs.size() / 100);   // ... but rare
  EXPECT_GT(with_trace, recs.size() / 3);    // application + Java lines
  EXPECT_LT(with_trace, recs.size() * 2 / 3);
}

TEST(LogGeneratorTest, StreamsAreAboutOneHundredAndSkewed) {
  LogGenerator gen(5);
  const auto& catalog = gen.streams();
  EXPECT_GE(catalog.size(), 90u);
  EXPECT_LE(catalog.size(), 120u);
  std::set<model::LabelSet> distinct(catalog.begin(), catalog.end());
  EXPECT_EQ(distinct.size(), catalog.size());

  std::map<model::LabelSet, size_t> counts;
  model::LogRecord r;
  const size_t n = 150000;
  for (size_t i = 0; i < n; ++i) {
    gen.Next(&r);
    ASSERT_TRUE(std::is_sorted(r.labels.begin(), r.labels.end(),
                               [](const auto& a, const auto& b) { return a.name < b.name; }));
    ASSERT_TRUE(distinct.count(r.labels)) << "label set outside the catalog";
    bool has_level = false;
    for (const auto& l : r.labels) has_level = has_level || l.name == "level";
    ASSERT_TRUE(has_level);
    ++counts[r.labels];
  }
  EXPECT_GE(counts.size(), catalog.size() - 5);  // the tiniest streams may not show up in 150k lines
  std::vector<size_t> sizes;
  for (const auto& [labels, c] : counts) sizes.push_back(c);
  std::sort(sizes.rbegin(), sizes.rend());
  EXPECT_GT(sizes[0], 20 * sizes[sizes.size() / 2] / 10);  // the biggest stream is well above the median
  EXPECT_GT(sizes[0], 50 * sizes.back());
}

TEST(LogGeneratorTest, TimestampsFollowTheRate) {
  LogGeneratorOptions o;
  o.lines_per_second = 10000;
  auto recs = Generate(2, 50000, o);
  int64_t lo = recs.front().timestamp_ns, hi = lo;
  for (const auto& r : recs) {
    lo = std::min(lo, r.timestamp_ns);
    hi = std::max(hi, r.timestamp_ns);
  }
  EXPECT_GE(lo, o.start_ns);
  // 50,000 lines at 10,000/s span 5 s (plus at most 4 intervals of jitter).
  EXPECT_NEAR(static_cast<double>(hi - lo), 5e9, 1e6);
}

TEST(LogGeneratorTest, NeedlesAreExact) {
  LogGeneratorOptions o;
  o.needle_samples = 200;
  LogGenerator gen(11, o);
  std::vector<model::LogRecord> recs(50000);
  for (auto& r : recs) gen.Next(&r);
  ASSERT_EQ(gen.lines(), recs.size());
  ASSERT_EQ(gen.trace_ids().size(), 200u);
  ASSERT_EQ(gen.unique_tokens().size(), 200u);

  std::unordered_map<std::string, uint32_t> trace_count;
  for (const auto& r : recs) {
    for (const auto& f : r.fields) {
      if (f.name == "trace_id") ++trace_count[f.value];
    }
  }
  size_t singles = 0, several = 0;
  for (const auto& n : gen.trace_ids()) {
    ASSERT_EQ(n.value.size(), 32u);
    EXPECT_EQ(trace_count[n.value], n.count) << n.value;
    singles += n.count == 1;
    several += n.count >= 3;
  }
  EXPECT_GT(singles, 0u);
  EXPECT_GT(several, 0u);

  // Unique tokens: in exactly one message, once.
  for (size_t i = 0; i < 20; ++i) {
    const auto& tok = gen.unique_tokens()[i].value;
    size_t hits = 0;
    for (const auto& r : recs) {
      for (size_t pos = r.message.find(tok); pos != std::string::npos; pos = r.message.find(tok, pos + 1)) ++hits;
    }
    EXPECT_EQ(hits, 1u) << tok;
  }
}

TEST(LogGeneratorTest, NdjsonLine) {
  model::LogRecord r;
  r.timestamp_ns = 1767571201123456789;
  r.labels = {{"level", "error"}, {"service", "ledger"}};
  r.message = "failed \"x\"\n\tat a.b(C.java:1)";
  r.fields = {{"trace_id", "abc"}};
  std::string line;
  AppendNdjsonLine(r, &line);
  EXPECT_EQ(line,
            "{\"_time\":\"2026-01-05T00:00:01.123456789Z\",\"level\":\"error\",\"service\":\"ledger\","
            "\"_msg\":\"failed \\\"x\\\"\\n\\tat a.b(C.java:1)\",\"trace_id\":\"abc\"}\n");
}

}  // namespace
}  // namespace strata::bench
