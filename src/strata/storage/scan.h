#pragma once
// The storage engine's one read interface (the query engine, export and deletes all use it).
//
// A ScanRequest names a tenant, a time range, stream matchers (on labels) and predicates (on the message or
// fields, ANDed). The engine prunes by time (partitions, parts, blocks), by stream (matchers resolved against each
// part's stream table), by the exact token index and by blooms and column min/max, then decodes only the columns
// needed, evaluates the predicates row by row, and hands matching rows to the visitor as column batches.
//
// Order and limit: batches come block by block, blocks ordered by time in the requested direction (newest-first:
// by max timestamp descending). Rows inside a batch are in the requested direction. Blocks of different streams
// overlap in time, so batches are not globally sorted; with a limit, the engine stops once `limit` rows were
// emitted and no remaining block can hold a row that would be among the first `limit` in the requested order.
// The visitor merges (the query engine does a k-way merge / top-N).
//
// Bounds: `cancel` is polled between blocks; `memory_budget_bytes` bounds the decoded bytes held at once
// (ResourceExhausted above it); `deadline` (steady clock) gives DeadlineExceeded.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/storage/part/string_column.h"

namespace re2 {
class RE2;
}

namespace strata::storage {

struct LabelMatcher {
  enum class Op { kEq, kNeq, kRegex, kNotRegex };
  std::string name;
  Op op = Op::kEq;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;  // compiled, fully anchored, for kRegex/kNotRegex (MakeLabelMatcher)

  bool Matches(const model::LabelSet& labels) const;
};
// Compiles regexes with RE2 (linear time); InvalidArgument on a bad pattern.
base::Result<LabelMatcher> MakeLabelMatcher(std::string name, LabelMatcher::Op op, std::string value);

inline constexpr const char* kMessageField = "_msg";

struct Predicate {
  enum class Kind {
    kContainsToken,  // the value holds this whole token (index-prunable)
    kSubstring,      // the value contains this substring (pruned by the complete tokens inside it)
    kNotSubstring,
    kRegex,          // RE2 partial match
    kNotRegex,
    kEquals,         // the whole value equals (pruned by its tokens); "" matches absent fields
    kNotEquals,
    kLess, kLessEqual, kGreater, kGreaterEqual,  // numeric comparison (pruned by column min/max)
  };
  Kind kind = Kind::kSubstring;
  std::string field = kMessageField;  // "_msg" or a field name
  std::string value;
  bool case_insensitive = false;
  double number = 0;                       // for comparisons
  // For comparisons: a present value that is not a plain decimal number ([+-]digits[.digits][e[+-]digits]) matches
  // too, and only absent values and numbers comparing false are dropped. This is the necessary condition of a Loki
  // numeric label filter, which keeps an unparsable value with __error__ for its pipeline to judge; block pruning
  // by min/max then trusts only integer and float columns (whose every value is such a number).
  bool non_numbers_match = false;
  std::shared_ptr<const re2::RE2> regex;   // for kRegex/kNotRegex (MakePredicate)

  bool Matches(std::string_view v) const;
};
base::Result<Predicate> MakePredicate(Predicate::Kind kind, std::string field, std::string value,
                                      bool case_insensitive = false);

enum class Direction { kBackward, kForward };  // kBackward = newest first

struct RowBatch;

struct ScanRequest {
  std::string tenant;
  int64_t from = INT64_MIN;  // inclusive, ns
  int64_t to = INT64_MAX;    // inclusive, ns
  std::vector<LabelMatcher> matchers;
  std::vector<Predicate> predicates;
  Direction direction = Direction::kBackward;
  uint64_t limit = 0;  // 0 = no limit
  bool all_fields = true;                 // decode every field of matching rows
  std::vector<std::string> fields;        // else only these
  // false: RowBatch::messages is left empty (counting queries need no message column); predicates on the
  // message are still evaluated.
  bool need_message = true;
  // A bound the visitor tightens while it runs (a query's top-N boundary): backward scans skip units whose max
  // timestamp is below it, forward scans units whose min timestamp is above it. Units are sorted, so the scan
  // ends at the first such unit. Rows strictly beyond it are not emitted either.
  const std::atomic<int64_t>* cutoff_ns = nullptr;
  // Runs on the scan's worker threads on every batch before it is emitted (concurrently for different batches):
  // the query engine runs its pipelines here so they use every core, and leaves its result in
  // RowBatch::prepared for the visitor, which still sees batches in order on the calling thread.
  std::function<void(RowBatch& batch)> prepare;
  // Counting without reading: when set, a part block whose rows all lie in [from, to], that no predicate, delete
  // request or requested field column concerns, and for which whole_block(min_ts, max_ts) says yes, is emitted as
  // a RowBatch with no rows and whole_block_rows = its row count (no column is decoded). Called on scan workers.
  std::function<bool(int64_t min_ts, int64_t max_ts)> whole_block;
  const std::atomic<bool>* cancel = nullptr;
  uint64_t memory_budget_bytes = 256ull << 20;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Matching rows of one block (or head batch), one stream.
struct RowBatch {
  const model::LabelSet* labels = nullptr;
  std::vector<int64_t> timestamps;
  StringColumn messages;
  std::vector<std::pair<std::string, StringColumn>> fields;  // each with one value per row ("" = absent)
  std::shared_ptr<void> prepared;  // what ScanRequest::prepare made of this batch on the worker
  // A block counted from its header (ScanRequest::whole_block): this many rows in [block_min_ts, block_max_ts],
  // and no row data.
  uint64_t whole_block_rows = 0;
  int64_t block_min_ts = 0;
  int64_t block_max_ts = 0;
  size_t size() const { return timestamps.size(); }
};

struct ScanStats {
  uint64_t parts = 0;
  uint64_t blocks_total = 0;
  uint64_t blocks_pruned_by_time = 0;
  uint64_t blocks_pruned_by_stream = 0;
  uint64_t blocks_pruned_by_token_index = 0;
  uint64_t blocks_pruned_by_bloom_or_minmax = 0;
  uint64_t blocks_read = 0;
  uint64_t head_batches_read = 0;
  uint64_t rows_scanned = 0;
  uint64_t rows_matched = 0;
  uint64_t bytes_decompressed = 0;
  uint64_t rows_hidden_by_deletes = 0;
  uint64_t corrupt_blocks = 0;  // skipped after a checksum failure (logged and counted in metrics)
  uint64_t blocks_counted_from_headers = 0;  // ScanRequest::whole_block
};

// Return false to stop the scan early.
using RowBatchVisitor = std::function<bool(const RowBatch& batch)>;

// One stream with rows in a time range, with index-level estimates (blocks overlapping the range count whole).
struct StreamSummary {
  model::LabelSet labels;
  uint64_t entries = 0;
  uint64_t bytes = 0;   // uncompressed message bytes
  uint64_t chunks = 0;  // blocks (head batches count one per stream)
};

}  // namespace strata::storage
