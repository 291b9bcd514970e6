#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "strata/common/coding.h"
#include "strata/common/crc32c.h"
#include "strata/storage/index/ngram_filter.h"
#include "strata/storage/index/token_index.h"
#include "strata/storage/index/tokenizer.h"
#include "strata/storage/part/part_reader.h"
#include "strata/storage/part/part_writer.h"

namespace strata::storage {
namespace {

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("strata_part_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

struct TestRow {
  model::LabelSet labels;
  int64_t ts;
  std::string message;
  std::map<std::string, std::string> fields;
};

std::vector<TestRow> RandomRows(uint32_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::vector<TestRow> rows;
  const char* services[] = {"api", "auth", "db"};
  for (size_t i = 0; i < n; ++i) {
    TestRow r;
    r.labels = {{"level", rng() % 5 ? "INFO" : "ERROR"}, {"service", services[rng() % 3]}};
    r.ts = 1767323045000000000LL + static_cast<int64_t>(rng() % 1000000000000ULL);
    r.message = "request id=" + std::to_string(rng() % 100000) + " took " + std::to_string(rng() % 500) + "ms";
    if (rng() % 2) r.fields["status"] = std::to_string(200 + (rng() % 4) * 100);
    if (rng() % 3) r.fields["trace_id"] = std::to_string(rng());
    if (rng() % 7 == 0) r.fields["client_ip"] = "10.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    rows.push_back(std::move(r));
  }
  return rows;
}

// Reads every row of a part back as TestRows.
std::vector<TestRow> ReadAll(const PartReader& part) {
  std::vector<TestRow> out;
  for (uint32_t b = 0; b < part.blocks().size(); ++b) {
    const auto& bh = part.blocks()[b];
    std::vector<int64_t> ts;
    EXPECT_TRUE(part.ReadTimestamps(b, &ts).ok());
    std::vector<StringColumn> cols(bh.columns.size());
    for (size_t c = 0; c < bh.columns.size(); ++c) {
      EXPECT_TRUE(part.ReadColumn(b, bh.columns[c].column_id, &cols[c]).ok());
    }
    for (uint32_t i = 0; i < bh.rows; ++i) {
      TestRow r;
      r.labels = part.streams()[bh.stream].labels;
      r.ts = ts[i];
      for (size_t c = 0; c < bh.columns.size(); ++c) {
        std::string v(cols[c].at(i));
        if (bh.columns[c].column_id == kMessageColumnId) {
          r.message = v;
        } else if (!v.empty()) {
          r.fields[part.column_names()[bh.columns[c].column_id]] = v;
        }
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::string Key(const TestRow& r) {
  std::string k = model::LabelsToString(r.labels) + "|" + std::to_string(r.ts) + "|" + r.message;
  for (const auto& [n, v] : r.fields) k += "|" + n + "=" + v;
  return k;
}

base::Result<PartMeta> WriteRows(const std::vector<TestRow>& rows, const std::string& dir, PartWriterOptions opts = {}) {
  PartBuilder builder(opts);
  for (const auto& r : rows) {
    std::vector<model::Field> fields;
    for (const auto& [n, v] : r.fields) fields.push_back({n, v});
    builder.Add(r.labels, r.ts, r.message, fields);
  }
  PartMeta meta;
  meta.part_id = 7;
  meta.tenant = "acme";
  meta.day = 20260102;
  meta.wal_seq_end = 42;
  meta.replaces = {3, 4};
  return builder.Write(dir, meta);
}

TEST(PartTest, RoundTripsEveryRowAcrossManySeeds) {
  std::string dir = TempDir();
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    auto rows = RandomRows(seed, 3000);
    PartWriterOptions opts;
    opts.block_max_rows = 100 + seed * 50;  // many blocks per stream
    auto meta = WriteRows(rows, dir, opts);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    auto part = PartReader::Open(dir + "/" + PartFileName(7));
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    const auto& p = **part;
    EXPECT_EQ(p.meta().rows, rows.size());
    EXPECT_EQ(p.meta().tenant, "acme");
    EXPECT_EQ(p.meta().wal_seq_end, 42u);
    EXPECT_EQ(p.meta().replaces, (std::vector<uint64_t>{3, 4}));
    EXPECT_LE(p.streams().size(), 6u);
    std::multiset<std::string> want, got;
    for (const auto& r : rows) want.insert(Key(r));
    for (const auto& r : ReadAll(p)) got.insert(Key(r));
    EXPECT_EQ(want, got) << "seed " << seed;
    // Blocks are sorted by time within a stream and respect the row limit.
    for (const auto& b : p.blocks()) {
      EXPECT_LE(b.rows, opts.block_max_rows);
      EXPECT_LE(b.min_ts, b.max_ts);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(PartTest, TokenIndexFindsExactlyTheBlocksHoldingAToken) {
  std::string dir = TempDir();
  auto rows = RandomRows(99, 5000);
  rows[1234].fields["trace_id"] = "a3f9c2deadbeef";
  rows[1234].message += " NeedleToken";
  PartWriterOptions opts;
  opts.block_max_rows = 200;
  ASSERT_TRUE(WriteRows(rows, dir, opts).ok());
  auto part = PartReader::Open(dir + "/" + PartFileName(7)).value();
  int64_t trace_col = part->ColumnId("trace_id");
  ASSERT_GE(trace_col, 0);
  for (auto [column, token] : std::vector<std::pair<uint32_t, std::string>>{
           {static_cast<uint32_t>(trace_col), "a3f9c2deadbeef"}, {kMessageColumnId, "needletoken"}}) {
    std::vector<uint32_t> blocks;
    ASSERT_TRUE(part->tokens().Lookup(index::TokenKey(column, index::TokenHash(token)), &blocks));
    ASSERT_EQ(blocks.size(), 1u);
    // The block really holds the row.
    StringColumn values;
    ASSERT_TRUE(part->ReadColumn(blocks[0], column, &values).ok());
    bool found = false;
    for (size_t i = 0; i < values.size(); ++i) found |= values.at(i).find(column == 0 ? "NeedleToken" : token) != std::string_view::npos;
    EXPECT_TRUE(found);
  }
  std::vector<uint32_t> none;
  EXPECT_FALSE(part->tokens().Lookup(index::TokenKey(kMessageColumnId, index::TokenHash("absentword")), &none));
  std::filesystem::remove_all(dir);
}

TEST(PartTest, CorruptionIsDetected) {
  std::string dir = TempDir();
  ASSERT_TRUE(WriteRows(RandomRows(5, 2000), dir).ok());
  std::string path = dir + "/" + PartFileName(7);
  std::string original;
  {
    std::ifstream in(path, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto rewrite = [&](const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  // Truncations fail at open.
  for (size_t len : {size_t{0}, size_t{10}, original.size() / 2, original.size() - 1}) {
    rewrite(original.substr(0, len));
    auto part = PartReader::Open(path);
    EXPECT_FALSE(part.ok()) << len;
    if (!part.ok()) EXPECT_EQ(part.status().code(), base::StatusCode::kDataLoss);
  }
  // A flipped byte anywhere is caught at open (metadata) or when its chunk is read (data).
  std::mt19937 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes = original;
    size_t pos = rng() % bytes.size();
    bytes[pos] ^= static_cast<char>(1 + rng() % 255);
    rewrite(bytes);
    auto part = PartReader::Open(path);
    if (!part.ok()) {
      EXPECT_EQ(part.status().code(), base::StatusCode::kDataLoss);
      continue;
    }
    bool failed = false;
    for (uint32_t b = 0; b < (*part)->blocks().size() && !failed; ++b) {
      std::vector<int64_t> ts;
      failed |= !(*part)->ReadTimestamps(b, &ts).ok();
      for (const auto& c : (*part)->blocks()[b].columns) {
        StringColumn col;
        failed |= !(*part)->ReadColumn(b, c.column_id, &col).ok();
      }
    }
    EXPECT_TRUE(failed) << "flip at " << pos << " of " << bytes.size() << " went unnoticed";
  }
  std::filesystem::remove_all(dir);
}

TEST(PartTest, EmptyBuilderWritesAValidEmptyPart) {
  std::string dir = TempDir();
  PartBuilder builder;
  PartMeta meta;
  meta.part_id = 1;
  ASSERT_TRUE(builder.Write(dir, meta).ok());
  auto part = PartReader::Open(dir + "/" + PartFileName(1));
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)->meta().rows, 0u);
  EXPECT_TRUE((*part)->blocks().empty());
  std::filesystem::remove_all(dir);
}

TEST(PartTest, ParsesPartFileNames) {
  uint64_t id = 0;
  EXPECT_TRUE(ParsePartFileName(PartFileName(0x2a), &id));
  EXPECT_EQ(id, 0x2au);
  EXPECT_FALSE(ParsePartFileName(".tmp-000000000000002a.part", &id));
  EXPECT_FALSE(ParsePartFileName("000000000000002a.wal", &id));
}

// Streaming writes (WriteBufferedStreams after each stream, as merges do) and borrowed rows give the same part as
// one Write of copied rows: same rows in the same blocks, same chunk bytes (offsets, lengths, CRCs), same index.
TEST(PartTest, StreamedAndBorrowedWritesEqualOneShotWrite) {
  const std::string dir = TempDir();
  std::filesystem::create_directories(dir + "/a");
  std::filesystem::create_directories(dir + "/b");
  PartWriterOptions opts;
  opts.block_max_rows = 50;  // several blocks per stream
  const auto rows = RandomRows(3, 2000);
  auto a = WriteRows(rows, dir + "/a", opts);
  ASSERT_TRUE(a.ok()) << a.status().ToString();

  // Group the rows by stream id; add each stream's rows (borrowed: `rows` outlives the builder) and write it out.
  std::map<model::StreamId, std::vector<const TestRow*>> by_stream;
  for (const auto& r : rows) by_stream[model::StreamIdOf(r.labels)].push_back(&r);
  PartBuilder streamed(opts);
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  for (const auto& [id, list] : by_stream) {
    auto ref = streamed.Stream(id, list.front()->labels);
    for (const TestRow* r : list) {
      fields.clear();
      for (const auto& [n, v] : r->fields) fields.emplace_back(n, v);
      streamed.AddBorrowed(ref, r->ts, r->message, fields);
    }
    ASSERT_TRUE(streamed.WriteBufferedStreams(dir + "/b", 9).ok());
    EXPECT_EQ(streamed.buffered_bytes(), 0u);
  }
  // A stream id at or below one already written is refused.
  streamed.Add(by_stream.begin()->first, by_stream.begin()->second.front()->labels, 1, "late", {});
  EXPECT_FALSE(streamed.WriteBufferedStreams(dir + "/b", 9).ok());
  PartMeta meta;
  meta.part_id = 7;
  meta.tenant = "acme";
  meta.day = 20260102;
  meta.wal_seq_end = 42;
  meta.replaces = {3, 4};
  // The same again, finished with Write.
  PartBuilder streamed2(opts);
  for (const auto& [id, list] : by_stream) {
    auto ref = streamed2.Stream(id, list.front()->labels);
    for (const TestRow* r : list) {
      fields.clear();
      for (const auto& [n, v] : r->fields) fields.emplace_back(n, v);
      streamed2.AddBorrowed(ref, r->ts, r->message, fields);
    }
    ASSERT_TRUE(streamed2.WriteBufferedStreams(dir + "/b", 7).ok());
  }
  auto b = streamed2.Write(dir + "/b", meta);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->rows, b->rows);
  EXPECT_EQ(a->raw_bytes, b->raw_bytes);
  EXPECT_EQ(a->min_ts, b->min_ts);
  EXPECT_EQ(a->max_ts, b->max_ts);

  auto ra = PartReader::Open(dir + "/a/" + PartFileName(7));
  auto rb = PartReader::Open(dir + "/b/" + PartFileName(7));
  ASSERT_TRUE(ra.ok() && rb.ok());
  ASSERT_EQ((*ra)->blocks().size(), (*rb)->blocks().size());
  EXPECT_GT((*ra)->blocks().size(), by_stream.size());
  for (size_t i = 0; i < (*ra)->blocks().size(); ++i) {
    const BlockHeader& x = (*ra)->blocks()[i];
    const BlockHeader& y = (*rb)->blocks()[i];
    EXPECT_EQ(x.stream, y.stream);
    EXPECT_EQ(x.rows, y.rows);
    ASSERT_EQ(x.columns.size(), y.columns.size());
    EXPECT_EQ(x.timestamps.offset, y.timestamps.offset);
    EXPECT_EQ(x.timestamps.crc, y.timestamps.crc);
    for (size_t c = 0; c < x.columns.size(); ++c) {
      EXPECT_EQ(x.columns[c].column_id, y.columns[c].column_id);
      EXPECT_EQ(x.columns[c].chunk.offset, y.columns[c].chunk.offset);
      EXPECT_EQ(x.columns[c].chunk.stored_len, y.columns[c].chunk.stored_len);
      EXPECT_EQ(x.columns[c].chunk.crc, y.columns[c].chunk.crc);
    }
  }
  EXPECT_EQ((*ra)->column_names(), (*rb)->column_names());
  EXPECT_EQ((*ra)->tokens().size_bytes(), (*rb)->tokens().size_bytes());
  std::vector<std::string> ka, kb;
  ASSERT_TRUE((*ra)->tokens().ForEach([&](uint64_t k, std::span<const uint32_t> bl) {
    ka.push_back(std::to_string(k) + ":" + std::to_string(bl.size()) + ":" + std::to_string(bl.front()));
  }).ok());
  ASSERT_TRUE((*rb)->tokens().ForEach([&](uint64_t k, std::span<const uint32_t> bl) {
    kb.push_back(std::to_string(k) + ":" + std::to_string(bl.size()) + ":" + std::to_string(bl.front()));
  }).ok());
  EXPECT_EQ(ka, kb);
  auto all_a = ReadAll(**ra);
  auto all_b = ReadAll(**rb);
  ASSERT_EQ(all_a.size(), all_b.size());
  for (size_t i = 0; i < all_a.size(); ++i) EXPECT_EQ(Key(all_a[i]), Key(all_b[i]));
  std::filesystem::remove_all(dir);
}


TEST(PartTest, BlocksCarryTheMessageTrigramFilterAndNoBlooms) {
  std::string dir = TempDir();
  auto rows = RandomRows(5, 3000);
  PartWriterOptions opts;
  opts.block_max_rows = 128;
  ASSERT_TRUE(WriteRows(rows, dir, opts).ok());
  auto part = PartReader::Open(dir + "/" + PartFileName(7)).value();
  ASSERT_GT(part->blocks().size(), 1u);
  for (uint32_t b = 0; b < part->blocks().size(); ++b) {
    const auto& bh = part->blocks()[b];
    EXPECT_TRUE(bh.flags & kBlockFlagTrigramFilter);
    for (const auto& c : bh.columns) {
      EXPECT_TRUE(c.bloom.empty());
      EXPECT_EQ(c.trigrams.empty(), c.column_id != kMessageColumnId);
    }
    // Every substring of every message of the block passes the block's filter.
    StringColumn messages;
    ASSERT_TRUE(part->ReadColumn(b, kMessageColumnId, &messages).ok());
    const ColumnChunk* msg = bh.Find(kMessageColumnId);
    ASSERT_NE(msg, nullptr);
    EXPECT_GT(index::TrigramFilterSize(msg->trigrams), 0u);
    for (size_t i = 0; i < messages.size(); ++i) {
      std::string_view m = messages.at(i);
      for (size_t from = 0; from < m.size(); from += 7) {
        auto grams = index::TrigramsOf(m.substr(from, 12));
        EXPECT_TRUE(index::TrigramFilterMayContainAll(msg->trigrams, grams));
      }
    }
  }
  std::filesystem::remove_all(dir);
}


// Parts written before kPartFlagCompressedBlocks (header flags 0, raw block headers section) still read.
TEST(PartTest, ReadsPartsWithUncompressedBlockHeaders) {
  std::string dir = TempDir();
  auto rows = RandomRows(9, 2000);
  PartWriterOptions opts;
  opts.block_max_rows = 100;
  ASSERT_TRUE(WriteRows(rows, dir, opts).ok());
  const std::string path = dir + "/" + PartFileName(7);
  std::string file;
  {
    std::ifstream in(path, std::ios::binary);
    file.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(common::DecodeFixed32(file.data() + 12), kPartFlagCompressedBlocks);
  PartFooter footer = DecodeFooter(std::string_view(file).substr(file.size() - kPartFooterSize)).value();
  std::string raw_blocks;
  ASSERT_TRUE(DecompressBlocksSection(std::string_view(file).substr(footer.blocks.offset, footer.blocks.length),
                                      &raw_blocks).ok());
  EXPECT_LT(footer.blocks.length, raw_blocks.size());
  // The old layout: same sections, the block headers raw, flags 0.
  std::string old = file.substr(0, footer.blocks.offset);
  old.replace(12, 4, std::string(4, '\0'));
  PartFooter old_footer = footer;
  old_footer.blocks = {old.size(), raw_blocks.size(), common::Crc32c(raw_blocks)};
  old += raw_blocks;
  std::string tokens = file.substr(footer.tokens.offset, footer.tokens.length);
  old_footer.tokens = {old.size(), tokens.size(), footer.tokens.crc};
  old += tokens;
  EncodeFooter(old_footer, &old);
  const std::string old_path = dir + "/" + PartFileName(8);
  {
    std::ofstream out(old_path, std::ios::binary);
    out << old;
  }
  auto now = PartReader::Open(path).value();
  auto before = PartReader::Open(old_path).value();
  ASSERT_EQ(before->blocks().size(), now->blocks().size());
  for (size_t b = 0; b < now->blocks().size(); ++b) {
    EXPECT_EQ(before->blocks()[b].rows, now->blocks()[b].rows);
    EXPECT_EQ(before->blocks()[b].columns.size(), now->blocks()[b].columns.size());
    EXPECT_EQ(before->blocks()[b].columns[0].trigrams, now->blocks()[b].columns[0].trigrams);
  }
  // Unknown header flags are refused.
  old.replace(12, 4, std::string("\x02\0\0\0", 4));
  {
    std::ofstream out(old_path, std::ios::binary | std::ios::trunc);
    out << old;
  }
  EXPECT_FALSE(PartReader::Open(old_path).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage
