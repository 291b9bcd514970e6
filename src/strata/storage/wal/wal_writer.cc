#include "strata/storage/wal/wal_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "strata/base/fault_point.h"
#include "strata/common/coding.h"
#include "strata/common/crc32c.h"
#include "strata/storage/wal/wal_reader.h"

namespace strata::storage::wal {

using base::IoError;
using base::Result;
using base::Status;

Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  if (text == "batch") return FsyncPolicy::kBatch;
  if (text == "interval") return FsyncPolicy::kInterval;
  if (text == "none") return FsyncPolicy::kNone;
  return base::InvalidArgument("unknown WAL fsync policy '" + std::string(text) +
                               "' (expected batch, interval or none)");
}

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kBatch:
      return "batch";
    case FsyncPolicy::kInterval:
      return "interval";
    case FsyncPolicy::kNone:
      return "none";
  }
  return "unknown";
}

namespace {

using SteadyClock = std::chrono::steady_clock;

struct PendingRecord {
  std::string owned;         // the payload when Append took it
  std::string_view borrowed;  // the payload when AppendView lent it (owned stays empty)
  bool is_borrowed = false;
  WalWriter::Callback done;
  uint64_t bytes = 0;  // framed size, as counted in pending_bytes_

  std::string_view payload() const { return is_borrowed ? borrowed : std::string_view(owned); }
};

// write(2) may write less than asked (signals, quotas, a full disk part-way through); loop until done or error.
Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// writev(2) in slices of at most IOV_MAX buffers, resuming after short writes like WriteAll.
Status WriteAllGathered(int fd, std::vector<iovec>& iov, const std::string& path) {
  size_t next = 0;
  while (next < iov.size()) {
    const int count = static_cast<int>(std::min<size_t>(iov.size() - next, IOV_MAX));
    ssize_t w = ::writev(fd, iov.data() + next, count);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    auto left = static_cast<size_t>(w);
    while (next < iov.size() && left >= iov[next].iov_len) {
      left -= iov[next].iov_len;
      ++next;
    }
    if (left > 0) {
      iov[next].iov_base = static_cast<char*>(iov[next].iov_base) + left;
      iov[next].iov_len -= left;
    }
  }
  return Status::Ok();
}

Status FsyncDirFd(int dir_fd, const std::string& dir) {
  if (::fsync(dir_fd) != 0) return IoError("fsync", dir, errno);
  return Status::Ok();
}

Status SyncParentOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open", parent, errno);
  Status st = FsyncDirFd(fd, parent);
  ::close(fd);
  return st;
}

// mkdir -p. Each directory we create is made durable in its parent, or a power cut could lose the whole WAL.
Status MakeDirs(const std::string& dir) {
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    std::string prefix = dir.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0755) == 0) {
      RETURN_IF_ERROR(SyncParentOf(prefix));
    } else if (errno != EEXIST) {
      return IoError("mkdir", prefix, errno);
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return IoError("stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return base::InvalidArgument("WAL dir " + dir + " is not a directory");
  return Status::Ok();
}

// Lists "<seq>.wal" files; with include_corrupt also "<seq>.wal.corrupt" (replay renamed them, but their numbers
// stay taken so a new segment never reuses a name next to a quarantined file).
Status ListSegmentSeqs(const std::string& dir, bool include_corrupt, std::vector<uint64_t>* seqs) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return IoError("opendir", dir, errno);
  errno = 0;
  while (struct dirent* entry = ::readdir(d)) {
    std::string_view name(entry->d_name);
    if (include_corrupt && name.size() > kCorruptSuffix.size() &&
        name.substr(name.size() - kCorruptSuffix.size()) == kCorruptSuffix) {
      name.remove_suffix(kCorruptSuffix.size());
    }
    uint64_t seq;
    if (ParseSegmentFileName(name, &seq)) seqs->push_back(seq);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return IoError("readdir", dir, err);
  return Status::Ok();
}

class WalWriterImpl final : public WalWriter {
 public:
  WalWriterImpl(const WalOptions& options, WalObserver* observer, int dir_fd)
      : options_(options),
        observer_(observer),
        dir_fd_(dir_fd),
        interval_(std::chrono::milliseconds(options.fsync_interval_ms)) {}

  ~WalWriterImpl() override {
    (void)Close();
    if (fd_ >= 0) ::close(fd_);  // only if Start() failed before the thread took ownership
    ::close(dir_fd_);
  }

  // Creates the first segment on the caller's thread (so Open() reports a bad directory synchronously), then
  // starts the writer thread.
  Status Start(uint64_t first_seq) {
    RETURN_IF_ERROR(CreateSegment(first_seq));
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error& e) {
      return base::Internal(std::string("cannot start WAL writer thread: ") + e.what());
    }
    return Status::Ok();
  }

  Status Append(std::string payload, Callback done) override {
    PendingRecord record;
    record.owned = std::move(payload);
    return Enqueue(std::move(record), std::move(done));
  }

  Status AppendView(std::string_view payload, Callback done) override {
    PendingRecord record;
    record.borrowed = payload;
    record.is_borrowed = true;
    return Enqueue(std::move(record), std::move(done));
  }

  Status Enqueue(PendingRecord record, Callback done) {
    const size_t payload_size = record.payload().size();
    if (payload_size > kMaxRecordBytes) {
      return base::InvalidArgument("WAL record of " + std::to_string(payload_size) +
                                   " bytes exceeds the maximum of " + std::to_string(kMaxRecordBytes));
    }
    uint64_t bytes = payload_size + kRecordHeaderSize;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return base::Unavailable("WAL writer is closed");
      if (!failed_.ok()) return failed_;
      uint64_t pending = pending_bytes_.load(std::memory_order_relaxed);
      // An empty queue always admits one record, so a record bigger than the budget is slow, not impossible.
      if (pending > 0 && pending + bytes > options_.max_pending_bytes) {
        return base::ResourceExhausted("WAL pending bytes over budget (" + std::to_string(pending) + " + " +
                                       std::to_string(bytes) + " > " +
                                       std::to_string(options_.max_pending_bytes) + "), retry later");
      }
      pending_bytes_.fetch_add(bytes, std::memory_order_relaxed);
      record.done = std::move(done);
      record.bytes = bytes;
      queue_.push_back(std::move(record));
    }
    cv_.notify_one();
    return Status::Ok();
  }

  Status Close() override {
    if (thread_.joinable() && std::this_thread::get_id() == thread_.get_id()) {
      return base::Internal("WalWriter::Close called from a completion callback");
    }
    std::lock_guard<std::mutex> close_lock(close_mu_);
    if (closed_) return close_status_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    rotate_cv_.notify_all();
    closed_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    close_status_ = failed_;
    return close_status_;
  }

  uint64_t CurrentSegment() const override { return current_seq_.load(std::memory_order_acquire); }

  base::Result<uint64_t> RotateNow() override {
    if (thread_.joinable() && std::this_thread::get_id() == thread_.get_id()) {
      return base::Internal("WalWriter::RotateNow called from a completion callback");
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (closing_) return base::Unavailable("WAL writer is closed");
    uint64_t ticket = ++rotate_requested_;
    cv_.notify_one();
    rotate_cv_.wait(lock, [&] { return rotate_done_ >= ticket || closing_; });
    if (!failed_.ok()) return failed_;
    if (rotate_done_ < ticket) return base::Unavailable("WAL writer closed during rotation");
    return CurrentSegment();
  }
  uint64_t PendingBytes() const override { return pending_bytes_.load(std::memory_order_relaxed); }

  Status DeleteSegmentsBefore(uint64_t seq) override {
    std::vector<uint64_t> seqs;
    RETURN_IF_ERROR(ListSegmentSeqs(options_.dir, /*include_corrupt=*/false, &seqs));
    uint64_t current = CurrentSegment();
    bool deleted = false;
    for (uint64_t s : seqs) {
      if (s >= seq || s >= current) continue;
      std::string path = options_.dir + "/" + SegmentFileName(s);
      if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) continue;  // a concurrent call got it first
        return IoError("unlink", path, errno);
      }
      deleted = true;
    }
    if (deleted) RETURN_IF_ERROR(FsyncDirFd(dir_fd_, options_.dir));
    return Status::Ok();
  }

 private:
  void Run() {
    std::vector<PendingRecord> group;
    for (;;) {
      bool closing;
      {
        std::unique_lock<std::mutex> lock(mu_);
        auto has_work = [this] { return !queue_.empty() || closing_ || rotate_requested_ > rotate_done_; };
        if (options_.fsync == FsyncPolicy::kInterval && unsynced_) {
          // Wake up by ourselves when the interval is due, even if no one appends again.
          cv_.wait_until(lock, last_sync_ + interval_, has_work);
        } else {
          cv_.wait(lock, has_work);
        }
        group.swap(queue_);
        closing = closing_;  // Append refuses once closing_ is set, so this swap drained the last records
      }
      if (!group.empty()) {
        ProcessGroup(group);
        group.clear();
      }
      if (options_.fsync == FsyncPolicy::kInterval && unsynced_ && SteadyClock::now() - last_sync_ >= interval_) {
        Status st = SyncCurrent();
        if (!st.ok()) Fail(st);
      }
      HandleRotationRequests();
      if (closing) break;
    }
    // Close(): whatever the policy, leave the last segment durable.
    if (fd_ >= 0) {
      if (FailedStatus().ok()) {
        Status st = SyncCurrent();
        if (!st.ok()) Fail(st);
      }
      if (::close(fd_) != 0 && FailedStatus().ok()) Fail(IoError("close", path_, errno));
      fd_ = -1;
    }
  }

  // Serves RotateNow(): rotation happens after the group just processed ran its callbacks.
  void HandleRotationRequests() {
    uint64_t requested;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requested = rotate_requested_;
      if (requested == rotate_done_) return;
    }
    if (FailedStatus().ok() && segment_size_ > kSegmentHeaderSize) {
      Status st = Rotate();
      if (!st.ok()) Fail(st);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      rotate_done_ = requested;
    }
    rotate_cv_.notify_all();
  }

  void ProcessGroup(std::vector<PendingRecord>& group) {
    Status st = FailedStatus();
    if (st.ok()) {
      // No exception may leave the writer thread (it would terminate the process); the only plausible one is
      // running out of memory framing a huge group.
      try {
        st = WriteGroup(group);
      } catch (const std::bad_alloc&) {
        st = base::ResourceExhausted("WAL out of memory writing a group of " + std::to_string(group.size()) +
                                     " records");
        Fail(st);
      }
    }
    // Named for kBatch, where the group is durable here; with the other policies it is "written, not yet acked".
    if (st.ok()) STRATA_FAULT_POINT("wal.group.after_sync");
    for (auto& record : group) {
      if (record.done) record.done(st);
      pending_bytes_.fetch_sub(record.bytes, std::memory_order_relaxed);
    }
  }

  // One gathered write (the record headers here, the payloads where they are: no copy), at most one fdatasync for
  // the whole group: this is what makes group commit cheap.
  Status WriteGroup(std::vector<PendingRecord>& group) {
    std::string headers;
    headers.reserve(group.size() * kRecordHeaderSize);
    size_t total = 0;
    for (const auto& record : group) {
      const std::string_view payload = record.payload();
      const size_t header_at = headers.size();
      common::PutFixed32(headers, static_cast<uint32_t>(payload.size()));
      uint32_t crc = common::Crc32c(0, headers.data() + header_at, 4);
      crc = common::Crc32c(crc, payload.data(), payload.size());
      common::PutFixed32(headers, common::Crc32cMask(crc));
      total += record.bytes;
    }
    std::vector<iovec> iov;
    iov.reserve(group.size() * 2);
    for (size_t i = 0; i < group.size(); ++i) {
      const std::string_view payload = group[i].payload();
      iov.push_back({headers.data() + i * kRecordHeaderSize, kRecordHeaderSize});
      if (!payload.empty()) iov.push_back({const_cast<char*>(payload.data()), payload.size()});
    }

    // Rotate before, never inside, a group: the group lands in one segment, which may overshoot segment_bytes.
    if (segment_size_ >= options_.segment_bytes) {
      Status st = Rotate();
      if (!st.ok()) {
        Fail(st);
        return st;
      }
    }

    STRATA_FAULT_POINT("wal.group.before_write");
    Status st = WriteAllGathered(fd_, iov, path_);
    if (!st.ok()) {
      // The segment may now end in a partial record; replay truncates it. Never write to it again.
      Fail(st);
      return st;
    }
    segment_size_ += total;
    unsynced_ = true;
    STRATA_FAULT_POINT("wal.group.after_write");
    if (observer_ != nullptr) observer_->OnGroupWritten(group.size(), total);

    // kInterval syncs in Run() after the callbacks, which only wait for write() under that policy.
    if (options_.fsync == FsyncPolicy::kBatch) {
      st = SyncCurrent();
      if (!st.ok()) {
        // After a failed fdatasync the kernel may have dropped the dirty pages; retrying could report a false
        // success, so the writer stays failed.
        Fail(st);
        return st;
      }
    }
    return Status::Ok();
  }

  // New segment first (created, header durable, directory entry durable), then retire the old one.
  Status Rotate() {
    int old_fd = fd_;
    std::string old_path = path_;
    fd_ = -1;
    Status st = CreateSegment(CurrentSegment() + 1);
    Status old_st = SyncFd(old_fd, old_path);
    ::close(old_fd);
    RETURN_IF_ERROR(st);
    return old_st;
  }

  Status CreateSegment(uint64_t seq) {
    STRATA_FAULT_POINT("wal.rotate.before_create");
    std::string path = options_.dir + "/" + SegmentFileName(seq);
    // O_EXCL: a segment is written by exactly one writer, from its header on, never reopened for append.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return IoError("create", path, errno);
    STRATA_FAULT_POINT("wal.rotate.after_create");

    std::string header;
    header.reserve(kSegmentHeaderSize);
    header.append(kSegmentMagic);
    common::PutFixed32(header, kFormatVersion);
    common::PutFixed64(header, seq);
    common::PutFixed32(header, common::Crc32c(0, header.data(), header.size()));
    Status st = WriteAll(fd, header.data(), header.size(), path);
    if (st.ok()) st = SyncFd(fd, path);
    if (st.ok()) st = FsyncDirFd(dir_fd_, options_.dir);
    if (!st.ok()) {
      ::close(fd);
      return st;
    }
    STRATA_FAULT_POINT("wal.rotate.after_header");

    fd_ = fd;
    path_ = std::move(path);
    segment_size_ = kSegmentHeaderSize;
    unsynced_ = false;
    last_sync_ = SteadyClock::now();
    current_seq_.store(seq, std::memory_order_release);
    if (observer_ != nullptr) observer_->OnSegmentCreated(seq);
    return Status::Ok();
  }

  Status SyncFd(int fd, const std::string& path) {
    auto start = SteadyClock::now();
    int rc;
    do {
      rc = ::fdatasync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return IoError("fdatasync", path, errno);
    if (observer_ != nullptr) {
      observer_->OnFsync(std::chrono::duration<double>(SteadyClock::now() - start).count());
    }
    return Status::Ok();
  }

  Status SyncCurrent() {
    RETURN_IF_ERROR(SyncFd(fd_, path_));
    unsynced_ = false;
    last_sync_ = SteadyClock::now();
    return Status::Ok();
  }

  // Latches the first error: every later Append() and group fails with it rather than pretending to succeed.
  void Fail(const Status& st) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_.ok()) failed_ = st;
  }

  Status FailedStatus() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }

  const WalOptions options_;
  WalObserver* const observer_;
  const int dir_fd_;  // for fsync of directory entries
  const std::chrono::milliseconds interval_;

  std::mutex mu_;
  std::condition_variable cv_;            // signals the writer thread: records queued or closing
  std::vector<PendingRecord> queue_;      // guarded by mu_
  bool closing_ = false;                  // guarded by mu_
  std::condition_variable rotate_cv_;     // signals RotateNow() callers
  uint64_t rotate_requested_ = 0;         // guarded by mu_: RotateNow() tickets issued
  uint64_t rotate_done_ = 0;              // guarded by mu_: tickets served
  Status failed_;                         // guarded by mu_; first I/O error, sticky

  std::atomic<uint64_t> pending_bytes_{0};
  std::atomic<uint64_t> current_seq_{0};

  // Owned by the writer thread (and by Start() before the thread exists).
  int fd_ = -1;
  std::string path_;
  uint64_t segment_size_ = 0;
  bool unsynced_ = false;  // bytes written since the last fdatasync
  SteadyClock::time_point last_sync_;

  std::mutex close_mu_;  // serializes Close() callers
  bool closed_ = false;  // guarded by close_mu_
  Status close_status_;  // guarded by close_mu_
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<WalWriter>> WalWriter::Open(const WalOptions& options, WalObserver* observer) {
  if (options.dir.empty()) return base::InvalidArgument("WAL dir is empty");
  if (options.segment_bytes == 0) return base::InvalidArgument("WAL segment_bytes must be > 0");
  if (options.fsync == FsyncPolicy::kInterval && options.fsync_interval_ms <= 0) {
    return base::InvalidArgument("WAL fsync_interval_ms must be > 0 with the interval policy");
  }
  RETURN_IF_ERROR(MakeDirs(options.dir));

  std::vector<uint64_t> seqs;
  RETURN_IF_ERROR(ListSegmentSeqs(options.dir, /*include_corrupt=*/true, &seqs));
  uint64_t highest = 0;
  for (uint64_t s : seqs) highest = std::max(highest, s);

  int dir_fd = ::open(options.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return IoError("open", options.dir, errno);
  auto writer = std::make_unique<WalWriterImpl>(options, observer, dir_fd);
  RETURN_IF_ERROR(writer->Start(highest + 1));
  return std::unique_ptr<WalWriter>(std::move(writer));
}

}  // namespace strata::storage::wal
