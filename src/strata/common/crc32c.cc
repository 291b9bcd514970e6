#include "strata/common/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define STRATA_CRC32C_X86 1
#endif

namespace strata::common {
namespace {

constexpr uint32_t kPoly = 0x82f63b78u;  // Castagnoli, reflected

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes. Built at compile time so there is
// no initialization order to worry about.
using Tables = std::array<std::array<uint32_t, 256>, 8>;
constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (int k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}
constexpr Tables kTables = MakeTables();

inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // x86-64 and arm64 are little-endian
  return v;
}

#if STRATA_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t HardwareExtend(uint32_t init, const uint8_t* p, size_t n) {
  uint64_t crc = init ^ 0xffffffffu;
  // Align to 8 so the 64-bit loads in the main loop never straddle a cache line more than necessary.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = _mm_crc32_u8(static_cast<uint32_t>(crc), *p++);
    --n;
  }
  while (n >= 8) {
    crc = _mm_crc32_u64(crc, LoadLE64(p));
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    crc = _mm_crc32_u8(static_cast<uint32_t>(crc), *p++);
    --n;
  }
  return static_cast<uint32_t>(crc) ^ 0xffffffffu;
}

bool DetectSse42() {
  __builtin_cpu_init();  // needed if we are first called from another static initializer
  return __builtin_cpu_supports("sse4.2");
}
#endif

}  // namespace

namespace internal {

uint32_t Crc32cPortable(uint32_t init, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t crc = init ^ 0xffffffffu;
  while (n >= 8) {
    uint64_t v = LoadLE64(p) ^ crc;
    crc = kTables[7][v & 0xff] ^ kTables[6][(v >> 8) & 0xff] ^ kTables[5][(v >> 16) & 0xff] ^
          kTables[4][(v >> 24) & 0xff] ^ kTables[3][(v >> 32) & 0xff] ^ kTables[2][(v >> 40) & 0xff] ^
          kTables[1][(v >> 48) & 0xff] ^ kTables[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    crc = kTables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    --n;
  }
  return crc ^ 0xffffffffu;
}

bool Crc32cHardwareAvailable() {
#if STRATA_CRC32C_X86
  static const bool kAvailable = DetectSse42();
  return kAvailable;
#else
  return false;
#endif
}

uint32_t Crc32cHardware(uint32_t init, const void* data, size_t n) {
#if STRATA_CRC32C_X86
  if (Crc32cHardwareAvailable()) return HardwareExtend(init, static_cast<const uint8_t*>(data), n);
#endif
  return Crc32cPortable(init, data, n);
}

}  // namespace internal

uint32_t Crc32c(uint32_t init, const void* data, size_t n) {
  // Crc32cHardware() re-checks availability (a cached static bool) and falls back to the table.
  return internal::Crc32cHardware(init, data, n);
}

}  // namespace strata::common
