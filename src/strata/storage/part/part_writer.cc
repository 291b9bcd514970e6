#include "strata/storage/part/part_writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <thread>
#include <cerrno>
#include <unordered_set>

#include "strata/base/clock.h"
#include "strata/base/fault_point.h"
#include "strata/common/coding.h"
#include "strata/common/crc32c.h"
#include "strata/common/thread_pool.h"
#include "strata/storage/index/ngram_filter.h"
#include "strata/storage/index/token_hash_set.h"
#include "strata/storage/index/token_index.h"
#include "strata/storage/index/tokenizer.h"

namespace strata::storage {

namespace {

// Buffered sequential writer of the part file that tracks the offset.
class FileOut {
 public:
  ~FileOut() {
    if (fd_ >= 0) ::close(fd_);
  }
  base::Status Open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return base::IoError("open", path, errno);
    return base::Status::Ok();
  }
  base::Status Append(std::string_view data) {
    buf_.append(data);
    offset_ += data.size();
    if (buf_.size() >= (1u << 20)) return Flush();
    return base::Status::Ok();
  }
  base::Status Flush() {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return base::IoError("write", path_, errno);
      }
      off += static_cast<size_t>(n);
    }
    buf_.clear();
    return base::Status::Ok();
  }
  base::Status SyncAndClose() {
    RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return base::IoError("fdatasync", path_, errno);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return base::IoError("close", path_, errno);
    return base::Status::Ok();
  }
  uint64_t offset() const { return offset_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string buf_;
  uint64_t offset_ = 0;
};

base::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::IoError("open", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return base::IoError("fsync", dir, err);
  return base::Status::Ok();
}

// Timestamps and field columns never use more than this level: above it they shrink by nothing measurable on the
// benchmark mix (random ids, numbers, short dictionaries) while the search costs CPU. Merges at level 9 spend 4 %
// less CPU with the cap, for the same bytes (flush_bench, 1 M lines). The message column takes the full level.
constexpr int kFieldZstdLevelCap = 3;

int ZstdLevelFor(size_t bytes, int level_for_large) {
  // Small chunks gain little from higher levels and pay per-call overhead.
  return bytes < 4096 ? 1 : level_for_large;
}

// Compresses a chunk (or keeps it raw when compression does not pay); fills everything in ref but the offset.
// zstd writes into a per-thread scratch buffer that only grows, and the chunk keeps an exact-size copy: a fresh
// compressBound-sized string per chunk was zero-filled (memset) and page-faulted in for every multi-MiB message
// column, and kept its whole capacity while the block waited to be written.
std::string CompressChunk(std::string_view raw, ZSTD_CCtx* cctx, int level, ChunkRef* ref) {
  thread_local std::string scratch;
  std::string stored;
  ref->raw_len = static_cast<uint32_t>(raw.size());
  ref->codec = ChunkCodec::kNone;
  if (raw.size() >= 64) {
    const size_t bound = ZSTD_compressBound(raw.size());
    if (scratch.size() < bound) scratch.resize(bound);
    size_t n = ZSTD_compressCCtx(cctx, scratch.data(), bound, raw.data(), raw.size(), ZstdLevelFor(raw.size(), level));
    if (!ZSTD_isError(n) && n < raw.size()) {
      stored.assign(scratch.data(), n);
      ref->codec = ChunkCodec::kZstd;
    }
  }
  if (ref->codec == ChunkCodec::kNone) stored.assign(raw);
  ref->stored_len = static_cast<uint32_t>(stored.size());
  ref->crc = common::Crc32c(stored);
  return stored;
}

// Appends a compressed chunk at the current offset.
base::Status AppendChunk(FileOut& out, const std::string& stored, ChunkRef* ref) {
  ref->offset = out.offset();
  return out.Append(stored);
}

}  // namespace

PartBuilder::PartBuilder(PartWriterOptions options) : options_(options) {
  column_names_.push_back(kMessageColumnName);
  column_ids_[kMessageColumnName] = kMessageColumnId;
}

uint32_t PartBuilder::ColumnIdFor(std::string_view name) {
  auto it = column_ids_.find(name);
  if (it != column_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(column_names_.size());
  column_names_.emplace_back(name);
  column_ids_.emplace(std::string(name), id);
  return id;
}

PartBuilder::StreamRef PartBuilder::Stream(const model::StreamId& id, const model::LabelSet& labels) {
  auto [it, inserted] = streams_.try_emplace(id);
  if (inserted) {
    it->second.labels = labels;
    for (const auto& l : labels) it->second.label_bytes += l.name.size() + l.value.size();
  }
  return &it->second;
}

void PartBuilder::AddRow(StreamRows& s, int64_t ts, std::string_view message,
                         const std::vector<std::pair<std::string_view, std::string_view>>& fields, bool copy) {
  if (copy) message = arena_.Keep(message);
  const uint32_t begin = static_cast<uint32_t>(field_refs_.size());
  size_t raw = s.label_bytes + message.size();
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    std::string_view v = copy ? arena_.Keep(value) : value;
    field_refs_.push_back({v.data(), static_cast<uint32_t>(v.size()), ColumnIdFor(name)});
    raw += name.size() + value.size();
  }
  s.rows.push_back({ts, message.data(), static_cast<uint32_t>(message.size()), begin,
                    static_cast<uint32_t>(field_refs_.size())});
  raw_bytes_ += raw;
  ++rows_;
  ++buffered_rows_;
}

void PartBuilder::Add(const model::LabelSet& labels, int64_t ts, std::string_view message,
                      const std::vector<model::Field>& fields) {
  std::vector<std::pair<std::string_view, std::string_view>> views;
  views.reserve(fields.size());
  for (const auto& f : fields) views.emplace_back(f.name, f.value);
  Add(model::StreamIdOf(labels), labels, ts, message, views);
}

void PartBuilder::Add(const model::StreamId& id, const model::LabelSet& labels, int64_t ts, std::string_view message,
                      const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  AddRow(*Stream(id, labels), ts, message, fields, /*copy=*/true);
}

void PartBuilder::AddBorrowed(StreamRef stream, int64_t ts, std::string_view message,
                              const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  AddRow(*stream, ts, message, fields, /*copy=*/false);
}

struct PartBuilder::Output {
  std::string dir;
  uint64_t part_id = 0;
  std::string tmp_path;
  FileOut file;
  std::vector<StreamEntry> stream_table;
  std::vector<BlockHeader> blocks;
  index::TokenIndexBuilder token_index;
  int64_t min_ts = INT64_MAX;
  int64_t max_ts = INT64_MIN;
  std::unique_ptr<common::ThreadPool> pool;  // created on the first window with more than one block
};

PartBuilder::PartBuilder(PartBuilder&&) noexcept = default;
PartBuilder& PartBuilder::operator=(PartBuilder&&) noexcept = default;
PartBuilder::~PartBuilder() = default;

size_t PartBuilder::buffered_bytes() const {
  return arena_.allocated_bytes() + buffered_rows_ * sizeof(Row) + field_refs_.size() * sizeof(FieldRef);
}

base::Status PartBuilder::WriteBufferedStreams(const std::string& dir, uint64_t part_id) {
  if (!out_) {
    out_ = std::make_unique<Output>();
    out_->dir = dir;
    out_->part_id = part_id;
    out_->tmp_path = dir + "/" + kPartTempPrefix + PartFileName(part_id);
    RETURN_IF_ERROR(out_->file.Open(out_->tmp_path));
    std::string header(kPartMagic, 8);
    common::PutFixed32(header, kPartFormatVersion);
    common::PutFixed32(header, kPartFlagCompressedBlocks);
    RETURN_IF_ERROR(out_->file.Append(header));
  } else if (out_->dir != dir || out_->part_id != part_id) {
    return base::Internal("part builder: already writing part " + std::to_string(out_->part_id) + " in " +
                                    out_->dir);
  }
  Output& o = *out_;
  FileOut& out = o.file;
  if (!streams_.empty() && !o.stream_table.empty() && !(o.stream_table.back().id < streams_.begin()->first)) {
    return base::Internal("part builder: streams must arrive in increasing id order");
  }

  // Plan the blocks (stream order, time order within a stream), encode them in parallel (columns, zstd, tokens,
  // trigrams are CPU work per block), then write them in plan order: the file does not depend on the parallelism.
  struct BlockJob {
    const Row* rows;
    size_t n;
    uint32_t stream;
  };
  std::vector<BlockJob> jobs;
  for (auto& [id, stream] : streams_) {
    uint32_t stream_idx = static_cast<uint32_t>(o.stream_table.size());
    o.stream_table.push_back({id, stream.labels});
    auto& rows = stream.rows;
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ts < b.ts; });
    size_t start = 0;
    while (start < rows.size()) {
      size_t end = start, bytes = 0;
      while (end < rows.size() && end - start < options_.block_max_rows && bytes < options_.block_max_bytes) {
        const Row& r = rows[end];
        bytes += 8 + r.message_size;
        for (uint32_t f = r.fields_begin; f < r.fields_end; ++f) bytes += field_refs_[f].size;
        ++end;
      }
      jobs.push_back({rows.data() + start, end - start, stream_idx});
      start = end;
    }
  }

  struct EncodedBlock {
    BlockHeader header;
    std::vector<std::string> chunks;  // timestamps first, then one per column, in header order
    std::vector<uint64_t> keys;       // token keys, distinct per column
  };
  auto encode_block = [&](const BlockJob& job, EncodedBlock* out) {
    ZSTD_CCtx* ctx = ZSTD_createCCtx();
    struct Free {
      ZSTD_CCtx* c;
      ~Free() { ZSTD_freeCCtx(c); }
    } free_ctx{ctx};
    BlockHeader& bh = out->header;
    bh.stream = job.stream;
    bh.rows = static_cast<uint32_t>(job.n);
    bh.flags |= kBlockFlagTrigramFilter;  // no blooms: the exact token index answers token probes
    bh.min_ts = job.rows[0].ts;
    bh.max_ts = job.rows[job.n - 1].ts;
    std::vector<int64_t> ts;
    ts.reserve(job.n);
    for (size_t i = 0; i < job.n; ++i) ts.push_back(job.rows[i].ts);
    std::string encoded_ts;
    EncodeTimestamps(ts, &encoded_ts);
    out->chunks.push_back(CompressChunk(encoded_ts, ctx, std::min(options_.zstd_level, kFieldZstdLevelCap), &bh.timestamps));

    // Columns present in this block, message first.
    std::vector<uint32_t> column_ids{kMessageColumnId};
    {
      std::unordered_set<uint32_t> seen;
      for (size_t i = 0; i < job.n; ++i) {
        for (uint32_t f = job.rows[i].fields_begin; f < job.rows[i].fields_end; ++f) seen.insert(field_refs_[f].column);
      }
      std::vector<uint32_t> sorted(seen.begin(), seen.end());
      std::sort(sorted.begin(), sorted.end());
      column_ids.insert(column_ids.end(), sorted.begin(), sorted.end());
    }
    index::TokenHashSet column_hashes;  // distinct token hashes of the current column
    // The column's values, gathered into a per-thread buffer reused from column to column and block to block (a
    // fresh multi-MiB message column per block cost page faults).
    thread_local StringColumn values;
    for (uint32_t column_id : column_ids) {
      values.Clear();
      for (size_t i = 0; i < job.n; ++i) {
        const Row& r = job.rows[i];
        if (column_id == kMessageColumnId) {
          values.Append(r.message_view());
          continue;
        }
        std::string_view v;
        for (uint32_t f = r.fields_begin; f < r.fields_end; ++f) {
          if (field_refs_[f].column == column_id) v = field_refs_[f].value_view();  // last wins
        }
        values.Append(v);
      }
      ColumnChunk cc;
      cc.column_id = column_id;
      EncodedColumn enc = EncodeColumn(values);
      cc.type = enc.type;
      cc.stats = std::move(enc.stats);
      const int level =
          column_id == kMessageColumnId ? options_.zstd_level : std::min(options_.zstd_level, kFieldZstdLevelCap);
      out->chunks.push_back(CompressChunk(enc.data, ctx, level, &cc.chunk));
      // Tokens: one bloom per column, and the part's exact index, each token once per block and column.
      column_hashes.Clear();
      if (enc.type == ColumnType::kConst || enc.type == ColumnType::kDict) {
        // Few distinct values: tokenize each distinct value once.
        std::unordered_set<std::string_view> distinct;
        for (size_t i = 0; i < values.size(); ++i) distinct.insert(values.at(i));
        for (auto v : distinct) {
          index::ForEachToken(v, [&](std::string_view t) { column_hashes.Insert(index::TokenHash(t)); });
        }
      } else {
        for (size_t i = 0; i < values.size(); ++i) {
          index::ForEachToken(values.at(i), [&](std::string_view t) { column_hashes.Insert(index::TokenHash(t)); });
        }
      }
      for (uint64_t h : column_hashes.values()) {
        out->keys.push_back(index::TokenKey(column_id, h));
      }
      if (column_id == kMessageColumnId) {
        // The substring filter of `|=` and `|~` line filters (index/ngram_filter.h).
        index::TrigramFilterBuilder trigrams;
        if (enc.type == ColumnType::kConst) {
          trigrams.AddValue(values.at(0));
        } else {
          for (size_t i = 0; i < values.size(); ++i) trigrams.AddValue(values.at(i));
        }
        cc.trigrams = trigrams.Finish();
      }
      bh.columns.push_back(std::move(cc));
    }
    // Keys are distinct within a column; a rare collision across columns is dropped by the index builder.
  };

  const size_t threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  if (threads > 1 && jobs.size() > 1 && !o.pool) o.pool = std::make_unique<common::ThreadPool>(threads);
  const size_t window = std::max<size_t>(1, threads * 2);
  for (size_t first = 0; first < jobs.size(); first += window) {
    size_t n = std::min(window, jobs.size() - first);
    std::vector<EncodedBlock> encoded(n);
    std::vector<std::function<void()>> tasks;
    for (size_t k = 0; k < n; ++k) tasks.push_back([&, k] { encode_block(jobs[first + k], &encoded[k]); });
    if (o.pool && n > 1) {
      o.pool->RunAll(tasks);
    } else {
      for (auto& t : tasks) t();
    }
    for (auto& eb : encoded) {
      uint32_t block_no = static_cast<uint32_t>(o.blocks.size());
      BlockHeader& bh = eb.header;
      RETURN_IF_ERROR(AppendChunk(out, eb.chunks[0], &bh.timestamps));
      for (size_t c = 0; c < bh.columns.size(); ++c) RETURN_IF_ERROR(AppendChunk(out, eb.chunks[c + 1], &bh.columns[c].chunk));
      o.min_ts = std::min(o.min_ts, bh.min_ts);
      o.max_ts = std::max(o.max_ts, bh.max_ts);
      for (uint64_t k : eb.keys) o.token_index.Add(k, block_no);
      o.blocks.push_back(std::move(bh));
    }
  }
  // Forget the written rows (the stream table keeps the labels).
  streams_.clear();
  field_refs_.clear();
  field_refs_.shrink_to_fit();
  arena_ = ByteArena();
  buffered_rows_ = 0;
  return base::Status::Ok();
}

base::Result<PartMeta> PartBuilder::Write(const std::string& dir, PartMeta meta) {
  RETURN_IF_ERROR(WriteBufferedStreams(dir, meta.part_id));
  Output& o = *out_;
  FileOut& out = o.file;
  meta.min_ts = rows_ == 0 ? 0 : o.min_ts;
  meta.max_ts = rows_ == 0 ? 0 : o.max_ts;
  meta.rows = rows_;
  meta.raw_bytes = raw_bytes_;
  meta.created_ns = base::SystemClock::Get().NowNanos();

  PartFooter footer;
  auto write_section = [&](SectionRef* ref, const std::string& bytes) -> base::Status {
    ref->offset = out.offset();
    ref->length = bytes.size();
    ref->crc = common::Crc32c(bytes);
    return out.Append(bytes);
  };
  std::string section;
  EncodePartMeta(meta, &section);
  RETURN_IF_ERROR(write_section(&footer.meta, section));
  section.clear();
  EncodeStreams(o.stream_table, &section);
  RETURN_IF_ERROR(write_section(&footer.streams, section));
  section.clear();
  EncodeColumnNames(column_names_, &section);
  RETURN_IF_ERROR(write_section(&footer.columns, section));
  section.clear();
  EncodeBlockHeaders(o.blocks, &section);
  auto blocks_section = CompressBlocksSection(section);
  if (!blocks_section.ok()) return blocks_section.status();
  RETURN_IF_ERROR(write_section(&footer.blocks, *blocks_section));
  RETURN_IF_ERROR(write_section(&footer.tokens, o.token_index.Finish()));
  section.clear();
  EncodeFooter(footer, &section);
  RETURN_IF_ERROR(out.Append(section));
  RETURN_IF_ERROR(out.SyncAndClose());
  STRATA_FAULT_POINT("part.write.before_rename");
  const std::string final_path = dir + "/" + PartFileName(meta.part_id);
  if (::rename(o.tmp_path.c_str(), final_path.c_str()) != 0) return base::IoError("rename", o.tmp_path, errno);
  RETURN_IF_ERROR(SyncDir(dir));
  STRATA_FAULT_POINT("part.write.after_rename");
  return meta;
}

}  // namespace strata::storage
