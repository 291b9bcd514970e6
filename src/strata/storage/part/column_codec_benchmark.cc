// Encode/decode throughput and encoded sizes of the column codecs on realistic log columns.
//
// Counters: ratio = encoded bytes / raw value bytes; zstd_ratio = ZSTD_compress(level 3) of the encoded bytes /
// raw value bytes (what lands on disk, before part-level overhead); zstd_raw_ratio = zstd level 3 of the values
// laid out as the raw encoding would (lengths then bytes), the baseline the typed encodings must beat.

#include <benchmark/benchmark.h>
#include <zstd.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "strata/storage/part/column_codec.h"

namespace strata::storage {
namespace {

constexpr size_t kRows = 8192;
constexpr int64_t kStartNs = 1767225600LL * 1000000000;  // 2026-01-01T00:00:00Z

std::string Rfc3339Ms(int64_t ns) {
  const time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<size_t>(snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ns / 1000000 % 1000)));
  return std::string(buf, n);
}

std::vector<std::string> MakeColumn(const std::string& kind) {
  std::mt19937_64 rng(42);
  std::vector<std::string> v;
  v.reserve(kRows);
  static const char* kWords[] = {"user",    "request", "completed", "failed",  "connection", "timeout", "cache",
                                 "miss",    "upstream", "returned", "retrying", "session",   "token",   "expired",
                                 "payload", "bytes",   "handler",   "order",   "payment",    "accepted"};
  int64_t t = kStartNs;
  for (size_t i = 0; i < kRows; ++i) {
    if (kind == "status") {
      const uint64_t r = rng() % 1000;
      v.push_back(r < 850 ? "200" : r < 900 ? "304" : r < 950 ? "404" : r < 980 ? "500" : r < 990 ? "301" : "503");
    } else if (kind == "latency") {
      // Log-normal-ish microseconds: mostly hundreds, a long tail.
      std::lognormal_distribution<double> d(6.0, 1.2);
      v.push_back(std::to_string(static_cast<uint64_t>(d(rng))));
    } else if (kind == "duration_s") {
      // Seconds with millisecond resolution, as loggers print them ("0.25", "1.734"): the decimal float form.
      std::lognormal_distribution<double> d(-1.5, 1.0);
      const auto ms = static_cast<uint64_t>(d(rng) * 1000) + 1;
      std::string s = std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
      v.push_back(s);
    } else if (kind == "ipv4") {
      const uint64_t r = rng();
      if (r % 4 == 0) {
        v.push_back("10.0." + std::to_string(r >> 8 & 3) + "." + std::to_string(r >> 16 & 255));
      } else {
        v.push_back(std::to_string(r >> 8 & 255) + "." + std::to_string(r >> 16 & 255) + "." +
                    std::to_string(r >> 24 & 255) + "." + std::to_string(r >> 32 & 255));
      }
    } else if (kind == "trace_id") {
      char buf[33];
      snprintf(buf, sizeof(buf), "%016" PRIx64 "%016" PRIx64, rng(), rng());
      v.emplace_back(buf, 32);
    } else if (kind == "level_const") {
      v.push_back("info");
    } else if (kind == "level") {
      const uint64_t r = rng() % 100;
      v.push_back(r < 80 ? "info" : r < 92 ? "debug" : r < 98 ? "warn" : "error");
    } else if (kind == "rfc3339") {
      t += 1000000 + static_cast<int64_t>(rng() % 200000);
      v.push_back(Rfc3339Ms(t));
    } else if (kind == "message") {
      std::string m = "handler=" + std::string(kWords[rng() % 20]) + " id=" + std::to_string(rng() % 1000000) + " ";
      while (m.size() < 200) {
        m += kWords[rng() % 20];
        m += ' ';
      }
      v.push_back(m);
    }
  }
  return v;
}

StringColumn ToColumn(const std::vector<std::string>& values) {
  StringColumn c;
  for (const std::string& v : values) c.Append(v);
  return c;
}

double ZstdSize(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  return ZSTD_isError(n) ? 0 : static_cast<double>(n);
}

void SetRatios(benchmark::State& state, const StringColumn& col, const EncodedColumn& enc) {
  const auto raw_bytes = static_cast<double>(col.total_bytes());
  base::Result<EncodedColumn> raw = EncodeColumnAs(col, ColumnType::kRaw);
  state.counters["ratio"] = static_cast<double>(enc.data.size()) / raw_bytes;
  state.counters["zstd_ratio"] = ZstdSize(enc.data) / raw_bytes;
  state.counters["zstd_raw_ratio"] = raw.ok() ? ZstdSize(raw->data) / raw_bytes : 0;
  state.SetLabel(std::string(ColumnTypeName(enc.type)));
}

void BM_Encode(benchmark::State& state, const std::string& kind) {
  const StringColumn col = ToColumn(MakeColumn(kind));
  EncodedColumn enc;
  for (auto _ : state) {
    enc = EncodeColumn(col);
    benchmark::DoNotOptimize(enc.data.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * col.total_bytes()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * col.size()));
  SetRatios(state, col, enc);
}

void BM_Decode(benchmark::State& state, const std::string& kind) {
  const StringColumn col = ToColumn(MakeColumn(kind));
  const EncodedColumn enc = EncodeColumn(col);
  StringColumn out;
  for (auto _ : state) {
    out.Clear();
    base::Status st = DecodeColumn(enc.type, enc.data, col.size(), &out);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.bytes().data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * col.total_bytes()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * col.size()));
  SetRatios(state, col, enc);
}

std::vector<int64_t> MakeTimestamps() {
  std::mt19937_64 rng(7);
  std::vector<int64_t> ts;
  int64_t t = kStartNs;
  for (size_t i = 0; i < kRows; ++i) {
    t += 1000000 + static_cast<int64_t>(rng() % 100000);  // ~1 ms apart with jitter
    ts.push_back(t);
  }
  return ts;
}

void SetTimestampRatios(benchmark::State& state, const std::vector<int64_t>& ts, const std::string& data) {
  const double raw_bytes = static_cast<double>(ts.size() * sizeof(int64_t));
  state.counters["ratio"] = static_cast<double>(data.size()) / raw_bytes;
  state.counters["zstd_ratio"] = ZstdSize(data) / raw_bytes;
  state.counters["zstd_raw_ratio"] =
      ZstdSize(std::string(reinterpret_cast<const char*>(ts.data()), ts.size() * sizeof(int64_t))) / raw_bytes;
}

void BM_EncodeTimestamps(benchmark::State& state) {
  const std::vector<int64_t> ts = MakeTimestamps();
  std::string data;
  for (auto _ : state) {
    data.clear();
    EncodeTimestamps(ts, &data);
    benchmark::DoNotOptimize(data.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * ts.size() * sizeof(int64_t)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ts.size()));
  SetTimestampRatios(state, ts, data);
}

void BM_DecodeTimestamps(benchmark::State& state) {
  const std::vector<int64_t> ts = MakeTimestamps();
  std::string data;
  EncodeTimestamps(ts, &data);
  std::vector<int64_t> out;
  for (auto _ : state) {
    out.clear();
    base::Status st = DecodeTimestamps(data, ts.size(), &out);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * ts.size() * sizeof(int64_t)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ts.size()));
  SetTimestampRatios(state, ts, data);
}

#define COLUMN_BENCHMARKS(kind)                              \
  BENCHMARK_CAPTURE(BM_Encode, kind, std::string(#kind));    \
  BENCHMARK_CAPTURE(BM_Decode, kind, std::string(#kind))

COLUMN_BENCHMARKS(status);
COLUMN_BENCHMARKS(latency);
COLUMN_BENCHMARKS(duration_s);
COLUMN_BENCHMARKS(ipv4);
COLUMN_BENCHMARKS(trace_id);
COLUMN_BENCHMARKS(level_const);
COLUMN_BENCHMARKS(level);
COLUMN_BENCHMARKS(rfc3339);
COLUMN_BENCHMARKS(message);
BENCHMARK(BM_EncodeTimestamps);
BENCHMARK(BM_DecodeTimestamps);

}  // namespace
}  // namespace strata::storage
