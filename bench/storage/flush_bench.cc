// flush_bench: the head -> parts flush and the merge, measured alone (bench/README.md).
//
// storage_bench measures the write path end to end, where ingest, the background flusher and merges overlap and
// the clients share the CPU. This tool isolates the two steps the flush helper tunes:
//   1. Append --lines generated records (seed --seed) into a StorageEngine whose background flusher and
//      maintenance never fire (fsync none), in --parts equal slices; after each slice, time one Flush():
//      wall time, process CPU time (only the flush runs then), and the peak RSS above the RSS before the flush.
//   2. MergeParts() of every flushed part into one scratch part at the merge zstd level, timed the same way.
// Reports medians over --runs runs. The data set is regenerated per run (deterministic), outside the timings.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "bench/common/log_generator.h"
#include "strata/observability/metrics.h"
#include "strata/storage/merge/part_merger.h"
#include "strata/storage/storage_engine.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Flags {
  uint64_t lines = 1000000;
  size_t parts = 4;
  size_t batch = 1000;
  int runs = 3;
  uint64_t seed = 42;
  std::string dir = "/tmp/strata-flush-bench";
  bool merge = true;
  int flush_zstd = -1;  // -1: the engine defaults
  int merge_zstd = -1;
};

double CpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

// VmRSS or VmHWM of this process, in bytes.
uint64_t ProcStatusBytes(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtoull(line.c_str() + prefix.size(), nullptr, 10) * 1024;
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so the next read of VmHWM is the peak of the step in between.
void ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

struct Step {
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t peak_rss_above = 0;  // peak RSS during the step minus RSS before it
};

template <typename Fn>
Step Measure(Fn&& fn) {
  Step s;
  uint64_t rss_before = ProcStatusBytes("VmRSS");
  ResetPeakRss();
  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  fn();
  s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  s.cpu_seconds = CpuSeconds() - cpu0;
  uint64_t hwm = ProcStatusBytes("VmHWM");
  s.peak_rss_above = hwm > rss_before ? hwm - rss_before : 0;
  return s;
}

struct RunResult {
  Step flush;  // summed over the parts (peak: the largest)
  Step merge;
  uint64_t head_bytes = 0;  // summed over the flushes
  uint64_t flushed_bytes = 0;
  uint64_t merged_bytes = 0;
};

uint64_t PartBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".part") total += e.file_size();
  }
  return total;
}

bool RunOnce(const Flags& flags, RunResult* result) {
  std::error_code ec;
  fs::remove_all(flags.dir, ec);
  fs::create_directories(flags.dir, ec);
  storage::StorageOptions o;
  o.data_dir = flags.dir + "/data";
  o.fsync = storage::wal::FsyncPolicy::kNone;
  o.flush_interval_ms = 3600 * 1000;
  o.flush_bytes = uint64_t{1} << 40;
  o.max_head_bytes = uint64_t{1} << 40;
  o.wal_max_pending_bytes = uint64_t{1} << 40;
  o.maintenance_interval_ms = 3600 * 1000;
  if (flags.flush_zstd >= 0) o.part.zstd_level = flags.flush_zstd;
  observability::Registry registry;
  auto opened = storage::StorageEngine::Open(o, registry);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return false;
  }
  auto engine = std::move(opened).value();
  if (auto st = engine->Recover(); !st.ok()) {
    std::fprintf(stderr, "recover: %s\n", st.ToString().c_str());
    return false;
  }

  LogGeneratorOptions go;
  go.start_ns = 1767571200000000000;  // one UTC day, as the default generator options
  LogGenerator gen(flags.seed, go);
  const uint64_t per_part = (flags.lines + flags.parts - 1) / flags.parts;
  uint64_t done = 0;
  for (size_t p = 0; p < flags.parts && done < flags.lines; ++p) {
    const uint64_t slice = std::min(per_part, flags.lines - done);
    std::mutex mu;
    std::condition_variable cv;
    uint64_t pending = 0;
    bool failed = false;
    for (uint64_t i = 0; i < slice;) {
      model::LogBatch batch;
      batch.tenant = "bench";
      const uint64_t n = std::min<uint64_t>(flags.batch, slice - i);
      batch.records.resize(n);
      for (auto& r : batch.records) gen.Next(&r);
      i += n;
      {
        std::lock_guard lock(mu);
        ++pending;
      }
      auto st = engine->Append(std::move(batch), [&](const base::Status& s) {
        std::lock_guard lock(mu);
        failed |= !s.ok();
        --pending;
        cv.notify_all();
      });
      if (!st.ok()) {
        std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
        return false;
      }
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return pending == 0; });
    }
    if (failed) {
      std::fprintf(stderr, "append failed\n");
      return false;
    }
    done += slice;
    result->head_bytes += engine->head().bytes();
    base::Status flushed;
    Step s = Measure([&] { flushed = engine->Flush(); });
    if (!flushed.ok()) {
      std::fprintf(stderr, "flush: %s\n", flushed.ToString().c_str());
      return false;
    }
    result->flush.seconds += s.seconds;
    result->flush.cpu_seconds += s.cpu_seconds;
    result->flush.peak_rss_above = std::max(result->flush.peak_rss_above, s.peak_rss_above);
  }
  result->flushed_bytes = PartBytes(o.data_dir);

  if (flags.merge) {
    std::vector<std::shared_ptr<const storage::PartReader>> parts;
    for (const auto& e : fs::recursive_directory_iterator(o.data_dir)) {
      if (e.is_regular_file() && e.path().extension() == ".part") {
        auto r = storage::PartReader::Open(e.path().string());
        if (!r.ok()) {
          std::fprintf(stderr, "open part: %s\n", r.status().ToString().c_str());
          return false;
        }
        parts.push_back(std::move(r).value());
      }
    }
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a->meta().part_id < b->meta().part_id; });
    const std::string scratch = flags.dir + "/merged";
    fs::create_directories(scratch, ec);
    storage::PartWriterOptions po = o.part;
    po.zstd_level = flags.merge_zstd >= 0 ? flags.merge_zstd : storage::kMergeZstdLevel;
    base::Status merged = base::Status::Ok();
    result->merge = Measure([&] {
      auto m = storage::MergeParts(parts, scratch, 1, po, nullptr);
      if (!m.ok()) merged = m.status();
    });
    if (!merged.ok()) {
      std::fprintf(stderr, "merge: %s\n", merged.ToString().c_str());
      return false;
    }
    result->merged_bytes = PartBytes(scratch);
  }
  (void)engine->Close();
  engine.reset();
  fs::remove_all(flags.dir, ec);
  return true;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--lines") {
      flags.lines = std::stoull(value());
    } else if (a == "--parts") {
      flags.parts = std::max<size_t>(1, std::stoull(value()));
    } else if (a == "--runs") {
      flags.runs = std::max(1, std::stoi(value()));
    } else if (a == "--seed") {
      flags.seed = std::stoull(value());
    } else if (a == "--dir") {
      flags.dir = value();
    } else if (a == "--flush-zstd") {
      flags.flush_zstd = std::stoi(value());
    } else if (a == "--merge-zstd") {
      flags.merge_zstd = std::stoi(value());
    } else if (a == "--no-merge") {
      flags.merge = false;
    } else {
      std::fprintf(stderr,
                   "usage: flush_bench [--lines N] [--parts N] [--runs N] [--seed N] [--dir DIR] [--no-merge]\n"
                   "                   [--flush-zstd LEVEL] [--merge-zstd LEVEL]\n");
      return 2;
    }
  }
  std::vector<double> flush_s, flush_cpu, flush_rss, merge_s, merge_cpu, merge_rss;
  RunResult last;
  for (int run = 0; run < flags.runs; ++run) {
    RunResult r;
    if (!RunOnce(flags, &r)) return 1;
    const double lines = static_cast<double>(flags.lines);
    std::printf(
        "run %d: flush %.2f s (%.0f lines/s), %.2f CPU-us/line, peak RSS +%.0f MiB (head %.0f MiB per flush), "
        "%.1f B/line | merge %.2f s (%.0f lines/s), %.2f CPU-us/line, peak RSS +%.0f MiB, %.1f B/line\n",
        run + 1, r.flush.seconds, lines / r.flush.seconds, r.flush.cpu_seconds / lines * 1e6,
        r.flush.peak_rss_above / 1048576.0, r.head_bytes / 1048576.0 / flags.parts, r.flushed_bytes / lines,
        r.merge.seconds, r.merge.seconds > 0 ? lines / r.merge.seconds : 0, r.merge.cpu_seconds / lines * 1e6,
        r.merge.peak_rss_above / 1048576.0, r.merged_bytes / lines);
    std::fflush(stdout);
    flush_s.push_back(r.flush.seconds);
    flush_cpu.push_back(r.flush.cpu_seconds / lines * 1e6);
    flush_rss.push_back(r.flush.peak_rss_above / 1048576.0);
    merge_s.push_back(r.merge.seconds);
    merge_cpu.push_back(r.merge.cpu_seconds / lines * 1e6);
    merge_rss.push_back(r.merge.peak_rss_above / 1048576.0);
    last = r;
  }
  const double lines = static_cast<double>(flags.lines);
  std::printf(
      "median of %d: flush %.0f lines/s, %.2f CPU-us/line, peak RSS +%.0f MiB, %.2f B/line on disk | merge %.0f "
      "lines/s, %.2f CPU-us/line, peak RSS +%.0f MiB, %.2f B/line on disk\n",
      flags.runs, lines / Median(flush_s), Median(flush_cpu), Median(flush_rss), last.flushed_bytes / lines,
      Median(merge_s) > 0 ? lines / Median(merge_s) : 0, Median(merge_cpu), Median(merge_rss),
      last.merged_bytes / lines);
  return 0;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) { return strata::bench::Main(argc, argv); }
