#include "strata/storage/index/token_index.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "strata/storage/index/tokenizer.h"

namespace strata::storage::index {
namespace {

using Model = std::map<uint64_t, std::set<uint32_t>>;

TokenIndexReader OpenOrDie(std::string_view data) {
  auto r = TokenIndexReader::Open(data);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

std::vector<uint32_t> Blocks(const TokenIndexReader& r, uint64_t key, bool* found) {
  std::vector<uint32_t> out;
  *found = r.Lookup(key, &out);
  return out;
}

// The index stores the top key_bits bits of each key, merging the postings of keys that share them. Lookup of
// every model key returns exactly the union of blocks of the keys sharing its stored prefix (never fewer: no
// false negatives); a key whose prefix no model key has is absent.
void CheckAgainstModel(const TokenIndexReader& r, const Model& full_model, std::mt19937_64& rng) {
  Model model;  // keyed by stored prefix
  for (const auto& [key, blocks] : full_model) {
    model[TruncateTokenKey(key, r.key_bits())].insert(blocks.begin(), blocks.end());
  }
  ASSERT_EQ(r.key_count(), model.size());
  for (const auto& [key, blocks] : full_model) {
    bool found;
    std::vector<uint32_t> got = Blocks(r, key, &found);
    ASSERT_TRUE(found) << key;
    const auto& want = model[TruncateTokenKey(key, r.key_bits())];
    ASSERT_EQ(got, std::vector<uint32_t>(want.begin(), want.end())) << key;
  }
  for (int i = 0; i < 2000; ++i) {
    uint64_t k = rng();
    bool found;
    Blocks(r, k, &found);
    EXPECT_EQ(found, model.count(TruncateTokenKey(k, r.key_bits())) > 0);
  }
  // ForEach visits exactly the stored keys, in order.
  Model seen;
  ASSERT_TRUE(r.ForEach([&](uint64_t key, std::span<const uint32_t> blocks) {
                 EXPECT_TRUE(seen.empty() || seen.rbegin()->first < key);
                 seen[key].insert(blocks.begin(), blocks.end());
               }).ok());
  EXPECT_EQ(seen, model);
}

TEST(TokenIndex, KeyWidthGrowsWithTheKeyCountSoAbsentLookupsRarelyHit) {
  std::mt19937_64 rng(11);
  TokenIndexBuilder b;
  std::set<uint64_t> keys;
  for (int i = 0; i < 100000; ++i) {
    uint64_t k = rng();
    keys.insert(k);
    b.Add(k, static_cast<uint32_t>(i / 100));
  }
  std::string data = b.Finish();
  TokenIndexReader r = OpenOrDie(data);
  EXPECT_EQ(r.key_bits(), 27u);  // bit_width(100000) = 17, + 10
  int false_hits = 0;
  for (int i = 0; i < 100000; ++i) {
    std::vector<uint32_t> blocks;
    uint64_t k = rng();
    if (!keys.count(k) && r.Lookup(k, &blocks)) ++false_hits;
  }
  EXPECT_LT(false_hits, 300);  // ~0.1 % expected
  std::printf("token index: %.2f bytes per key at 100k random keys, %d false hits in 100k absent lookups\n",
              static_cast<double>(data.size()) / 100000.0, false_hits);
}

TEST(TokenKey, MixesColumn) {
  const uint64_t h = TokenHash("a3f9c2");
  EXPECT_EQ(TokenKey(3, h), TokenKey(3, h));
  EXPECT_NE(TokenKey(0, h), TokenKey(1, h));
  EXPECT_NE(TokenKey(1, h), TokenKey(1, TokenHash("a3f9c3")));
  std::set<uint64_t> keys;
  for (uint32_t col = 0; col < 100; ++col) {
    for (uint64_t t = 0; t < 100; ++t) keys.insert(TokenKey(col, t));
  }
  EXPECT_EQ(keys.size(), 10000u);
}

TEST(TokenIndex, EmptyIndex) {
  TokenIndexBuilder b(kTokenIndexGroupSize, /*exact_keys=*/true);
  EXPECT_EQ(b.keys(), 0u);
  std::string data = b.Finish();
  EXPECT_EQ(data.size(), kTokenIndexHeaderSize);
  TokenIndexReader r = OpenOrDie(data);
  EXPECT_EQ(r.key_count(), 0u);
  std::vector<uint32_t> blocks;
  EXPECT_FALSE(r.Lookup(0, &blocks));
  EXPECT_FALSE(r.Lookup(~0ULL, &blocks));
  EXPECT_TRUE(blocks.empty());
  int calls = 0;
  EXPECT_TRUE(r.ForEach([&](uint64_t, std::span<const uint32_t>) { ++calls; }).ok());
  EXPECT_EQ(calls, 0);
}

TEST(TokenIndex, SingleKey) {
  TokenIndexBuilder b;
  const uint64_t key = 42ULL << 50;
  b.Add(key, 7);
  b.Add(key, 7);
  EXPECT_EQ(b.keys(), 1u);
  std::string data = b.Finish();
  TokenIndexReader r = OpenOrDie(data);
  EXPECT_EQ(r.key_count(), 1u);
  EXPECT_EQ(r.key_bits(), 16u);
  std::vector<uint32_t> blocks = {99};  // Lookup appends
  EXPECT_TRUE(r.Lookup(key, &blocks));
  EXPECT_EQ(blocks, (std::vector<uint32_t>{99, 7}));
  EXPECT_TRUE(r.Lookup(key + 1, &blocks)) << "same stored prefix: a false positive, by design";
  blocks.resize(2);
  EXPECT_FALSE(r.Lookup(key - (1ULL << 50), &blocks));
  EXPECT_FALSE(r.Lookup(key + (1ULL << 50), &blocks));
  EXPECT_FALSE(r.Lookup(0, &blocks));
  EXPECT_EQ(blocks.size(), 2u);
  // header + one restart + one byte (single-block tag word 7 << 2)
  EXPECT_EQ(data.size(), kTokenIndexHeaderSize + kTokenIndexRestartSize + 1);
}

TEST(TokenIndex, ExtremeKeysAndBlocks) {
  TokenIndexBuilder b(2, /*exact_keys=*/true);
  Model model;
  const uint32_t kMax = 0xffffffffu;
  auto add = [&](uint64_t k, uint32_t blk) {
    b.Add(k, blk);
    model[k].insert(blk);
  };
  add(0, 0);
  add(0, kMax);
  add(1, kMax - 3);
  add(1, kMax - 1);
  add(1, kMax);  // dense near the top: a bitmap whose last byte runs past 2^32 - 1
  add(~0ULL, kMax);
  add(~0ULL - 1, 0);
  for (uint32_t blk = kMax - 20; blk != 0; ++blk) add(5, blk);  // 21 consecutive blocks up to kMax
  std::string data = b.Finish();
  EXPECT_GE(b.stats().bitmaps, 1u);
  std::mt19937_64 rng(1);
  CheckAgainstModel(OpenOrDie(data), model, rng);
}

TEST(TokenIndex, RandomAgainstModel) {
  std::mt19937_64 rng(2);
  for (uint32_t group_size : {1u, 3u, 64u, 200u}) {
    for (int round = 0; round < 2; ++round) {
      TokenIndexBuilder b(group_size, /*exact_keys=*/true);
      Model model;
      const int num_blocks = 1 + static_cast<int>(rng() % 150);
      std::vector<uint64_t> vocabulary(1 + rng() % 3000);
      for (auto& k : vocabulary) k = (round == 0) ? rng() % 5000 : rng();  // dense small keys, then hashes
      for (int blk = 0; blk < num_blocks; ++blk) {
        const int adds = static_cast<int>(rng() % 200);
        for (int i = 0; i < adds; ++i) {
          // Skewed: low vocabulary indexes are frequent tokens (long postings, bitmaps); the tail is needles.
          const double u = static_cast<double>(rng() % 10000) / 10000.0;
          size_t idx = static_cast<size_t>(u * u * u * static_cast<double>(vocabulary.size()));
          uint64_t k = vocabulary[idx];
          b.Add(k, static_cast<uint32_t>(blk));
          model[k].insert(static_cast<uint32_t>(blk));
        }
      }
      EXPECT_EQ(b.keys(), model.size());
      std::string data = b.Finish();
      SCOPED_TRACE("group_size " + std::to_string(group_size) + " round " + std::to_string(round));
      CheckAgainstModel(OpenOrDie(data), model, rng);
    }
  }
}

TEST(TokenIndex, BitmapAndListSelection) {
  TokenIndexBuilder b(kTokenIndexGroupSize, /*exact_keys=*/true);
  Model model;
  // key 1: every block 0..999 -> bitmap (125 bytes vs ~1000 list bytes)
  // key 2: blocks 0, 500, 1000 -> list (bitmap would be 126 bytes)
  // key 3: every 3rd block 0..299 -> bitmap (13 bytes vs 100)
  // key 4: one block -> single
  for (uint32_t blk = 0; blk <= 1000; ++blk) {
    auto add = [&](uint64_t k) {
      b.Add(k, blk);
      model[k].insert(blk);
    };
    if (blk < 1000) add(1);
    if (blk % 500 == 0) add(2);
    if (blk < 300 && blk % 3 == 0) add(3);
    if (blk == 77) add(4);
  }
  std::string data = b.Finish();
  EXPECT_EQ(b.stats().keys, 4u);
  EXPECT_EQ(b.stats().bitmaps, 2u);
  EXPECT_EQ(b.stats().lists, 1u);
  EXPECT_EQ(b.stats().singles, 1u);
  EXPECT_EQ(b.stats().entries, 1000u + 3 + 100 + 1);
  std::mt19937_64 rng(3);
  CheckAgainstModel(OpenOrDie(data), model, rng);
  // The bitmap keeps a 1000-block posting small.
  EXPECT_LT(data.size(), 400u);
}

TEST(TokenIndex, DuplicatesAndContractViolations) {
  TokenIndexBuilder b(4, /*exact_keys=*/true);
  Model model;
  std::mt19937_64 rng(4);
  // Interleaved blocks (the per-block set resets often) and out-of-order blocks per key: still exact.
  for (int i = 0; i < 20000; ++i) {
    uint64_t k = rng() % 300;
    uint32_t blk = static_cast<uint32_t>(rng() % 50);
    b.Add(k, blk);
    model[k].insert(blk);
  }
  std::string data = b.Finish();
  CheckAgainstModel(OpenOrDie(data), model, rng);
}

TEST(TokenIndex, IncrementalFinishAndClear) {
  TokenIndexBuilder b(kTokenIndexGroupSize, /*exact_keys=*/true);
  b.Add(1, 1);
  std::string d1 = b.Finish();
  b.Add(2, 2);
  b.Add(1, 3);
  EXPECT_EQ(b.keys(), 2u);
  std::string d2 = b.Finish();
  TokenIndexReader r = OpenOrDie(d2);
  std::vector<uint32_t> blocks;
  EXPECT_TRUE(r.Lookup(1, &blocks));
  EXPECT_EQ(blocks, (std::vector<uint32_t>{1, 3}));
  b.Clear();
  EXPECT_EQ(b.keys(), 0u);
  b.Add(9, 0);
  EXPECT_EQ(b.keys(), 1u);
  EXPECT_EQ(OpenOrDie(b.Finish()).key_count(), 1u);
}

// Realistic part: 1M distinct (key, block) entries over 2000 blocks, Zipf-like token frequencies.
TEST(TokenIndex, SizePerEntryAtOneMillion) {
  std::mt19937_64 rng(5);
  struct Case {
    const char* name;
    double skew;  // 0: every entry a distinct key (all needles)
  };
  for (Case c : {Case{"all needles (1 block per key)", 0}, Case{"zipf-like tokens", 1}}) {
    TokenIndexBuilder b(kTokenIndexGroupSize, /*exact_keys=*/true);
    const uint32_t kBlocks = 2000;
    const size_t kEntries = 1000000;
    Model sample;  // every 97th key, for checking
    size_t added = 0;
    std::vector<uint64_t> frequent(20000);
    for (auto& k : frequent) k = rng();
    for (uint32_t blk = 0; blk < kBlocks; ++blk) {
      const size_t per_block = kEntries / kBlocks;
      for (size_t i = 0; i < per_block; ++i, ++added) {
        uint64_t k;
        if (c.skew > 0 && i < per_block * 3 / 5) {
          // 60% of a block's tokens come from a shared vocabulary with a heavy head.
          double u = static_cast<double>(rng() >> 11) / 9007199254740992.0;
          k = frequent[static_cast<size_t>(u * u * u * static_cast<double>(frequent.size()))];
        } else {
          k = rng();
        }
        b.Add(k, blk);
        if (k % 97 == 0) sample[k].insert(blk);
      }
    }
    std::string data = b.Finish();
    const auto& st = b.stats();
    std::printf("token index, %s: %zu keys, %zu entries, %zu bytes: %.2f bytes/entry, %.2f bytes/key "
                "(singles %zu, lists %zu, bitmaps %zu)\n",
                c.name, st.keys, st.entries, data.size(), static_cast<double>(data.size()) / st.entries,
                static_cast<double>(data.size()) / st.keys, st.singles, st.lists, st.bitmaps);
    if (c.skew == 0) {
      EXPECT_EQ(st.entries, added);
      EXPECT_LT(static_cast<double>(data.size()) / st.entries, 10.0);
    } else {
      EXPECT_LT(static_cast<double>(data.size()) / st.entries, 6.0);
    }
    TokenIndexReader r = OpenOrDie(data);
    for (const auto& [key, blocks] : sample) {
      std::vector<uint32_t> got;
      ASSERT_TRUE(r.Lookup(key, &got));
      ASSERT_EQ(got, std::vector<uint32_t>(blocks.begin(), blocks.end()));
    }
  }
}

// A heap copy with no slack after the last byte (std::string has a terminator and maybe spare capacity), so ASan
// reports a read even one byte past the end.
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view s) : size_(s.size()), data_(new char[s.size() == 0 ? 1 : s.size()]) {
    if (size_ != 0) std::memcpy(data_.get(), s.data(), size_);
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  size_t size_;
  std::unique_ptr<char[]> data_;
};

std::string SmallIndex() {
  TokenIndexBuilder b(4, /*exact_keys=*/true);
  for (uint32_t blk = 0; blk < 40; ++blk) {
    for (uint64_t k = 0; k < 12; ++k) {
      if (k == 0 || (k == 1 && blk % 2 == 0) || (k >= 2 && blk % (k * 7) == 0)) b.Add(k * 0x1234567890abULL, blk);
    }
  }
  std::string data = b.Finish();
  EXPECT_GE(b.stats().bitmaps, 1u);
  EXPECT_GE(b.stats().lists, 1u);
  EXPECT_GE(b.stats().singles, 1u);
  return data;
}

TEST(TokenIndex, TruncationAtEveryOffsetIsDataLoss) {
  const std::string data = SmallIndex();
  ASSERT_TRUE(TokenIndexReader::Open(data).ok());
  for (size_t len = 0; len < data.size(); ++len) {
    ExactBuffer cut(std::string_view(data).substr(0, len));
    auto r = TokenIndexReader::Open(cut.view());
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.status().code(), base::StatusCode::kDataLoss);
  }
  // Trailing bytes are rejected too.
  EXPECT_FALSE(TokenIndexReader::Open(data + "x").ok());
}

TEST(TokenIndex, HeaderCorruptionIsDataLoss) {
  const std::string data = SmallIndex();
  auto expect_bad = [](std::string d) { EXPECT_EQ(TokenIndexReader::Open(d).status().code(), base::StatusCode::kDataLoss); };
  std::string d = data;
  d[0] = 'X';  // magic
  expect_bad(d);
  d = data;
  d[4] = 1;  // version (1 had no key width)
  expect_bad(d);
  d = data;
  d[12] = 0;  // group size 0
  d[13] = 0;
  expect_bad(d);
  d = data;
  d[8] = static_cast<char>(d[8] + 5);  // key count: more groups than restarts present -> size mismatch
  expect_bad(d);
  d = data;
  d[16] = 65;  // key width beyond 64 bits
  expect_bad(d);
  d = data;
  d[kTokenIndexHeaderSize + kTokenIndexRestartSize + 8] = 0;  // second restart offset = first
  expect_bad(d);
  d = data;
  std::memset(d.data() + kTokenIndexHeaderSize + kTokenIndexRestartSize, 0, 8);  // second first-key = 0
  expect_bad(d);
}

// Every single-byte corruption: Open may or may not notice; Lookup and ForEach must never read out of bounds.
TEST(TokenIndex, ByteCorruptionNeverOverreads) {
  const std::string data = SmallIndex();
  std::vector<uint64_t> probes;
  for (uint64_t k = 0; k < 13; ++k) probes.push_back(k * 0x1234567890abULL);
  probes.push_back(~0ULL);
  std::mt19937_64 rng(7);
  for (size_t pos = 0; pos < data.size(); ++pos) {
    for (uint8_t x : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}, static_cast<uint8_t>(rng() | 1)}) {
      std::string d = data;
      d[pos] = static_cast<char>(d[pos] ^ x);
      ExactBuffer exact(d);
      auto r = TokenIndexReader::Open(exact.view());
      if (!r.ok()) continue;
      for (uint64_t k : probes) {
        std::vector<uint32_t> blocks;
        bool found = r->Lookup(k, &blocks);
        if (!found) {
          EXPECT_TRUE(blocks.empty());
        }
        for (size_t i = 1; i < blocks.size(); ++i) EXPECT_LT(blocks[i - 1], blocks[i]);
      }
      (void)r->ForEach([](uint64_t, std::span<const uint32_t>) {});
    }
  }
}

TEST(TokenIndex, GarbageNeverCrashes) {
  std::mt19937_64 rng(8);
  for (int i = 0; i < 3000; ++i) {
    std::string d(rng() % 200, '\0');
    for (auto& c : d) c = static_cast<char>(rng());
    if (d.size() >= 4 && i % 2 == 0) std::memcpy(d.data(), "STIX", 4);
    if (d.size() >= 8 && i % 4 == 0) {
      d[4] = 1;
      d[5] = d[6] = d[7] = 0;
    }
    auto r = TokenIndexReader::Open(d);
    if (!r.ok()) continue;
    std::vector<uint32_t> blocks;
    (void)r->Lookup(rng(), &blocks);
  }
}

}  // namespace
}  // namespace strata::storage::index
