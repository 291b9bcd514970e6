#include "strata/common/hash.h"

#include <bit>
#include <cstring>

namespace strata::common {
namespace {

// Odd 64-bit constants with balanced bit counts (drawn at random once; nothing special about them). They are
// part of the on-disk format: see hash.h.
constexpr uint64_t kLaneA = 0xc9ddc2f808683ba1ULL;
constexpr uint64_t kLaneB = 0xf189dba4de79a621ULL;
constexpr uint64_t kMulWord = 0xb0d74e8d46e107f3ULL;
constexpr uint64_t kMulAcc = 0xdb515799a6c3e831ULL;
constexpr uint64_t kMulLen = 0xf84985288ffbc2b5ULL;

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

// Absorbs one 64-bit word into a lane. Every step is a bijection of the lane for a fixed word and of the word for
// a fixed lane, so two inputs that differ in one word never collide inside the lane.
inline uint64_t Round(uint64_t acc, uint64_t word) {
  word *= kMulWord;
  word ^= word >> 31;  // the multiply only moves entropy up; fold the high bits back down
  acc ^= word;
  return std::rotl(acc, 29) * kMulAcc;
}

// The last 1..7 bytes as one word. Given n, the mapping is injective: the two (possibly overlapping) reads cover
// every byte. n itself is mixed in by the finalizer.
inline uint64_t Tail(const char* p, size_t n) {
  if (n >= 4) return Load32(p) | (Load32(p + n - 4) << 32);
  const auto b = [p](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
  return b(0) | (b(n >> 1) << 8) | (b(n - 1) << 16);
}

// Bytewise ASCII A-Z -> a-z on a whole word (SWAR). Bytes >= 0x80 are left alone. Because it works per byte, it
// commutes with the loads above (including the overlapping tail reads): hashing lowered words of the input equals
// hashing the loaded words of a lowered copy.
inline uint64_t LowerAscii64(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const uint64_t low7 = x & (0x7f * kOnes);
  const uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;      // bit 7 set where (byte & 0x7f) >= 'A'; no carry out
  const uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // bit 7 set where (byte & 0x7f) > 'Z'
  const uint64_t upper = ge_a & ~gt_z & ~x & (0x80 * kOnes);
  return x | (upper >> 2);  // 0x80 >> 2 = 0x20
}

template <bool kLower>
inline uint64_t Word(uint64_t w) {
  if constexpr (kLower) {
    return LowerAscii64(w);
  } else {
    return w;
  }
}

template <bool kLower>
uint64_t HashImpl(std::string_view data, uint64_t seed) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t a = seed ^ kLaneA;
  uint64_t b = std::rotl(seed, 32) ^ kLaneB;
  // Two independent lanes: the multiplies of one 16-byte stride overlap in the pipeline.
  while (n >= 16) {
    a = Round(a, Word<kLower>(Load64(p)));
    b = Round(b, Word<kLower>(Load64(p + 8)));
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    a = Round(a, Word<kLower>(Load64(p)));
    p += 8;
    n -= 8;
  }
  if (n > 0) b = Round(b, Word<kLower>(Tail(p, n)));
  // The length disambiguates the zero-padded tail and the lane split ("" vs "\0", 8 vs 16 bytes).
  return Mix64(a + std::rotl(b, 23) + static_cast<uint64_t>(data.size()) * kMulLen);
}

}  // namespace

uint64_t Hash64(std::string_view data, uint64_t seed) { return HashImpl<false>(data, seed); }

uint64_t Hash64AsciiLower(std::string_view data, uint64_t seed) { return HashImpl<true>(data, seed); }

}  // namespace strata::common
