// storage_bench: ingest throughput, bytes on disk and scan latency of the storage engine on generated logs
// (bench/README.md). Drives a real StorageEngine in-process (no HTTP):
//   1. generates --lines records with LogGenerator into a compact in-memory arena (not timed; reported as the
//      generator's own rate), summing their raw bytes and the size of the same records as NDJSON;
//   2. ingest: --clients threads each take the next batch of --batch lines, materialize it as a LogBatch (what a
//      decoder does), Append() it and wait for the durable callback before sending the next (an HTTP client with
//      one request in flight); then Flush() until every acked line is in a part. Repeated --ingest-runs times on
//      fresh data directories; medians reported;
//   3. MergeOnce() until nothing merges; bytes of the *.part files vs raw and NDJSON bytes, and where the bytes go
//      (columns, block headers with the per-block filters, token index); the same for all parts merged into one scratch part; plus
//      InspectPart() of the largest part and of the merged one;
//   4. a fixed query set through StorageEngine::Scan: first run and median of --query-runs, ScanStats pruning;
//   5. a Markdown report on stdout and in bench/results/<yyyy-mm-dd>-storage-<hostname>.md.
// --smoke (with e.g. --lines 20000) runs everything once, checks the answers against the generator's ground truth
// and exits non-zero on a mismatch or error; it writes no results file.

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/log_generator.h"
#include "bench/storage/engine_queries.h"
#include "strata/observability/log.h"
#include "strata/observability/metrics.h"
#include "strata/storage/merge/merge_policy.h"
#include "strata/storage/merge/part_merger.h"
#include "strata/storage/part/part_inspect.h"
#include "strata/storage/part/part_reader.h"
#include "strata/storage/storage_engine.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------------------------
// Flags.

struct Flags {
  uint64_t lines = 10'000'000;
  size_t batch = 1000;
  int clients = 4;
  int ingest_runs = 3;
  int query_runs = 5;
  uint64_t seed = 42;
  double lines_per_second = 1000;
  // Timestamps start at 00:00 UTC of yesterday, so the data is inside the default 7-day retention (merges and the
  // background retention pass would drop older rows) and in one daily partition for up to 86 M lines at 1000/s.
  int64_t start_ns = 0;
  std::string data_dir;  // empty: a fresh temporary directory per run, deleted at the end
  bool keep = false;
  std::string fsync = "batch";
  std::string tenant = "bench";
  std::string results_dir = std::string(STRATA_SOURCE_DIR) + "/bench/results";
  bool write_results = true;
  bool smoke = false;
  bool full_merge = true;  // also merge every part into one scratch part to measure it
};

void Usage() {
  std::fprintf(stderr,
               "usage: storage_bench [--lines N] [--batch N] [--clients N] [--ingest-runs N] [--query-runs N]\n"
               "                     [--seed N] [--rate LINES_PER_S] [--data-dir DIR] [--keep]\n"
               "                     [--fsync batch|interval|none] [--results-dir DIR] [--no-results] [--no-full-merge]\n"
               "                     [--smoke]\n");
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  bool ingest_runs_set = false, query_runs_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&](const char* name) -> uint64_t {
      const char* v = value(name);
      char* end = nullptr;
      unsigned long long n = std::strtoull(v, &end, 10);
      if (!end || *end) {
        std::fprintf(stderr, "%s: not a number: %s\n", name, v);
        std::exit(2);
      }
      return n;
    };
    if (a == "--lines") {
      f->lines = number("--lines");
    } else if (a == "--batch") {
      f->batch = std::max<uint64_t>(1, number("--batch"));
    } else if (a == "--clients") {
      f->clients = static_cast<int>(std::max<uint64_t>(1, number("--clients")));
    } else if (a == "--ingest-runs") {
      f->ingest_runs = static_cast<int>(std::max<uint64_t>(1, number("--ingest-runs")));
      ingest_runs_set = true;
    } else if (a == "--query-runs") {
      f->query_runs = static_cast<int>(std::max<uint64_t>(1, number("--query-runs")));
      query_runs_set = true;
    } else if (a == "--seed") {
      f->seed = number("--seed");
    } else if (a == "--rate") {
      f->lines_per_second = static_cast<double>(std::max<uint64_t>(1, number("--rate")));
    } else if (a == "--data-dir") {
      f->data_dir = value("--data-dir");
    } else if (a == "--keep") {
      f->keep = true;
    } else if (a == "--fsync") {
      f->fsync = value("--fsync");
      if (f->fsync != "batch" && f->fsync != "interval" && f->fsync != "none") {
        std::fprintf(stderr, "--fsync must be batch, interval or none\n");
        return false;
      }
    } else if (a == "--results-dir") {
      f->results_dir = value("--results-dir");
    } else if (a == "--no-results") {
      f->write_results = false;
    } else if (a == "--no-full-merge") {
      f->full_merge = false;
    } else if (a == "--smoke") {
      f->smoke = true;
    } else if (a == "--help" || a == "-h") {
      Usage();
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", a.c_str());
      return false;
    }
  }
  if (f->smoke) {
    if (!ingest_runs_set) f->ingest_runs = 1;
    if (!query_runs_set) f->query_runs = 1;
    f->write_results = false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers.

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string Fmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

// 12,345,678
std::string Thousands(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string MiB(uint64_t bytes) { return Fmt("%.1f MiB", static_cast<double>(bytes) / (1 << 20)); }

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string Command(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p)) out += buf;
  ::pclose(p);
  return Trim(out);
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return Trim(line.substr(pos + 2));
    }
  }
  return "unknown";
}

uint64_t MemTotalBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  while (in >> key >> kb) {
    if (key == "MemTotal:") return kb * 1024;
    in.ignore(1 << 10, '\n');
  }
  return 0;
}

struct DirSize {
  uint64_t part_bytes = 0;
  uint64_t part_files = 0;
  uint64_t wal_bytes = 0;
  uint64_t all_bytes = 0;
};

DirSize MeasureDir(const std::string& dir) {
  DirSize s;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    uint64_t size = it->file_size(ec);
    std::string name = it->path().filename().string();
    std::string path = it->path().string();
    s.all_bytes += size;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0 && name.rfind(".tmp-", 0) != 0) {
      s.part_bytes += size;
      ++s.part_files;
    }
    if (path.find("/.wal/") != std::string::npos) s.wal_bytes += size;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// The generated data set, held compactly: per record ts (8 bytes), stream (u8), message (u32 len + bytes), field
// count (u8), fields (u8 name id, u32 len, bytes). Batches start at recorded offsets.

class Dataset {
 public:
  void Generate(const Flags& flags) {
    LogGeneratorOptions o;
    o.lines_per_second = flags.lines_per_second;
    o.start_ns = flags.start_ns;
    LogGenerator gen(flags.seed, o);
    streams_ = gen.streams();
    std::map<model::LabelSet, uint8_t> stream_ids;
    for (size_t i = 0; i < streams_.size(); ++i) stream_ids[streams_[i]] = static_cast<uint8_t>(i);
    lines_ = flags.lines;
    bytes_.reserve(flags.lines * 230);
    model::LogRecord r;
    std::string line;
    auto start = Clock::now();
    for (uint64_t i = 0; i < flags.lines; ++i) {
      if (i % flags.batch == 0) batch_offsets_.push_back(bytes_.size());
      gen.Next(&r);
      raw_bytes_ += r.RawBytes();
      line.clear();
      AppendNdjsonLine(r, &line);
      ndjson_bytes_ += line.size();
      multiline_ += r.message.find('\n') != std::string::npos;
      Put(&r.timestamp_ns, 8);
      bytes_.push_back(static_cast<char>(stream_ids.at(r.labels)));
      PutString(r.message);
      bytes_.push_back(static_cast<char>(r.fields.size()));
      for (const auto& f : r.fields) {
        bytes_.push_back(static_cast<char>(FieldId(f.name)));
        PutString(f.value);
      }
    }
    batch_offsets_.push_back(bytes_.size());
    generate_seconds_ = Seconds(Clock::now() - start);
    trace_ids_ = gen.trace_ids();
    unique_tokens_ = gen.unique_tokens();
  }

  size_t batches() const { return batch_offsets_.size() - 1; }

  // Fills batch->records with batch i (reusing the vector).
  void Materialize(size_t i, size_t batch_size, model::LogBatch* batch) const {
    const char* p = bytes_.data() + batch_offsets_[i];
    const char* end = bytes_.data() + batch_offsets_[i + 1];
    batch->records.clear();
    batch->records.reserve(batch_size);
    while (p < end) {
      model::LogRecord& r = batch->records.emplace_back();
      std::memcpy(&r.timestamp_ns, p, 8);
      p += 8;
      r.labels = streams_[static_cast<uint8_t>(*p++)];
      GetString(p, &r.message);
      size_t n = static_cast<uint8_t>(*p++);
      r.fields.resize(n);
      for (size_t k = 0; k < n; ++k) {
        r.fields[k].name = field_names_[static_cast<uint8_t>(*p++)];
        GetString(p, &r.fields[k].value);
      }
    }
  }

  uint64_t lines() const { return lines_; }
  uint64_t raw_bytes() const { return raw_bytes_; }
  uint64_t ndjson_bytes() const { return ndjson_bytes_; }
  uint64_t arena_bytes() const { return bytes_.size(); }
  uint64_t multiline() const { return multiline_; }
  double generate_seconds() const { return generate_seconds_; }
  const std::vector<model::LabelSet>& streams() const { return streams_; }
  const std::vector<Needle>& trace_ids() const { return trace_ids_; }
  const std::vector<Needle>& unique_tokens() const { return unique_tokens_; }

 private:
  void Put(const void* p, size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  void PutString(const std::string& s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    Put(&n, 4);
    bytes_.append(s);
  }
  static void GetString(const char*& p, std::string* out) {
    uint32_t n;
    std::memcpy(&n, p, 4);
    p += 4;
    out->assign(p, n);
    p += n;
  }
  size_t FieldId(const std::string& name) {
    auto it = field_ids_.find(name);
    if (it != field_ids_.end()) return it->second;
    field_names_.push_back(name);
    field_ids_[name] = field_names_.size() - 1;
    return field_names_.size() - 1;
  }

  std::vector<model::LabelSet> streams_;
  std::string bytes_;
  std::vector<size_t> batch_offsets_;
  std::vector<std::string> field_names_;
  std::map<std::string, size_t> field_ids_;
  uint64_t lines_ = 0, raw_bytes_ = 0, ndjson_bytes_ = 0, multiline_ = 0;
  double generate_seconds_ = 0;
  std::vector<Needle> trace_ids_, unique_tokens_;
};

// ---------------------------------------------------------------------------------------------------------------
// Engine lifecycle.

struct Engine {
  std::string dir;
  bool temporary = false;
  std::unique_ptr<observability::Registry> registry;
  std::unique_ptr<storage::StorageEngine> engine;
};

std::optional<Engine> OpenEngine(const Flags& flags, int run) {
  Engine e;
  if (flags.data_dir.empty()) {
    char tmpl[] = "/tmp/strata-storage-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      return std::nullopt;
    }
    e.dir = tmpl;
    e.temporary = true;
  } else {
    e.dir = flags.data_dir + "/run-" + std::to_string(run);
    std::error_code ec;
    fs::remove_all(e.dir, ec);
    fs::create_directories(e.dir, ec);
    if (ec) {
      std::fprintf(stderr, "cannot create %s: %s\n", e.dir.c_str(), ec.message().c_str());
      return std::nullopt;
    }
  }
  storage::StorageOptions o;
  o.data_dir = e.dir;
  o.fsync = flags.fsync == "batch"      ? storage::wal::FsyncPolicy::kBatch
            : flags.fsync == "interval" ? storage::wal::FsyncPolicy::kInterval
                                        : storage::wal::FsyncPolicy::kNone;
  e.registry = std::make_unique<observability::Registry>();
  auto opened = storage::StorageEngine::Open(o, *e.registry);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return std::nullopt;
  }
  e.engine = std::move(opened).value();
  base::Status st = e.engine->Recover();
  if (!st.ok()) {
    std::fprintf(stderr, "recover: %s\n", st.ToString().c_str());
    return std::nullopt;
  }
  return e;
}

void CloseEngine(Engine& e, bool remove) {
  if (e.engine) {
    base::Status st = e.engine->Close();
    if (!st.ok()) std::fprintf(stderr, "close: %s\n", st.ToString().c_str());
    e.engine.reset();
  }
  if (remove) {
    std::error_code ec;
    fs::remove_all(e.dir, ec);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ingest.

struct IngestResult {
  double seconds = 0;
  double lines_per_s = 0;
  double raw_mb_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double cpu_s_per_m = 0;
  uint64_t retries = 0;  // ResourceExhausted (429) answers
  uint64_t errors = 0;
  uint64_t parts_at_end = 0;
  uint64_t head_bytes_at_end = 0;
  // Then Flush(): the time until every acked line is in a part (it waits for a background flush in progress).
  double flush_s = 0;
  double to_parts_lines_per_s = 0;  // lines / (ingest + flush)
  double cpu_s_per_m_to_parts = 0;  // process CPU over ingest + flush, per million lines
  uint64_t parts_after_flush = 0;
};

IngestResult Ingest(const Flags& flags, const Dataset& data, storage::StorageEngine& engine) {
  IngestResult res;
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> retries{0}, errors{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(flags.clients));
  double cpu0 = CpuSeconds();
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < flags.clients; ++c) {
    threads.emplace_back([&, c] {
      auto& lat = latencies[static_cast<size_t>(c)];
      model::LogBatch batch;
      // Shared with the callback, which runs on the WAL writer thread and may still be returning from notify_one
      // when this thread moves on.
      struct Ack {
        std::atomic<int> done{0};
        base::Status result;
      };
      auto ack = std::make_shared<Ack>();
      while (true) {
        size_t i = next.fetch_add(1);
        if (i >= data.batches()) break;
        auto t0 = Clock::now();
        while (true) {
          batch.tenant = flags.tenant;
          data.Materialize(i, flags.batch, &batch);
          ack->done.store(0);
          base::Status st = engine.Append(std::move(batch), [ack](const base::Status& s) {
            ack->result = s;
            ack->done.store(1, std::memory_order_release);
            ack->done.notify_one();
          });
          batch = model::LogBatch();
          if (st.code() == base::StatusCode::kResourceExhausted) {
            ++retries;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            continue;
          }
          if (!st.ok()) {
            ++errors;
            std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
            break;
          }
          ack->done.wait(0, std::memory_order_acquire);
          if (!ack->result.ok()) {
            ++errors;
            std::fprintf(stderr, "append callback: %s\n", ack->result.ToString().c_str());
          }
          break;
        }
        lat.push_back(Seconds(Clock::now() - t0) * 1e3);
      }
    });
  }
  for (auto& t : threads) t.join();
  res.seconds = Seconds(Clock::now() - start);
  double cpu = CpuSeconds() - cpu0;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  res.p50_ms = Percentile(all, 0.50);
  res.p99_ms = Percentile(all, 0.99);
  res.max_ms = all.empty() ? 0 : all.back();
  res.lines_per_s = static_cast<double>(data.lines()) / res.seconds;
  res.raw_mb_per_s = static_cast<double>(data.raw_bytes()) / res.seconds / 1e6;
  res.cpu_s_per_m = cpu / (static_cast<double>(data.lines()) / 1e6);
  res.retries = retries.load();
  res.errors = errors.load();
  res.parts_at_end = engine.PartsOf(flags.tenant).size();
  res.head_bytes_at_end = engine.head().bytes();
  return res;
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes on disk.

struct Breakdown {
  std::map<std::string, uint64_t> column_stored;  // by column name; "_time" for the timestamps
  std::map<std::string, uint64_t> column_raw;
  std::map<std::string, uint64_t> column_filter;  // uncompressed per-block filter bytes (trigrams; blooms in old parts)
  uint64_t filters = 0;
  uint64_t block_headers = 0;  // the blocks section as stored (zstd-compressed in current parts), filters included
  uint64_t token_index = 0;
  uint64_t other = 0;  // header, footer, meta, streams, column names
  uint64_t files = 0;
  uint64_t blocks = 0;
  uint64_t rows = 0;
  uint64_t token_keys = 0;
};

Breakdown BreakDown(const std::vector<std::shared_ptr<const storage::PartReader>>& parts) {
  Breakdown b;
  for (const auto& p : parts) {
    b.files += p->file_size();
    b.blocks += p->blocks().size();
    b.rows += p->meta().rows;
    b.token_keys += p->tokens().key_count();
    for (const auto& bh : p->blocks()) {
      b.column_stored["_time"] += bh.timestamps.stored_len;
      b.column_raw["_time"] += bh.timestamps.raw_len;
      for (const auto& c : bh.columns) {
        const std::string& name = p->column_names()[c.column_id];
        b.column_stored[name] += c.chunk.stored_len;
        b.column_raw[name] += c.chunk.raw_len;
        b.column_filter[name] += c.bloom.size() + c.trigrams.size();
        b.filters += c.bloom.size() + c.trigrams.size();
      }
    }
    const auto& f = p->footer();
    b.block_headers += f.blocks.length;
    b.token_index += f.tokens.length;
    b.other += f.meta.length + f.streams.length + f.columns.length + storage::kPartHeaderSize +
               storage::kPartFooterSize;
  }
  return b;
}

struct MergeRun {
  bool available = true;
  uint64_t merges = 0;
  double seconds = 0;
  std::string error;
};

// MergeOnce until it merges nothing (the engine's policy decides what is worth merging).
MergeRun MergeAll(storage::StorageEngine& engine, const std::string& tenant) {
  MergeRun m;
  // All the data is in one partition (one tenant, one day): the policy's pick over PartsOf is the engine's.
  const bool policy_would_merge = !storage::PickMerge(engine.PartsOf(tenant), storage::MergePolicyOptions()).empty();
  auto start = Clock::now();
  for (int i = 0; i < 100000; ++i) {
    bool merged = false;
    base::Status st = engine.MergeOnce(&merged);
    if (!st.ok()) {
      m.error = st.ToString();
      break;
    }
    if (!merged) break;
    ++m.merges;
  }
  m.seconds = Seconds(Clock::now() - start);
  // The placeholder MergeOnce merged nothing even when the policy picks a merge.
  if (m.merges == 0 && m.error.empty() && policy_would_merge) m.available = false;
  return m;
}

// What one fully merged part would weigh: MergeParts over every part into a scratch directory inside the data
// directory (a dot directory, which the engine ignores), not published; the caller deletes it.
struct FullMerge {
  bool done = false;
  double seconds = 0;
  std::string path;
  std::shared_ptr<const storage::PartReader> part;
  std::string error;
};

FullMerge MergeEverything(const std::vector<std::shared_ptr<const storage::PartReader>>& parts,
                          const std::string& data_dir) {
  FullMerge f;
  std::string dir = data_dir + "/.bench-full-merge";
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto start = Clock::now();
  const uint64_t id = 0xbe9c000000000001ull;
  auto merged = storage::MergeParts(parts, dir, id, storage::PartWriterOptions(),
                                    [](const model::LabelSet&, int64_t, std::string_view) { return false; });
  f.seconds = Seconds(Clock::now() - start);
  if (!merged.ok()) {
    f.error = merged.status().ToString();
    return f;
  }
  f.path = dir + "/" + storage::PartFileName(id);
  auto reader = storage::PartReader::Open(f.path);
  if (!reader.ok()) {
    f.error = reader.status().ToString();
    return f;
  }
  f.part = std::move(reader).value();
  f.done = true;
  return f;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries.

struct QueryResult {
  std::string name;
  std::string logql;  // what it would be in LogQL, for the reader
  uint64_t rows = 0;  // the query's answer: rows counted or returned
  std::string answer;
  std::optional<uint64_t> expected;
  bool ok = true;
  double first_ms = 0;
  double median_ms = 0;
  storage::ScanStats stats;
  std::string error;
};

struct QuerySpec {
  std::string name;
  std::string logql;
  storage::ScanRequest request;
  std::optional<uint64_t> expected;  // exact rows of the answer, when known
  enum class Agg { kCount, kCountByLevel, kTopN, kHistogramPerMinute } agg = Agg::kCount;
};

std::string LabelValue(const model::LabelSet* labels, std::string_view name) {
  if (!labels) return "";
  for (const auto& l : *labels) {
    if (l.name == name) return l.value;
  }
  return "";
}

QueryResult RunQuery(const QuerySpec& q, const storage::StorageEngine& engine, int runs) {
  QueryResult r;
  r.name = q.name;
  r.logql = q.logql;
  r.expected = q.expected;
  std::vector<double> times;
  for (int run = 0; run < runs; ++run) {
    uint64_t count = 0;
    std::map<std::string, uint64_t> by_level;
    std::map<int64_t, uint64_t> histogram;
    std::vector<int64_t> top;  // newest `limit` timestamps (min-heap)
    auto visit = [&](const storage::RowBatch& b) {
      switch (q.agg) {
        case QuerySpec::Agg::kCount: count += b.size(); break;
        case QuerySpec::Agg::kCountByLevel: by_level[LabelValue(b.labels, "level")] += b.size(); break;
        case QuerySpec::Agg::kHistogramPerMinute:
          for (int64_t ts : b.timestamps) ++histogram[ts / 60'000'000'000];
          break;
        case QuerySpec::Agg::kTopN:
          for (int64_t ts : b.timestamps) {
            if (top.size() < q.request.limit) {
              top.push_back(ts);
              std::push_heap(top.begin(), top.end(), std::greater<>());
            } else if (ts > top.front()) {
              std::pop_heap(top.begin(), top.end(), std::greater<>());
              top.back() = ts;
              std::push_heap(top.begin(), top.end(), std::greater<>());
            }
          }
          break;
      }
      return true;
    };
    storage::ScanStats stats;
    auto t0 = Clock::now();
    base::Status st = engine.Scan(q.request, visit, &stats);
    double ms = Seconds(Clock::now() - t0) * 1e3;
    if (!st.ok()) {
      r.error = st.ToString();
      r.ok = false;
      return r;
    }
    times.push_back(ms);
    if (run == 0) r.first_ms = ms;
    r.stats = stats;
    switch (q.agg) {
      case QuerySpec::Agg::kCount:
        r.rows = count;
        r.answer = Thousands(count) + " rows";
        break;
      case QuerySpec::Agg::kCountByLevel: {
        r.rows = 0;
        r.answer.clear();
        for (const auto& [level, n] : by_level) {
          r.rows += n;
          r.answer += (r.answer.empty() ? "" : ", ") + level + " " + Thousands(n);
        }
        break;
      }
      case QuerySpec::Agg::kHistogramPerMinute: {
        r.rows = 0;
        for (const auto& [minute, n] : histogram) r.rows += n;
        r.answer = Thousands(r.rows) + " rows in " + std::to_string(histogram.size()) + " 1-minute buckets";
        break;
      }
      case QuerySpec::Agg::kTopN:
        r.rows = top.size();
        r.answer = std::to_string(top.size()) + " newest rows (engine emitted " + Thousands(stats.rows_matched) + ")";
        break;
    }
  }
  r.median_ms = Median(times);
  if (r.expected && *r.expected != r.rows) r.ok = false;
  return r;
}

std::vector<QuerySpec> BuildQueries(const Flags& flags, const Dataset& data) {
  std::vector<QuerySpec> qs;
  auto base = [&] {
    storage::ScanRequest r;
    r.tenant = flags.tenant;
    return r;
  };
  auto pred = [](storage::Predicate::Kind kind, std::string field, std::string value) {
    auto p = storage::MakePredicate(kind, std::move(field), std::move(value));
    if (!p.ok()) {
      std::fprintf(stderr, "predicate: %s\n", p.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(p).value();
  };
  auto matcher = [](std::string name, std::string value) {
    auto m = storage::MakeLabelMatcher(std::move(name), storage::LabelMatcher::Op::kEq, std::move(value));
    return std::move(m).value();
  };
  using K = storage::Predicate::Kind;

  // Needles: a trace id carried by exactly one line, one carried by several, a token that appears once.
  const Needle* single = nullptr;
  const Needle* several = nullptr;
  for (const auto& n : data.trace_ids()) {
    if (!single && n.count == 1) single = &n;
    if (!several && n.count >= 3) several = &n;
  }
  if (single) {
    QuerySpec q{"needle: trace_id (1 line)", "{} | trace_id=\"" + single->value + "\"", base(), single->count};
    q.request.predicates.push_back(pred(K::kEquals, "trace_id", single->value));
    qs.push_back(std::move(q));
  }
  if (several) {
    QuerySpec q{"needle: trace_id (" + std::to_string(several->count) + " lines)",
                "{} | trace_id=\"" + several->value + "\"", base(), several->count};
    q.request.predicates.push_back(pred(K::kEquals, "trace_id", several->value));
    qs.push_back(std::move(q));
  }
  if (!data.unique_tokens().empty()) {
    const Needle& t = data.unique_tokens().front();
    QuerySpec q{"rare token in message (1 line)", "{} |= \"" + t.value + "\" (whole token)", base(), 1};
    q.request.predicates.push_back(pred(K::kContainsToken, storage::kMessageField, t.value));
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"absent token", "{} |= \"zq9xkw_absent\" (whole token)", base(), 0};
    q.request.predicates.push_back(pred(K::kContainsToken, storage::kMessageField, "zq9xkw_absent"));
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"count all rows", "count_over_time({} [all])", base(), data.lines()};
    q.request.all_fields = false;
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"count by level", "sum by (level) (count_over_time({} [all]))", base(), data.lines()};
    q.request.all_fields = false;
    q.request.fields = {"level"};
    q.agg = QuerySpec::Agg::kCountByLevel;
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"frequent token, limit 100 newest", "{} |= \"GET\" (whole token), limit 100, backward", base(),
                std::nullopt};
    q.request.predicates.push_back(pred(K::kContainsToken, storage::kMessageField, "GET"));
    q.request.direction = storage::Direction::kBackward;
    q.request.limit = 100;
    q.agg = QuerySpec::Agg::kTopN;
    if (data.lines() >= 10000) q.expected = 100;
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"label selector + substring", "{service=\"nginx\", host=\"web-02\"} |= \"POST /api/v1/orders\"",
                base(), std::nullopt};
    q.request.matchers = {matcher("service", "nginx"), matcher("host", "web-02")};
    q.request.predicates.push_back(pred(K::kSubstring, storage::kMessageField, "POST /api/v1/orders"));
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"filtered time histogram", "count_over_time({level=\"error\"} |= \"timeout\" (whole token) [1m])",
                base(), std::nullopt};
    q.request.matchers = {matcher("level", "error")};
    q.request.predicates.push_back(pred(K::kContainsToken, storage::kMessageField, "timeout"));
    q.request.all_fields = false;
    q.agg = QuerySpec::Agg::kHistogramPerMinute;
    qs.push_back(std::move(q));
  }
  {
    QuerySpec q{"numeric field filter", "{} | latency_ms > 10000", base(), std::nullopt};
    q.request.predicates.push_back(pred(K::kGreater, "latency_ms", "10000"));
    qs.push_back(std::move(q));
  }
  return qs;
}

// ---------------------------------------------------------------------------------------------------------------
// Report.

std::string Today() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

std::string Hostname() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::string CommandLine(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += i == 0 ? "storage_bench" : argv[i];
  }
  return s;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    Usage();
    return 2;
  }
  observability::SetLogLevel(observability::LogLevel::kWarn);
  std::vector<std::string> failures;
  {
    constexpr int64_t kDayNs = 86400LL * 1000000000LL;
    int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    flags.start_ns = (now / kDayNs - 1) * kDayNs;
  }

  // 1. Data.
  std::fprintf(stderr, "generating %s lines (seed %" PRIu64 ")...\n", Thousands(flags.lines).c_str(), flags.seed);
  Dataset data;
  data.Generate(flags);
  std::fprintf(stderr, "  %.1f s (%.0f lines/s), raw %s, NDJSON %s, arena %s\n", data.generate_seconds(),
               static_cast<double>(data.lines()) / data.generate_seconds(), MiB(data.raw_bytes()).c_str(),
               MiB(data.ndjson_bytes()).c_str(), MiB(data.arena_bytes()).c_str());

  // 2. Ingest, --ingest-runs times; the last run's data is kept for the rest.
  std::vector<IngestResult> ingests;
  Engine engine;
  for (int run = 0; run < flags.ingest_runs; ++run) {
    auto e = OpenEngine(flags, run);
    if (!e) return 1;
    std::fprintf(stderr, "ingest run %d/%d into %s...\n", run + 1, flags.ingest_runs, e->dir.c_str());
    const double cpu0 = CpuSeconds();
    IngestResult r = Ingest(flags, data, *e->engine);
    std::fprintf(stderr, "  %.0f lines/s, %.1f MB/s raw, p50 %.1f ms, p99 %.1f ms, %.2f CPU-s/M lines, %" PRIu64
                         " parts, head %s, %" PRIu64 " retries\n",
                 r.lines_per_s, r.raw_mb_per_s, r.p50_ms, r.p99_ms, r.cpu_s_per_m, r.parts_at_end,
                 MiB(r.head_bytes_at_end).c_str(), r.retries);
    if (r.errors) failures.push_back(std::to_string(r.errors) + " append errors in ingest run " + std::to_string(run + 1));
    {
      auto t0 = Clock::now();
      base::Status st = e->engine->Flush();
      r.flush_s = Seconds(Clock::now() - t0);
      if (!st.ok()) failures.push_back("flush: " + st.ToString());
      r.to_parts_lines_per_s = static_cast<double>(data.lines()) / (r.seconds + r.flush_s);
      r.cpu_s_per_m_to_parts = (CpuSeconds() - cpu0) / (static_cast<double>(data.lines()) / 1e6);
      r.parts_after_flush = e->engine->PartsOf(flags.tenant).size();
      std::fprintf(stderr, "  flush %.1f s: %" PRIu64 " parts; %.0f lines/s into parts, %.2f CPU-s/M lines\n",
                   r.flush_s, r.parts_after_flush, r.to_parts_lines_per_s, r.cpu_s_per_m_to_parts);
    }
    ingests.push_back(r);
    if (run + 1 < flags.ingest_runs) {
      CloseEngine(*e, /*remove=*/true);  // only the last run's data is kept
    } else {
      engine = std::move(*e);
    }
  }
  storage::StorageEngine& eng = *engine.engine;

  // 3. Merge (the last run was flushed above), measure.
  const double flush_s = ingests.back().flush_s;
  DirSize after_flush = MeasureDir(engine.dir);
  MergeRun merge = MergeAll(eng, flags.tenant);
  if (!merge.error.empty()) failures.push_back("merge: " + merge.error);
  auto parts = eng.PartsOf(flags.tenant);
  DirSize after_merge = MeasureDir(engine.dir);
  Breakdown bd = BreakDown(parts);
  std::fprintf(stderr, "merges: %s, %zu parts, %s\n",
               merge.available ? (std::to_string(merge.merges) + " in " + Fmt("%.1f s", merge.seconds)).c_str()
                               : "not available yet",
               parts.size(), MiB(after_merge.part_bytes).c_str());
  std::shared_ptr<const storage::PartReader> largest;
  for (const auto& p : parts) {
    if (!largest || p->file_size() > largest->file_size()) largest = p;
  }
  if (bd.rows != data.lines()) {
    failures.push_back("parts hold " + std::to_string(bd.rows) + " rows, expected " + std::to_string(data.lines()));
  }
  FullMerge full;
  if (flags.full_merge) {
    std::fprintf(stderr, "merging all %zu parts into one (scratch)...\n", parts.size());
    full = MergeEverything(parts, engine.dir);
    if (!full.error.empty()) failures.push_back("full merge: " + full.error);
    if (full.done) {
      std::fprintf(stderr, "  %.1f s, %s\n", full.seconds, MiB(full.part->file_size()).c_str());
      if (full.part->meta().rows != data.lines()) failures.push_back("full merge lost rows");
    }
  }
  Breakdown bd_full = full.done ? BreakDown({full.part}) : Breakdown();

  // 4. Queries.
  std::vector<QueryResult> results;
  for (const auto& q : BuildQueries(flags, data)) {
    std::fprintf(stderr, "query: %s...\n", q.name.c_str());
    QueryResult r = RunQuery(q, eng, flags.query_runs);
    if (!r.ok) {
      failures.push_back("query \"" + r.name + "\": " +
                         (r.error.empty() ? "answer " + std::to_string(r.rows) + ", expected " +
                                                std::to_string(r.expected.value_or(0))
                                          : r.error));
    }
    results.push_back(std::move(r));
  }

  // 4b. The same kind of queries in LogQL through the query engine.
  query::QueryEngineOptions qo;
  query::QueryEngine query_engine(eng, qo, *engine.registry);
  EngineQueryInput eq;
  eq.tenant = flags.tenant;
  eq.start_ns = flags.start_ns;
  eq.end_ns = flags.start_ns + static_cast<int64_t>(static_cast<double>(data.lines()) / flags.lines_per_second * 1e9) +
              60'000'000'000;  // timestamps carry jitter beyond the nominal rate
  eq.lines = data.lines();
  eq.trace_ids = &data.trace_ids();
  eq.unique_tokens = &data.unique_tokens();
  eq.runs = flags.query_runs;
  std::vector<EngineQueryResult> engine_results = RunEngineQueries(query_engine, eq);
  for (const auto& r : engine_results) {
    if (!r.ok) {
      failures.push_back("engine query \"" + r.name + "\": " +
                         (r.error.empty() ? "answer " + std::to_string(r.value) + ", expected " +
                                                std::to_string(r.expected.value_or(0))
                                          : r.error));
    }
  }

  // 5. Report.
  std::string md;
  const double raw = static_cast<double>(data.raw_bytes());
  const double nd = static_cast<double>(data.ndjson_bytes());
  struct utsname un;
  ::uname(&un);
  std::string commit = Command("git -C '" + std::string(STRATA_SOURCE_DIR) + "' rev-parse --short HEAD 2>/dev/null");
  std::string dirty = Command("git -C '" + std::string(STRATA_SOURCE_DIR) + "' status --porcelain 2>/dev/null | head -1");
  md += "# Storage benchmark, " + Today() + ", " + Hostname() + "\n\n";
  md += "Command: `" + CommandLine(argc, argv) + "` (bench/README.md). Machine: " +
        std::to_string(std::thread::hardware_concurrency()) + " cores (" + CpuModel() + "), " +
        Fmt("%.0f GiB", static_cast<double>(MemTotalBytes()) / (1ull << 30)) + " RAM, " + un.sysname + " " +
        un.release + ". Commit " + (commit.empty() ? "unknown" : commit) + (dirty.empty() ? "" : " + uncommitted changes") +
        ". The cores are shared with other builds: numbers are noisy.\n\n";

  md += "## Data\n\n";
  md += "| lines | streams | raw bytes (LogRecord::RawBytes) | avg raw bytes/line | NDJSON bytes | avg NDJSON bytes/line | "
        "multi-line records | generator |\n|---|---|---|---|---|---|---|---|\n";
  md += "| " + Thousands(data.lines()) + " | " + std::to_string(data.streams().size()) + " | " +
        MiB(data.raw_bytes()) + " | " + Fmt("%.1f", raw / static_cast<double>(data.lines())) + " | " +
        MiB(data.ndjson_bytes()) + " | " + Fmt("%.1f", nd / static_cast<double>(data.lines())) + " | " +
        Thousands(data.multiline()) + " | " +
        Fmt("%.2f M lines/s", static_cast<double>(data.lines()) / data.generate_seconds() / 1e6) + " |\n\n";
  {
    std::string start;
    AppendRfc3339Nanos(flags.start_ns, &start);
    md += "Seed " + std::to_string(flags.seed) + "; timestamps from " + start + " at " +
          Fmt("%.0f", flags.lines_per_second) + " lines/s (" +
          Fmt("%.1f h", static_cast<double>(data.lines()) / flags.lines_per_second / 3600) +
          "), tenant `" + flags.tenant + "`. The generator rate includes NDJSON sizing and the copy into the "
          "in-memory arena the clients replay from.\n\n";
  }

  md += "## Ingest (Append until durable, fsync=" + flags.fsync + ", " + std::to_string(flags.clients) +
        " clients x 1 batch of " + std::to_string(flags.batch) + " lines in flight)\n\n";
  md += "| run | acked lines/s | raw MB/s | p50 batch ms | p99 batch ms | max batch ms | CPU-s per M lines | head left "
        "| Flush() s | lines/s into parts | CPU-s per M lines into parts | parts | 429 retries |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::vector<double> lps, mbs, p50s, p99s, cpus, flushes, to_parts, cpus_parts;
  for (size_t i = 0; i < ingests.size(); ++i) {
    const auto& r = ingests[i];
    md += "| " + std::to_string(i + 1) + " | " + Thousands(static_cast<uint64_t>(r.lines_per_s)) + " | " +
          Fmt("%.1f", r.raw_mb_per_s) + " | " + Fmt("%.1f", r.p50_ms) + " | " + Fmt("%.1f", r.p99_ms) + " | " +
          Fmt("%.1f", r.max_ms) + " | " + Fmt("%.2f", r.cpu_s_per_m) + " | " + MiB(r.head_bytes_at_end) + " | " +
          Fmt("%.1f", r.flush_s) + " | " + Thousands(static_cast<uint64_t>(r.to_parts_lines_per_s)) + " | " +
          Fmt("%.2f", r.cpu_s_per_m_to_parts) + " | " + std::to_string(r.parts_after_flush) + " | " +
          Thousands(r.retries) + " |\n";
    lps.push_back(r.lines_per_s);
    mbs.push_back(r.raw_mb_per_s);
    p50s.push_back(r.p50_ms);
    p99s.push_back(r.p99_ms);
    cpus.push_back(r.cpu_s_per_m);
    flushes.push_back(r.flush_s);
    to_parts.push_back(r.to_parts_lines_per_s);
    cpus_parts.push_back(r.cpu_s_per_m_to_parts);
  }
  if (ingests.size() > 1) {
    md += "| **median** | **" + Thousands(static_cast<uint64_t>(Median(lps))) + "** | " + Fmt("%.1f", Median(mbs)) +
          " | " + Fmt("%.1f", Median(p50s)) + " | " + Fmt("%.1f", Median(p99s)) + " | | " +
          Fmt("%.2f", Median(cpus)) + " | | " + Fmt("%.1f", Median(flushes)) + " | **" +
          Thousands(static_cast<uint64_t>(Median(to_parts))) + "** | " + Fmt("%.2f", Median(cpus_parts)) + " | | |\n";
  }
  md += "\nAcked = Append's callback ran (durable in the WAL, visible in the head). CPU-s per M lines is the whole "
        "process (clients materializing batches, WAL, head, the background flushes and maintenance that ran "
        "meanwhile) over the ingest wall time. `head left` is what the background flusher had not yet written to "
        "parts when the last ack came; Flush() then writes it (waiting for a flush in progress), so \"into parts\" "
        "= lines / (ingest + Flush) is the rate the whole write path sustains.\n\n";

  md += "## Disk\n\n";
  md += "| state | parts | *.part bytes | raw / disk | NDJSON / disk | disk bytes per line | time |\n"
        "|---|---|---|---|---|---|---|\n";
  auto disk_row = [&](const std::string& state, uint64_t files, uint64_t bytes, const std::string& time) {
    double b = static_cast<double>(bytes);
    md += "| " + state + " | " + std::to_string(files) + " | " + Thousands(bytes) + " (" + MiB(bytes) + ") | **" +
          Fmt("%.2fx", bytes ? raw / b : 0) + "** | **" + Fmt("%.2fx", bytes ? nd / b : 0) + "** | " +
          Fmt("%.1f", b / static_cast<double>(data.lines())) + " | " + time + " |\n";
  };
  disk_row("after Flush()", after_flush.part_files, after_flush.part_bytes, Fmt("Flush() %.1f s", flush_s));
  disk_row(merge.available ? "after MergeOnce() until it merges nothing" : "merges: not available yet",
           after_merge.part_files, after_merge.part_bytes,
           merge.available ? Fmt("%" PRIu64 " merges, %.1f s", merge.merges, merge.seconds) : std::string("-"));
  if (full.done) {
    disk_row("all parts merged into one (MergeParts, scratch)", 1, full.part->file_size(),
             Fmt("%.1f s", full.seconds));
  }
  md += "\nraw = sum of LogRecord::RawBytes() (labels + message + field names and values); NDJSON = the same records "
        "as VictoriaLogs-style JSON lines with `_time`, labels, `_msg` and fields (what the peers' ratios use). "
        "The engine's merge policy (tiers of size ratio 8, at least 4 parts) decides what MergeOnce() merges; the "
        "last row is what a fully merged part would weigh. Data directory total after merges (WAL, delete store "
        "included, scratch excluded): " +
        Thousands(after_merge.all_bytes) + " bytes, of which WAL " + Thousands(after_merge.wal_bytes) + ".\n\n";

  md += "### Where the bytes go\n\n";
  {
    const Breakdown& f = full.done ? bd_full : bd;
    md += std::string("| component | stored bytes (") + std::to_string(parts.size()) + " parts) | share | bytes per line" +
          (full.done ? " | stored bytes (1 merged part) | share | bytes per line | encoded (pre-zstd) bytes" : "") +
          " |\n|---|---|---|---|" + (full.done ? "---|---|---|---|" : "") + "\n";
    auto share = [](const Breakdown& b, uint64_t v) {
      return Fmt("%.1f%%", b.files ? 100.0 * static_cast<double>(v) / static_cast<double>(b.files) : 0);
    };
    auto per_line = [](const Breakdown& b, uint64_t v) {
      return Fmt("%.2f", static_cast<double>(v) / static_cast<double>(std::max<uint64_t>(1, b.rows)));
    };
    auto row = [&](const std::string& name, uint64_t v, uint64_t vf, const std::string& extra) {
      md += "| " + name + " | " + Thousands(v) + " | " + share(bd, v) + " | " + per_line(bd, v);
      if (full.done) md += " | " + Thousands(vf) + " | " + share(f, vf) + " | " + per_line(f, vf) + " | " + extra;
      md += " |\n";
    };
    std::vector<std::pair<std::string, uint64_t>> cols(bd.column_stored.begin(), bd.column_stored.end());
    std::sort(cols.begin(), cols.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [name, stored] : cols) {
      auto it = f.column_stored.find(name);
      auto raw_it = f.column_raw.find(name);
      row("column `" + name + "`", stored, it == f.column_stored.end() ? 0 : it->second,
          raw_it == f.column_raw.end() ? "" : Thousands(raw_it->second));
    }
    row("token index (exact, per part)", bd.token_index, f.token_index, Thousands(f.token_keys) + " keys");
    row("block headers, with the per-block filters", bd.block_headers, f.block_headers,
        Thousands(f.blocks) + " blocks; filters " + Thousands(f.filters) + " bytes before compression");
    row("meta, streams, column names, header, footer", bd.other, f.other, "");
    row("**total**", bd.files, f.files, "");
    md += "\nPer-block filter bytes by column, before compression" + std::string(full.done ? " (merged part)" : "") +
          ": ";
    bool first = true;
    for (const auto& [name, bytes] : f.column_filter) {
      if (!bytes) continue;
      md += std::string(first ? "" : ", ") + "`" + name + "` " + Thousands(bytes);
      first = false;
    }
    md += ".\n\n";
  }

  md += "## Queries (" + std::to_string(flags.query_runs) + " run(s) each, warm page cache: median and first run)\n\n";
  md += "| query | answer | median ms | first ms | parts | blocks | pruned: time | stream | token index | "
        "bloom/minmax | blocks read | rows scanned | MB decompressed |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) {
    const auto& s = r.stats;
    std::string answer = r.error.empty() ? r.answer : "ERROR " + r.error;
    if (r.expected && !r.ok && r.error.empty()) answer += " **MISMATCH, expected " + Thousands(*r.expected) + "**";
    md += "| " + r.name + " | " + answer + " | " + Fmt("%.1f", r.median_ms) + " | " + Fmt("%.1f", r.first_ms) + " | " +
          std::to_string(s.parts) + " | " + Thousands(s.blocks_total) + " | " + Thousands(s.blocks_pruned_by_time) +
          " | " + Thousands(s.blocks_pruned_by_stream) + " | " + Thousands(s.blocks_pruned_by_token_index) + " | " +
          Thousands(s.blocks_pruned_by_bloom_or_minmax) + " | " + Thousands(s.blocks_read) + " | " +
          Thousands(s.rows_scanned) + " | " + Fmt("%.1f", static_cast<double>(s.bytes_decompressed) / 1e6) + " |\n";
  }
  md += "\nQueries, in LogQL terms:\n\n";
  for (const auto& r : results) md += "- " + r.name + ": `" + r.logql + "`\n";
  md += "\n";
  md += EngineQueriesMarkdown(engine_results, flags.query_runs);

  if (largest) {
    md += "## Largest part (`strata admin inspect`)\n\n```\n" + storage::InspectPart(*largest) + "```\n";
  }
  if (full.done) {
    md += "\n## The fully merged part (`strata admin inspect`)\n\n```\n" + storage::InspectPart(*full.part) +
          "```\n";
  }
  if (!failures.empty()) {
    md += "\n## Failures\n\n";
    for (const auto& f : failures) md += "- " + f + "\n";
  }

  std::fwrite(md.data(), 1, md.size(), stdout);
  std::fflush(stdout);
  if (flags.write_results) {
    std::error_code ec;
    fs::create_directories(flags.results_dir, ec);
    std::string path = flags.results_dir + "/" + Today() + "-storage-" + Hostname() + ".md";
    std::ofstream out(path, std::ios::trunc);
    out << md;
    if (out) {
      std::fprintf(stderr, "wrote %s\n", path.c_str());
    } else {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
    }
  }

  parts.clear();
  largest.reset();
  if (full.done || !full.error.empty()) {
    full.part.reset();
    std::error_code ec;
    fs::remove_all(engine.dir + "/.bench-full-merge", ec);
  }
  CloseEngine(engine, /*remove=*/!flags.keep);
  if (flags.keep) std::fprintf(stderr, "kept %s\n", engine.dir.c_str());
  if (!failures.empty()) {
    std::fprintf(stderr, "%s: %zu failure(s):\n", flags.smoke ? "SMOKE FAILED" : "FAILED", failures.size());
    for (const auto& f : failures) std::fprintf(stderr, "  %s\n", f.c_str());
    return 1;
  }
  if (flags.smoke) std::fprintf(stderr, "smoke: OK\n");
  return 0;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) { return strata::bench::Main(argc, argv); }
