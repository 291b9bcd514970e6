#include "strata/storage/part/part_format.h"

#include <zstd.h>

#include <cstdio>
#include <cstring>

#include "strata/common/coding.h"
#include "strata/common/crc32c.h"

namespace strata::storage {

using common::GetLengthPrefixed;
using common::GetVarint64;
using common::PutLengthPrefixed;
using common::PutVarint64;

namespace {

base::Status Corrupt(const char* what) { return base::DataLoss(std::string("part: malformed ") + what); }

void PutI64(std::string* out, int64_t v) { PutVarint64(*out, common::ZigZag(v)); }
bool GetI64(std::string_view& in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = common::UnZigZag(u);
  return true;
}
bool GetU32(std::string_view& in, uint32_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u) || u > UINT32_MAX) return false;
  *v = static_cast<uint32_t>(u);
  return true;
}
void PutDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  common::PutFixed64(*out, bits);
}
bool GetDouble(std::string_view& in, double* d) {
  if (in.size() < 8) return false;
  uint64_t bits = common::DecodeFixed64(in.data());
  std::memcpy(d, &bits, 8);
  in.remove_prefix(8);
  return true;
}
bool GetString(std::string_view& in, std::string* s) {
  std::string_view v;
  if (!GetLengthPrefixed(in, &v)) return false;
  s->assign(v);
  return true;
}

void PutChunkRef(std::string* out, const ChunkRef& c) {
  PutVarint64(*out, c.offset);
  PutVarint64(*out, c.stored_len);
  PutVarint64(*out, c.raw_len);
  common::PutFixed32(*out, c.crc);
  out->push_back(static_cast<char>(c.codec));
}
bool GetChunkRef(std::string_view& in, ChunkRef* c) {
  if (!GetVarint64(in, &c->offset) || !GetU32(in, &c->stored_len) || !GetU32(in, &c->raw_len) || in.size() < 5) {
    return false;
  }
  c->crc = common::DecodeFixed32(in.data());
  uint8_t codec = static_cast<uint8_t>(in[4]);
  in.remove_prefix(5);
  if (codec > 1) return false;
  c->codec = static_cast<ChunkCodec>(codec);
  return true;
}

}  // namespace

void EncodePartMeta(const PartMeta& m, std::string* out) {
  PutVarint64(*out, m.part_id);
  PutLengthPrefixed(*out, m.tenant);
  PutVarint64(*out, m.day);
  PutI64(out, m.min_ts);
  PutI64(out, m.max_ts);
  PutVarint64(*out, m.rows);
  PutVarint64(*out, m.raw_bytes);
  PutVarint64(*out, m.level);
  PutVarint64(*out, m.wal_seq_end);
  PutVarint64(*out, m.replaces.size());
  for (uint64_t id : m.replaces) PutVarint64(*out, id);
  PutI64(out, m.created_ns);
}

base::Result<PartMeta> DecodePartMeta(std::string_view in) {
  PartMeta m;
  uint64_t n;
  uint32_t day, level;
  if (!GetVarint64(in, &m.part_id) || !GetString(in, &m.tenant) || !GetU32(in, &day) || !GetI64(in, &m.min_ts) ||
      !GetI64(in, &m.max_ts) || !GetVarint64(in, &m.rows) || !GetVarint64(in, &m.raw_bytes) ||
      !GetU32(in, &level) || !GetVarint64(in, &m.wal_seq_end) || !GetVarint64(in, &n) || n > in.size()) {
    return Corrupt("part meta");
  }
  m.day = day;
  m.level = level;
  m.replaces.resize(n);
  for (auto& id : m.replaces) {
    if (!GetVarint64(in, &id)) return Corrupt("part meta");
  }
  if (!GetI64(in, &m.created_ns)) return Corrupt("part meta");
  return m;
}

void EncodeStreams(const std::vector<StreamEntry>& streams, std::string* out) {
  PutVarint64(*out, streams.size());
  for (const auto& s : streams) {
    common::PutFixed64(*out, s.id.hi);
    common::PutFixed64(*out, s.id.lo);
    PutVarint64(*out, s.labels.size());
    for (const auto& l : s.labels) {
      PutLengthPrefixed(*out, l.name);
      PutLengthPrefixed(*out, l.value);
    }
  }
}

base::Status DecodeStreams(std::string_view in, std::vector<StreamEntry>* out) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in.size()) return Corrupt("stream table");
  out->resize(n);
  for (auto& s : *out) {
    uint64_t labels;
    if (in.size() < 16) return Corrupt("stream table");
    s.id.hi = common::DecodeFixed64(in.data());
    s.id.lo = common::DecodeFixed64(in.data() + 8);
    in.remove_prefix(16);
    if (!GetVarint64(in, &labels) || labels > in.size()) return Corrupt("stream table");
    s.labels.resize(labels);
    for (auto& l : s.labels) {
      if (!GetString(in, &l.name) || !GetString(in, &l.value)) return Corrupt("stream table");
    }
  }
  return base::Status::Ok();
}

void EncodeColumnNames(const std::vector<std::string>& names, std::string* out) {
  PutVarint64(*out, names.size());
  for (const auto& n : names) PutLengthPrefixed(*out, n);
}

base::Status DecodeColumnNames(std::string_view in, std::vector<std::string>* out) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in.size()) return Corrupt("column names");
  out->resize(n);
  for (auto& name : *out) {
    if (!GetString(in, &name)) return Corrupt("column names");
  }
  return base::Status::Ok();
}

void EncodeBlockHeaders(const std::vector<BlockHeader>& blocks, std::string* out) {
  PutVarint64(*out, blocks.size());
  for (const auto& b : blocks) {
    PutVarint64(*out, b.stream);
    PutI64(out, b.min_ts);
    PutI64(out, b.max_ts);
    PutVarint64(*out, b.rows);
    out->push_back(static_cast<char>(b.flags));
    PutChunkRef(out, b.timestamps);
    PutVarint64(*out, b.columns.size());
    for (const auto& c : b.columns) {
      PutVarint64(*out, c.column_id);
      out->push_back(static_cast<char>(c.type));
      PutChunkRef(out, c.chunk);
      out->push_back(c.stats.numeric ? 1 : 0);
      if (c.stats.numeric) {
        PutDouble(out, c.stats.min_num);
        PutDouble(out, c.stats.max_num);
      } else {
        PutLengthPrefixed(*out, c.stats.min_str);
        PutLengthPrefixed(*out, c.stats.max_str);
      }
      PutLengthPrefixed(*out, c.bloom);
      if (b.flags & kBlockFlagTrigramFilter) PutLengthPrefixed(*out, c.trigrams);
    }
  }
}

base::Status DecodeBlockHeaders(std::string_view in, std::vector<BlockHeader>* out) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in.size()) return Corrupt("block headers");
  out->resize(n);
  for (auto& b : *out) {
    uint64_t cols;
    if (!GetU32(in, &b.stream) || !GetI64(in, &b.min_ts) || !GetI64(in, &b.max_ts) || !GetU32(in, &b.rows) ||
        in.empty()) {
      return Corrupt("block headers");
    }
    b.flags = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    if (!GetChunkRef(in, &b.timestamps) || !GetVarint64(in, &cols) || cols > in.size()) {
      return Corrupt("block headers");
    }
    b.columns.resize(cols);
    for (auto& c : b.columns) {
      if (!GetU32(in, &c.column_id) || in.empty()) return Corrupt("block headers");
      uint8_t type = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      if (type > static_cast<uint8_t>(ColumnType::kRaw)) return Corrupt("column type");
      c.type = static_cast<ColumnType>(type);
      if (!GetChunkRef(in, &c.chunk) || in.empty()) return Corrupt("block headers");
      c.stats.numeric = in[0] != 0;
      in.remove_prefix(1);
      if (c.stats.numeric) {
        if (!GetDouble(in, &c.stats.min_num) || !GetDouble(in, &c.stats.max_num)) return Corrupt("column stats");
      } else if (!GetString(in, &c.stats.min_str) || !GetString(in, &c.stats.max_str)) {
        return Corrupt("column stats");
      }
      if (!GetString(in, &c.bloom)) return Corrupt("bloom");
      if ((b.flags & kBlockFlagTrigramFilter) && !GetString(in, &c.trigrams)) return Corrupt("trigram filter");
    }
  }
  return base::Status::Ok();
}

base::Result<std::string> CompressBlocksSection(std::string_view raw) {
  std::string out;
  PutVarint64(out, raw.size());
  size_t header = out.size();
  out.resize(header + ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress(out.data() + header, out.size() - header, raw.data(), raw.size(), 3);
  if (ZSTD_isError(n)) return base::Internal(std::string("compressing block headers: ") + ZSTD_getErrorName(n));
  out.resize(header + n);
  return out;
}

base::Status DecompressBlocksSection(std::string_view stored, std::string* raw) {
  uint64_t raw_len;
  // Block headers are a few hundred bytes per block: 1 GiB bounds what a corrupt length could make us allocate.
  if (!GetVarint64(stored, &raw_len) || raw_len > (1ull << 30)) return Corrupt("compressed block headers");
  raw->resize(raw_len);
  size_t n = ZSTD_decompress(raw->data(), raw->size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != raw_len) return Corrupt("compressed block headers");
  return base::Status::Ok();
}

void EncodeFooter(const PartFooter& f, std::string* out) {
  size_t start = out->size();
  for (const SectionRef* s : {&f.meta, &f.streams, &f.columns, &f.blocks, &f.tokens}) {
    common::PutFixed64(*out, s->offset);
    common::PutFixed64(*out, s->length);
    common::PutFixed32(*out, s->crc);
  }
  common::PutFixed32(*out, common::Crc32c(std::string_view(*out).substr(start)));
  out->append(kPartFooterMagic, 8);
}

base::Result<PartFooter> DecodeFooter(std::string_view data) {
  if (data.size() != kPartFooterSize) return Corrupt("footer size");
  if (std::memcmp(data.data() + kPartFooterSize - 8, kPartFooterMagic, 8) != 0) return Corrupt("footer magic");
  uint32_t crc = common::DecodeFixed32(data.data() + 100);
  if (crc != common::Crc32c(data.substr(0, 100))) return base::DataLoss("part: footer checksum mismatch");
  PartFooter f;
  const char* p = data.data();
  for (SectionRef* s : {&f.meta, &f.streams, &f.columns, &f.blocks, &f.tokens}) {
    s->offset = common::DecodeFixed64(p);
    s->length = common::DecodeFixed64(p + 8);
    s->crc = common::DecodeFixed32(p + 16);
    p += 20;
  }
  return f;
}

std::string PartFileName(uint64_t part_id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llx.part", static_cast<unsigned long long>(part_id));
  return buf;
}

bool ParsePartFileName(std::string_view name, uint64_t* part_id) {
  if (name.size() != 21 || name.substr(16) != ".part") return false;
  uint64_t v = 0;
  for (char c : name.substr(0, 16)) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  *part_id = v;
  return true;
}

}  // namespace strata::storage
