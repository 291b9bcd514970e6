#pragma once
// ReplayWal: reads every segment of a WAL directory in order and hands each intact record to a callback.
//
// A torn or corrupt record (short header, length past the end of the file, CRC mismatch, bad segment header) ends
// that segment: the file is truncated at the last intact record with a warning in stats, and replay continues with
// the next segment. Replay never fails on corrupt data; it fails only on I/O errors (unreadable directory).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"

namespace strata::storage::wal {

struct ReplayStats {
  uint64_t segments = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t truncated_segments = 0;
  uint64_t truncated_bytes = 0;        // bytes cut off torn/corrupt tails
  std::vector<std::string> warnings;   // one line per truncation: file, offset, reason
};

// On-disk constants and naming shared by the writer and the reader; docs/format/wal.md is the normative text.
inline constexpr std::string_view kSegmentMagic = "STRATAWL";
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 24;  // magic 8, version u32, seq u64, crc32c u32
inline constexpr size_t kRecordHeaderSize = 8;    // length u32, masked crc32c u32
inline constexpr uint64_t kMaxRecordBytes = 1ull << 30;
inline constexpr std::string_view kSegmentSuffix = ".wal";
inline constexpr std::string_view kCorruptSuffix = ".corrupt";  // appended by replay to a segment with a bad header

// "<seq as 16 lowercase hex digits>.wal"
std::string SegmentFileName(uint64_t seq);
// Accepts exactly the names SegmentFileName() produces.
bool ParseSegmentFileName(std::string_view name, uint64_t* seq);

// fn receives the payload and the segment sequence number it came from.
using ReplayFn = std::function<base::Status(std::string_view payload, uint64_t segment_seq)>;

// Details: segments are read in seq order; a segment whose header is bad is renamed to <name>.corrupt (not
// deleted, so it can be inspected). A directory that does not exist is an empty WAL (OK, nothing replayed).
// stats->bytes counts payload bytes handed to fn. A non-OK status from fn stops replay and is returned as is.
// Single-threaded: do not run concurrently with a WalWriter on the same directory.
// If truncate is false, corrupt tails are reported but files are left alone (for inspection tools).
base::Status ReplayWal(const std::string& dir, const ReplayFn& fn, ReplayStats* stats, bool truncate = true);

}  // namespace strata::storage::wal
