#pragma once
// Fast 64-bit non-cryptographic hashing of byte strings (stream ids, token hashes, bloom probes). The function is
// part of the on-disk format (token indexes and stream ids store its output): never change it without a format
// version bump. Pure, thread-safe.

#include <cstdint>
#include <string_view>

namespace strata::common {

uint64_t Hash64(std::string_view data, uint64_t seed = 0);

// == Hash64(data with ASCII A-Z folded to a-z, seed), computed without a copy (case-insensitive token hashes).
uint64_t Hash64AsciiLower(std::string_view data, uint64_t seed = 0);

// Mixes a 64-bit value into a well-distributed 64-bit value (a finalizer).
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace strata::common
