// Block pruning by the per-block trigram filters (index/ngram_filter.h): substring, case-insensitive and regex
// predicates over flushed parts must return exactly the rows a brute-force evaluation returns (pruning may skip
// blocks, never a matching row), and needles absent from most blocks must actually prune.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>

#include "strata/storage/part/part_format.h"
#include "strata/storage/storage_engine.h"
#include "strata/storage/storage_test_util.h"

namespace strata::storage {
namespace {

using test_util::AppendSync;

struct Row {
  std::string service;
  int64_t ts;
  std::string message;
};

std::multiset<std::string> Scan(const StorageEngine& engine, const Predicate& p, ScanStats* stats) {
  ScanRequest req;
  req.tenant = "t";
  req.predicates = {p};
  std::multiset<std::string> out;
  base::Status st = engine.Scan(
      req,
      [&](const RowBatch& b) {
        for (size_t i = 0; i < b.size(); ++i) out.insert(std::to_string(b.timestamps[i]) + "|" + std::string(b.messages.at(i)));
        return true;
      },
      stats);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class TrigramPruningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("strata_trigram_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    StorageOptions opts;
    opts.data_dir = dir_;
    opts.flush_interval_ms = 3600 * 1000;
    opts.maintenance_interval_ms = 3600 * 1000;
    opts.part.block_max_rows = 16;  // many blocks, so filters have something to prune
    opts.retention = RetentionPolicy(365 * RetentionPolicy::kDay * 100, {}, {});
    engine_ = StorageEngine::Open(opts, registry_).value();
    ASSERT_TRUE(engine_->Recover().ok());
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Add(const std::vector<Row>& rows) {
    model::LogBatch batch{"t", {}};
    for (const auto& r : rows) {
      model::LogRecord rec;
      rec.labels = {{"service", r.service}};
      rec.timestamp_ns = r.ts;
      rec.message = r.message;
      batch.records.push_back(rec);
      rows_.push_back(r);
    }
    ASSERT_TRUE(AppendSync(*engine_, std::move(batch)).ok());
  }

  std::multiset<std::string> Want(const Predicate& p) const {
    std::multiset<std::string> out;
    for (const auto& r : rows_) {
      if (p.Matches(r.message)) out.insert(std::to_string(r.ts) + "|" + r.message);
    }
    return out;
  }

  std::string dir_;
  observability::Registry registry_;
  std::unique_ptr<StorageEngine> engine_;
  std::vector<Row> rows_;
};

TEST_F(TrigramPruningTest, NeedlesInsideLongerTokensCaseAndRegexes) {
  std::vector<Row> rows;
  for (int i = 0; i < 64; ++i) {
    rows.push_back({"api", 1000 + i, "GET /api/v1/users HTTP/1.1\" 200 took " + std::to_string(i) + "ms"});
  }
  rows.push_back({"api", 2000, "call failed: upstream Timeout after 30s trace=tr_c61a01cea3bd61e2"});
  rows.push_back({"api", 2001, "caf\xc3\xa9 K\xc3\xa9lvin \xe2\x84\xaa" "elvin"});  // U+212A KELVIN SIGN
  for (int i = 0; i < 32; ++i) rows.push_back({"db", 3000 + i, "query done in " + std::to_string(i) + "ms"});
  rows.push_back({"db", 4000, "\xc5\xbf" "TATUS=1 long s"});  // U+017F LATIN SMALL LETTER LONG S
  Add(rows);
  ASSERT_TRUE(engine_->Flush().ok());

  auto check = [&](Predicate::Kind kind, const std::string& value, bool ci, size_t want_rows) {
    Predicate p = MakePredicate(kind, kMessageField, value, ci).value();
    ScanStats stats;
    auto got = Scan(*engine_, p, &stats);
    EXPECT_EQ(got, Want(p)) << value;
    EXPECT_EQ(got.size(), want_rows) << value;
    return stats;
  };
  // Inside a longer token: the token index cannot prove it, the trigram filter prunes the other blocks.
  ScanStats s = check(Predicate::Kind::kSubstring, "c61a01cea3", false, 1);
  EXPECT_GE(s.blocks_pruned_by_bloom_or_minmax, 4u);
  EXPECT_EQ(s.blocks_read, 1u);
  check(Predicate::Kind::kSubstring, "tr_c61a01cea3bd61e2", false, 1);
  check(Predicate::Kind::kSubstring, "imeou", false, 1);
  check(Predicate::Kind::kSubstring, "TIMEOUT", false, 0);
  check(Predicate::Kind::kSubstring, "TIMEOUT", true, 1);
  check(Predicate::Kind::kSubstring, "http/1.1\" 2", true, 64);
  check(Predicate::Kind::kSubstring, "nowhere", false, 0);
  check(Predicate::Kind::kContainsToken, "timeout", true, 1);
  // Regexes: atoms proven absent prune; alternations keep every branch.
  s = check(Predicate::Kind::kRegex, "Timeout after [0-9]+s", false, 1);
  EXPECT_EQ(s.blocks_read, 1u);
  check(Predicate::Kind::kRegex, "(?:upstream|downstream) Time", false, 1);
  check(Predicate::Kind::kRegex, "nothing|users HTTP", false, 64);
  check(Predicate::Kind::kRegex, "HTTP/1\\.[01]\" 2[0-9][0-9] ", false, 64);
  s = check(Predicate::Kind::kRegex, "(?i)TIMEOUT", false, 1);
  EXPECT_EQ(s.blocks_read, 1u);  // case-folded regexes prune too
  s = check(Predicate::Kind::kRegex, "TIMEOUT after", true, 1);
  EXPECT_EQ(s.blocks_read, 1u);
  check(Predicate::Kind::kRegex, "(?i:UPSTREAM) Timeout", false, 1);
  check(Predicate::Kind::kRegex, "(?i)status=1", false, 1);
  check(Predicate::Kind::kRegex, "status=1", true, 1);
  check(Predicate::Kind::kRegex, "STATUS", false, 0);
  // Unicode case folding in RE2: a case-insensitive 'k' matches U+212A, which the byte classes do not model.
  check(Predicate::Kind::kRegex, "(?i)kelvin", false, 1);
  check(Predicate::Kind::kRegex, "caf\xc3\xa9", false, 1);
  check(Predicate::Kind::kRegex, "x*", false, rows.size());
  check(Predicate::Kind::kRegex, "(?i)x*", false, rows.size());
}

// Regexes whose literal runs the scan checks before RE2: quantifiers, classes, groups and escapes must never make
// it demand a literal a match can lack.
TEST_F(TrigramPruningTest, RegexRequiredLiteralsAreSound) {
  std::vector<Row> rows;
  const char* messages[] = {"abc", "ac", "abbbc", "a]b", "a]]b", "x(ab)y", "xy", "a.b", "axb", "status=503 ok",
                            "ab{2}", "abbd", "q\\d", "k1", "HTTP/1.1\" 503 x", "HTTP/1.0\" 200 x", "[:alpha:]z",
                            "a)bc", "tab\there", "AB", "x+y", "xxy"};
  int64_t ts = 1000;
  for (int rep = 0; rep < 3; ++rep) {
    for (const char* m : messages) rows.push_back({"api", ts++, m});
  }
  Add(rows);
  ASSERT_TRUE(engine_->Flush().ok());
  const char* patterns[] = {"ab?c",        "ab*c",     "ab+c",        "ab{0,3}c",    "x(ab)?y",     "x(ab)*y",
                            "[]]b",        "a[]]+b",   "a\\.b",       "a.b",         "status=5\\d\\d",
                            "ab{2}",       "abb?d",    "q\\\\d",      "HTTP/1\\.[01]\" 5[0-9][0-9] ",
                            "[[:alpha:]]z", "a\\)bc",  "ab\\x63",     "\\x41B",      "tab\\there",  "x\\+y",
                            "x+y",         "(x)(y)",   "([)]ab)?c",   "a\\Qb\\E",    "^ab",         "c$",
                            "ab{,2}c",     "a{",       "k\\pN"};
  for (const char* re : patterns) {
    auto p = MakePredicate(Predicate::Kind::kRegex, kMessageField, re);
    ASSERT_TRUE(p.ok()) << re;
    ScanStats stats;
    EXPECT_EQ(Scan(*engine_, *p, &stats), Want(*p)) << re;
  }
}

// Random messages and random needles (substrings of stored messages with flipped case, and random strings),
// through flushes and a merge: the scan returns what brute force returns.
TEST_F(TrigramPruningTest, RandomizedAgainstBruteForce) {
  std::mt19937_64 rng(11);
  const char* pieces[] = {"alpha", "Beta", "GAMMA", "timeout", "user_42", "tr_", "HTTP/1.1", "\" 500 ", "caf\xc3\xa9",
                          "::", "-", " ", "id=", "x"};
  auto hex = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back("0123456789abcdef"[rng() % 16]);
    return s;
  };
  auto message = [&] {
    std::string m;
    int parts = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < parts; ++i) m += rng() % 4 == 0 ? hex(1 + static_cast<int>(rng() % 12)) : pieces[rng() % 14];
    return m;
  };
  int64_t ts = 1000;
  for (int round = 0; round < 4; ++round) {
    std::vector<Row> rows;
    for (int i = 0; i < 200; ++i) rows.push_back({rng() % 2 ? "api" : "db", ts++, message()});
    Add(rows);
    ASSERT_TRUE(engine_->Flush().ok());
  }
  bool merged = false;
  ASSERT_TRUE(engine_->MergeOnce(&merged).ok());
  for (int q = 0; q < 300; ++q) {
    std::string needle;
    if (q % 3 != 2) {
      const std::string& m = rows_[rng() % rows_.size()].message;
      size_t b = rng() % m.size();
      needle = m.substr(b, 1 + rng() % std::min<size_t>(12, m.size() - b));
    } else {
      needle = message();
    }
    bool ci = rng() % 2;
    if (ci) {
      for (auto& c : needle) {
        if (std::isalpha(static_cast<unsigned char>(c)) && rng() % 2) c = static_cast<char>(c ^ 0x20);
      }
    }
    // kContainsToken is planned for single tokens only (the token index keys on the whole value).
    bool one_token = std::all_of(needle.begin(), needle.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
    });
    for (auto kind : {Predicate::Kind::kSubstring, Predicate::Kind::kContainsToken}) {
      if (kind == Predicate::Kind::kContainsToken && !one_token) continue;
      Predicate p = MakePredicate(kind, kMessageField, needle, ci).value();
      ScanStats stats;
      ASSERT_EQ(Scan(*engine_, p, &stats), Want(p)) << needle << " ci " << ci;
    }
    // A regex from the needle: escaped literal, then a class in the middle.
    std::string re = RE2::QuoteMeta(needle);
    bool ascii = std::all_of(needle.begin(), needle.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii && needle.size() > 4) re = RE2::QuoteMeta(needle.substr(0, 2)) + "." + RE2::QuoteMeta(needle.substr(3));
    auto p = MakePredicate(Predicate::Kind::kRegex, kMessageField, re, ci);
    if (!p.ok()) continue;  // a needle cut inside a UTF-8 sequence is not a valid pattern
    ScanStats stats;
    ASSERT_EQ(Scan(*engine_, *p, &stats), Want(*p)) << re << " ci " << ci;
  }
}

// Blocks written before the trigram filter (flag bit 1 clear) carry a bloom and still decode; new blocks carry the
// filter and an empty bloom.
TEST(TrigramBlockFormat, BlockHeadersRoundTripWithAndWithoutTheFlag) {
  std::vector<BlockHeader> blocks(2);
  for (auto& b : blocks) {
    b.rows = 3;
    ColumnChunk c;
    c.column_id = kMessageColumnId;
    c.type = ColumnType::kRaw;
    b.columns.push_back(c);
  }
  blocks[0].columns[0].bloom = "old-bloom";
  blocks[1].flags = kBlockFlagTrigramFilter;
  blocks[1].columns[0].trigrams = "filter-bytes";
  std::string bytes;
  EncodeBlockHeaders(blocks, &bytes);
  std::vector<BlockHeader> back;
  ASSERT_TRUE(DecodeBlockHeaders(bytes, &back).ok());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].columns[0].bloom, "old-bloom");
  EXPECT_EQ(back[0].columns[0].trigrams, "");
  EXPECT_EQ(back[1].flags, kBlockFlagTrigramFilter);
  EXPECT_EQ(back[1].columns[0].trigrams, "filter-bytes");
  // A truncated filter is corrupt metadata.
  EXPECT_FALSE(DecodeBlockHeaders(std::string_view(bytes).substr(0, bytes.size() - 3), &back).ok());
}

}  // namespace
}  // namespace strata::storage
