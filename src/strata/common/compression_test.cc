#include "strata/common/compression.h"

#include <gtest/gtest.h>

#include <random>

namespace strata::common {
namespace {

std::string SampleText(size_t n) {
  std::mt19937 rng(7);
  std::string s;
  while (s.size() < n) s += "level=info msg=\"request served\" status=" + std::to_string(rng() % 600) + "\n";
  return s;
}

TEST(CompressionTest, RoundTripsEveryEncoding) {
  std::string text = SampleText(100000);
  EXPECT_EQ(DecompressBody("gzip", GzipCompress(text), 1 << 20).value(), text);
  EXPECT_EQ(DecompressBody("GZIP", GzipCompress(text), 1 << 20).value(), text);
  EXPECT_EQ(DecompressBody("deflate", DeflateCompress(text), 1 << 20).value(), text);
  EXPECT_EQ(DecompressBody("zstd", ZstdCompress(text), 1 << 20).value(), text);
  EXPECT_EQ(DecompressBody("snappy", SnappyCompress(text), 1 << 20).value(), text);
  EXPECT_EQ(DecompressBody("", text, 1 << 20).value(), text);
  EXPECT_EQ(DecompressBody("identity", text, 1 << 20).value(), text);
}

TEST(CompressionTest, BombsStopAtTheLimit) {
  std::string zeros(50 << 20, '\0');
  for (const char* enc : {"gzip", "deflate", "zstd", "snappy"}) {
    std::string compressed = std::string(enc) == "gzip"      ? GzipCompress(zeros)
                             : std::string(enc) == "deflate" ? DeflateCompress(zeros)
                             : std::string(enc) == "zstd"    ? ZstdCompress(zeros)
                                                             : SnappyCompress(zeros);
    auto r = DecompressBody(enc, compressed, 1 << 20);
    ASSERT_FALSE(r.ok()) << enc;
    EXPECT_EQ(r.status().code(), base::StatusCode::kPayloadTooLarge) << enc;
  }
  EXPECT_EQ(DecompressBody("", zeros, 1 << 20).status().code(), base::StatusCode::kPayloadTooLarge);
}

TEST(CompressionTest, CorruptAndTruncatedInputIsInvalidArgument) {
  std::string text = SampleText(10000);
  for (const char* enc : {"gzip", "deflate", "zstd", "snappy"}) {
    std::string c = std::string(enc) == "gzip"      ? GzipCompress(text)
                    : std::string(enc) == "deflate" ? DeflateCompress(text)
                    : std::string(enc) == "zstd"    ? ZstdCompress(text)
                                                    : SnappyCompress(text);
    auto truncated = DecompressBody(enc, c.substr(0, c.size() / 2), 1 << 20);
    EXPECT_EQ(truncated.status().code(), base::StatusCode::kInvalidArgument) << enc;
    auto garbage = DecompressBody(enc, "this is not compressed at all", 1 << 20);
    EXPECT_EQ(garbage.status().code(), base::StatusCode::kInvalidArgument) << enc;
  }
}

TEST(CompressionTest, UnknownEncodingIsUnsupportedMedia) {
  auto r = DecompressBody("br", "x", 100);
  EXPECT_EQ(r.status().code(), base::StatusCode::kUnsupportedMedia);
  EXPECT_NE(r.status().message().find("br"), std::string::npos);
}

}  // namespace
}  // namespace strata::common
