#include "strata/model/record_codec.h"

#include <gtest/gtest.h>

namespace strata::model {
namespace {

LogBatch Sample() {
  LogBatch b;
  b.tenant = "acme";
  for (int i = 0; i < 50; ++i) {
    LogRecord r;
    r.timestamp_ns = 1700000000000000000 + (i % 7) * 1000 - i;  // out of order on purpose
    r.labels = {{"level", "INFO"}, {"service", "api"}};
    r.message = "request " + std::to_string(i) + std::string(i, 'x');
    if (i % 3) r.fields = {{"traceId", "abc" + std::to_string(i)}, {"metadata.region", "eu"}};
    b.records.push_back(r);
  }
  b.records[3].timestamp_ns = -5;  // before the epoch still round-trips
  b.records[4].message.clear();
  return b;
}

TEST(RecordCodecTest, RoundTrips) {
  LogBatch b = Sample();
  std::string enc;
  EncodeRecordBatch(b, &enc);
  auto dec = DecodeRecordBatch(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(dec->tenant, "acme");
  EXPECT_EQ(dec->records, b.records);
}

TEST(RecordCodecTest, EveryTruncationIsDetected) {
  std::string enc;
  EncodeRecordBatch(Sample(), &enc);
  for (size_t n = 0; n < enc.size(); ++n) {
    auto dec = DecodeRecordBatch(std::string_view(enc).substr(0, n));
    EXPECT_FALSE(dec.ok()) << "prefix " << n;
    EXPECT_EQ(dec.status().code(), base::StatusCode::kDataLoss);
  }
  EXPECT_FALSE(DecodeRecordBatch(enc + "x").ok());
}

}  // namespace
}  // namespace strata::model
