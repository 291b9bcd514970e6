#include "strata/storage/index/ngram_filter.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace strata::storage::index {
namespace {

bool MayContain(const std::string& filter, std::string_view needle) {
  auto grams = TrigramsOf(needle);
  return TrigramFilterMayContainAll(filter, grams);
}

std::string Build(const std::vector<std::string>& values) {
  TrigramFilterBuilder b;
  for (const auto& v : values) b.AddValue(v);
  return b.Finish();
}

TEST(TrigramFilter, Classes) {
  EXPECT_EQ(TrigramClassOf(' '), 0u);
  EXPECT_EQ(TrigramClassOf('/'), 0u);
  EXPECT_EQ(TrigramClassOf('0'), 1u);
  EXPECT_EQ(TrigramClassOf('9'), 10u);
  EXPECT_EQ(TrigramClassOf('a'), 11u);
  EXPECT_EQ(TrigramClassOf('A'), 11u);
  EXPECT_EQ(TrigramClassOf('Z'), 36u);
  EXPECT_EQ(TrigramClassOf('_'), 37u);
  EXPECT_EQ(TrigramClassOf(0x80), 38u);
  EXPECT_EQ(TrigramClassOf(0xff), 38u);
}

TEST(TrigramFilter, TrigramsOfNeedles) {
  EXPECT_TRUE(TrigramsOf("").empty());
  EXPECT_TRUE(TrigramsOf("ab").empty());
  EXPECT_EQ(TrigramsOf("abc").size(), 1u);
  EXPECT_EQ(TrigramsOf("abc"), TrigramsOf("ABC"));
  EXPECT_EQ(TrigramsOf("aaaa").size(), 1u);  // distinct
  auto g = TrigramsOf("timeout");
  EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));
  EXPECT_EQ(g.size(), 5u);
}

TEST(TrigramFilter, EmptyColumnHasNoTrigrams) {
  std::string f = Build({"", "a", "ab"});
  EXPECT_EQ(f.size(), 1 + kTrigramMaskWords * 8);
  EXPECT_EQ(TrigramFilterSize(f), 0u);
  EXPECT_FALSE(MayContain(f, "abc"));
  EXPECT_TRUE(MayContain(f, "ab"));  // too short to prove anything
}

TEST(TrigramFilter, SubstringsInsideTokensAndCase) {
  std::string f = Build({"GET /api/v1/users HTTP/1.1\" 200", "trace=tr_c61a01cea3bd61e2 done"});
  EXPECT_TRUE(MayContain(f, "c61a01"));
  EXPECT_TRUE(MayContain(f, "HTTP/1.1"));
  EXPECT_TRUE(MayContain(f, "http/1.1"));
  EXPECT_TRUE(MayContain(f, "Tr_C61A"));
  EXPECT_TRUE(MayContain(f, "1\" 2"));
  EXPECT_FALSE(MayContain(f, "timeout"));
  EXPECT_FALSE(MayContain(f, "tr_c61a01cea3bd61e3"));  // "1e3" absent
  EXPECT_FALSE(MayContain(f, "users HTTP/2"));
  // Grams never span two values.
  EXPECT_FALSE(MayContain(f, "200trace"));
}

TEST(TrigramFilter, BuilderResetsAfterFinish) {
  TrigramFilterBuilder b;
  b.AddValue("hello world");
  std::string first = b.Finish();
  b.AddValue("xyz");
  std::string second = b.Finish();
  EXPECT_TRUE(MayContain(first, "hello"));
  EXPECT_FALSE(MayContain(second, "hello"));
  EXPECT_TRUE(MayContain(second, "xyz"));
  EXPECT_EQ(TrigramFilterSize(second), 1u);
}

TEST(TrigramFilter, MalformedFiltersMayContainAnything) {
  std::string f = Build({"abcdef"});
  EXPECT_FALSE(MayContain(f, "xyz"));
  EXPECT_TRUE(MayContain("", "xyz"));
  std::string bad_tag = f;
  bad_tag[0] = 7;
  EXPECT_TRUE(MayContain(bad_tag, "xyz"));
  EXPECT_TRUE(MayContain(f.substr(0, f.size() - 1), "xyz"));
  EXPECT_TRUE(MayContain(f + "x", "xyz"));
  std::string stray = f;
  stray[1 + (kTrigramMaskWords - 1) * 8 + 7] = static_cast<char>(0x80);  // mask bit 959 >= 927
  EXPECT_TRUE(MayContain(stray, "xyz"));
}

// Randomized against brute force: no false negatives, ever, and the set is exact (a needle whose every trigram
// occurs in some value passes; one with a trigram that occurs nowhere fails).
TEST(TrigramFilter, RandomizedAgainstBruteForce) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "abcXYZ019_ -./\"\x80\xc3\xa9";
  auto random_string = [&](size_t max_len) {
    std::string s(rng() % (max_len + 1), ' ');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  auto folded = [](std::string_view s) {
    std::string out;
    for (unsigned char c : s) out.push_back(static_cast<char>(TrigramClassOf(c)));
    return out;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> values(1 + rng() % 40);
    for (auto& v : values) v = random_string(rng() % 2 ? 8 : 60);
    std::string f = Build(values);
    std::set<std::string> grams;  // brute force: folded trigrams of every value
    for (const auto& v : values) {
      std::string fv = folded(v);
      for (size_t i = 0; i + 3 <= fv.size(); ++i) grams.insert(fv.substr(i, 3));
    }
    EXPECT_EQ(TrigramFilterSize(f), grams.size());
    for (int q = 0; q < 200; ++q) {
      std::string needle;
      if (q % 2 == 0) {
        // A real substring of a value, maybe with its case flipped: must pass.
        const std::string& v = values[rng() % values.size()];
        if (v.empty()) continue;
        size_t b = rng() % v.size();
        needle = v.substr(b, 1 + rng() % (v.size() - b));
        for (auto& c : needle) {
          if (rng() % 2 && std::isalpha(static_cast<unsigned char>(c))) c = static_cast<char>(c ^ 0x20);
        }
        EXPECT_TRUE(MayContain(f, needle)) << "false negative for " << needle;
      } else {
        needle = random_string(10);
      }
      std::string fn = folded(needle);
      bool all_present = true;
      for (size_t i = 0; i + 3 <= fn.size(); ++i) all_present = all_present && grams.count(fn.substr(i, 3));
      EXPECT_EQ(MayContain(f, needle), all_present) << needle;
    }
  }
}

}  // namespace
}  // namespace strata::storage::index
