#include "strata/storage/wal/wal_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "strata/common/coding.h"
#include "strata/common/crc32c.h"

namespace strata::storage::wal {
namespace {

using base::IoError;
using base::Status;

// Closes a file descriptor on scope exit; replay has many early returns.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// Segments are bounded (~segment_bytes plus one group), so reading a whole file is simpler than mmap and avoids
// SIGBUS if the file shrinks under us.
Status ReadWholeFile(int fd, const std::string& path, std::string* out) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return IoError("fstat", path, errno);
  out->clear();
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::pread(fd, out->data() + done, out->size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (n == 0) break;  // shrank since fstat: replay what is there
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open", dir, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return IoError("fsync", dir, errno);
  return Status::Ok();
}

// Returns an empty string when the header is valid, else the reason.
std::string CheckSegmentHeader(std::string_view data, uint64_t expected_seq) {
  if (data.size() < kSegmentHeaderSize) {
    return "short segment header (" + std::to_string(data.size()) + " bytes)";
  }
  if (data.substr(0, kSegmentMagic.size()) != kSegmentMagic) return "bad segment magic";
  uint32_t stored_crc = common::DecodeFixed32(data.data() + 20);
  if (common::Crc32c(0, data.data(), 20) != stored_crc) return "segment header checksum mismatch";
  uint32_t version = common::DecodeFixed32(data.data() + 8);
  if (version != kFormatVersion) return "unsupported segment format version " + std::to_string(version);
  uint64_t seq = common::DecodeFixed64(data.data() + 12);
  if (seq != expected_seq) return "segment header seq " + std::to_string(seq) + " does not match file name";
  return {};
}

struct SegmentResult {
  size_t good_end = 0;  // offset just past the last intact record
  std::string reason;   // empty when the whole file was intact
};

// Walks the records after the header. Stops at the first torn or corrupt one.
Status ReplayRecords(std::string_view data, uint64_t seq, const ReplayFn& fn, ReplayStats* stats,
                     SegmentResult* result) {
  size_t off = kSegmentHeaderSize;
  while (off < data.size()) {
    size_t remaining = data.size() - off;
    if (remaining < kRecordHeaderSize) {
      result->reason = "short record header";
      break;
    }
    const char* header = data.data() + off;
    uint32_t length = common::DecodeFixed32(header);
    uint32_t stored = common::Crc32cUnmask(common::DecodeFixed32(header + 4));
    if (length > kMaxRecordBytes) {
      result->reason = "record length " + std::to_string(length) + " over the maximum";
      break;
    }
    if (length > remaining - kRecordHeaderSize) {
      result->reason = "record length " + std::to_string(length) + " exceeds the remaining " +
                       std::to_string(remaining - kRecordHeaderSize) + " bytes";
      break;
    }
    std::string_view payload = data.substr(off + kRecordHeaderSize, length);
    uint32_t crc = common::Crc32c(0, header, 4);
    crc = common::Crc32c(crc, payload.data(), payload.size());
    if (crc != stored) {
      result->reason = "record checksum mismatch";
      break;
    }
    RETURN_IF_ERROR(fn(payload, seq));
    stats->records++;
    stats->bytes += length;
    off += kRecordHeaderSize + length;
  }
  result->good_end = off;
  return Status::Ok();
}

}  // namespace

std::string SegmentFileName(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(seq));
  return std::string(buf) + std::string(kSegmentSuffix);
}

bool ParseSegmentFileName(std::string_view name, uint64_t* seq) {
  if (name.size() != 16 + kSegmentSuffix.size() || name.substr(16) != kSegmentSuffix) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; ++i) {
    char c = name[i];
    uint64_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    v = (v << 4) | digit;
  }
  *seq = v;
  return true;
}

Status ReplayWal(const std::string& dir, const ReplayFn& fn, ReplayStats* stats, bool truncate) {
  ReplayStats local;
  if (stats == nullptr) stats = &local;

  std::vector<std::pair<uint64_t, std::string>> segments;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::Ok();  // never written: nothing to replay
    return IoError("opendir", dir, errno);
  }
  errno = 0;
  while (struct dirent* entry = ::readdir(d)) {
    uint64_t seq;
    if (ParseSegmentFileName(entry->d_name, &seq)) segments.emplace_back(seq, entry->d_name);
  }
  int read_errno = errno;
  ::closedir(d);
  if (read_errno != 0) return IoError("readdir", dir, read_errno);
  std::sort(segments.begin(), segments.end());

  std::string data;
  for (const auto& [seq, name] : segments) {
    std::string path = dir + "/" + name;
    int fd = ::open(path.c_str(), (truncate ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return IoError("open", path, errno);
    FdCloser closer(fd);
    RETURN_IF_ERROR(ReadWholeFile(fd, path, &data));
    stats->segments++;

    std::string bad_header = CheckSegmentHeader(data, seq);
    if (!bad_header.empty()) {
      // Nothing in a segment can be trusted without its header. Keep the bytes for inspection but move them out
      // of the way, so the next replay and the writer's numbering skip this file.
      stats->truncated_segments++;
      stats->truncated_bytes += data.size();
      std::string warning = path + ": " + bad_header + " at offset 0, ";
      if (truncate) {
        std::string corrupt_path = path + std::string(kCorruptSuffix);
        if (::rename(path.c_str(), corrupt_path.c_str()) != 0) return IoError("rename", path, errno);
        RETURN_IF_ERROR(SyncDir(dir));
        warning += "truncated " + std::to_string(data.size()) + " bytes (segment renamed to " + name +
                   std::string(kCorruptSuffix) + ")";
      } else {
        warning += std::to_string(data.size()) + " bytes not replayed (left in place)";
      }
      stats->warnings.push_back(std::move(warning));
      continue;
    }

    SegmentResult result;
    RETURN_IF_ERROR(ReplayRecords(data, seq, fn, stats, &result));
    if (result.reason.empty()) continue;

    size_t cut = data.size() - result.good_end;
    stats->truncated_segments++;
    stats->truncated_bytes += cut;
    std::string warning = path + ": " + result.reason + " at offset " + std::to_string(result.good_end) + ", ";
    if (truncate) {
      if (::ftruncate(fd, static_cast<off_t>(result.good_end)) != 0) return IoError("ftruncate", path, errno);
      if (::fsync(fd) != 0) return IoError("fsync", path, errno);
      warning += "truncated " + std::to_string(cut) + " bytes";
    } else {
      warning += std::to_string(cut) + " bytes not replayed (left in place)";
    }
    stats->warnings.push_back(std::move(warning));
  }
  return Status::Ok();
}

}  // namespace strata::storage::wal
