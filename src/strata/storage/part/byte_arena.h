#pragma once
// ByteArena: owns copies of byte strings at stable addresses (chunks of >= 1 MiB that never move), so builders can
// keep plain views into it. No per-value allocation or header; everything is freed with the arena.
// Not thread-safe.

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace strata::storage {

class ByteArena {
 public:
  // A copy of v that lives as long as the arena.
  std::string_view Keep(std::string_view v) {
    if (v.empty()) return {};
    if (v.size() > left_) {
      const size_t size = std::max(kChunkBytes, v.size());
      chunks_.push_back(std::make_unique<char[]>(size));
      next_ = chunks_.back().get();
      left_ = size;
      allocated_ += size;
    }
    char* p = next_;
    std::memcpy(p, v.data(), v.size());
    next_ += v.size();
    left_ -= v.size();
    return {p, v.size()};
  }
  size_t allocated_bytes() const { return allocated_; }

 private:
  static constexpr size_t kChunkBytes = 1u << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t allocated_ = 0;
};

}  // namespace strata::storage
