#include "strata/query/engine/query_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "strata/query/engine/value_type.h"
#include "strata/query/lang/logql_parser.h"
#include "strata/storage/storage_engine.h"

namespace strata::query {
namespace {

constexpr int64_t kSec = 1'000'000'000;

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("strata_query_engine_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir.string();
}

base::Status AppendSync(storage::StorageEngine& engine, model::LogBatch batch) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  base::Status result;
  RETURN_IF_ERROR(engine.Append(std::move(batch), [&](const base::Status& s) {
    std::lock_guard lock(mu);
    result = s;
    done = true;
    cv.notify_one();
  }));
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return result;
}

// Three streams, one line per second each for 120 s, starting at t0 (a whole minute an hour ago):
//   {app="api", level="info"}   {"status":200,"latency_ms":<i>,"path":"/a"}          fields: trace_id=t<i> for i%10==0
//   {app="api", level="error"}  {"status":500,"latency_ms":<2i>,"path":"/b"}
//   {app="web", level="info"}   GET /index.html <i>   (plain text, not JSON)
struct Fixture {
  std::string dir = TempDir();
  observability::Registry registry;
  std::unique_ptr<storage::StorageEngine> storage;
  std::unique_ptr<QueryEngine> engine;
  int64_t t0 = 0;

  Fixture() {
    storage::StorageOptions opts;
    opts.data_dir = dir;
    opts.flush_interval_ms = 3600 * 1000;
    storage = storage::StorageEngine::Open(opts, registry).value();
    EXPECT_TRUE(storage->Recover().ok());
    int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    t0 = (now - 3600 * kSec) / (60 * kSec) * (60 * kSec);
    for (int half = 0; half < 2; ++half) {
      model::LogBatch b{"t", {}};
      for (int i = half * 60; i < half * 60 + 60; ++i) {
        int64_t ts = t0 + i * kSec;
        model::LogRecord a{ts, {{"app", "api"}, {"level", "info"}},
                           "{\"status\":200,\"latency_ms\":" + std::to_string(i) + ",\"path\":\"/a\"}", {}};
        if (i % 10 == 0) a.fields.push_back({"trace_id", "t" + std::to_string(i)});
        b.records.push_back(a);
        b.records.push_back({ts, {{"app", "api"}, {"level", "error"}},
                             "{\"status\":500,\"latency_ms\":" + std::to_string(2 * i) + ",\"path\":\"/b\"}", {}});
        b.records.push_back({ts, {{"app", "web"}, {"level", "info"}}, "GET /index.html " + std::to_string(i), {}});
      }
      EXPECT_TRUE(AppendSync(*storage, std::move(b)).ok());
      // The first minute goes to parts, the second stays in the head: queries must see both.
      if (half == 0) EXPECT_TRUE(storage->Flush().ok());
    }
    QueryEngineOptions qo;
    engine = std::make_unique<QueryEngine>(*storage, qo, registry);
  }
  ~Fixture() {
    engine.reset();
    (void)storage->Close();
    storage.reset();
    std::filesystem::remove_all(dir);
  }

  QueryResult Run(const std::string& q, int64_t start, int64_t end, int64_t step = 0, uint64_t limit = 100,
                  storage::Direction dir = storage::Direction::kBackward) {
    auto expr = ParseLogQL(q);
    EXPECT_TRUE(expr.ok()) << q << ": " << expr.status().ToString();
    QueryRequest r;
    r.tenant = "t";
    r.expr = std::move(expr).value();
    r.start_ns = start;
    r.end_ns = end;
    r.step_ns = step;
    r.limit = limit;
    r.direction = dir;
    auto res = engine->Execute(r);
    EXPECT_TRUE(res.ok()) << q << ": " << res.status().ToString();
    return res.ok() ? std::move(res).value() : QueryResult{};
  }
};

double ValueAt(const metric::MetricResult& m, const model::LabelSet& labels, int64_t t) {
  for (const auto& s : m.series) {
    if (s.metric != labels) continue;
    for (const auto& p : s.points) {
      if (p.t_ns == t) return p.v;
    }
  }
  return -1;
}

TEST(QueryEngineTest, LogQueryTopNAcrossStreamsBackward) {
  Fixture f;
  // The 5 newest entries of {app="api"}: ts 119 (both streams), 118 (both), 117 (one); ties ordered by labels.
  auto r = f.Run("{app=\"api\"}", f.t0, f.t0 + 120 * kSec, 0, 5);
  ASSERT_EQ(r.entries.size(), 5u);
  EXPECT_EQ(r.entries[0].timestamp_ns, f.t0 + 119 * kSec);
  EXPECT_EQ(r.entries[1].timestamp_ns, f.t0 + 119 * kSec);
  EXPECT_EQ(r.entries[2].timestamp_ns, f.t0 + 118 * kSec);
  EXPECT_EQ(r.entries[4].timestamp_ns, f.t0 + 117 * kSec);
  // level="error" sorts before level="info".
  EXPECT_EQ(r.entries[0].stream, (model::LabelSet{{"app", "api"}, {"level", "error"}}));
  EXPECT_EQ(r.entries[0].line, "{\"status\":500,\"latency_ms\":238,\"path\":\"/b\"}");
}

TEST(QueryEngineTest, LogQueryEndIsExclusiveAndForwardStartsAtStart) {
  Fixture f;
  auto r = f.Run("{app=\"web\"}", f.t0 + 10 * kSec, f.t0 + 13 * kSec, 0, 100, storage::Direction::kForward);
  ASSERT_EQ(r.entries.size(), 3u);  // 10, 11, 12; 13 excluded
  EXPECT_EQ(r.entries[0].line, "GET /index.html 10");
  EXPECT_EQ(r.entries[2].line, "GET /index.html 12");
}

TEST(QueryEngineTest, PipelineFiltersAcrossPartsAndHeadWithLimit) {
  Fixture f;
  // latency_ms >= 200 only in the error stream for i >= 100: entries 100..119 (all in the head), forward, limit 4.
  auto r = f.Run("{app=\"api\"} |= \"status\" | json | latency_ms >= 200", f.t0, f.t0 + 120 * kSec, 0, 4,
                 storage::Direction::kForward);
  ASSERT_EQ(r.entries.size(), 4u);
  EXPECT_EQ(r.entries[0].timestamp_ns, f.t0 + 100 * kSec);
  EXPECT_EQ(r.entries[3].timestamp_ns, f.t0 + 103 * kSec);
  // Parsed labels are reported apart from the stream labels.
  model::LabelSet parsed = r.entries[0].parsed;
  EXPECT_NE(std::find(parsed.begin(), parsed.end(), model::Field{"status", "500"}), parsed.end());
  EXPECT_EQ(r.entries[0].stream, (model::LabelSet{{"app", "api"}, {"level", "error"}}));
  EXPECT_EQ(r.stats.post_filter_lines >= 4, true);
}

TEST(QueryEngineTest, StructuredMetadataIsReportedAndFilterable) {
  Fixture f;
  auto r = f.Run("{app=\"api\", level=\"info\"} | trace_id=\"t50\"", f.t0, f.t0 + 120 * kSec);
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].timestamp_ns, f.t0 + 50 * kSec);
  EXPECT_EQ(r.entries[0].structured_metadata, (model::LabelSet{{"trace_id", "t50"}}));
}

TEST(QueryEngineTest, StructuredMetadataEqualityIsAnsweredFromTheTokenIndex) {
  Fixture f;
  auto r = f.Run("{app=~\".+\"} | trace_id=\"t30\"", f.t0, f.t0 + 120 * kSec);
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].timestamp_ns, f.t0 + 30 * kSec);
  // The flushed part holds one block per stream; the two streams without trace ids are pruned by the index.
  EXPECT_GE(r.stats.scan.blocks_pruned_by_token_index, 2u);
  // A stream label of the same name is never pushed down as a field: the stream label decides.
  auto levels = f.Run("{app=~\".+\"} | level=\"error\"", f.t0, f.t0 + 120 * kSec, 0, 1000);
  EXPECT_EQ(levels.entries.size(), 120u);
}

TEST(QueryEngineTest, CountOverTimeInstantAndRange) {
  Fixture f;
  // Instant at t0+60s, window (t0, t0+60s]: seconds 1..60 = 60 lines per stream.
  auto r = f.Run("sum by (level) (count_over_time({app=~\".+\"}[1m]))", f.t0 + 60 * kSec, f.t0 + 60 * kSec);
  ASSERT_FALSE(r.is_log);
  EXPECT_EQ(ValueAt(r.metric, {{"level", "info"}}, f.t0 + 60 * kSec), 120);  // api/info + web/info
  EXPECT_EQ(ValueAt(r.metric, {{"level", "error"}}, f.t0 + 60 * kSec), 60);
  // Range with step 30s over [t0+30s, t0+120s], window 30s: 30 lines per stream at every step.
  auto m = f.Run("count_over_time({app=\"web\"}[30s])", f.t0 + 30 * kSec, f.t0 + 120 * kSec, 30 * kSec);
  model::LabelSet web{{"app", "web"}, {"level", "info"}};
  // At t0+120s the window (t0+90s, t0+120s] holds 91..119 = 29 lines (there is no line at 120).
  EXPECT_EQ(ValueAt(m.metric, web, f.t0 + 30 * kSec), 30);
  EXPECT_EQ(ValueAt(m.metric, web, f.t0 + 60 * kSec), 30);
  EXPECT_EQ(ValueAt(m.metric, web, f.t0 + 120 * kSec), 29);
}

TEST(QueryEngineTest, CountsFromBlockHeadersMatchDecodedCounts) {
  Fixture f;
  // One window over everything: the flushed blocks (one per stream, t0..t0+59s) are counted from their headers;
  // the head's rows are decoded. 360 lines in all.
  auto all = f.Run("sum(count_over_time({app=~\".+\"}[10m]))", f.t0 + 300 * kSec, f.t0 + 300 * kSec);
  EXPECT_EQ(ValueAt(all.metric, {}, f.t0 + 300 * kSec), 360);
  EXPECT_EQ(all.stats.scan.blocks_counted_from_headers, 3u);
  // Windows that cut through the blocks: (t0+15s, t0+45s] etc. The header path must not be taken for a block that
  // spans several windows, and the answers stay exact.
  auto cut = f.Run("sum by (app) (count_over_time({app=~\".+\"}[30s]))", f.t0 + 15 * kSec, f.t0 + 105 * kSec,
                   30 * kSec);
  EXPECT_EQ(cut.stats.scan.blocks_counted_from_headers, 0u);
  EXPECT_EQ(ValueAt(cut.metric, {{"app", "api"}}, f.t0 + 45 * kSec), 60);  // 16..45 in two streams
  EXPECT_EQ(ValueAt(cut.metric, {{"app", "web"}}, f.t0 + 45 * kSec), 30);
  EXPECT_EQ(ValueAt(cut.metric, {{"app", "web"}}, f.t0 + 75 * kSec), 30);  // spans part and head
  // rate over one window: count / range, from headers too.
  auto rate = f.Run("sum(rate({app=\"web\"}[10m]))", f.t0 + 300 * kSec, f.t0 + 300 * kSec);
  EXPECT_DOUBLE_EQ(ValueAt(rate.metric, {}, f.t0 + 300 * kSec), 120.0 / 600);
  EXPECT_EQ(rate.stats.scan.blocks_counted_from_headers, 1u);
}

TEST(QueryEngineTest, ProjectionGivesTheSameResultAsAggregatingAfterwards) {
  Fixture f;
  // sum by (app) over count_over_time is computed with the projection; max by over max_over_time too. Check
  // against sums of the unprojected per-stream series.
  int64_t s = f.t0 + 20 * kSec, e = f.t0 + 110 * kSec, step = 15 * kSec;
  auto projected = f.Run("sum by (app) (count_over_time({app=~\".+\"} |~ \"status|GET\" [20s]))", s, e, step);
  auto raw = f.Run("count_over_time({app=~\".+\"} |~ \"status|GET\" [20s])", s, e, step);
  std::map<std::pair<std::string, int64_t>, double> sums;
  for (const auto& series : raw.metric.series) {
    for (const auto& p : series.points) sums[{series.metric[0].value, p.t_ns}] += p.v;
  }
  ASSERT_FALSE(sums.empty());
  for (const auto& [key, v] : sums) {
    EXPECT_EQ(ValueAt(projected.metric, {{"app", key.first}}, key.second), v) << key.first << " " << key.second;
  }
}

TEST(QueryEngineTest, TheSameRangeAggregationUnderTwoGroupingsKeepsEachGrouping) {
  Fixture f;
  // Both legs hold the same count_over_time node; each must be projected to its own grouping.
  auto r = f.Run("sum by (app, level) (count_over_time({app=~\".+\"}[1m])) / on (app) group_left "
                 "sum by (app) (count_over_time({app=~\".+\"}[1m]))",
                 f.t0 + 60 * kSec, f.t0 + 60 * kSec);
  ASSERT_EQ(r.metric.series.size(), 3u);
  EXPECT_EQ(ValueAt(r.metric, {{"app", "api"}, {"level", "error"}}, f.t0 + 60 * kSec), 0.5);
  EXPECT_EQ(ValueAt(r.metric, {{"app", "api"}, {"level", "info"}}, f.t0 + 60 * kSec), 0.5);
  EXPECT_EQ(ValueAt(r.metric, {{"app", "web"}, {"level", "info"}}, f.t0 + 60 * kSec), 1);
}

TEST(QueryEngineTest, IntervalSamplesAcrossStreams) {
  Fixture f;
  // Entries every second in three streams; interval 5s keeps one entry (of any stream) per 5 s from start.
  QueryRequest q;
  q.tenant = "t";
  q.expr = ParseLogQL("{app=~\".+\"}").value();
  q.start_ns = f.t0 + 10 * kSec;
  q.end_ns = f.t0 + 30 * kSec;
  q.interval_ns = 5 * kSec;
  q.direction = storage::Direction::kForward;
  auto r = f.engine->Execute(q).value();
  ASSERT_EQ(r.entries.size(), 4u);  // 10, 15, 20, 25
  for (size_t i = 0; i < r.entries.size(); ++i) EXPECT_EQ(r.entries[i].timestamp_ns, f.t0 + (10 + 5 * int64_t(i)) * kSec);
}

TEST(QueryEngineTest, UnwrapAndPipelineErrors) {
  Fixture f;
  // max latency of the error stream over (t0+60s, t0+120s]: 2*119 = 238.
  auto r = f.Run("max by (level) (max_over_time({app=\"api\"} | json | unwrap latency_ms [1m]))", f.t0 + 120 * kSec,
                 f.t0 + 120 * kSec);
  EXPECT_EQ(ValueAt(r.metric, {{"level", "error"}}, f.t0 + 120 * kSec), 238);
  EXPECT_EQ(ValueAt(r.metric, {{"level", "info"}}, f.t0 + 120 * kSec), 119);
  // json on plain-text lines leaves __error__: a metric query fails as a whole (Loki's rule)...
  auto expr = ParseLogQL("count_over_time({app=\"web\"} | json [1m])").value();
  QueryRequest q;
  q.tenant = "t";
  q.expr = expr;
  q.start_ns = q.end_ns = f.t0 + 60 * kSec;
  auto bad = f.engine->Execute(q);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("pipeline error: 'JSONParserErr'"), std::string::npos);
  // ...unless the error is filtered.
  auto ok = f.Run("sum(count_over_time({app=\"web\"} | json | __error__=\"\" [1m]))", f.t0 + 60 * kSec,
                  f.t0 + 60 * kSec);
  EXPECT_TRUE(ok.metric.series.empty());
}

TEST(QueryEngineTest, MetadataLookups) {
  Fixture f;
  MetadataRequest m;
  m.tenant = "t";
  m.start_ns = f.t0;
  m.end_ns = f.t0 + 120 * kSec;
  auto names = f.engine->LabelNames(m).value();
  EXPECT_EQ(names, (std::vector<std::string>{"app", "level"}));
  EXPECT_EQ(f.engine->LabelValues(m, "level").value(), (std::vector<std::string>{"error", "info"}));
  m.selectors.push_back(ToStorageMatchers(std::get<LogExpr>(ParseLogQL("{app=\"api\"}").value().node).selector).value());
  auto streams = f.engine->Streams(m).value();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].entries + streams[1].entries, 240u);
}

TEST(ValueTypeTest, DetectsLikeTheTypedLabelFilters) {
  EXPECT_EQ(DetectValueType("true"), ValueType::kBoolean);
  EXPECT_EQ(DetectValueType("-42"), ValueType::kInt);
  EXPECT_EQ(DetectValueType("1.5e3"), ValueType::kFloat);
  EXPECT_EQ(DetectValueType("1h30m"), ValueType::kDuration);
  EXPECT_EQ(DetectValueType("230ms"), ValueType::kDuration);
  EXPECT_EQ(DetectValueType("1.5 KiB"), ValueType::kBytes);
  EXPECT_EQ(DetectValueType("10MB"), ValueType::kBytes);
  EXPECT_EQ(DetectValueType("GET"), ValueType::kString);
  EXPECT_EQ(DetectValueType(""), ValueType::kString);
  EXPECT_EQ(MergeValueTypes(ValueType::kInt, ValueType::kFloat), ValueType::kFloat);
  EXPECT_EQ(MergeValueTypes(ValueType::kInt, ValueType::kDuration), ValueType::kString);
}

TEST(QueryEngineTest, VectorPlusVectorIsTwo) {
  Fixture f;
  auto r = f.Run("vector(1)+vector(1)", f.t0, f.t0);
  ASSERT_EQ(r.metric.series.size(), 1u);
  ASSERT_EQ(r.metric.series[0].points.size(), 1u);
  EXPECT_EQ(r.metric.series[0].points[0].v, 2);
}


TEST(NumericPushdownTest, PredicateKeepsNonNumbersAndDropsAbsentAndFalseNumbers) {
  storage::Predicate p;
  p.kind = storage::Predicate::Kind::kGreater;
  p.field = "lat";
  p.number = 1000;
  p.non_numbers_match = true;
  EXPECT_FALSE(p.Matches(""));       // absent: Loki drops the line
  EXPECT_FALSE(p.Matches("1000"));
  EXPECT_FALSE(p.Matches("-5e3"));
  EXPECT_TRUE(p.Matches("1000.5"));
  EXPECT_TRUE(p.Matches("+2e3"));
  EXPECT_TRUE(p.Matches(".5e4"));
  // Not plain decimals: the pipeline decides (a parse error keeps the line with __error__).
  EXPECT_TRUE(p.Matches("abc"));
  EXPECT_TRUE(p.Matches("+-5"));
  EXPECT_TRUE(p.Matches("0x1p4"));
  EXPECT_TRUE(p.Matches("-inf"));
  EXPECT_TRUE(p.Matches("nan"));
  EXPECT_TRUE(p.Matches("1_000"));
  EXPECT_TRUE(p.Matches(" 5"));
  EXPECT_TRUE(p.Matches("10.0.0.1"));
  p.non_numbers_match = false;  // the plain storage comparison: only numbers comparing true
  EXPECT_FALSE(p.Matches("abc"));
  EXPECT_TRUE(p.Matches("2000"));
}

// Random field values (absent, integers, floats, non-numbers, spellings only Go's parser takes, addresses) in
// parts and in the head; every numeric label filter must answer the same with the pushdown as without it (a
// leading `drop` of a label nobody has turns the pushdown off without changing the pipeline's meaning).
TEST(NumericPushdownTest, RandomizedAgainstThePipelineAlone) {
  std::string dir = TempDir();
  observability::Registry registry;
  storage::StorageOptions opts;
  opts.data_dir = dir;
  opts.flush_interval_ms = 3600 * 1000;
  auto storage = storage::StorageEngine::Open(opts, registry).value();
  ASSERT_TRUE(storage->Recover().ok());
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t t0 = (now - 3600 * kSec) / (60 * kSec) * (60 * kSec);
  std::mt19937 rng(7);
  const std::vector<std::string> odd = {"abc", "inf", "-Inf", "NaN", "0x1p10", "+-3", "1_000", " 7", "7 ",
                                        "10.0.0.1", "1e400", "1.5.2", "-", ".", "2026-11-28T00:00:00Z"};
  auto value = [&](int kind) -> std::string {
    switch (kind) {
      case 0: return "";
      case 1: return std::to_string(int(rng() % 3000) - 500);
      case 2: return std::to_string(double(rng() % 300000) / 100.0);
      case 3: return std::to_string(rng() % 3000) + "e" + std::to_string(rng() % 3);
      default: return odd[rng() % odd.size()];
    }
  };
  // Stream kinds per block: numeric only (integer/float columns, min/max pruning), numeric with absent rows,
  // mixed with non-numbers, addresses only; {app="lbl"} carries `lat` as a stream label (never pushed down).
  for (int round = 0; round < 6; ++round) {
    model::LogBatch b{"t", {}};
    for (int i = 0; i < 200; ++i) {
      int64_t ts = t0 + (round * 200 + i) * (kSec / 10);
      const int stream = i % 5;
      model::LogRecord r{ts, {{"app", "s" + std::to_string(stream)}}, "line " + std::to_string(i), {}};
      std::string v;
      if (stream == 0) v = value(1);
      if (stream == 1) v = value(int(rng() % 3));
      if (stream == 2) v = value(int(rng() % 5));
      if (stream == 3) v = "10.0." + std::to_string(rng() % 256) + ".1";
      if (stream == 4) {
        r.labels = {{"app", "lbl"}, {"lat", std::to_string(rng() % 2000)}};
        v = value(int(rng() % 5));
      }
      if (!v.empty()) r.fields.push_back({"lat", v});
      b.records.push_back(std::move(r));
    }
    ASSERT_TRUE(AppendSync(*storage, std::move(b)).ok());
    if (round % 2 == 0) ASSERT_TRUE(storage->Flush().ok());  // parts and head both
  }
  auto engine = std::make_unique<QueryEngine>(*storage, QueryEngineOptions{}, registry);
  auto run = [&](const std::string& q, bool metric) {
    QueryRequest r;
    r.tenant = "t";
    r.expr = ParseLogQL(q).value();
    r.start_ns = metric ? t0 + 200 * kSec : t0;
    r.end_ns = t0 + 200 * kSec;
    r.limit = 5000;
    return engine->Execute(r);
  };
  const std::vector<std::string> selectors = {"{app=~\"s0|s1\"}", "{app=\"s0\"}", "{app=~\"s[013]\"}",
                                              "{app=~\".+\"}", "{app=\"s2\"}"};
  const std::vector<std::string> ops = {">", ">=", "<", "<="};
  const std::vector<std::string> bounds = {"1000", "-100", "250.5", "1e3", "2999", "-1e9"};
  for (int trial = 0; trial < 120; ++trial) {
    const std::string& sel = selectors[rng() % selectors.size()];
    std::string filter = "lat " + ops[rng() % ops.size()] + " " + bounds[rng() % bounds.size()];
    if (trial % 4 == 1) filter += ", lat " + ops[rng() % ops.size()] + " " + bounds[rng() % bounds.size()];
    const std::string pre = trial % 3 == 2 ? " |= \"line\"" : "";
    SCOPED_TRACE(sel + pre + " | " + filter);
    auto pushed = run(sel + pre + " | " + filter, false);
    auto plain = run(sel + pre + " | drop zz_none | " + filter, false);
    ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    ASSERT_EQ(pushed->entries.size(), plain->entries.size());
    for (size_t i = 0; i < plain->entries.size(); ++i) {
      EXPECT_EQ(pushed->entries[i].timestamp_ns, plain->entries[i].timestamp_ns);
      EXPECT_EQ(pushed->entries[i].stream, plain->entries[i].stream);
      EXPECT_EQ(pushed->entries[i].structured_metadata, plain->entries[i].structured_metadata);
      EXPECT_EQ(pushed->entries[i].parsed, plain->entries[i].parsed);  // __error__ on non-numbers
    }
    // The metric form reads only the `lat` column; a non-number fails it with the same message either way.
    const std::string m = "sum(count_over_time(" + sel + pre + " | " + filter + " [10m]))";
    const std::string mp = "sum(count_over_time(" + sel + pre + " | drop zz_none | " + filter + " [10m]))";
    auto mpushed = run(m, true);
    auto mplain = run(mp, true);
    ASSERT_EQ(mpushed.ok(), mplain.ok()) << (mpushed.ok() ? mplain.status() : mpushed.status()).ToString();
    if (!mpushed.ok()) {
      EXPECT_EQ(mpushed.status().message(), mplain.status().message());
      continue;
    }
    EXPECT_EQ(mpushed->metric.series.size(), mplain->metric.series.size());
    if (!mplain->metric.series.empty() && !mpushed->metric.series.empty()) {
      EXPECT_EQ(mpushed->metric.series[0].points[0].v, mplain->metric.series[0].points[0].v);
    }
  }
  // Blocks whose integer column lies below the bound are skipped without decoding.
  auto none = run("{app=\"s0\"} | lat > 100000", false);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
  EXPECT_GE(none->stats.scan.blocks_pruned_by_bloom_or_minmax, 3u);
  // An address column is not a number to the label filter: its blocks are read and every line is kept with
  // __error__.
  auto ips = run("{app=\"s3\"} | lat < 5", false);
  ASSERT_TRUE(ips.ok());
  EXPECT_EQ(ips->entries.size(), 240u);
  engine.reset();
  (void)storage->Close();
  storage.reset();
  std::filesystem::remove_all(dir);
}

// The scan drops a block's rows behind the top-N cutoff and after its first `limit` (ties on time kept): the
// first N entries must be the first N of the full answer, with many equal timestamps across streams and blocks.
TEST(LogQueryLimitTest, FirstNEqualTheFullAnswersPrefixWithTies) {
  std::string dir = TempDir();
  observability::Registry registry;
  storage::StorageOptions opts;
  opts.data_dir = dir;
  opts.flush_interval_ms = 3600 * 1000;
  auto storage = storage::StorageEngine::Open(opts, registry).value();
  ASSERT_TRUE(storage->Recover().ok());
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t t0 = (now - 3600 * kSec) / (60 * kSec) * (60 * kSec);
  std::mt19937 rng(3);
  for (int round = 0; round < 4; ++round) {
    model::LogBatch b{"t", {}};
    for (int i = 0; i < 400; ++i) {
      int64_t ts = t0 + int64_t(rng() % 40) * kSec;  // few distinct times: many ties
      std::string line = std::string(rng() % 2 ? "HTTP " : "tcp ") + std::to_string(rng() % 1000);
      b.records.push_back({ts, {{"app", "s" + std::to_string(rng() % 3)}}, line, {}});
    }
    ASSERT_TRUE(AppendSync(*storage, std::move(b)).ok());
    if (round < 3) ASSERT_TRUE(storage->Flush().ok());
  }
  auto engine = std::make_unique<QueryEngine>(*storage, QueryEngineOptions{}, registry);
  for (const char* q : {"{app=~\".+\"}", "{app=~\".+\"} |= \"HTTP\"", "{app=~\".+\"} |~ \"HTTP [0-4]\""}) {
    for (auto dir : {storage::Direction::kBackward, storage::Direction::kForward}) {
      QueryRequest r;
      r.tenant = "t";
      r.expr = ParseLogQL(q).value();
      r.start_ns = t0;
      r.end_ns = t0 + 60 * kSec;
      r.direction = dir;
      r.limit = 2000;  // more than the 1,600 rows
      auto all = engine->Execute(r);
      ASSERT_TRUE(all.ok());
      for (uint64_t n : {1u, 7u, 50u, 333u}) {
        r.limit = n;
        auto some = engine->Execute(r);
        ASSERT_TRUE(some.ok());
        ASSERT_EQ(some->entries.size(), std::min<size_t>(n, all->entries.size())) << q;
        for (size_t i = 0; i < some->entries.size(); ++i) {
          EXPECT_EQ(some->entries[i].timestamp_ns, all->entries[i].timestamp_ns) << q << " n=" << n << " #" << i;
          EXPECT_EQ(some->entries[i].line, all->entries[i].line) << q << " n=" << n << " #" << i;
          EXPECT_EQ(some->entries[i].stream, all->entries[i].stream) << q << " n=" << n << " #" << i;
        }
      }
    }
  }
  engine.reset();
  (void)storage->Close();
  storage.reset();
  std::filesystem::remove_all(dir);
}

TEST(QueryEngineTest, StreamLabelNamesCoverPartsAndHeadAndNewBatches) {
  Fixture f;
  auto api = ToStorageMatchers(std::get<LogExpr>(ParseLogQL("{app=\"api\"}").value().node).selector).value();
  auto names = f.storage->StreamLabelNames("t", f.t0, f.t0 + 120 * kSec, api);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::set<std::string>{"app", "level"}));
  // A new head batch with a new stream label is seen by the next call (its batch is read on first use).
  model::LogBatch b{"t", {{f.t0 + 130 * kSec, {{"app", "api"}, {"zone", "z1"}}, "x", {}}}};
  ASSERT_TRUE(AppendSync(*f.storage, std::move(b)).ok());
  names = f.storage->StreamLabelNames("t", f.t0, f.t0 + 200 * kSec, api);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::set<std::string>{"app", "level", "zone"}));
  // ...and the pushdown then leaves a filter on `zone` to the pipeline: the stream label decides.
  auto r = f.Run("{app=\"api\"} | zone=\"z1\"", f.t0, f.t0 + 200 * kSec, 0, 1000);
  EXPECT_EQ(r.entries.size(), 1u);
  auto web = ToStorageMatchers(std::get<LogExpr>(ParseLogQL("{app=\"nope\"}").value().node).selector).value();
  EXPECT_TRUE(f.storage->StreamLabelNames("t", f.t0, f.t0 + 200 * kSec, web)->empty());
}

TEST(QueryEngineTest, ListStreamsCountsPartsAndHeadBatches) {
  Fixture f;
  auto web = ToStorageMatchers(std::get<LogExpr>(ParseLogQL("{app=\"web\"}").value().node).selector).value();
  // The first minute is one part block, the second one head batch: 120 rows in 2 chunks.
  auto streams = f.storage->ListStreams("t", f.t0, f.t0 + 120 * kSec, {web});
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].entries, 120u);
  EXPECT_EQ((*streams)[0].chunks, 2u);
  // Head rows outside the range are not counted (a part block overlapping it counts whole).
  streams = f.storage->ListStreams("t", f.t0 + 90 * kSec, f.t0 + 120 * kSec, {web});
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].entries, 30u);  // 90..119
  EXPECT_EQ((*streams)[0].chunks, 1u);
}

}  // namespace
}  // namespace strata::query
