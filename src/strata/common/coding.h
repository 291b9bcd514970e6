#pragma once
// Little-endian fixed-width and LEB128 varint coding into std::string buffers, and bounded decoding from a
// string_view cursor. Pure, thread-safe.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace strata::common {

inline void PutFixed32(std::string& dst, uint32_t v) {
  char buf[4];
  std::memcpy(buf, &v, 4);  // x86-64 and arm64 are little-endian; the format is little-endian
  dst.append(buf, 4);
}
inline void PutFixed64(std::string& dst, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  dst.append(buf, 8);
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void PutVarint64(std::string& dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst.append(buf, n);
}
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
// Delta coding of int64 values wraps modulo 2^64 (any two timestamps, even INT64_MIN and INT64_MAX, round-trip);
// signed overflow would be undefined behaviour.
inline int64_t WrappingSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline void PutLengthPrefixed(std::string& dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst.append(s);
}

// Reads from the front of `in`, advancing it. Each returns false on truncated or malformed input.
inline bool GetVarint64(std::string_view& in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in.empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}
inline bool GetLengthPrefixed(std::string_view& in, std::string_view* out) {
  uint64_t len;
  if (!GetVarint64(in, &len) || len > in.size()) return false;
  *out = in.substr(0, len);
  in.remove_prefix(len);
  return true;
}

}  // namespace strata::common
