#include "strata/storage/storage_engine.h"
#include "strata/storage/storage_test_util.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace strata::storage {
namespace {

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("strata_engine_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir.string();
}

model::LogBatch Batch(const std::string& tenant, int first, int n) {
  model::LogBatch b{tenant, {}};
  for (int i = first; i < first + n; ++i) {
    model::LogRecord r;
    r.timestamp_ns = 1000 + i;
    r.labels = {{"service", "api"}};
    r.message = "line " + std::to_string(i);
    b.records.push_back(r);
  }
  return b;
}

// Appends and waits for the durability callback.
using test_util::AppendSync;

std::vector<std::string> Messages(const StorageEngine& engine, const std::string& tenant, int64_t from = INT64_MIN,
                                  int64_t to = INT64_MAX) {
  std::vector<std::pair<int64_t, std::string>> rows;
  ScanRequest req;
  req.tenant = tenant;
  req.from = from;
  req.to = to;
  req.direction = Direction::kForward;
  EXPECT_TRUE(engine.Scan(req, [&](const RowBatch& b) {
                  for (size_t i = 0; i < b.size(); ++i) rows.emplace_back(b.timestamps[i], std::string(b.messages.at(i)));
                  return true;
                }).ok());
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> out;
  for (auto& r : rows) out.push_back(r.second);
  return out;
}

TEST(StorageEngineTest, AppendIsVisibleAndSurvivesRestart) {
  std::string dir = TempDir();
  StorageOptions opts;
  opts.data_dir = dir;
  opts.wal_segment_bytes = 200;  // rotate often
  {
    observability::Registry reg;
    auto engine = StorageEngine::Open(opts, reg).value();
    EXPECT_EQ(engine->Append(Batch("a", 0, 1), [](const base::Status&) {}).code(),
              base::StatusCode::kUnavailable);  // before Recover
    ASSERT_TRUE(engine->Recover().ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(AppendSync(*engine, Batch("a", i * 3, 3)).ok());
    ASSERT_TRUE(AppendSync(*engine, Batch("b", 100, 2)).ok());
    EXPECT_EQ(Messages(*engine, "a").size(), 30u);
    EXPECT_EQ(Messages(*engine, "a", 1005, 1007), (std::vector<std::string>{"line 5", "line 6", "line 7"}));
    ASSERT_TRUE(engine->Close().ok());
  }
  observability::Registry reg;
  auto engine = StorageEngine::Open(opts, reg).value();
  ASSERT_TRUE(engine->Recover().ok());
  auto a = Messages(*engine, "a");
  ASSERT_EQ(a.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(a[i], "line " + std::to_string(i));
  EXPECT_EQ(Messages(*engine, "b"), (std::vector<std::string>{"line 100", "line 101"}));
  EXPECT_TRUE(Messages(*engine, "c").empty());
  std::filesystem::remove_all(dir);
}

TEST(StorageEngineTest, HeadBudgetAnswersResourceExhausted) {
  std::string dir = TempDir();
  StorageOptions opts;
  opts.data_dir = dir;
  opts.max_head_bytes = 100;
  observability::Registry reg;
  auto engine = StorageEngine::Open(opts, reg).value();
  ASSERT_TRUE(engine->Recover().ok());
  ASSERT_TRUE(AppendSync(*engine, Batch("a", 0, 20)).ok());
  EXPECT_EQ(AppendSync(*engine, Batch("a", 20, 1)).code(), base::StatusCode::kResourceExhausted);
  EXPECT_EQ(Messages(*engine, "a").size(), 20u);  // nothing lost, nothing half-applied
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage

namespace strata::storage {
namespace {

TEST(StorageEngineScanTest, LimitNewestFirstYieldsTheTrueTopRowsAndTheIndexPrunesNeedles) {
  std::string dir = TempDir();
  StorageOptions opts;
  opts.data_dir = dir;
  opts.part.block_max_rows = 50;
  opts.flush_interval_ms = 3600 * 1000;
  observability::Registry reg;
  auto engine = StorageEngine::Open(opts, reg).value();
  ASSERT_TRUE(engine->Recover().ok());
  std::mt19937_64 rng(3);
  std::vector<int64_t> all_ts;
  for (int b = 0; b < 20; ++b) {
    model::LogBatch batch{"t", {}};
    for (int i = 0; i < 100; ++i) {
      model::LogRecord r;
      r.labels = {{"service", "s" + std::to_string(rng() % 5)}};
      r.timestamp_ns = 1767323045000000000LL + static_cast<int64_t>(rng() % 1000000) * 1000;
      r.message = "request " + std::to_string(b * 100 + i) + (b == 7 && i == 42 ? " needle_a3f9c2" : "");
      r.fields = {{"trace_id", "tr" + std::to_string(b * 100 + i)}};
      all_ts.push_back(r.timestamp_ns);
      batch.records.push_back(std::move(r));
    }
    ASSERT_TRUE(AppendSync(*engine, std::move(batch)).ok());
    if (b % 5 == 4) ASSERT_TRUE(engine->Flush().ok());
  }
  std::sort(all_ts.rbegin(), all_ts.rend());
  ScanRequest req;
  req.tenant = "t";
  req.limit = 10;
  req.direction = Direction::kBackward;
  std::vector<int64_t> seen;
  ScanStats stats;
  ASSERT_TRUE(engine->Scan(req, [&](const RowBatch& b) {
                        seen.insert(seen.end(), b.timestamps.begin(), b.timestamps.end());
                        return true;
                      }, &stats).ok());
  std::sort(seen.rbegin(), seen.rend());
  ASSERT_GE(seen.size(), 10u);
  EXPECT_EQ(std::vector<int64_t>(seen.begin(), seen.begin() + 10), std::vector<int64_t>(all_ts.begin(), all_ts.begin() + 10));
  EXPECT_LT(stats.rows_scanned, 2000u) << "the limit should stop the scan early";

  // Needles: a field value and a message token touch one block via the token index.
  for (auto pred : {MakePredicate(Predicate::Kind::kEquals, "trace_id", "tr742").value(),
                    MakePredicate(Predicate::Kind::kContainsToken, kMessageField, "needle_a3f9c2").value()}) {
    ScanRequest needle;
    needle.tenant = "t";
    needle.predicates = {pred};
    ScanStats ns;
    size_t rows = 0;
    ASSERT_TRUE(engine->Scan(needle, [&](const RowBatch& b) {
                          rows += b.size();
                          return true;
                        }, &ns).ok());
    EXPECT_EQ(rows, 1u);
    EXPECT_EQ(ns.blocks_read, 1u) << pred.field;
    EXPECT_GT(ns.blocks_pruned_by_token_index, 10u);
  }
  ASSERT_TRUE(engine->Close().ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage

namespace strata::storage {
namespace {

// Comparisons on typed field columns (answered on decoded numbers where the encoding allows) select exactly the rows
// Predicate::Matches selects on the text, and matching rows carry their exact field text (decoded for the selected
// rows only). One value kind per flushed block, so every column encoding is met.
TEST(StorageEngineScanTest, NumericComparisonsOnEveryColumnEncodingMatchTheTextPredicate) {
  std::string dir = TempDir();
  StorageOptions opts;
  opts.data_dir = dir;
  opts.part.block_max_rows = 64;
  opts.flush_interval_ms = 3600 * 1000;
  observability::Registry reg;
  auto engine = StorageEngine::Open(opts, reg).value();
  ASSERT_TRUE(engine->Recover().ok());
  std::mt19937_64 rng(11);
  auto value = [&](int kind) -> std::string {
    if (rng() % 7 == 0) return "";  // field absent
    char buf[40];
    switch (kind) {
      case 0: return std::to_string(rng() % 3000);
      case 1: return std::to_string(static_cast<int64_t>(rng() % 4000) - 2000);
      case 2: {  // plain decimals (kFloat decimal form)
        const int64_t m = static_cast<int64_t>(rng() % 2000000) - 1000000;
        std::string v = std::to_string(m / 1000) + "." + std::to_string(1000 + std::llabs(m % 1000)).substr(1);
        if (m < 0 && m > -1000) v = "-" + v;
        while (v.back() == '0') v.pop_back();
        if (v.back() == '.') v.pop_back();
        return v == "-0" ? "0" : v;
      }
      case 3: {  // binary floats, infinities and negative zero included
        static const double kSpecial[] = {std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity(), -0.0, 1e300, 5e-324, 1000.0};
        const double d = rng() % 5 == 0 ? kSpecial[rng() % 6] : (static_cast<double>(rng() % 100000) - 50000) / 7.0;
        return std::string(buf, std::to_chars(buf, buf + sizeof(buf), d).ptr);
      }
      case 4: {  // decimals whose mantissa is beyond 2^53
        return std::to_string(9007199254740993ULL + rng() % 100000) + "." + std::to_string(1 + rng() % 9);
      }
      case 5: {  // not all numbers: raw or dict text
        static const char* kOdd[] = {"abc", "10.0.0.1", "+5", "1e3", "007", "-0", ".5", "NaN", "inf", "1500"};
        return rng() % 2 ? kOdd[rng() % 10] : std::to_string(rng() % 3000);
      }
      default: {  // few distinct values: dict
        static const char* kFew[] = {"999", "1000", "1001", "-1", "2.5"};
        return kFew[rng() % 5];
      }
    }
  };
  std::vector<std::pair<int64_t, std::string>> truth;  // (ts, latency) of every record
  int64_t ts = 1767323045000000000LL;
  for (int round = 0; round < 2; ++round) {
    for (int kind = 0; kind <= 6; ++kind) {
      model::LogBatch batch{"t", {}};
      for (int i = 0; i < 64; ++i) {
        model::LogRecord r;
        r.labels = {{"service", "api"}};
        r.timestamp_ns = ts += 1000;
        r.message = "m" + std::to_string(i);
        const std::string v = value(kind);
        if (!v.empty()) r.fields = {{"latency_ms", v}};
        truth.emplace_back(r.timestamp_ns, v);
        batch.records.push_back(std::move(r));
      }
      ASSERT_TRUE(AppendSync(*engine, std::move(batch)).ok());
      ASSERT_TRUE(engine->Flush().ok());
    }
  }
  for (auto kind : {Predicate::Kind::kLess, Predicate::Kind::kLessEqual, Predicate::Kind::kGreater,
                    Predicate::Kind::kGreaterEqual}) {
    for (const char* threshold : {"1000", "-0", "2.5", "-1", "1e300", "inf", "-inf", "9007199254740995.5"}) {
      for (bool non_numbers_match : {false, true}) {
        Predicate p = MakePredicate(kind, "latency_ms", threshold).value();
        p.non_numbers_match = non_numbers_match;
        SCOPED_TRACE(std::string(threshold) + " kind " + std::to_string(static_cast<int>(kind)) +
                     (non_numbers_match ? " non-numbers match" : ""));
        std::vector<std::pair<int64_t, std::string>> want;
        for (const auto& [t, v] : truth) {
          if (p.Matches(v)) want.emplace_back(t, v);
        }
        ScanRequest req;
        req.tenant = "t";
        req.predicates = {p};
        req.direction = Direction::kForward;
        std::vector<std::pair<int64_t, std::string>> got;
        ASSERT_TRUE(engine->Scan(req, [&](const RowBatch& b) {
                              const StringColumn* col = nullptr;
                              for (const auto& [name, c] : b.fields) {
                                if (name == "latency_ms") col = &c;
                              }
                              for (size_t i = 0; i < b.size(); ++i) {
                                got.emplace_back(b.timestamps[i], col ? std::string(col->at(i)) : "");
                              }
                              return true;
                            }).ok());
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, want);
      }
    }
  }
  ASSERT_TRUE(engine->Close().ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage
