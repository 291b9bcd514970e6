#pragma once
// WalWriter: the segmented, group-committing write-ahead log. Format: docs/format/wal.md.
//
// Ownership and threads: one WalWriter per data directory. Append() may be called from any thread; a single
// background writer thread takes every record queued since its last round (a *group*), writes the group with one
// write() to the current segment, and makes it durable per the fsync policy with one fdatasync(); then it calls
// each record's completion callback, in append order, on the writer thread. Callbacks must be cheap and must not
// call back into the writer (post work elsewhere instead).
//
// Durability: with FsyncPolicy::kBatch a callback with OK status means the record is on stable storage. With
// kInterval the callback runs after write() (data in the OS page cache, survives a process crash but not a power
// loss until the next periodic fdatasync, at most interval_ms later). With kNone the OS decides.
//
// Segments: files <dir>/<seq:016x>.wal. A new segment starts when the current one would exceed segment_bytes, and
// on every Open() (a restarted writer never appends to a segment that may have a torn tail). Segments are never
// deleted by the writer; DeleteSegmentsBefore() is called by the storage engine once their data is in parts.
//
// Back-pressure: Append() never blocks; it returns ResourceExhausted when the bytes queued but not yet durable
// exceed max_pending_bytes, and Unavailable after Close().
//
// Details the lead and callers rely on (docs/format/wal.md has the on-disk side):
//  - Rotation happens before a group, never inside one: when the current segment has reached segment_bytes, the
//    next group starts a new segment. A segment therefore exceeds segment_bytes by at most one group, and a group
//    larger than segment_bytes still goes to a single segment.
//  - Pending bytes count each record as payload + 8 framing bytes, from Append() until its callback returned.
//    An Append() into an empty queue is always admitted (so a record larger than the budget is not refused
//    forever); otherwise it is refused if pending + this record would exceed max_pending_bytes.
//  - Payloads over 1 GiB are refused with InvalidArgument.
//  - On an I/O error (write, fdatasync, segment creation) every callback of that group gets the error, and the
//    writer latches it: later groups' callbacks and later Append() calls return the same error. There is no
//    retry (after a failed fdatasync the kernel may have dropped the pages). Close() returns the latched error.
//  - Threads: completion callbacks and all WalObserver calls run on the writer thread, except
//    OnSegmentCreated()/OnFsync() for the first segment, which run inside Open() on the caller's thread.
//    Close() must not be called from a callback (it returns Internal instead of deadlocking).
//  - Fault points (strata/base/fault_point.h): wal.rotate.before_create, wal.rotate.after_create,
//    wal.rotate.after_header (also passed when Open() creates its first segment), wal.group.before_write,
//    wal.group.after_write, wal.group.after_sync.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "strata/base/status.h"

namespace strata::storage::wal {

enum class FsyncPolicy { kBatch, kInterval, kNone };

// "batch" | "interval" | "none"
base::Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text);
std::string_view FsyncPolicyName(FsyncPolicy policy);

struct WalOptions {
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  int64_t fsync_interval_ms = 100;
  uint64_t segment_bytes = 64ull << 20;
  uint64_t max_pending_bytes = 256ull << 20;
};

// Receives the writer's measurements (the storage probe exports them as metrics). Called on the writer thread.
class WalObserver {
 public:
  virtual ~WalObserver() = default;
  virtual void OnGroupWritten(size_t records, size_t bytes) = 0;
  virtual void OnFsync(double seconds) = 0;
  virtual void OnSegmentCreated(uint64_t seq) = 0;
};

class WalWriter {
 public:
  using Callback = std::function<void(const base::Status&)>;

  // Creates dir if needed and starts a new segment numbered after the highest existing one.
  // observer may be null; it must outlive the writer.
  static base::Result<std::unique_ptr<WalWriter>> Open(const WalOptions& options, WalObserver* observer);

  virtual ~WalWriter() = default;

  // Queues one record (payload is opaque to the WAL). done is called exactly once unless Append returns an error.
  virtual base::Status Append(std::string payload, Callback done) = 0;
  // The same without taking the bytes: payload must stay valid and unchanged until done has been called (or
  // Append returned an error). The storage engine hands over a view of the head's copy, so a batch is kept once.
  virtual base::Status AppendView(std::string_view payload, Callback done) = 0;

  // Writes and fsyncs everything queued, completes all callbacks, stops the thread. Idempotent.
  virtual base::Status Close() = 0;

  // Sequence number of the segment currently appended to.
  virtual uint64_t CurrentSegment() const = 0;

  // Bytes queued and not yet completed.
  virtual uint64_t PendingBytes() const = 0;

  // Starts a new segment (unless the current one holds no record yet) and returns the sequence number of the
  // segment appended to afterwards. Every record whose callback has run before this returns lives in a segment
  // below the returned number: the storage engine flushes those to parts, then deletes the segments.
  // Runs on the writer thread between groups; blocks the caller until done.
  virtual base::Result<uint64_t> RotateNow() = 0;

  // Deletes segments with seq < seq (never the current one).
  virtual base::Status DeleteSegmentsBefore(uint64_t seq) = 0;
};

}  // namespace strata::storage::wal
