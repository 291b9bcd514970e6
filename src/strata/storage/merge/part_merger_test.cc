#include "strata/storage/merge/part_merger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <tuple>

#include "strata/model/stream_id.h"
#include "strata/model/time_format.h"

namespace strata::storage {
namespace {

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("strata_merger_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A row as the store defines it: labels, time, message, the non-empty fields (order is not part of the data).
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

// Every row of a part, sorted.
std::vector<Row> ReadRows(const PartReader& part) {
  std::vector<Row> rows;
  for (uint32_t b = 0; b < part.blocks().size(); ++b) {
    const auto& bh = part.blocks()[b];
    std::vector<int64_t> ts;
    EXPECT_TRUE(part.ReadTimestamps(b, &ts).ok());
    StringColumn msgs;
    EXPECT_TRUE(part.ReadColumn(b, kMessageColumnId, &msgs).ok());
    std::vector<std::pair<std::string, StringColumn>> cols;
    for (const auto& cc : bh.columns) {
      if (cc.column_id == kMessageColumnId) continue;
      cols.emplace_back(part.column_names()[cc.column_id], StringColumn());
      EXPECT_TRUE(part.ReadColumn(b, cc.column_id, &cols.back().second).ok());
    }
    for (uint32_t i = 0; i < bh.rows; ++i) {
      Row row{part.streams()[bh.stream].labels, ts[i], std::string(msgs.at(i)), {}};
      for (const auto& [name, col] : cols) {
        if (!col.at(i).empty()) row.fields.push_back({name, std::string(col.at(i))});
      }
      std::sort(row.fields.begin(), row.fields.end());
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

constexpr uint32_t kDay = 20240501;

// Random records of one day: a handful of streams, fields sometimes absent or empty, duplicate rows allowed.
std::vector<model::LogRecord> RandomRecords(std::mt19937_64& rng, size_t n) {
  static const char* kServices[] = {"api", "db", "web", "queue"};
  static const char* kLevels[] = {"INFO", "DEBUG", "ERROR"};
  const int64_t day_start = model::UtcDayStartNanos(kDay);
  std::vector<model::LogRecord> out;
  for (size_t i = 0; i < n; ++i) {
    model::LogRecord r;
    r.timestamp_ns = day_start + static_cast<int64_t>(rng() % 86400) * 1000000000LL + static_cast<int64_t>(rng() % 1000);
    r.labels = {{"level", kLevels[rng() % 3]}, {"service", kServices[rng() % 4]}};
    r.message = "request " + std::to_string(rng() % 50) + (rng() % 5 == 0 ? " secret" : " done");
    if (rng() % 2) r.fields.push_back({"status", std::to_string(200 + rng() % 5)});
    if (rng() % 3 == 0) r.fields.push_back({"user", rng() % 2 ? "" : "u" + std::to_string(rng() % 7)});
    if (rng() % 7 == 0) r.fields.push_back({"trace.id", std::to_string(rng())});
    out.push_back(std::move(r));
    if (rng() % 20 == 0) out.push_back(out.back());  // exact duplicates are distinct rows
  }
  return out;
}

std::shared_ptr<const PartReader> WritePart(const std::string& dir, uint64_t id, uint32_t level, uint64_t wal_seq_end,
                                            const std::vector<model::LogRecord>& records,
                                            const PartWriterOptions& options) {
  PartBuilder builder(options);
  for (const auto& r : records) builder.Add(r);
  PartMeta meta;
  meta.part_id = id;
  meta.tenant = "acme";
  meta.day = kDay;
  meta.level = level;
  meta.wal_seq_end = wal_seq_end;
  EXPECT_TRUE(builder.Write(dir, meta).ok());
  return PartReader::Open(dir + "/" + PartFileName(id)).value();
}

PartWriterOptions SmallBlocks() {
  PartWriterOptions o;
  o.block_max_rows = 37;  // many blocks per stream, and blocks cut at odd places
  return o;
}

TEST(PartMergerTest, MergedPartHoldsExactlyTheRowsOfItsInputs) {
  std::string dir = TempDir();
  std::mt19937_64 rng(42);
  for (int round = 0; round < 3; ++round) {
    const size_t n_inputs = 2 + rng() % 6;
    std::vector<std::shared_ptr<const PartReader>> inputs;
    std::vector<Row> expected;
    uint32_t max_level = 0;
    uint64_t max_seq = 0;
    std::vector<uint64_t> ids;
    for (size_t i = 0; i < n_inputs; ++i) {
      auto records = RandomRecords(rng, 1 + rng() % 400);
      for (const auto& r : records) expected.push_back(Canonical(r));
      uint64_t id = 100 * (round + 1) + i;
      uint32_t level = static_cast<uint32_t>(rng() % 4);
      uint64_t seq = 1 + rng() % 50;
      max_level = std::max(max_level, level);
      max_seq = std::max(max_seq, seq);
      ids.push_back(id);
      inputs.push_back(WritePart(dir, id, level, seq, records, SmallBlocks()));
    }
    std::sort(expected.begin(), expected.end());
    const uint64_t out_id = 1000 + round;
    auto result = MergeParts(inputs, dir, out_id, SmallBlocks(), nullptr);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_FALSE(result->empty);
    EXPECT_EQ(result->rows_in, expected.size());
    EXPECT_EQ(result->rows_dropped, 0u);
    EXPECT_EQ(result->meta.part_id, out_id);
    EXPECT_EQ(result->meta.tenant, "acme");
    EXPECT_EQ(result->meta.day, kDay);
    EXPECT_EQ(result->meta.level, max_level + 1);
    EXPECT_EQ(result->meta.wal_seq_end, max_seq);
    EXPECT_EQ(result->meta.replaces, ids);
    EXPECT_EQ(result->meta.rows, expected.size());

    auto merged = PartReader::Open(dir + "/" + PartFileName(out_id));
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    EXPECT_EQ((*merged)->meta().replaces, ids);
    int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
    for (const auto& row : expected) {
      min_ts = std::min(min_ts, row.ts);
      max_ts = std::max(max_ts, row.ts);
    }
    EXPECT_EQ((*merged)->meta().min_ts, min_ts);
    EXPECT_EQ((*merged)->meta().max_ts, max_ts);
    EXPECT_EQ(ReadRows(**merged), expected);
    // One stream-table entry per stream, whatever the number of inputs that held it.
    std::set<model::StreamId> streams;
    for (const auto& s : (*merged)->streams()) EXPECT_TRUE(streams.insert(s.id).second);
  }
  std::filesystem::remove_all(dir);
}

TEST(PartMergerTest, DropFilterDropsExactlyTheRowsItRejects) {
  std::string dir = TempDir();
  std::mt19937_64 rng(7);
  std::vector<std::shared_ptr<const PartReader>> inputs;
  std::vector<model::LogRecord> all;
  for (uint64_t id = 1; id <= 4; ++id) {
    auto records = RandomRecords(rng, 300);
    all.insert(all.end(), records.begin(), records.end());
    inputs.push_back(WritePart(dir, id, 0, id, records, SmallBlocks()));
  }
  const int64_t cutoff = model::UtcDayStartNanos(kDay) + 6 * 3600 * 1000000000LL;
  auto should_drop = [&](const model::LabelSet& labels, int64_t ts, std::string_view message) {
    bool db = std::find(labels.begin(), labels.end(), model::Field{"service", "db"}) != labels.end();
    return (db && ts < cutoff) || message.find("secret") != std::string_view::npos;
  };
  std::vector<Row> expected;
  uint64_t dropped = 0;
  for (const auto& r : all) {
    if (should_drop(r.labels, r.timestamp_ns, r.message)) {
      ++dropped;
    } else {
      expected.push_back(Canonical(r));
    }
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_GT(dropped, 0u);
  ASSERT_FALSE(expected.empty());
  auto result = MergeParts(inputs, dir, 50, SmallBlocks(), should_drop);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_in, all.size());
  EXPECT_EQ(result->rows_dropped, dropped);
  EXPECT_EQ(result->meta.rows, expected.size());
  auto merged = PartReader::Open(dir + "/" + PartFileName(50)).value();
  EXPECT_EQ(ReadRows(*merged), expected);
  std::filesystem::remove_all(dir);
}

TEST(PartMergerTest, EveryRowDroppedWritesNothing) {
  std::string dir = TempDir();
  std::mt19937_64 rng(3);
  std::vector<std::shared_ptr<const PartReader>> inputs;
  uint64_t rows = 0;
  for (uint64_t id = 1; id <= 3; ++id) {
    auto records = RandomRecords(rng, 50);
    rows += records.size();
    inputs.push_back(WritePart(dir, id, 2, 10 + id, records, {}));
  }
  auto result = MergeParts(inputs, dir, 9, {}, [](const model::LabelSet&, int64_t, std::string_view) { return true; });
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty);
  EXPECT_EQ(result->rows_in, rows);
  EXPECT_EQ(result->rows_dropped, rows);
  // The meta still says what the output would have been: the caller needs replaces and wal_seq_end.
  EXPECT_EQ(result->meta.replaces, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(result->meta.wal_seq_end, 13u);
  EXPECT_EQ(result->meta.level, 3u);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_NE(e.path().filename().string(), PartFileName(9));
  }
  EXPECT_EQ(files, 3u);  // the inputs only: no output, no temporary
  std::filesystem::remove_all(dir);
}

TEST(PartMergerTest, RefusesPartsOfDifferentPartitionsAndNoInputs) {
  std::string dir = TempDir();
  std::mt19937_64 rng(5);
  auto a = WritePart(dir, 1, 0, 1, RandomRecords(rng, 10), {});
  PartBuilder builder;
  model::LogRecord r;
  r.timestamp_ns = model::UtcDayStartNanos(20240502);
  r.message = "next day";
  builder.Add(r);
  PartMeta meta;
  meta.part_id = 2;
  meta.tenant = "acme";
  meta.day = 20240502;
  ASSERT_TRUE(builder.Write(dir, meta).ok());
  auto b = PartReader::Open(dir + "/" + PartFileName(2)).value();
  EXPECT_EQ(MergeParts({a, b}, dir, 3, {}, nullptr).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeParts({}, dir, 3, {}, nullptr).status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir + "/" + PartFileName(3)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage
