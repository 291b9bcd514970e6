// Tests for WalWriter and ReplayWal: round trips, group commit, torn tails, corruption, back-pressure, fsync
// policies, I/O errors and crashes at the named fault points.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "strata/common/coding.h"
#include "strata/storage/wal/wal_reader.h"
#include "strata/storage/wal/wal_writer.h"

namespace strata::storage::wal {
namespace {

namespace fs = std::filesystem;
using base::Status;
using base::StatusCode;

// A fresh directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/strata_wal_test.XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Wal() const { return path_ + "/wal"; }

 private:
  std::string path_;
};

class RecordingObserver : public WalObserver {
 public:
  void OnGroupWritten(size_t records, size_t bytes) override {
    groups++;
    this->records += records;
    this->bytes += bytes;
  }
  void OnFsync(double seconds) override {
    EXPECT_GE(seconds, 0.0);
    fsyncs++;
  }
  void OnSegmentCreated(uint64_t seq) override {
    std::lock_guard<std::mutex> lock(mu);
    segments.push_back(seq);
  }

  std::atomic<uint64_t> groups{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> fsyncs{0};
  std::mutex mu;
  std::vector<uint64_t> segments;
};

// Counts completions so a test can wait for all callbacks it caused.
class Completions {
 public:
  WalWriter::Callback Callback() {
    return [this](const Status& st) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok()) errors_.push_back(st);
      done_++;
      cv_.notify_all();
    };
  }
  void WaitFor(uint64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(20), [&] { return done_ >= n; }))
        << "only " << done_ << " of " << n << " callbacks ran";
  }
  uint64_t done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  std::vector<Status> errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t done_ = 0;
  std::vector<Status> errors_;
};

WalOptions SmallOptions(const std::string& dir, FsyncPolicy policy = FsyncPolicy::kBatch) {
  WalOptions options;
  options.dir = dir;
  options.fsync = policy;
  options.fsync_interval_ms = 20;
  options.segment_bytes = 1024;
  return options;
}

std::unique_ptr<WalWriter> MustOpen(const WalOptions& options, WalObserver* observer = nullptr) {
  auto result = WalWriter::Open(options, observer);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return nullptr;
  return std::move(result).value();
}

// Appends and waits for the callback, so each record is its own group.
void AppendSync(WalWriter& writer, std::string payload) {
  Completions c;
  Status st = writer.Append(std::move(payload), c.Callback());
  ASSERT_TRUE(st.ok()) << st.ToString();
  c.WaitFor(1);
  ASSERT_TRUE(c.errors().empty()) << c.errors()[0].ToString();
}

std::string Payload(int i) {
  // Varying sizes, including empty, with content that identifies the record.
  std::string s = "record-" + std::to_string(i) + ":";
  s.append(static_cast<size_t>(i * 37 % 150), static_cast<char>('a' + i % 26));
  return i % 17 == 0 ? std::string() : s;
}

struct Replayed {
  Status status;
  ReplayStats stats;
  std::vector<std::string> payloads;
  std::vector<uint64_t> seqs;
};

Replayed Replay(const std::string& dir, bool truncate = true) {
  Replayed r;
  r.status = ReplayWal(
      dir,
      [&](std::string_view payload, uint64_t seq) {
        r.payloads.emplace_back(payload);
        r.seqs.push_back(seq);
        return Status::Ok();
      },
      &r.stats, truncate);
  return r;
}

std::vector<fs::path> SegmentFiles(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    uint64_t seq;
    if (ParseSegmentFileName(entry.path().filename().string(), &seq)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Offsets at which each record of a segment starts, plus the end of the file.
std::vector<size_t> RecordOffsets(const std::string& data) {
  std::vector<size_t> offsets;
  size_t off = kSegmentHeaderSize;
  while (off + kRecordHeaderSize <= data.size()) {
    offsets.push_back(off);
    off += kRecordHeaderSize + common::DecodeFixed32(data.data() + off);
  }
  offsets.push_back(off);
  return offsets;
}

bool AnyWarningContains(const ReplayStats& stats, const std::string& needle) {
  for (const auto& w : stats.warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(WalFsyncPolicy, ParseAndName) {
  for (auto policy : {FsyncPolicy::kBatch, FsyncPolicy::kInterval, FsyncPolicy::kNone}) {
    auto parsed = ParseFsyncPolicy(FsyncPolicyName(policy));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, policy);
  }
  auto bad = ParseFsyncPolicy("sometimes");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(WalFileName, RoundTrip) {
  EXPECT_EQ(SegmentFileName(1), "0000000000000001.wal");
  EXPECT_EQ(SegmentFileName(0xabcdef0123456789ull), "abcdef0123456789.wal");
  uint64_t seq = 0;
  EXPECT_TRUE(ParseSegmentFileName("00000000000000ff.wal", &seq));
  EXPECT_EQ(seq, 255u);
  EXPECT_FALSE(ParseSegmentFileName("00000000000000FF.wal", &seq));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000ff.wal.corrupt", &seq));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000ff.wal", &seq));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000ff.log", &seq));
}

TEST(WalTest, RoundTripAcrossManySegments) {
  TempDir tmp;
  RecordingObserver observer;
  const int kRecords = 300;
  {
    auto writer = MustOpen(SmallOptions(tmp.Wal()), &observer);
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->CurrentSegment(), 1u);
    for (int i = 0; i < kRecords; ++i) {
      AppendSync(*writer, Payload(i));
      if (HasFatalFailure()) return;
    }
    EXPECT_GT(writer->CurrentSegment(), 10u);
    EXPECT_TRUE(writer->Close().ok());
    EXPECT_EQ(writer->PendingBytes(), 0u);
  }
  EXPECT_EQ(observer.records.load(), static_cast<uint64_t>(kRecords));
  auto files = SegmentFiles(tmp.Wal());
  EXPECT_EQ(files.size(), observer.segments.size());
  // A segment only overshoots segment_bytes by its last group (here: one record).
  for (const auto& f : files) EXPECT_LT(fs::file_size(f), 1024u + kRecordHeaderSize + 200);

  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.payloads.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) EXPECT_EQ(r.payloads[i], Payload(i)) << i;
  EXPECT_TRUE(std::is_sorted(r.seqs.begin(), r.seqs.end()));
  EXPECT_EQ(r.seqs.front(), 1u);
  EXPECT_EQ(r.stats.segments, files.size());
  EXPECT_EQ(r.stats.records, static_cast<uint64_t>(kRecords));
  EXPECT_TRUE(r.stats.warnings.empty());
  EXPECT_EQ(r.stats.truncated_segments, 0u);
}

TEST(WalTest, ReopenStartsNewSegmentAndKeepsOldRecords) {
  TempDir tmp;
  {
    auto writer = MustOpen(SmallOptions(tmp.Wal()));
    AppendSync(*writer, "first");
  }  // destructor closes
  {
    auto writer = MustOpen(SmallOptions(tmp.Wal()));
    EXPECT_EQ(writer->CurrentSegment(), 2u);
    AppendSync(*writer, "second");
  }
  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(r.seqs, (std::vector<uint64_t>{1, 2}));
}

TEST(WalTest, GroupCommitManyThreads) {
  TempDir tmp;
  RecordingObserver observer;
  WalOptions options = SmallOptions(tmp.Wal());
  options.segment_bytes = 64 << 10;
  const int kThreads = 8;
  const int kPerThread = 250;
  std::atomic<int> failed_callbacks{0};
  std::atomic<int> ok_callbacks{0};
  {
    auto writer = MustOpen(options, &observer);
    ASSERT_NE(writer, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          Status st = writer->Append(std::to_string(t) + ":" + std::to_string(i), [&](const Status& s) {
            (s.ok() ? ok_callbacks : failed_callbacks)++;
          });
          EXPECT_TRUE(st.ok()) << st.ToString();
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_TRUE(writer->Close().ok());
  }
  const int total = kThreads * kPerThread;
  EXPECT_EQ(ok_callbacks.load(), total);
  EXPECT_EQ(failed_callbacks.load(), 0);
  EXPECT_EQ(observer.records.load(), static_cast<uint64_t>(total));
  EXPECT_LT(observer.groups.load(), static_cast<uint64_t>(total)) << "no group commit happened";

  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.payloads.size(), static_cast<size_t>(total));
  std::vector<int> next(kThreads, 0);  // per-thread order must be preserved
  for (const auto& p : r.payloads) {
    size_t colon = p.find(':');
    int t = std::stoi(p.substr(0, colon));
    int i = std::stoi(p.substr(colon + 1));
    ASSERT_EQ(i, next[t]) << "thread " << t;
    next[t]++;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kPerThread);
}

// AppendView borrows the caller's bytes; mixed with owned appends, groups of thousands of records (more buffers
// than one writev takes) must land byte for byte and in order.
TEST(WalTest, AppendViewMixedWithAppendInLargeGroups) {
  TempDir tmp;
  RecordingObserver observer;
  WalOptions options = SmallOptions(tmp.Wal());
  options.segment_bytes = 64ull << 20;
  const int kRecords = 5000;
  std::vector<std::string> payloads;
  for (int i = 0; i < kRecords; ++i) payloads.push_back(Payload(i));
  {
    auto writer = MustOpen(options, &observer);
    ASSERT_NE(writer, nullptr);
    Completions c;
    for (int i = 0; i < kRecords; ++i) {
      Status st = i % 3 == 0 ? writer->Append(payloads[i], c.Callback())
                             : writer->AppendView(payloads[i], c.Callback());
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    c.WaitFor(kRecords);
    EXPECT_TRUE(c.errors().empty());
    EXPECT_TRUE(writer->Close().ok());
  }
  EXPECT_EQ(observer.records.load(), static_cast<uint64_t>(kRecords));
  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.payloads, payloads);
}

TEST(WalTest, TornTailAtEveryOffsetOfLastRecord) {
  TempDir tmp;
  const int kRecords = 5;
  {
    auto writer = MustOpen(SmallOptions(tmp.Wal()));
    for (int i = 0; i < kRecords; ++i) AppendSync(*writer, "payload number " + std::to_string(i));
  }
  auto files = SegmentFiles(tmp.Wal());
  ASSERT_EQ(files.size(), 1u);
  const std::string original = ReadFile(files[0]);
  auto offsets = RecordOffsets(original);
  ASSERT_EQ(offsets.size(), static_cast<size_t>(kRecords + 1));
  ASSERT_EQ(offsets.back(), original.size());
  const size_t last_start = offsets[kRecords - 1];

  for (size_t cut = last_start + 1; cut < original.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteFile(files[0], original.substr(0, cut));
    Replayed r = Replay(tmp.Wal());
    ASSERT_TRUE(r.status.ok());
    ASSERT_EQ(r.payloads.size(), static_cast<size_t>(kRecords - 1));
    for (int i = 0; i < kRecords - 1; ++i) EXPECT_EQ(r.payloads[i], "payload number " + std::to_string(i));
    EXPECT_EQ(fs::file_size(files[0]), last_start);
    EXPECT_EQ(r.stats.truncated_segments, 1u);
    EXPECT_EQ(r.stats.truncated_bytes, cut - last_start);
    ASSERT_EQ(r.stats.warnings.size(), 1u);
    EXPECT_NE(r.stats.warnings[0].find(files[0].string()), std::string::npos) << r.stats.warnings[0];
    EXPECT_NE(r.stats.warnings[0].find("at offset " + std::to_string(last_start)), std::string::npos)
        << r.stats.warnings[0];
    EXPECT_NE(r.stats.warnings[0].find("truncated " + std::to_string(cut - last_start) + " bytes"),
              std::string::npos)
        << r.stats.warnings[0];

    // A second replay sees a clean file.
    Replayed again = Replay(tmp.Wal());
    EXPECT_EQ(again.payloads.size(), static_cast<size_t>(kRecords - 1));
    EXPECT_TRUE(again.stats.warnings.empty());
  }

  // The cut exactly at a record boundary is not a tear.
  WriteFile(files[0], original.substr(0, last_start));
  Replayed clean = Replay(tmp.Wal());
  EXPECT_EQ(clean.payloads.size(), static_cast<size_t>(kRecords - 1));
  EXPECT_TRUE(clean.stats.warnings.empty());

  // A torn tail never blocks new writes: the new writer starts segment 2.
  {
    auto writer = MustOpen(SmallOptions(tmp.Wal()));
    EXPECT_EQ(writer->CurrentSegment(), 2u);
    AppendSync(*writer, "after the tear");
  }
  Replayed after = Replay(tmp.Wal());
  ASSERT_TRUE(after.status.ok());
  ASSERT_EQ(after.payloads.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(after.payloads.back(), "after the tear");
  EXPECT_TRUE(after.stats.warnings.empty());
}

TEST(WalTest, TornTailWithoutTruncateLeavesFileAlone) {
  TempDir tmp;
  {
    auto writer = MustOpen(SmallOptions(tmp.Wal()));
    AppendSync(*writer, "one");
    AppendSync(*writer, "two");
  }
  auto files = SegmentFiles(tmp.Wal());
  std::string data = ReadFile(files[0]);
  WriteFile(files[0], data.substr(0, data.size() - 1));
  Replayed r = Replay(tmp.Wal(), /*truncate=*/false);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads, std::vector<std::string>{"one"});
  EXPECT_EQ(r.stats.warnings.size(), 1u);
  EXPECT_EQ(fs::file_size(files[0]), data.size() - 1);
}

// 50-byte payloads: 58 bytes framed, so with segment_bytes 200 a segment holds four one-record groups
// (24 + 3 * 58 < 200, the 4th reaches it and the 5th group rotates).
std::string ThreeSegmentPayload(int i) {
  std::string p = "r";
  p += std::to_string(i);  // not "r" + to_string(): GCC 12 -Wrestrict false positive (PR 105329)
  p.resize(50, '.');
  return p;
}

// Three segments of four one-record groups each.
void WriteThreeSegments(const std::string& dir) {
  WalOptions options = SmallOptions(dir);
  options.segment_bytes = 200;
  auto writer = MustOpen(options);
  for (int i = 0; i < 12; ++i) AppendSync(*writer, ThreeSegmentPayload(i));
  EXPECT_EQ(writer->CurrentSegment(), 3u);
}

TEST(WalTest, CrcCorruptionInNonLastSegment) {
  TempDir tmp;
  WriteThreeSegments(tmp.Wal());
  auto files = SegmentFiles(tmp.Wal());
  ASSERT_EQ(files.size(), 3u);
  std::string seg1 = ReadFile(files[0]);
  auto offsets = RecordOffsets(seg1);
  ASSERT_EQ(offsets.size(), 5u);
  seg1[offsets[1] + kRecordHeaderSize + 10] ^= 0x01;  // a payload byte of the second record
  WriteFile(files[0], seg1);

  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok());
  std::vector<std::string> expected = {ThreeSegmentPayload(0)};
  for (int i = 4; i < 12; ++i) expected.push_back(ThreeSegmentPayload(i));
  EXPECT_EQ(r.payloads, expected);
  ASSERT_EQ(r.stats.warnings.size(), 1u);
  EXPECT_TRUE(AnyWarningContains(r.stats, files[0].filename().string()));
  EXPECT_TRUE(AnyWarningContains(r.stats, "checksum mismatch at offset " + std::to_string(offsets[1])));
  EXPECT_EQ(fs::file_size(files[0]), offsets[1]);
  EXPECT_EQ(r.stats.truncated_bytes, seg1.size() - offsets[1]);
  EXPECT_EQ(r.stats.segments, 3u);
}

TEST(WalTest, CorruptLengthIsCaught) {
  TempDir tmp;
  WriteThreeSegments(tmp.Wal());
  auto files = SegmentFiles(tmp.Wal());
  std::string seg2 = ReadFile(files[1]);
  auto offsets = RecordOffsets(seg2);
  seg2[offsets[2] + 3] = '\x7f';  // length's high byte: far past the end of the file
  WriteFile(files[1], seg2);
  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads.size(), 4u + 2u + 4u);
  EXPECT_TRUE(AnyWarningContains(r.stats, "at offset " + std::to_string(offsets[2])));
}

TEST(WalTest, BadSegmentHeaderQuarantinesSegment) {
  TempDir tmp;
  WriteThreeSegments(tmp.Wal());
  auto files = SegmentFiles(tmp.Wal());
  std::string seg2 = ReadFile(files[1]);
  seg2[0] = 'X';  // magic
  WriteFile(files[1], seg2);

  // Inspection mode reports but leaves the file alone.
  Replayed look = Replay(tmp.Wal(), /*truncate=*/false);
  ASSERT_TRUE(look.status.ok());
  EXPECT_EQ(look.payloads.size(), 8u);
  EXPECT_TRUE(fs::exists(files[1]));

  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok());
  std::vector<std::string> expected;
  for (int i : {0, 1, 2, 3, 8, 9, 10, 11}) expected.push_back(ThreeSegmentPayload(i));
  EXPECT_EQ(r.payloads, expected);
  ASSERT_EQ(r.stats.warnings.size(), 1u);
  EXPECT_TRUE(AnyWarningContains(r.stats, "bad segment magic"));
  EXPECT_EQ(r.stats.truncated_segments, 1u);
  EXPECT_EQ(r.stats.truncated_bytes, seg2.size());
  EXPECT_FALSE(fs::exists(files[1]));
  EXPECT_TRUE(fs::exists(files[1].string() + ".corrupt"));

  // Header checksum and seq checks too.
  std::string seg3 = ReadFile(files[2]);
  seg3[9] ^= 0x40;  // version byte, caught by the header CRC
  WriteFile(files[2], seg3);
  Replayed r3 = Replay(tmp.Wal());
  EXPECT_TRUE(AnyWarningContains(r3.stats, "segment header checksum mismatch"));
  EXPECT_EQ(r3.payloads.size(), 4u);

  // The quarantined numbers stay taken.
  auto writer = MustOpen(SmallOptions(tmp.Wal()));
  EXPECT_EQ(writer->CurrentSegment(), 4u);
}

TEST(WalTest, SegmentHeaderSeqMustMatchFileName) {
  TempDir tmp;
  WriteThreeSegments(tmp.Wal());
  auto files = SegmentFiles(tmp.Wal());
  fs::rename(files[2], fs::path(tmp.Wal()) / SegmentFileName(7));
  Replayed r = Replay(tmp.Wal());
  EXPECT_EQ(r.payloads.size(), 8u);
  EXPECT_TRUE(AnyWarningContains(r.stats, "does not match file name"));
}

TEST(WalTest, CallbackErrorAbortsReplay) {
  TempDir tmp;
  WriteThreeSegments(tmp.Wal());
  int calls = 0;
  ReplayStats stats;
  Status st = ReplayWal(
      tmp.Wal(),
      [&](std::string_view, uint64_t) {
        return ++calls == 3 ? base::Internal("stop here") : Status::Ok();
      },
      &stats);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "stop here");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(stats.records, 2u);
}

TEST(WalTest, MissingDirectoryIsEmptyWal) {
  TempDir tmp;
  Replayed r = Replay(tmp.path() + "/does/not/exist");
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(r.stats.segments, 0u);
}

TEST(WalTest, BackPressure) {
  TempDir tmp;
  WalOptions options = SmallOptions(tmp.Wal());
  options.max_pending_bytes = 16;
  auto writer = MustOpen(options);

  // Hold the writer thread inside the first callback so the first record stays pending.
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  ASSERT_TRUE(writer
                  ->Append("first record, alone in an empty queue",
                           [&](const Status& st) {
                             EXPECT_TRUE(st.ok());
                             std::unique_lock<std::mutex> lock(mu);
                             entered = true;
                             cv.notify_all();
                             cv.wait(lock, [&] { return release; });
                           })
                  .ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  EXPECT_GT(writer->PendingBytes(), options.max_pending_bytes);
  Status st = writer->Append("second", [](const Status&) { ADD_FAILURE() << "refused record was completed"; });
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("WAL pending bytes over budget"), std::string::npos) << st.message();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_TRUE(writer->Close().ok());
  EXPECT_EQ(writer->PendingBytes(), 0u);
}

TEST(WalTest, AppendAfterCloseIsUnavailable) {
  TempDir tmp;
  auto writer = MustOpen(SmallOptions(tmp.Wal()));
  Completions c;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer->Append(Payload(i), c.Callback()).ok());
  EXPECT_TRUE(writer->Close().ok());
  EXPECT_EQ(c.done(), 10u) << "Close must complete every queued record";
  EXPECT_TRUE(writer->Close().ok()) << "Close is idempotent";
  Status st = writer->Append("late", [](const Status&) { ADD_FAILURE() << "refused record was completed"; });
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(Replay(tmp.Wal()).payloads.size(), 10u);
}

TEST(WalTest, AllFsyncPoliciesRoundTrip) {
  for (auto policy : {FsyncPolicy::kBatch, FsyncPolicy::kInterval, FsyncPolicy::kNone}) {
    SCOPED_TRACE(std::string(FsyncPolicyName(policy)));
    TempDir tmp;
    RecordingObserver observer;
    Completions c;
    {
      auto writer = MustOpen(SmallOptions(tmp.Wal(), policy), &observer);
      for (int i = 0; i < 200; ++i) ASSERT_TRUE(writer->Append(Payload(i), c.Callback()).ok());
      c.WaitFor(200);
      EXPECT_TRUE(writer->Close().ok());
    }
    EXPECT_TRUE(c.errors().empty());
    Replayed r = Replay(tmp.Wal());
    ASSERT_TRUE(r.status.ok());
    ASSERT_EQ(r.payloads.size(), 200u);
    for (int i = 0; i < 200; ++i) EXPECT_EQ(r.payloads[i], Payload(i));
    if (policy == FsyncPolicy::kBatch) {
      EXPECT_GE(observer.fsyncs.load(), observer.groups.load());
    }
  }
}

TEST(WalTest, NonePolicySyncsOnlyOnRotationAndClose) {
  TempDir tmp;
  RecordingObserver observer;
  WalOptions options = SmallOptions(tmp.Wal(), FsyncPolicy::kNone);
  options.segment_bytes = 1 << 20;  // no rotation
  auto writer = MustOpen(options, &observer);
  EXPECT_EQ(observer.fsyncs.load(), 1u);  // the first segment's header
  for (int i = 0; i < 20; ++i) AppendSync(*writer, Payload(i));
  EXPECT_EQ(observer.fsyncs.load(), 1u);
  EXPECT_TRUE(writer->Close().ok());
  EXPECT_EQ(observer.fsyncs.load(), 2u);
}

TEST(WalTest, IntervalPolicySyncsWhileIdle) {
  TempDir tmp;
  RecordingObserver observer;
  WalOptions options = SmallOptions(tmp.Wal(), FsyncPolicy::kInterval);
  options.fsync_interval_ms = 20;
  options.segment_bytes = 1 << 20;
  auto writer = MustOpen(options, &observer);
  for (int round = 0; round < 3; ++round) {
    uint64_t before = observer.fsyncs.load();
    AppendSync(*writer, "tick " + std::to_string(round));
    // No further appends: the writer thread must wake up by itself to sync.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (observer.fsyncs.load() == before && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT(observer.fsyncs.load(), before) << "round " << round;
  }
  // Idle and clean: no syncs for nothing.
  uint64_t settled = observer.fsyncs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(observer.fsyncs.load(), settled);
  EXPECT_TRUE(writer->Close().ok());
}

TEST(WalTest, DeleteSegmentsBefore) {
  TempDir tmp;
  WalOptions options = SmallOptions(tmp.Wal());
  options.segment_bytes = 200;
  auto writer = MustOpen(options);
  for (int i = 0; i < 20; ++i) AppendSync(*writer, ThreeSegmentPayload(i));
  const uint64_t current = writer->CurrentSegment();
  ASSERT_EQ(current, 5u);
  ASSERT_TRUE(writer->DeleteSegmentsBefore(3).ok());
  auto files = SegmentFiles(tmp.Wal());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].filename().string(), SegmentFileName(3));
  // Never the current segment, whatever the argument.
  ASSERT_TRUE(writer->DeleteSegmentsBefore(1000).ok());
  files = SegmentFiles(tmp.Wal());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename().string(), SegmentFileName(current));
  AppendSync(*writer, "still writable");
  EXPECT_TRUE(writer->Close().ok());
  Replayed r = Replay(tmp.Wal());
  ASSERT_FALSE(r.payloads.empty());
  EXPECT_EQ(r.payloads.back(), "still writable");
}

TEST(WalTest, OpenValidatesOptions) {
  TempDir tmp;
  WalOptions options = SmallOptions(tmp.Wal(), FsyncPolicy::kInterval);
  options.fsync_interval_ms = 0;
  EXPECT_EQ(WalWriter::Open(options, nullptr).status().code(), StatusCode::kInvalidArgument);
  options = SmallOptions("");
  EXPECT_EQ(WalWriter::Open(options, nullptr).status().code(), StatusCode::kInvalidArgument);
  // A path under a regular file cannot be created.
  WriteFile(tmp.path() + "/file", "x");
  options = SmallOptions(tmp.path() + "/file/wal");
  EXPECT_FALSE(WalWriter::Open(options, nullptr).ok());
}

TEST(WalTest, OversizeRecordIsRejected) {
  TempDir tmp;
  auto writer = MustOpen(SmallOptions(tmp.Wal()));
  std::string huge;
  huge.resize(kMaxRecordBytes + 1);
  Status st = writer->Append(std::move(huge), [](const Status&) { ADD_FAILURE(); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(writer->Close().ok());
}

// RLIMIT_FSIZE makes write() fail part-way through a group (EFBIG): the group fails, the writer stays failed,
// and replay drops the partial record.
TEST(WalTest, WriteErrorFailsGroupAndLatches) {
  TempDir tmp;
  auto writer = MustOpen(SmallOptions(tmp.Wal()));
  AppendSync(*writer, "durable before the error");

  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);

  Completions c;
  ASSERT_TRUE(writer->Append(std::string(10000, 'x'), c.Callback()).ok());
  c.WaitFor(1);

  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  ::signal(SIGXFSZ, old_handler);

  ASSERT_EQ(c.errors().size(), 1u);
  Status err = c.errors()[0];
  EXPECT_NE(err.message().find("write"), std::string::npos) << err.ToString();
  Status again = writer->Append("after the error", [](const Status&) { ADD_FAILURE(); });
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.code(), err.code());
  EXPECT_FALSE(writer->Close().ok());

  Replayed r = Replay(tmp.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads, std::vector<std::string>{"durable before the error"});
  EXPECT_EQ(r.stats.warnings.size(), 1u);
}

// ---- Crashes at fault points ----------------------------------------------------------------------------------
//
// Death tests in the "threadsafe" style re-execute this binary for the dying child, which runs the test body from
// the top. The parent exports the directory it made, and the child picks it up instead of making its own.
class CrashDir {
 public:
  CrashDir() {
    if (const char* inherited = ::getenv(kEnv)) {
      path_ = inherited;
      return;
    }
    owned_ = std::make_unique<TempDir>();
    path_ = owned_->path();
    ::setenv(kEnv, path_.c_str(), 1);
  }
  ~CrashDir() {
    if (owned_) ::unsetenv(kEnv);
  }
  std::string Wal() const { return path_ + "/wal"; }

 private:
  static constexpr const char* kEnv = "STRATA_WAL_TEST_CRASH_DIR";
  std::unique_ptr<TempDir> owned_;
  std::string path_;
};

// Runs in the child: appends one record per group until a fault point kills the process.
void AppendUntilKilled(const std::string& dir, const char* fault_points, uint64_t segment_bytes) {
  ::setenv("STRATA_FAULT_POINTS", fault_points, 1);
  WalOptions options = SmallOptions(dir);
  options.segment_bytes = segment_bytes;
  auto writer = MustOpen(options);
  for (int i = 0; i < 100; ++i) AppendSync(*writer, ThreeSegmentPayload(i));
  std::_Exit(0);  // not reached if the fault point works
}

class WalCrashTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(WalCrashTest, KilledAfterWriteKeepsTheWrittenGroup) {
  CrashDir dir;
  EXPECT_EXIT(AppendUntilKilled(dir.Wal(), "wal.group.after_write@3", 1 << 20), ::testing::KilledBySignal(SIGKILL),
              "fault point 'wal.group.after_write'");
  // The process died, the kernel did not: write() data is in the page cache.
  Replayed r = Replay(dir.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads.size(), 3u);
  EXPECT_TRUE(r.stats.warnings.empty());
}

TEST_F(WalCrashTest, KilledBeforeWriteLosesOnlyTheUnackedGroup) {
  CrashDir dir;
  EXPECT_EXIT(AppendUntilKilled(dir.Wal(), "wal.group.before_write@3", 1 << 20),
              ::testing::KilledBySignal(SIGKILL), "fault point 'wal.group.before_write'");
  Replayed r = Replay(dir.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads, (std::vector<std::string>{ThreeSegmentPayload(0), ThreeSegmentPayload(1)}));
}

TEST_F(WalCrashTest, KilledAfterCreateQuarantinesEmptySegment) {
  CrashDir dir;
  // Hit 1 is Open()'s first segment; hit 2 is the first rotation (after 4 records of 58 bytes at 200).
  EXPECT_EXIT(AppendUntilKilled(dir.Wal(), "wal.rotate.after_create@2", 200), ::testing::KilledBySignal(SIGKILL),
              "fault point 'wal.rotate.after_create'");
  ASSERT_EQ(SegmentFiles(dir.Wal()).size(), 2u);
  EXPECT_EQ(fs::file_size(fs::path(dir.Wal()) / SegmentFileName(2)), 0u);
  Replayed r = Replay(dir.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads.size(), 4u);
  EXPECT_TRUE(AnyWarningContains(r.stats, "short segment header"));
  EXPECT_TRUE(fs::exists(fs::path(dir.Wal()) / (SegmentFileName(2) + ".corrupt")));
  auto writer = MustOpen(SmallOptions(dir.Wal()));
  EXPECT_EQ(writer->CurrentSegment(), 3u);
  AppendSync(*writer, "after the crash");
  EXPECT_TRUE(writer->Close().ok());
  EXPECT_EQ(Replay(dir.Wal()).payloads.size(), 5u);
}

TEST_F(WalCrashTest, KilledAfterHeaderLeavesValidEmptySegment) {
  CrashDir dir;
  EXPECT_EXIT(AppendUntilKilled(dir.Wal(), "wal.rotate.after_header@2", 200), ::testing::KilledBySignal(SIGKILL),
              "fault point 'wal.rotate.after_header'");
  Replayed r = Replay(dir.Wal());
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.payloads.size(), 4u);
  EXPECT_TRUE(r.stats.warnings.empty());
  EXPECT_EQ(r.stats.segments, 2u);
}

}  // namespace
}  // namespace strata::storage::wal

namespace strata::storage::wal {
namespace {

TEST(WalRotateNowTest, SplitsCompletedRecordsFromLaterOnes) {
  std::string dir = ::testing::TempDir() + "/strata_wal_rotate_now_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  WalOptions opts;
  opts.dir = dir;
  auto writer = WalWriter::Open(opts, nullptr).value();
  auto append_sync = [&](const std::string& payload) {
    std::promise<base::Status> p;
    ASSERT_TRUE(writer->Append(payload, [&](const base::Status& st) { p.set_value(st); }).ok());
    ASSERT_TRUE(p.get_future().get().ok());
  };
  uint64_t first = writer->CurrentSegment();
  // Nothing written yet: no new segment.
  EXPECT_EQ(writer->RotateNow().value(), first);
  append_sync("a");
  append_sync("b");
  uint64_t s = writer->RotateNow().value();
  EXPECT_EQ(s, first + 1);
  append_sync("c");
  ASSERT_TRUE(writer->Close().ok());
  std::vector<std::pair<std::string, uint64_t>> got;
  ReplayStats stats;
  ASSERT_TRUE(ReplayWal(dir, [&](std::string_view payload, uint64_t seq) {
                got.emplace_back(std::string(payload), seq);
                return base::Status::Ok();
              }, &stats).ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_LT(got[0].second, s);
  EXPECT_LT(got[1].second, s);
  EXPECT_EQ(got[2].second, s);
  EXPECT_EQ(writer->RotateNow().status().code(), base::StatusCode::kUnavailable);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::storage::wal
