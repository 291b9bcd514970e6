#include "strata/storage/head/head_batch_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "strata/model/record_codec.h"

namespace strata::storage {
namespace {

std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Every record read through the views equals what DecodeRecordBatch gives, for random batches (empty strings,
// binary bytes, negative and far-apart timestamps, records with and without fields).
TEST(HeadBatchReaderTest, MatchesDecodeRecordBatch) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    model::LogBatch batch;
    batch.tenant = RandomString(rng, 8);
    batch.records.resize(rng() % 40);
    for (auto& r : batch.records) {
      r.timestamp_ns = static_cast<int64_t>(rng()) >> (rng() % 64);
      for (size_t i = 0, n = rng() % 4; i < n; ++i) {
        r.labels.push_back({"l" + std::to_string(i), RandomString(rng, 10)});
      }
      r.message = RandomString(rng, 300);
      for (size_t i = 0, n = rng() % 5; i < n; ++i) r.fields.push_back({RandomString(rng, 6), RandomString(rng, 20)});
    }
    std::string encoded;
    model::EncodeRecordBatch(batch, &encoded);
    auto decoded = model::DecodeRecordBatch(encoded);
    ASSERT_TRUE(decoded.ok());

    auto reader = HeadBatchReader::Open(encoded);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(reader->tenant(), decoded->tenant);
    EXPECT_EQ(reader->records(), decoded->records.size());
    HeadRecordView view;
    for (const auto& want : decoded->records) {
      auto more = reader->Next(&view);
      ASSERT_TRUE(more.ok() && *more);
      EXPECT_EQ(view.timestamp_ns, want.timestamp_ns);
      EXPECT_EQ(view.message, want.message);
      model::LabelSet labels;
      ASSERT_TRUE(HeadBatchReader::DecodeLabels(view.labels, &labels).ok());
      EXPECT_EQ(labels, want.labels);
      ASSERT_EQ(view.fields.size(), want.fields.size());
      for (size_t i = 0; i < want.fields.size(); ++i) {
        EXPECT_EQ(view.fields[i].first, want.fields[i].name);
        EXPECT_EQ(view.fields[i].second, want.fields[i].value);
      }
    }
    auto end = reader->Next(&view);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
  }
}

TEST(HeadBatchReaderTest, EqualLabelsHaveEqualBytes) {
  model::LogBatch batch;
  batch.tenant = "t";
  batch.records.resize(3);
  batch.records[0].labels = {{"a", "1"}, {"b", "2"}};
  batch.records[1].labels = {{"a", "1"}, {"b", "3"}};
  batch.records[2].labels = {{"a", "1"}, {"b", "2"}};
  std::string encoded;
  model::EncodeRecordBatch(batch, &encoded);
  auto reader = HeadBatchReader::Open(encoded);
  ASSERT_TRUE(reader.ok());
  HeadRecordView v;
  auto next = [&] {
    auto more = reader->Next(&v);
    return more.ok() && *more;
  };
  std::string first, second, third;
  ASSERT_TRUE(next());
  first = v.labels;
  ASSERT_TRUE(next());
  second = v.labels;
  ASSERT_TRUE(next());
  third = v.labels;
  EXPECT_EQ(first, third);
  EXPECT_NE(first, second);
}

TEST(HeadBatchReaderTest, RejectsMalformedBatches) {
  model::LogBatch batch;
  batch.tenant = "t";
  batch.records.resize(2);
  batch.records[0].message = "hello";
  batch.records[1].fields = {{"k", "v"}};
  std::string encoded;
  model::EncodeRecordBatch(batch, &encoded);
  EXPECT_FALSE(HeadBatchReader::Open("").ok());
  EXPECT_FALSE(HeadBatchReader::Open(std::string(1, '\x7f') + encoded.substr(1)).ok());
  // Every truncation fails somewhere (open or a record); so do trailing bytes.
  for (size_t len = 0; len < encoded.size(); ++len) {
    auto reader = HeadBatchReader::Open(std::string_view(encoded).substr(0, len));
    if (!reader.ok()) continue;
    HeadRecordView v;
    bool failed = false;
    for (int i = 0; i < 3 && !failed; ++i) {
      auto more = reader->Next(&v);
      failed = !more.ok();
      if (more.ok() && !*more) break;
    }
    EXPECT_TRUE(failed) << "truncated to " << len;
  }
  std::string trailing = encoded + "x";
  auto reader = HeadBatchReader::Open(trailing);
  ASSERT_TRUE(reader.ok());
  HeadRecordView v;
  for (int i = 0; i < 2; ++i) {
    auto more = reader->Next(&v);
    ASSERT_TRUE(more.ok() && *more);
  }
  EXPECT_FALSE(reader->Next(&v).ok());
}

}  // namespace
}  // namespace strata::storage
