#include "strata/common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata::common {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  // RFC 3720 (iSCSI) B.4: 32 bytes incrementing 0..31, and decrementing 31..0.
  std::string inc, dec;
  for (int i = 0; i < 32; ++i) {
    inc.push_back(static_cast<char>(i));
    dec.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(dec), 0x113FDB5Cu);
}

TEST(Crc32c, PortableKnownVectors) {
  EXPECT_EQ(internal::Crc32cPortable(0, "123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(internal::Crc32cPortable(0, zeros.data(), zeros.size()), 0x8A9136AAu);
}

TEST(Crc32c, HardwareAndTableAgreeOnRandomData) {
  if (!internal::Crc32cHardwareAvailable()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937_64 rng(42);
  std::string buf = RandomBytes(rng, 4096 + 16);
  // Every length up to 300 at every alignment 0..7, then a few large ones: covers the head, body and tail loops.
  for (size_t off = 0; off < 8; ++off) {
    for (size_t len = 0; len <= 300; ++len) {
      uint32_t init = static_cast<uint32_t>(rng());
      ASSERT_EQ(internal::Crc32cHardware(init, buf.data() + off, len),
                internal::Crc32cPortable(init, buf.data() + off, len))
          << "off=" << off << " len=" << len;
    }
  }
  for (size_t len : {1000u, 4095u, 4096u}) {
    EXPECT_EQ(internal::Crc32cHardware(0, buf.data() + 3, len), internal::Crc32cPortable(0, buf.data() + 3, len));
  }
}

TEST(Crc32c, IncrementalEqualsOneShot) {
  std::mt19937_64 rng(7);
  std::string data = RandomBytes(rng, 1000);
  uint32_t whole = Crc32c(data);
  for (size_t split : {0u, 1u, 4u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    uint32_t part = Crc32c(0, data.data(), split);
    EXPECT_EQ(Crc32c(part, data.data() + split, data.size() - split), whole) << split;
    uint32_t portable = internal::Crc32cPortable(0, data.data(), split);
    EXPECT_EQ(internal::Crc32cPortable(portable, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32c, DifferentDataDifferentCrc) {
  EXPECT_NE(Crc32c("a"), Crc32c("foo"));
  EXPECT_NE(Crc32c("foo"), Crc32c("bar"));
}

TEST(Crc32c, MaskRoundTripsAndChangesValue) {
  uint32_t crc = Crc32c("foo");
  EXPECT_NE(Crc32cMask(crc), crc);
  EXPECT_NE(Crc32cMask(Crc32cMask(crc)), crc);
  EXPECT_EQ(Crc32cUnmask(Crc32cMask(crc)), crc);
  EXPECT_EQ(Crc32cUnmask(Crc32cUnmask(Crc32cMask(Crc32cMask(crc)))), crc);
  EXPECT_NE(Crc32cMask(0), 0u);  // an all-zero record header must not verify
}

}  // namespace
}  // namespace strata::common
