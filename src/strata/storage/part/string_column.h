#pragma once
// StringColumn: the values of one column of one block, as one byte arena plus end offsets. Cheap to build and to
// scan (no allocation per value); the unit the column encoders consume and the decoders produce.
// Value type; not thread-safe to mutate.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage {

class StringColumn {
 public:
  void Append(std::string_view v) {
    bytes_.append(v);
    ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  }
  // An empty value ("": a field absent from the row, or a row a selective decode skipped), without touching bytes.
  void AppendEmpty() { ends_.push_back(static_cast<uint32_t>(bytes_.size())); }
  void AppendEmpties(size_t n) { ends_.insert(ends_.end(), n, static_cast<uint32_t>(bytes_.size())); }
  void Reserve(size_t rows, size_t bytes) {
    ends_.reserve(rows);
    bytes_.reserve(bytes);
  }
  void Clear() {
    bytes_.clear();
    ends_.clear();
  }
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view at(size_t i) const {
    uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  size_t total_bytes() const { return bytes_.size(); }
  const std::string& bytes() const { return bytes_; }
  const std::vector<uint32_t>& ends() const { return ends_; }

 private:
  std::string bytes_;
  std::vector<uint32_t> ends_;
};

}  // namespace strata::storage
