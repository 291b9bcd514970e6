// Randomised model test: random batches go through Append, and random Flush / MergeOnce / restart steps; after
// every step a full scan (and a few filtered scans) must equal a plain in-memory model, row for row.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "strata/storage/storage_engine.h"
#include "strata/storage/storage_test_util.h"

namespace strata::storage {
namespace {

struct ModelRow {
  std::string tenant;
  model::LabelSet labels;
  int64_t ts;
  std::string message;
  std::map<std::string, std::string> fields;
};

std::string Key(const model::LabelSet& labels, int64_t ts, std::string_view message,
                const std::map<std::string, std::string>& fields) {
  std::string k = model::LabelsToString(labels) + "|" + std::to_string(ts) + "|" + std::string(message);
  for (const auto& [n, v] : fields) k += "|" + n + "=" + v;
  return k;
}

using test_util::AppendSync;

std::multiset<std::string> ScanAll(const StorageEngine& engine, const ScanRequest& req) {
  std::multiset<std::string> out;
  base::Status st = engine.Scan(req, [&](const RowBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      std::map<std::string, std::string> fields;
      for (const auto& [name, col] : b.fields) {
        if (!col.at(i).empty()) fields[name] = std::string(col.at(i));
      }
      out.insert(Key(*b.labels, b.timestamps[i], b.messages.at(i), fields));
    }
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class RandomizedEngineTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(RandomizedEngineTest, MatchesTheModelThroughFlushMergeAndRestart) {
  const uint32_t seed = GetParam();
  std::mt19937_64 rng(seed);
  auto dir = std::filesystem::temp_directory_path() /
             ("strata_random_engine_" + std::to_string(::getpid()) + "_" + std::to_string(seed));
  std::filesystem::remove_all(dir);
  StorageOptions opts;
  opts.data_dir = dir.string();
  opts.flush_interval_ms = 3600 * 1000;  // the test decides when to flush
  opts.maintenance_interval_ms = 3600 * 1000;
  opts.wal_segment_bytes = 1 << 14;
  opts.part.block_max_rows = 1 + rng() % 64;  // many small blocks
  opts.merge.min_parts = 2;
  opts.retention = RetentionPolicy(365 * RetentionPolicy::kDay * 100, {}, {});  // nothing expires in this test

  std::vector<ModelRow> rows;
  const char* tenants[] = {"t1", "t2"};
  const char* services[] = {"api", "db", "web"};
  const char* words[] = {"alpha", "beta", "gamma", "timeout", "ok", "user_42", "trace"};
  const int64_t base = 1767323045000000000LL;

  auto observability_registry = std::make_unique<observability::Registry>();
  auto engine = StorageEngine::Open(opts, *observability_registry).value();
  ASSERT_TRUE(engine->Recover().ok());

  auto check = [&](const char* when) {
    for (const char* tenant : tenants) {
      std::multiset<std::string> want;
      for (const auto& r : rows) {
        if (r.tenant == tenant) want.insert(Key(r.labels, r.ts, r.message, r.fields));
      }
      ScanRequest req;
      req.tenant = tenant;
      req.direction = rng() % 2 ? Direction::kForward : Direction::kBackward;
      ASSERT_EQ(ScanAll(*engine, req), want) << when << " tenant " << tenant << " seed " << seed;
      // A filtered scan: one service, a token in the message, a time window.
      std::string service = services[rng() % 3];
      std::string word = words[rng() % 7];
      int64_t from = base + static_cast<int64_t>(rng() % 3) * 86400000000000LL;
      int64_t to = from + 86400000000000LL;
      std::multiset<std::string> want_filtered;
      for (const auto& r : rows) {
        if (r.tenant != tenant || r.ts < from || r.ts > to) continue;
        bool svc = false;
        for (const auto& l : r.labels) svc = svc || (l.name == "service" && l.value == service);
        if (svc && r.message.find(word) != std::string::npos) {
          want_filtered.insert(Key(r.labels, r.ts, r.message, r.fields));
        }
      }
      req.from = from;
      req.to = to;
      req.matchers = {MakeLabelMatcher("service", LabelMatcher::Op::kEq, service).value()};
      req.predicates = {MakePredicate(Predicate::Kind::kSubstring, kMessageField, word).value()};
      ASSERT_EQ(ScanAll(*engine, req), want_filtered) << when << " filtered, seed " << seed;
    }
  };

  for (int step = 0; step < 40; ++step) {
    int action = static_cast<int>(rng() % 10);
    if (action < 6) {
      model::LogBatch batch;
      batch.tenant = tenants[rng() % 2];
      int n = 1 + static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        model::LogRecord r;
        r.labels = {{"service", services[rng() % 3]}};
        if (rng() % 3 == 0) r.labels.push_back({"level", rng() % 2 ? "INFO" : "ERROR"});
        model::CanonicalizeLabels(r.labels);
        // Three days, so rows land in several partitions; duplicates of timestamps on purpose.
        r.timestamp_ns = base + static_cast<int64_t>(rng() % (3 * 86400ULL)) * 1000000000LL;
        r.message = std::string(words[rng() % 7]) + " " + words[rng() % 7] + " " + std::to_string(rng() % 1000);
        if (rng() % 2) r.fields.push_back({"status", std::to_string(200 + rng() % 4 * 100)});
        if (rng() % 3 == 0) r.fields.push_back({"trace_id", std::to_string(rng())});
        ModelRow m{batch.tenant, r.labels, r.timestamp_ns, r.message, {}};
        for (const auto& f : r.fields) m.fields[f.name] = f.value;
        rows.push_back(m);
        batch.records.push_back(std::move(r));
      }
      ASSERT_TRUE(AppendSync(*engine, std::move(batch)).ok());
    } else if (action < 8) {
      ASSERT_TRUE(engine->Flush().ok());
    } else if (action < 9) {
      bool merged = true;
      for (int i = 0; i < 5 && merged; ++i) ASSERT_TRUE(engine->MergeOnce(&merged).ok());
    } else {
      // Restart: sometimes cleanly, sometimes by abandoning the engine without Close (the WAL is durable).
      ASSERT_TRUE(engine->Close().ok());
      engine.reset();
      observability_registry = std::make_unique<observability::Registry>();
      engine = StorageEngine::Open(opts, *observability_registry).value();
      ASSERT_TRUE(engine->Recover().ok());
    }
    check(("step " + std::to_string(step)).c_str());
  }
  ASSERT_TRUE(engine->Close().ok());
  engine.reset();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomizedEngineTest, ::testing::Range(1u, 13u));

}  // namespace
}  // namespace strata::storage
