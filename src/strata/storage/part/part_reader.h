#pragma once
// PartReader: read access to one part file (docs/format/part.md). Open() maps the file, checks the footer and the
// CRC of every metadata section, and parses the stream table, column names and block headers into memory (they
// are small: a few dozen bytes per block); column chunks stay on disk (in the page cache) until a query asks for
// them, and each chunk's CRC is checked when it is read. The token index is probed in place.
//
// Lifetime: shared_ptr-owned; the mapping stays valid while any holder (a scan) keeps it, even after a merge
// unlinked the file. Thread-safety: immutable after Open; all methods are safe from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/base/status.h"
#include "strata/storage/index/token_index.h"
#include "strata/storage/part/part_format.h"
#include "strata/storage/part/string_column.h"

namespace strata::storage {

class PartReader {
 public:
  static base::Result<std::shared_ptr<const PartReader>> Open(const std::string& path);
  ~PartReader();
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  const std::string& path() const { return path_; }
  uint64_t file_size() const { return size_; }
  const PartMeta& meta() const { return meta_; }
  const std::vector<StreamEntry>& streams() const { return streams_; }
  const std::vector<std::string>& column_names() const { return column_names_; }
  const std::vector<BlockHeader>& blocks() const { return blocks_; }
  const index::TokenIndexReader& tokens() const { return tokens_; }
  const PartFooter& footer() const { return footer_; }

  // The part's stream index: the streams (indexes into streams()) carrying label name=value, ascending; null
  // when none does. Built at Open from the stream table.
  const std::vector<uint32_t>* StreamsWithLabel(std::string_view name, std::string_view value) const;

  // Column id of a name, or -1 when no block of the part has the column.
  int64_t ColumnId(std::string_view name) const;

  base::Status ReadTimestamps(uint32_t block, std::vector<int64_t>* out) const;
  // Appends the block's values of a column; a column absent from the block yields `rows` empty values.
  base::Status ReadColumn(uint32_t block, uint32_t column_id, StringColumn* out) const;
  // ReadColumn for the rows a scan still selects (DecodeColumnRows): appends `rows` values, those of wanted_rows
  // and "" for the others, which are decompressed but not materialised.
  base::Status ReadColumnRows(uint32_t block, uint32_t column_id, const std::vector<uint32_t>& wanted_rows,
                              StringColumn* out) const;
  // The block's values of a uint/int/float column as numbers (DecodeColumnNumbers: NaN for empty rows, *exact
  // false and nothing appended when the chunk's encoding does not allow it); an absent column yields `rows` NaNs.
  base::Status ReadColumnNumbers(uint32_t block, uint32_t column_id, std::vector<double>* out, bool* exact) const;

 private:
  PartReader() = default;
  base::Result<std::string> ReadChunk(const ChunkRef& ref) const;
  base::Status ReadColumnImpl(uint32_t block, uint32_t column_id, const std::vector<uint32_t>* wanted_rows,
                              StringColumn* out) const;

  std::string path_;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  PartFooter footer_;
  PartMeta meta_;
  std::vector<StreamEntry> streams_;
  std::vector<std::string> column_names_;
  std::vector<BlockHeader> blocks_;
  index::TokenIndexReader tokens_;
  std::unordered_map<std::string, std::vector<uint32_t>> label_index_;  // "name\0value" -> stream indexes
};

}  // namespace strata::storage
