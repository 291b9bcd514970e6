#pragma once
// CRC-32C (Castagnoli), the checksum of WAL records and part blocks. Uses the SSE4.2 instruction when the CPU
// has it, a table otherwise. Thread-safe, pure.
//
// Crc32c(init, data, n) extends a finished CRC: Crc32c(Crc32c(0, a), b) == Crc32c(0, a + b), so a checksum can be
// computed over pieces (the WAL checksums the length bytes, then the payload) without concatenating them.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::common {

uint32_t Crc32c(uint32_t init, const void* data, size_t n);
inline uint32_t Crc32c(std::string_view s) { return Crc32c(0, s.data(), s.size()); }

// Stored CRCs are masked (as in leveldb): the CRC of a string that itself contains CRCs is otherwise weak, and a
// run of zero bytes must not checksum to zero.
inline constexpr uint32_t kCrc32cMaskDelta = 0xa282ead8u;
inline uint32_t Crc32cMask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kCrc32cMaskDelta; }
inline uint32_t Crc32cUnmask(uint32_t masked) {
  uint32_t rot = masked - kCrc32cMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// The two implementations behind Crc32c(), exposed so tests can check that they agree.
namespace internal {
uint32_t Crc32cPortable(uint32_t init, const void* data, size_t n);
// True when this CPU has the SSE4.2 crc32 instruction (always false off x86).
bool Crc32cHardwareAvailable();
// Call only when Crc32cHardwareAvailable(); otherwise falls back to the portable version.
uint32_t Crc32cHardware(uint32_t init, const void* data, size_t n);
}  // namespace internal

}  // namespace strata::common
