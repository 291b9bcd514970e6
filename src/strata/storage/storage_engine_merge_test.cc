// Merges, retention and delete purges through a real StorageEngine in a temporary directory. Background flushes and
// maintenance are pushed out of the way (long intervals); the tests call Flush, MergeOnce, ApplyRetention and
// ProcessDeletes themselves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "strata/base/clock.h"
#include "strata/model/time_format.h"
#include "strata/storage/storage_engine.h"
#include "strata/storage/storage_test_util.h"

namespace strata::storage {
namespace {

constexpr int64_t kSecond = 1000000000LL;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = RetentionPolicy::kDay;

int64_t Now() { return base::SystemClock::Get().NowNanos(); }

class EngineDir {
 public:
  EngineDir() {
    path_ = (std::filesystem::temp_directory_path() /
             ("strata_merge_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    std::filesystem::remove_all(path_);
  }
  ~EngineDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

StorageOptions TestOptions(const std::string& dir) {
  StorageOptions o;
  o.data_dir = dir;
  o.flush_interval_ms = 3600 * 1000;  // the tests flush
  o.flush_bytes = 1ull << 40;
  o.maintenance_interval_ms = 3600 * 1000;  // the tests run maintenance
  o.part.block_max_rows = 50;             // several blocks per stream
  return o;
}

std::unique_ptr<StorageEngine> OpenEngine(const StorageOptions& o, observability::Registry& reg) {
  auto engine = StorageEngine::Open(o, reg);
  EXPECT_TRUE(engine.ok());
  EXPECT_TRUE((*engine)->Recover().ok());
  return std::move(engine).value();
}

using test_util::AppendSync;

// A row as the store defines it: labels, time, message, the non-empty fields in name order.
struct Row {
  model::LabelSet labels;
  int64_t ts = 0;
  std::string message;
  std::vector<model::Field> fields;
  auto operator<=>(const Row&) const = default;
};

Row Canonical(const model::LogRecord& r) {
  Row row{r.labels, r.timestamp_ns, r.message, {}};
  for (const auto& f : r.fields) {
    if (!f.value.empty()) row.fields.push_back(f);
  }
  std::sort(row.fields.begin(), row.fields.end());
  return row;
}

std::vector<Row> Canonical(const std::vector<model::LogRecord>& records) {
  std::vector<Row> rows;
  for (const auto& r : records) rows.push_back(Canonical(r));
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<Row> ScanAll(const StorageEngine& engine, const std::string& tenant) {
  std::vector<Row> rows;
  ScanRequest req;
  req.tenant = tenant;
  base::Status st = engine.Scan(req, [&](const RowBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      Row row{*b.labels, b.timestamps[i], std::string(b.messages.at(i)), {}};
      for (const auto& [name, col] : b.fields) {
        if (!col.at(i).empty()) row.fields.push_back({name, std::string(col.at(i))});
      }
      std::sort(row.fields.begin(), row.fields.end());
      rows.push_back(std::move(row));
    }
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::sort(rows.begin(), rows.end());
  return rows;
}

uint64_t CountRows(const StorageEngine& engine, const std::string& tenant) {
  uint64_t n = 0;
  ScanRequest req;
  req.tenant = tenant;
  req.all_fields = false;
  EXPECT_TRUE(engine.Scan(req, [&](const RowBatch& b) {
                      n += b.size();
                      return true;
                    }).ok());
  return n;
}

// Rows in the part files (not what a scan shows).
uint64_t StoredRows(const StorageEngine& engine, const std::string& tenant) {
  uint64_t n = 0;
  for (const auto& p : engine.PartsOf(tenant)) n += p->meta().rows;
  return n;
}

std::set<uint64_t> PartIds(const StorageEngine& engine, const std::string& tenant) {
  std::set<uint64_t> ids;
  for (const auto& p : engine.PartsOf(tenant)) ids.insert(p->meta().part_id);
  return ids;
}

model::LogRecord Record(int64_t ts, model::LabelSet labels, std::string message,
                        std::vector<model::Field> fields = {}) {
  model::LogRecord r;
  r.timestamp_ns = ts;
  r.labels = std::move(labels);
  model::CanonicalizeLabels(r.labels);
  r.message = std::move(message);
  r.fields = std::move(fields);
  return r;
}

// Random rows at [base - spread, base]: a few streams, optional fields, occasional exact duplicates.
std::vector<model::LogRecord> RandomRecords(std::mt19937_64& rng, size_t n, int64_t base, int64_t spread) {
  static const char* kServices[] = {"api", "db", "web"};
  static const char* kLevels[] = {"INFO", "DEBUG", "ERROR"};
  std::vector<model::LogRecord> out;
  for (size_t i = 0; i < n; ++i) {
    std::vector<model::Field> fields;
    if (rng() % 2) fields.push_back({"status", std::to_string(200 + rng() % 4)});
    if (rng() % 4 == 0) fields.push_back({"user", "u" + std::to_string(rng() % 9)});
    out.push_back(Record(base - static_cast<int64_t>(rng() % static_cast<uint64_t>(spread)),
                         {{"service", kServices[rng() % 3]}, {"level", kLevels[rng() % 3]}},
                         "event " + std::to_string(rng() % 1000), std::move(fields)));
    if (rng() % 25 == 0) out.push_back(out.back());
  }
  return out;
}

// Appends records (as one batch) and flushes them into parts.
void AppendAndFlush(StorageEngine& engine, const std::string& tenant, const std::vector<model::LogRecord>& records) {
  ASSERT_TRUE(AppendSync(engine, model::LogBatch{tenant, records}).ok());
  ASSERT_TRUE(engine.Flush().ok());
}

int MergeUntilDone(StorageEngine& engine) {
  int merges = 0;
  for (;;) {
    bool merged = false;
    EXPECT_TRUE(engine.MergeOnce(&merged).ok());
    if (!merged) return merges;
    ++merges;
  }
}

TEST(StorageEngineMergeTest, ManyFlushesThenMergesKeepEveryRowAndSurviveRestart) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  std::mt19937_64 rng(11);
  std::vector<model::LogRecord> appended;
  std::set<uint64_t> ids_after;
  {
    observability::Registry reg;
    auto engine = OpenEngine(o, reg);
    const int64_t base = Now() - kHour;
    for (int flush = 0; flush < 24; ++flush) {
      auto records = RandomRecords(rng, 20 + rng() % 80, base, kHour);
      appended.insert(appended.end(), records.begin(), records.end());
      AppendAndFlush(*engine, "acme", records);
    }
    auto globex = RandomRecords(rng, 30, base, kHour);
    AppendAndFlush(*engine, "globex", globex);  // another tenant: untouched
    const size_t parts_before = engine->PartsOf("acme").size();
    ASSERT_GE(parts_before, 24u);
    EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(appended));

    int merges = MergeUntilDone(*engine);
    EXPECT_GE(merges, 1);
    const size_t parts_after = engine->PartsOf("acme").size();
    EXPECT_LT(parts_after, parts_before);
    EXPECT_LE(parts_after, 8u);  // at most 3 per day partition (the last hour may span midnight)
    for (const auto& p : engine->PartsOf("acme")) {
      if (p->meta().level > 0) {
        EXPECT_FALSE(p->meta().replaces.empty());
      }
    }
    EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(appended));
    EXPECT_EQ(ScanAll(*engine, "globex"), Canonical(globex));
    ids_after = PartIds(*engine, "acme");
    ASSERT_TRUE(engine->Close().ok());
  }
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  EXPECT_EQ(PartIds(*engine, "acme"), ids_after);
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(appended));
  // Nothing left to merge, and merging again changes nothing.
  EXPECT_EQ(MergeUntilDone(*engine), 0);
  EXPECT_EQ(PartIds(*engine, "acme"), ids_after);
}

TEST(StorageEngineMergeTest, RetentionDropsExpiredPartitionsWhole) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  o.retention = RetentionPolicy(7 * kDay, {{"short", 2 * kDay}}, {});
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  const int64_t now = Now();
  std::mt19937_64 rng(5);
  auto old10 = RandomRecords(rng, 40, now - 10 * kDay, kHour);
  auto old9 = RandomRecords(rng, 40, now - 9 * kDay, kHour);
  auto old3 = RandomRecords(rng, 40, now - 3 * kDay, kHour);
  auto fresh = RandomRecords(rng, 40, now - kHour, kHour / 2);
  for (const char* tenant : {"acme", "short"}) {
    for (const auto* records : {&old10, &old9, &old3, &fresh}) AppendAndFlush(*engine, tenant, *records);
  }
  auto day_dir = [&](const std::string& tenant, int64_t ts) {
    return dir.path() + "/" + tenant + "/" + std::to_string(model::UtcDayOf(ts));
  };
  ASSERT_TRUE(std::filesystem::exists(day_dir("acme", old10[0].timestamp_ns)));

  ASSERT_TRUE(engine->ApplyRetention(now).ok());
  std::vector<model::LogRecord> acme_kept = old3, short_kept;
  acme_kept.insert(acme_kept.end(), fresh.begin(), fresh.end());
  // Days whose end is still inside the period stay whole, even where single rows already passed it.
  for (const auto& r : old3) {
    if (model::UtcDayStartNanos(model::UtcDayOf(r.timestamp_ns)) + kDay > now - 2 * kDay) short_kept.push_back(r);
  }
  short_kept.insert(short_kept.end(), fresh.begin(), fresh.end());
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(acme_kept));
  EXPECT_EQ(ScanAll(*engine, "short"), Canonical(short_kept));
  for (const char* tenant : {"acme", "short"}) {
    for (const auto& r : old10) EXPECT_FALSE(std::filesystem::exists(day_dir(tenant, r.timestamp_ns))) << tenant;
    for (const auto& r : old9) EXPECT_FALSE(std::filesystem::exists(day_dir(tenant, r.timestamp_ns))) << tenant;
  }
  for (const auto& r : fresh) EXPECT_TRUE(std::filesystem::exists(day_dir("short", r.timestamp_ns)));

  // Nothing else to do; and the drop survives a restart.
  auto ids = PartIds(*engine, "acme");
  ASSERT_TRUE(engine->ApplyRetention(now).ok());
  EXPECT_EQ(PartIds(*engine, "acme"), ids);
  ASSERT_TRUE(engine->Close().ok());
  engine.reset();
  observability::Registry reg2;
  auto engine2 = OpenEngine(o, reg2);
  EXPECT_EQ(ScanAll(*engine2, "acme"), Canonical(acme_kept));
  EXPECT_EQ(ScanAll(*engine2, "short"), Canonical(short_kept));
}

TEST(StorageEngineMergeTest, StreamRulesDropOnlyMatchingStreams) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  auto debug = ParseStreamSelector(R"({level="DEBUG"})", false).value();
  auto web = ParseStreamSelector(R"({service="web"})", false).value();
  o.retention = RetentionPolicy(7 * kDay, {}, {{debug, kDay, ""}, {web, kHour, "globex"}});
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  const int64_t now = Now();
  std::vector<model::LogRecord> old, fresh;
  for (int i = 0; i < 60; ++i) {
    const char* level = i % 3 == 0 ? "DEBUG" : "INFO";
    const char* service = i % 2 ? "web" : "api";
    old.push_back(Record(now - 3 * kDay - i * kSecond, {{"level", level}, {"service", service}}, "old " + std::to_string(i)));
    fresh.push_back(Record(now - 10 * 60 * kSecond - i * kSecond, {{"level", level}, {"service", service}},
                           "fresh " + std::to_string(i)));
  }
  for (const char* tenant : {"acme", "globex"}) {
    AppendAndFlush(*engine, tenant, old);
    AppendAndFlush(*engine, tenant, fresh);
  }
  auto fresh_ids = PartIds(*engine, "acme");

  ASSERT_TRUE(engine->ApplyRetention(now).ok());
  std::vector<model::LogRecord> acme_kept, globex_kept;
  for (const auto& r : old) {
    bool is_debug = r.labels[0].value == "DEBUG";
    bool is_web = r.labels[1].value == "web";
    if (!is_debug) acme_kept.push_back(r);
    if (!is_debug && !is_web) globex_kept.push_back(r);
  }
  acme_kept.insert(acme_kept.end(), fresh.begin(), fresh.end());
  globex_kept.insert(globex_kept.end(), fresh.begin(), fresh.end());  // 10 minutes old: inside 1h
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(acme_kept));
  EXPECT_EQ(ScanAll(*engine, "globex"), Canonical(globex_kept));
  EXPECT_EQ(StoredRows(*engine, "acme"), acme_kept.size());
  EXPECT_EQ(StoredRows(*engine, "globex"), globex_kept.size());

  // Only the parts that held expired streams were rewritten; a second pass has nothing to do.
  auto ids = PartIds(*engine, "acme");
  EXPECT_EQ(ids.size(), fresh_ids.size());
  EXPECT_NE(ids, fresh_ids);
  size_t unchanged = 0;
  for (uint64_t id : ids) unchanged += fresh_ids.count(id);
  EXPECT_GE(unchanged, 1u);  // the fresh part
  ASSERT_TRUE(engine->ApplyRetention(now).ok());
  EXPECT_EQ(PartIds(*engine, "acme"), ids);
}

TEST(StorageEngineMergeTest, MergesDropRowsExpiredByStreamRules) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  o.retention = RetentionPolicy(7 * kDay, {}, {{ParseStreamSelector(R"({level="DEBUG"})", false).value(), kDay, ""}});
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  // Just past the 1-day period: retention waits for its slack, the next merge drops them anyway.
  const int64_t ts = Now() - kDay - 10 * 60 * kSecond;
  std::vector<model::LogRecord> kept;
  for (int flush = 0; flush < 4; ++flush) {
    std::vector<model::LogRecord> batch;
    for (int i = 0; i < 10; ++i) {
      batch.push_back(Record(ts + i, {{"level", i % 2 ? "DEBUG" : "INFO"}}, "m" + std::to_string(flush * 10 + i)));
      if (i % 2 == 0) kept.push_back(batch.back());
    }
    AppendAndFlush(*engine, "acme", batch);
  }
  auto ids = PartIds(*engine, "acme");
  ASSERT_TRUE(engine->ApplyRetention(Now()).ok());
  EXPECT_EQ(PartIds(*engine, "acme"), ids);
  EXPECT_EQ(CountRows(*engine, "acme"), 40u);
  EXPECT_EQ(MergeUntilDone(*engine), 1);
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(kept));
  EXPECT_EQ(StoredRows(*engine, "acme"), kept.size());
}

TEST(StorageEngineMergeTest, RewriteThatDropsEveryRowKeepsTheWalCoverage) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  o.retention = RetentionPolicy(7 * kDay, {}, {{ParseStreamSelector(R"({level="DEBUG"})", false).value(), kDay, ""}});
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  const int64_t ts = Now() - 3 * kDay;
  std::vector<model::LogRecord> rows;
  for (int i = 0; i < 20; ++i) rows.push_back(Record(ts + i, {{"level", "DEBUG"}}, "debug " + std::to_string(i)));
  AppendAndFlush(*engine, "acme", rows);
  auto before = engine->PartsOf("acme");
  ASSERT_EQ(before.size(), 1u);
  const uint64_t wal_seq_end = before[0]->meta().wal_seq_end;
  ASSERT_GT(wal_seq_end, 0u);

  ASSERT_TRUE(engine->ApplyRetention(Now()).ok());
  EXPECT_EQ(CountRows(*engine, "acme"), 0u);
  // An empty part stands in for the dropped one: replay must keep skipping the WAL records it covered.
  auto after = engine->PartsOf("acme");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]->meta().rows, 0u);
  EXPECT_EQ(after[0]->meta().wal_seq_end, wal_seq_end);
  EXPECT_EQ(after[0]->meta().replaces, (std::vector<uint64_t>{before[0]->meta().part_id}));
  ASSERT_TRUE(engine->Close().ok());
  engine.reset();
  observability::Registry reg2;
  auto engine2 = OpenEngine(o, reg2);
  EXPECT_EQ(CountRows(*engine2, "acme"), 0u);
  EXPECT_EQ(engine2->PartsOf("acme").size(), 1u);
}

TEST(StorageEngineMergeTest, ConcurrentScansNeverSeeARowTwiceOrMissOne) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  o.merge.min_parts = 2;
  o.merge.max_parts = 3;  // many small merges, many swaps
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  std::mt19937_64 rng(3);
  const int64_t base = Now() - kHour;
  uint64_t total = 0;
  for (int flush = 0; flush < 30; ++flush) {
    auto records = RandomRecords(rng, 30, base, kHour);
    total += records.size();
    AppendAndFlush(*engine, "acme", records);
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> scans{0}, wrong{0}, last_wrong{0};
  std::thread scanner([&] {
    while (!stop.load()) {
      uint64_t n = CountRows(*engine, "acme");
      if (n != total) {
        wrong.fetch_add(1);
        last_wrong.store(n);
      }
      scans.fetch_add(1);
    }
  });
  int merges = 0;
  for (;;) {
    bool merged = false;
    ASSERT_TRUE(engine->MergeOnce(&merged).ok());
    if (!merged) break;
    ++merges;
    // Give the scanner a chance to run between swaps.
    uint64_t seen = scans.load();
    for (int spin = 0; spin < 200 && scans.load() < seen + 1; ++spin) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop = true;
  scanner.join();
  EXPECT_GE(merges, 10);
  EXPECT_GE(scans.load(), static_cast<uint64_t>(merges));
  EXPECT_EQ(wrong.load(), 0u) << "a scan saw " << last_wrong.load() << " rows, expected " << total;
  EXPECT_EQ(CountRows(*engine, "acme"), total);
}

TEST(StorageEngineMergeTest, SupersededInputLeftOnDiskIsDeletedAtOpen) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  std::mt19937_64 rng(9);
  std::vector<model::LogRecord> appended;
  std::string saved_path, saved_copy = dir.path() + "-saved.part";
  {
    observability::Registry reg;
    auto engine = OpenEngine(o, reg);
    // One partition: all rows at the same minute.
    const int64_t ts = Now() - kHour;
    for (int flush = 0; flush < 4; ++flush) {
      auto records = RandomRecords(rng, 25, ts, kSecond);
      appended.insert(appended.end(), records.begin(), records.end());
      AppendAndFlush(*engine, "acme", records);
    }
    auto parts = engine->PartsOf("acme");
    ASSERT_EQ(parts.size(), 4u);
    saved_path = parts[1]->path();
    std::filesystem::copy_file(saved_path, saved_copy, std::filesystem::copy_options::overwrite_existing);
    ASSERT_EQ(MergeUntilDone(*engine), 1);
    ASSERT_FALSE(std::filesystem::exists(saved_path));
    ASSERT_TRUE(engine->Close().ok());
  }
  // As if the process died after publishing the merge but before unlinking this input.
  std::filesystem::copy_file(saved_copy, saved_path);
  std::filesystem::remove(saved_copy);
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  EXPECT_FALSE(std::filesystem::exists(saved_path));
  EXPECT_EQ(engine->PartsOf("acme").size(), 1u);
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(appended));
}

TEST(StorageEngineMergeTest, BackgroundMaintenanceMergesAndStopsPromptlyOnClose) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  o.maintenance_interval_ms = 20;
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  std::mt19937_64 rng(1);
  std::vector<model::LogRecord> appended;
  const int64_t ts = Now() - kHour;
  for (int flush = 0; flush < 4; ++flush) {
    auto records = RandomRecords(rng, 20, ts, kSecond);
    appended.insert(appended.end(), records.begin(), records.end());
    AppendAndFlush(*engine, "acme", records);
  }
  // Rows expired long ago (10 days: past the default 7) go with their partition, in the background too.
  AppendAndFlush(*engine, "acme", RandomRecords(rng, 20, Now() - 10 * kDay, kSecond));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (engine->PartsOf("acme").size() != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(engine->PartsOf("acme").size(), 1u);
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(appended));
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(StorageEngineMergeTest, CorruptPartDoesNotStopMergesElsewhere) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  std::mt19937_64 rng(4);
  const int64_t day_a = Now() - 2 * kDay, day_b = Now() - kHour;
  std::string corrupt_path;
  uint64_t corrupt_offset = 0;
  {
    observability::Registry reg;
    auto engine = OpenEngine(o, reg);
    for (int flush = 0; flush < 5; ++flush) AppendAndFlush(*engine, "acme", RandomRecords(rng, 20, day_a, kSecond));
    for (int flush = 0; flush < 4; ++flush) AppendAndFlush(*engine, "acme", RandomRecords(rng, 20, day_b, kSecond));
    for (const auto& p : engine->PartsOf("acme")) {
      if (p->meta().max_ts <= day_a) {
        corrupt_path = p->path();
        corrupt_offset = p->blocks()[0].timestamps.offset;
        break;
      }
    }
    ASSERT_TRUE(engine->Close().ok());
  }
  ASSERT_FALSE(corrupt_path.empty());
  {
    std::fstream f(corrupt_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(corrupt_offset));
    f.put('\xff').put('\x00').put('\x7f');
  }
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  // The partition with the corrupt part is preferred (5 parts), fails, and the other one is merged instead.
  bool merged = false;
  ASSERT_TRUE(engine->MergeOnce(&merged).ok());
  EXPECT_TRUE(merged);
  EXPECT_EQ(engine->PartsOf("acme").size(), 6u);
  EXPECT_EQ(engine->MergeOnce(&merged).code(), base::StatusCode::kDataLoss);
  EXPECT_FALSE(merged);
  EXPECT_TRUE(std::filesystem::exists(corrupt_path));  // kept for inspection
}

// --- Deletes (DeleteStore by the deletes work) ---

DeleteRequest Delete(const std::string& tenant, int64_t from, int64_t to, const std::string& selector) {
  DeleteRequest d;
  d.tenant = tenant;
  d.from = from;
  d.to = to;
  auto parsed = ParseStreamSelector(selector);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (parsed.ok()) d.selector = *parsed;
  d.selector.text = selector;
  return d;
}

TEST(StorageEngineMergeTest, ProcessDeletesPurgesMatchingRowsAndLeavesOtherPartsAlone) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  const int64_t now = Now();
  const int64_t t0 = now - 2 * kHour;
  std::vector<model::LogRecord> api, db, yesterday, head;
  for (int i = 0; i < 100; ++i) {
    api.push_back(Record(t0 + i * kSecond, {{"service", "api"}},
                         i % 4 == 0 ? "login password=hunter" + std::to_string(i) : "GET /" + std::to_string(i)));
    db.push_back(Record(t0 + i * kSecond, {{"service", "db"}}, "password query " + std::to_string(i)));
    yesterday.push_back(Record(t0 - kDay + i * kSecond, {{"service", "api"}}, "password=old" + std::to_string(i)));
    head.push_back(Record(t0 + 500 * kSecond + i, {{"service", "api"}}, "password=head" + std::to_string(i)));
  }
  AppendAndFlush(*engine, "acme", api);
  AppendAndFlush(*engine, "acme", db);
  AppendAndFlush(*engine, "acme", yesterday);
  AppendAndFlush(*engine, "other", api);
  ASSERT_TRUE(AppendSync(*engine, model::LogBatch{"acme", head}).ok());  // still in the head
  std::set<uint64_t> untouched;
  for (const auto& p : engine->PartsOf("acme")) {
    if (p->streams().size() == 1 && p->streams()[0].labels[0].value == "db") untouched.insert(p->meta().part_id);
    if (p->meta().max_ts < t0 - kHour) untouched.insert(p->meta().part_id);  // yesterday: outside the range
  }
  ASSERT_GE(untouched.size(), 2u);

  auto added = engine->deletes().Add(Delete("acme", t0, now, R"({service="api"} |= "password")"));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_TRUE(engine->ProcessDeletes().ok());

  std::vector<model::LogRecord> expected;
  for (const auto& r : api) {
    if (r.message.find("password") == std::string::npos) expected.push_back(r);
  }
  expected.insert(expected.end(), db.begin(), db.end());
  expected.insert(expected.end(), yesterday.begin(), yesterday.end());
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(expected));  // head rows were flushed, then purged
  EXPECT_EQ(StoredRows(*engine, "acme"), expected.size());    // purged from the files, not just hidden
  EXPECT_EQ(ScanAll(*engine, "other"), Canonical(api));      // other tenants untouched
  auto ids = PartIds(*engine, "acme");
  for (uint64_t id : untouched) EXPECT_TRUE(ids.count(id)) << "part " << id << " was rewritten";
  auto listed = engine->deletes().List("acme");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status, DeleteStatus::kProcessed);
  EXPECT_GT(listed[0].processed_ns, 0);
  EXPECT_TRUE(engine->deletes().Pending().empty());

  // Physically gone: also after a restart.
  ASSERT_TRUE(engine->Close().ok());
  engine.reset();
  observability::Registry reg2;
  auto engine2 = OpenEngine(o, reg2);
  EXPECT_EQ(ScanAll(*engine2, "acme"), Canonical(expected));
}

TEST(StorageEngineMergeTest, DeleteThatMatchesNoRowKeepsThePartsAndLaterMergesPurgeLateRows) {
  EngineDir dir;
  StorageOptions o = TestOptions(dir.path());
  observability::Registry reg;
  auto engine = OpenEngine(o, reg);
  const int64_t t0 = Now() - kHour;
  std::vector<model::LogRecord> rows;
  for (int i = 0; i < 50; ++i) rows.push_back(Record(t0 + i, {{"service", "api"}}, "ok " + std::to_string(i)));
  AppendAndFlush(*engine, "acme", rows);
  auto ids = PartIds(*engine, "acme");
  // The stream matches, the line filter matches nothing: the part is read, found clean, and kept as it is.
  ASSERT_TRUE(engine->deletes().Add(Delete("acme", t0, t0 + kHour, R"({service="api"} |= "secret")")).ok());
  ASSERT_TRUE(engine->ProcessDeletes().ok());
  EXPECT_EQ(PartIds(*engine, "acme"), ids);
  EXPECT_EQ(engine->deletes().List("acme")[0].status, DeleteStatus::kProcessed);

  // Matching rows that arrive after processing are purged by the next rewrite: merges apply processed requests.
  std::vector<model::LogRecord> late;
  for (int flush = 0; flush < 3; ++flush) {
    std::vector<model::LogRecord> batch{Record(t0 + 100 + flush, {{"service", "api"}}, "a secret " + std::to_string(flush)),
                                        Record(t0 + 200 + flush, {{"service", "api"}}, "fine " + std::to_string(flush))};
    late.push_back(batch[1]);
    AppendAndFlush(*engine, "acme", batch);
  }
  EXPECT_EQ(MergeUntilDone(*engine), 1);
  rows.insert(rows.end(), late.begin(), late.end());
  EXPECT_EQ(ScanAll(*engine, "acme"), Canonical(rows));
  EXPECT_EQ(StoredRows(*engine, "acme"), rows.size());
}

}  // namespace
}  // namespace strata::storage
