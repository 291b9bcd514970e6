#pragma once
// The on-disk part format (version 1), shared by PartWriter and PartReader. Grammar: docs/format/part.md.
//
// A part is one immutable file holding the rows of one tenant and one UTC day, in blocks of one stream each,
// sorted by time. Column data comes first; then the metadata sections a reader needs to plan (part meta, stream
// table, column names, block headers with per-column stats and blooms, the exact token index); then a fixed-size
// footer locating every section with its CRC. A reader maps the file, checks the footer, and touches column
// bytes only for the blocks and columns a query needs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/model/stream_id.h"
#include "strata/storage/part/column_codec.h"

namespace strata::storage {

inline constexpr char kPartMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'P', 'T'};
inline constexpr char kPartFooterMagic[8] = {'S', 'T', 'R', 'A', 'P', 'E', 'N', 'D'};
inline constexpr uint32_t kPartFormatVersion = 1;
inline constexpr size_t kPartHeaderSize = 16;  // magic, u32 version, u32 flags
// Part flags (header): the block headers section is stored zstd-compressed (CompressBlocksSection). Parts written
// before carry flags 0 and a raw section; a reader refuses other bits.
inline constexpr uint32_t kPartFlagCompressedBlocks = 1;
inline constexpr uint32_t kPartKnownFlags = kPartFlagCompressedBlocks;
inline constexpr uint32_t kMessageColumnId = 0;
inline constexpr const char* kMessageColumnName = "_msg";

enum class ChunkCodec : uint8_t { kNone = 0, kZstd = 1 };

// Block flags (bit set): reserved for AES-256-GCM encryption of the block's chunks (tenancy issue).
inline constexpr uint8_t kBlockFlagEncrypted = 1;
// Every column entry of the block ends with a trigram filter (index/ngram_filter.h; "" = none), and its bloom is
// empty: the part's exact token index answers every token probe. Blocks without the flag (written before) carry
// a bloom and no trigram filter.
inline constexpr uint8_t kBlockFlagTrigramFilter = 2;

// Where a compressed column chunk lives and how to check and decode it.
struct ChunkRef {
  uint64_t offset = 0;
  uint32_t stored_len = 0;  // bytes in the file
  uint32_t raw_len = 0;     // bytes after decompression
  uint32_t crc = 0;         // crc32c of the stored bytes
  ChunkCodec codec = ChunkCodec::kZstd;
};

struct ColumnChunk {
  uint32_t column_id = 0;
  ColumnType type = ColumnType::kRaw;
  ChunkRef chunk;
  ColumnStats stats;
  std::string bloom;  // BloomFilterBuilder output over the column's token hashes (blocks written before trigrams)
  std::string trigrams;  // TrigramFilterBuilder output; only with kBlockFlagTrigramFilter, "" = no filter
};

struct BlockHeader {
  uint32_t stream = 0;  // index into the stream table
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint32_t rows = 0;
  uint8_t flags = 0;
  ChunkRef timestamps;
  std::vector<ColumnChunk> columns;  // message first (column id 0), then fields present in the block

  const ColumnChunk* Find(uint32_t column_id) const {
    for (const auto& c : columns) {
      if (c.column_id == column_id) return &c;
    }
    return nullptr;
  }
};

struct StreamEntry {
  model::StreamId id;
  model::LabelSet labels;
};

struct PartMeta {
  uint64_t part_id = 0;
  std::string tenant;
  uint32_t day = 0;  // yyyymmdd (UTC)
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t rows = 0;
  uint64_t raw_bytes = 0;  // uncompressed message + field + label bytes of the rows
  uint32_t level = 0;      // 0 = flushed from the head; merges produce max(input levels) + 1
  // Every WAL record in segments < wal_seq_end whose rows belong to this tenant and day is in this part or in an
  // older part of the same partition: replay skips them (no duplicates after a crash between flush and WAL cleanup).
  uint64_t wal_seq_end = 0;
  std::vector<uint64_t> replaces;  // parts this one supersedes (a merge's inputs): deleted when found at open
  int64_t created_ns = 0;
};

// Section codecs: each returns DataLoss on malformed input.
void EncodePartMeta(const PartMeta& meta, std::string* out);
base::Result<PartMeta> DecodePartMeta(std::string_view data);
void EncodeStreams(const std::vector<StreamEntry>& streams, std::string* out);
base::Status DecodeStreams(std::string_view data, std::vector<StreamEntry>* out);
void EncodeColumnNames(const std::vector<std::string>& names, std::string* out);
base::Status DecodeColumnNames(std::string_view data, std::vector<std::string>* out);
void EncodeBlockHeaders(const std::vector<BlockHeader>& blocks, std::string* out);
base::Status DecodeBlockHeaders(std::string_view data, std::vector<BlockHeader>* out);
// The stored form of the block headers section under kPartFlagCompressedBlocks: varint raw_len, one zstd frame.
// Block headers (chunk refs, stats, trigram filters) shrink ~3.5x; the reader parses them into memory at open
// anyway, so nothing is probed in place. Decompress: DataLoss on malformed input.
base::Result<std::string> CompressBlocksSection(std::string_view raw);
base::Status DecompressBlocksSection(std::string_view stored, std::string* raw);

// The footer: fixed size, at the end of the file.
struct SectionRef {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint32_t crc = 0;
};
struct PartFooter {
  SectionRef meta, streams, columns, blocks, tokens;
};
inline constexpr size_t kPartFooterSize = 5 * 20 + 4 + 8;  // sections, footer crc, magic
void EncodeFooter(const PartFooter& footer, std::string* out);
base::Result<PartFooter> DecodeFooter(std::string_view data);  // data = the last kPartFooterSize bytes

// "0000000000000001.part"; parses back the id (false for other names, including temporaries).
std::string PartFileName(uint64_t part_id);
bool ParsePartFileName(std::string_view name, uint64_t* part_id);
inline constexpr const char* kPartTempPrefix = ".tmp-";

}  // namespace strata::storage
