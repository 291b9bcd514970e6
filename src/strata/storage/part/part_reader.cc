#include "strata/storage/part/part_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "strata/common/coding.h"
#include "strata/common/crc32c.h"

namespace strata::storage {

PartReader::~PartReader() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

base::Result<std::shared_ptr<const PartReader>> PartReader::Open(const std::string& path) {
  std::shared_ptr<PartReader> r(new PartReader());
  r->path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::IoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return base::IoError("fstat", path, err);
  }
  r->size_ = static_cast<uint64_t>(st.st_size);
  if (r->size_ < kPartHeaderSize + kPartFooterSize) {
    ::close(fd);
    return base::DataLoss(path + ": part file too short (" + std::to_string(r->size_) + " bytes)");
  }
  void* m = ::mmap(nullptr, r->size_, PROT_READ, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);
  if (m == MAP_FAILED) return base::IoError("mmap", path, err);
  r->data_ = static_cast<const char*>(m);
  auto fail = [&](const base::Status& s) { return base::DataLoss(path + ": " + s.message()); };

  if (std::memcmp(r->data_, kPartMagic, 8) != 0) return fail(base::DataLoss("bad magic"));
  uint32_t version = common::DecodeFixed32(r->data_ + 8);
  if (version != kPartFormatVersion) {
    return fail(base::DataLoss("unsupported part format version " + std::to_string(version)));
  }
  const uint32_t flags = common::DecodeFixed32(r->data_ + 12);
  if (flags & ~kPartKnownFlags) return fail(base::DataLoss("unsupported part flags " + std::to_string(flags)));
  auto footer = DecodeFooter(std::string_view(r->data_ + r->size_ - kPartFooterSize, kPartFooterSize));
  if (!footer.ok()) return fail(footer.status());
  r->footer_ = *footer;
  uint64_t limit = r->size_ - kPartFooterSize;
  auto section = [&](const SectionRef& s, const char* name) -> base::Result<std::string_view> {
    if (s.offset < kPartHeaderSize || s.offset > limit || s.length > limit - s.offset) {
      return base::DataLoss(std::string(name) + " section out of bounds");
    }
    std::string_view bytes(r->data_ + s.offset, s.length);
    if (common::Crc32c(bytes) != s.crc) return base::DataLoss(std::string(name) + " section checksum mismatch");
    return bytes;
  };
  auto meta = section(r->footer_.meta, "meta");
  if (!meta.ok()) return fail(meta.status());
  auto meta_decoded = DecodePartMeta(*meta);
  if (!meta_decoded.ok()) return fail(meta_decoded.status());
  r->meta_ = std::move(meta_decoded).value();
  auto streams = section(r->footer_.streams, "streams");
  if (!streams.ok()) return fail(streams.status());
  if (auto s = DecodeStreams(*streams, &r->streams_); !s.ok()) return fail(s);
  auto columns = section(r->footer_.columns, "columns");
  if (!columns.ok()) return fail(columns.status());
  if (auto s = DecodeColumnNames(*columns, &r->column_names_); !s.ok()) return fail(s);
  auto blocks = section(r->footer_.blocks, "blocks");
  if (!blocks.ok()) return fail(blocks.status());
  std::string blocks_raw;
  if (flags & kPartFlagCompressedBlocks) {
    if (auto s = DecompressBlocksSection(*blocks, &blocks_raw); !s.ok()) return fail(s);
    *blocks = blocks_raw;
  }
  if (auto s = DecodeBlockHeaders(*blocks, &r->blocks_); !s.ok()) return fail(s);
  for (const auto& b : r->blocks_) {
    if (b.stream >= r->streams_.size()) return fail(base::DataLoss("block refers to a missing stream"));
    for (const auto& c : b.columns) {
      if (c.column_id >= r->column_names_.size()) return fail(base::DataLoss("block refers to a missing column"));
    }
  }
  for (uint32_t i = 0; i < r->streams_.size(); ++i) {
    for (const auto& l : r->streams_[i].labels) r->label_index_[l.name + '\0' + l.value].push_back(i);
  }
  auto tokens = section(r->footer_.tokens, "tokens");
  if (!tokens.ok()) return fail(tokens.status());
  auto tr = index::TokenIndexReader::Open(*tokens);
  if (!tr.ok()) return fail(tr.status());
  r->tokens_ = *tr;
  return std::shared_ptr<const PartReader>(std::move(r));
}

const std::vector<uint32_t>* PartReader::StreamsWithLabel(std::string_view name, std::string_view value) const {
  std::string key;
  key.reserve(name.size() + 1 + value.size());
  key.append(name).push_back('\0');
  key.append(value);
  auto it = label_index_.find(key);
  return it == label_index_.end() ? nullptr : &it->second;
}

int64_t PartReader::ColumnId(std::string_view name) const {
  for (size_t i = 0; i < column_names_.size(); ++i) {
    if (column_names_[i] == name) return static_cast<int64_t>(i);
  }
  return -1;
}

base::Result<std::string> PartReader::ReadChunk(const ChunkRef& ref) const {
  uint64_t limit = size_ - kPartFooterSize;
  if (ref.offset < kPartHeaderSize || ref.offset > limit || ref.stored_len > limit - ref.offset) {
    return base::DataLoss(path_ + ": chunk out of bounds at offset " + std::to_string(ref.offset));
  }
  std::string_view stored(data_ + ref.offset, ref.stored_len);
  if (common::Crc32c(stored) != ref.crc) {
    return base::DataLoss(path_ + ": chunk checksum mismatch at offset " + std::to_string(ref.offset));
  }
  if (ref.codec == ChunkCodec::kNone) {
    if (ref.raw_len != ref.stored_len) return base::DataLoss(path_ + ": stored chunk length mismatch");
    return std::string(stored);
  }
  std::string raw(ref.raw_len, '\0');
  size_t n = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != ref.raw_len) {
    return base::DataLoss(path_ + ": chunk does not decompress at offset " + std::to_string(ref.offset));
  }
  return raw;
}

base::Status PartReader::ReadTimestamps(uint32_t block, std::vector<int64_t>* out) const {
  if (block >= blocks_.size()) return base::InvalidArgument("no such block");
  const auto& b = blocks_[block];
  auto raw = ReadChunk(b.timestamps);
  if (!raw.ok()) return raw.status();
  return DecodeTimestamps(*raw, b.rows, out);
}

base::Status PartReader::ReadColumn(uint32_t block, uint32_t column_id, StringColumn* out) const {
  return ReadColumnImpl(block, column_id, nullptr, out);
}

base::Status PartReader::ReadColumnRows(uint32_t block, uint32_t column_id, const std::vector<uint32_t>& wanted_rows,
                                        StringColumn* out) const {
  return ReadColumnImpl(block, column_id, &wanted_rows, out);
}

base::Status PartReader::ReadColumnImpl(uint32_t block, uint32_t column_id, const std::vector<uint32_t>* wanted_rows,
                                        StringColumn* out) const {
  if (block >= blocks_.size()) return base::InvalidArgument("no such block");
  const auto& b = blocks_[block];
  const ColumnChunk* c = b.Find(column_id);
  if (!c) {
    out->AppendEmpties(b.rows);
    return base::Status::Ok();
  }
  auto raw = ReadChunk(c->chunk);
  if (!raw.ok()) return raw.status();
  base::Status st = wanted_rows ? DecodeColumnRows(c->type, *raw, b.rows, *wanted_rows, out)
                                : DecodeColumn(c->type, *raw, b.rows, out);
  if (st.code() == base::StatusCode::kDataLoss) return base::DataLoss(path_ + ": " + st.message());
  return st;
}

base::Status PartReader::ReadColumnNumbers(uint32_t block, uint32_t column_id, std::vector<double>* out,
                                           bool* exact) const {
  *exact = false;
  if (block >= blocks_.size()) return base::InvalidArgument("no such block");
  const auto& b = blocks_[block];
  const ColumnChunk* c = b.Find(column_id);
  if (!c) {
    out->insert(out->end(), b.rows, std::numeric_limits<double>::quiet_NaN());
    *exact = true;
    return base::Status::Ok();
  }
  if (c->type != ColumnType::kUint && c->type != ColumnType::kInt && c->type != ColumnType::kFloat) {
    return base::Status::Ok();  // not worth decompressing: the caller reads the text
  }
  auto raw = ReadChunk(c->chunk);
  if (!raw.ok()) return raw.status();
  base::Status st = DecodeColumnNumbers(c->type, *raw, b.rows, out, exact);
  if (!st.ok()) return base::DataLoss(path_ + ": " + st.message());
  return st;
}

}  // namespace strata::storage
