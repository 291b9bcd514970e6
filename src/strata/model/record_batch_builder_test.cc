#include "strata/model/record_batch_builder.h"

#include <gtest/gtest.h>

#include <random>

#include "strata/model/record_codec.h"

namespace strata::model {
namespace {

std::string RandomText(std::mt19937_64& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), 'a');
  for (auto& c : s) c = static_cast<char>(rng() % 256);  // any byte, including NUL and non-UTF-8
  return s;
}

// Builds the same random batch both ways: with LogRecords + EncodeRecordBatch and with the builder.
TEST(RecordBatchBuilderTest, MatchesEncodeRecordBatchOnRandomBatches) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    LogBatch expected;
    expected.tenant = round % 5 == 0 ? std::string() : RandomText(rng, 12);
    RecordBatchBuilder builder(expected.tenant);
    size_t raw = 0;
    int64_t min_ts = std::numeric_limits<int64_t>::max(), max_ts = std::numeric_limits<int64_t>::min();
    const int streams = static_cast<int>(rng() % 4);
    for (int s = 0; s < streams; ++s) {
      LabelSet labels;
      const int nl = static_cast<int>(rng() % 4);  // 0..3 labels
      static const char* const kNames[] = {"app", "env", "pod"};
      for (int i = 0; i < nl; ++i) labels.push_back({kNames[i], RandomText(rng, 40)});
      builder.SetLabels(labels);
      const int entries = static_cast<int>(rng() % 20);
      for (int e = 0; e < entries; ++e) {
        LogRecord r;
        r.timestamp_ns = static_cast<int64_t>(rng());  // any sign and size: zigzag deltas must wrap correctly
        r.labels = labels;
        r.message = RandomText(rng, 300);
        std::vector<FieldView> views;
        const int nf = static_cast<int>(rng() % 3);
        static const char* const kFields[] = {"trace_id", "node"};
        for (int f = 0; f < nf; ++f) r.fields.push_back({kFields[f], RandomText(rng, 30)});
        for (const auto& f : r.fields) views.push_back({f.name, f.value});
        builder.Add(r.timestamp_ns, r.message, views.data(), views.size());
        raw += r.RawBytes();
        min_ts = std::min(min_ts, r.timestamp_ns);
        max_ts = std::max(max_ts, r.timestamp_ns);
        expected.records.push_back(std::move(r));
      }
    }
    std::string want;
    EncodeRecordBatch(expected, &want);
    EncodedBatch got = builder.Finish();
    ASSERT_EQ(got.payload, want) << "round " << round;
    EXPECT_EQ(got.tenant, expected.tenant);
    EXPECT_EQ(got.records, expected.records.size());
    EXPECT_EQ(got.raw_bytes, raw);
    if (!expected.records.empty()) {
      EXPECT_EQ(got.min_ts, min_ts);
      EXPECT_EQ(got.max_ts, max_ts);
    }
    auto decoded = DecodeRecordBatch(got.payload);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->records, expected.records);
  }
}

TEST(RecordBatchBuilderTest, FinishResetsForTheNextBatch) {
  RecordBatchBuilder builder("t");
  builder.SetLabels({{"app", "a"}});
  builder.Add(10, "one", nullptr, 0);
  EncodedBatch first = builder.Finish();
  EXPECT_EQ(first.records, 1u);
  builder.SetLabels({{"app", "b"}});
  builder.Add(20, "two", nullptr, 0);
  EncodedBatch second = builder.Finish();
  LogBatch expected{"t", {LogRecord{20, {{"app", "b"}}, "two", {}}}};
  std::string want;
  EncodeRecordBatch(expected, &want);
  EXPECT_EQ(second.payload, want);
  EXPECT_EQ(second.records, 1u);
  EXPECT_EQ(second.min_ts, 20);
}

TEST(RecordBatchBuilderTest, RestartDropsWhatWasNotFinished) {
  RecordBatchBuilder builder("old");
  builder.SetLabels({{"app", "a"}});
  builder.Add(10, "dropped", nullptr, 0);
  builder.Restart("new");
  builder.SetLabels({{"app", "b"}});
  builder.Add(20, "kept", nullptr, 0);
  EncodedBatch batch = builder.Finish();
  std::string want;
  EncodeRecordBatch(LogBatch{"new", {LogRecord{20, {{"app", "b"}}, "kept", {}}}}, &want);
  EXPECT_EQ(batch.payload, want);
  EXPECT_EQ(batch.tenant, "new");
  EXPECT_EQ(batch.records, 1u);
  EXPECT_EQ(batch.min_ts, 20);
  EXPECT_EQ(batch.max_ts, 20);
}

}  // namespace
TEST(RecordBatchBuilderTest, RewindToDropsWhatCameAfterTheMark) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 50; ++round) {
    RecordBatchBuilder rewound("t");
    RecordBatchBuilder straight("t");
    auto add_some = [&](RecordBatchBuilder& b, std::mt19937_64& r, int count) {
      for (int i = 0; i < count; ++i) {
        if (r() % 3 == 0) b.SetLabels({{"app", RandomText(r, 10)}});
        const std::string message = RandomText(r, 50);
        const std::string value = RandomText(r, 10);
        const FieldView field{"trace_id", value};
        b.Add(static_cast<int64_t>(r()), message, &field, r() % 2);
      }
    };
    std::mt19937_64 first(round), again(round);
    const int before = round % 7;
    add_some(rewound, first, before);
    add_some(straight, again, before);
    const RecordBatchBuilder::Mark mark = rewound.Position();
    std::mt19937_64 noise(1000 + round);
    add_some(rewound, noise, 1 + round % 5);  // undone below
    rewound.RewindTo(mark);
    add_some(rewound, first, 3);
    add_some(straight, again, 3);
    EncodedBatch a = rewound.Finish();
    EncodedBatch b = straight.Finish();
    ASSERT_EQ(a.payload, b.payload) << "round " << round;
    EXPECT_EQ(a.records, b.records);
    EXPECT_EQ(a.raw_bytes, b.raw_bytes);
    EXPECT_EQ(a.min_ts, b.min_ts);
    EXPECT_EQ(a.max_ts, b.max_ts);
  }
}

}  // namespace strata::model
