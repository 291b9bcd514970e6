// Micro-benchmarks of the full-text index primitives: tokenizer, token hash, trigram filter, exact
// token index.
// Run: build/<release>/src/strata/storage/index/strata_index_benchmark [--benchmark_min_time=0.2s]

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "strata/common/hash.h"
#include "strata/storage/index/ngram_filter.h"
#include "strata/storage/index/token_index.h"
#include "strata/storage/index/tokenizer.h"

namespace strata::storage::index {
namespace {

// ~250-byte lines in three common shapes: nginx access log, JSON app log, key=value log with ids.
std::vector<std::string> MakeLines(size_t n) {
  std::mt19937_64 rng(42);
  const char* paths[] = {"/api/v1/users", "/api/v2/orders/checkout", "/static/js/app.min.js", "/healthz"};
  const char* levels[] = {"INFO", "WARN", "ERROR", "DEBUG"};
  std::vector<std::string> lines;
  char buf[512];
  for (size_t i = 0; i < n; ++i) {
    switch (i % 3) {
      case 0:
        std::snprintf(buf, sizeof(buf),
                      "10.%u.%u.%u - - [17/Sep/2024:10:%02u:%02u +0000] \"GET %s?id=%llu&page=%u HTTP/1.1\" %u %u "
                      "\"https://shop.example.com/cart\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/128.0.0.0 Safari/537.36\"",
                      unsigned(rng() % 256), unsigned(rng() % 256), unsigned(rng() % 256), unsigned(rng() % 60),
                      unsigned(rng() % 60), paths[rng() % 4], (unsigned long long)(rng() % 1000000),
                      unsigned(rng() % 20), unsigned(200 + rng() % 4 * 100), unsigned(rng() % 100000));
        break;
      case 1:
        std::snprintf(buf, sizeof(buf),
                      "{\"ts\":\"2024-09-17T10:02:03.%03uZ\",\"level\":\"%s\",\"service\":\"checkout\",\"msg\":"
                      "\"payment authorization failed for order\",\"order_id\":%llu,\"trace_id\":\"%016llx\","
                      "\"span_id\":\"%08llx\",\"latency_ms\":%u,\"region\":\"eu-west-1\",\"host\":\"checkout-7d9f-x2\"}",
                      unsigned(rng() % 1000), levels[rng() % 4], (unsigned long long)(rng() % 100000000),
                      (unsigned long long)rng(), (unsigned long long)(rng() & 0xffffffff), unsigned(rng() % 5000));
        break;
      default:
        std::snprintf(buf, sizeof(buf),
                      "time=2024-09-17T10:02:03Z level=%s component=scheduler msg=\"reconciled pod status\" "
                      "pod=web-%llx-%05llu namespace=prod node=ip-10-0-%u-%u.ec2.internal request_id=%016llx "
                      "duration=%ums attempts=%u cluster=prod-eu-1 caller=reconciler.go:214",
                      levels[rng() % 4], (unsigned long long)(rng() & 0xfffffff), (unsigned long long)(rng() % 100000),
                      unsigned(rng() % 256), unsigned(rng() % 256), (unsigned long long)rng(), unsigned(rng() % 900),
                      unsigned(rng() % 5));
    }
    lines.emplace_back(buf);
  }
  return lines;
}

const std::vector<std::string>& Lines() {
  static const std::vector<std::string> lines = MakeLines(4096);
  return lines;
}

void BM_Tokenize(benchmark::State& state) {
  const auto& lines = Lines();
  size_t bytes = 0, tokens = 0;
  for (auto _ : state) {
    for (const auto& l : lines) {
      ForEachToken(l, [&](std::string_view t) { tokens += t.size() != 0; });
      bytes += l.size();
    }
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["avg_line_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations() * lines.size());
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Tokenize);

void BM_TokenizeAndHash(benchmark::State& state) {
  const auto& lines = Lines();
  size_t bytes = 0, tokens = 0;
  uint64_t acc = 0;
  for (auto _ : state) {
    for (const auto& l : lines) {
      ForEachToken(l, [&](std::string_view t) {
        acc ^= TokenHash(t);
        ++tokens;
      });
      bytes += l.size();
    }
  }
  benchmark::DoNotOptimize(acc);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TokenizeAndHash);

// The write-path cost of the per-block trigram filter: every line added, one Finish per 4,096 lines.
void BM_TrigramBuild(benchmark::State& state) {
  const auto& lines = Lines();
  size_t bytes = 0, filter_bytes = 0;
  TrigramFilterBuilder builder;
  for (auto _ : state) {
    for (const auto& l : lines) {
      builder.AddValue(l);
      bytes += l.size();
    }
    filter_bytes = builder.Finish().size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["filter_bytes"] = static_cast<double>(filter_bytes);
  state.counters["ns/line"] = benchmark::Counter(static_cast<double>(state.iterations() * lines.size()),
                                                 benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TrigramBuild);

void BM_TrigramProbe(benchmark::State& state) {
  TrigramFilterBuilder builder;
  for (const auto& l : Lines()) builder.AddValue(l);
  const std::string filter = builder.Finish();
  const auto grams = TrigramsOf("tr_c61a01cea3bd61e2");
  size_t hits = 0;
  for (auto _ : state) hits += TrigramFilterMayContainAll(filter, grams);
  benchmark::DoNotOptimize(hits);
}
BENCHMARK(BM_TrigramProbe);

std::vector<std::string> TokensOfLines() {
  std::vector<std::string> out;
  for (const auto& l : Lines()) ForEachToken(l, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

void BM_TokenHash(benchmark::State& state) {
  static const std::vector<std::string> tokens = TokensOfLines();
  uint64_t acc = 0;
  for (auto _ : state) {
    for (const auto& t : tokens) acc += TokenHash(t);
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tokens.size()));
}
BENCHMARK(BM_TokenHash);

void BM_Hash64(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  uint64_t acc = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(data.data());
    acc += common::Hash64(data, acc);
  }
  benchmark::DoNotOptimize(acc);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Hash64)->Arg(8)->Arg(32)->Arg(256)->Arg(4096);

std::vector<uint64_t> RandomHashes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(n);
  for (auto& h : v) h = rng();
  return v;
}

// ~1M (key, block) entries over 2000 blocks: 40% per-block needles (trace ids), 60% from a shared skewed
// vocabulary (levels, services, words), as a part writer would add them block by block (with repeats).
struct IndexInput {
  std::vector<std::pair<uint64_t, uint32_t>> adds;
  std::vector<uint64_t> present;
};
const IndexInput& MillionEntryInput() {
  static const IndexInput input = [] {
    IndexInput in;
    std::mt19937_64 rng(4);
    std::vector<uint64_t> vocab(20000);
    for (auto& k : vocab) k = rng();
    for (uint32_t blk = 0; blk < 2000; ++blk) {
      for (int i = 0; i < 500; ++i) {
        uint64_t k;
        if (i < 300) {
          double u = static_cast<double>(rng() >> 11) / 9007199254740992.0;
          k = vocab[static_cast<size_t>(u * u * u * static_cast<double>(vocab.size()))];
        } else {
          k = rng();
          if (i % 50 == 0) in.present.push_back(k);
        }
        in.adds.emplace_back(k, blk);
      }
    }
    for (size_t i = 0; i < 2000; ++i) in.present.push_back(vocab[i * 10]);
    return in;
  }();
  return input;
}

void BM_TokenIndexBuild(benchmark::State& state) {
  const auto& in = MillionEntryInput();
  size_t bytes = 0, entries = 0;
  for (auto _ : state) {
    TokenIndexBuilder b;
    for (const auto& [k, blk] : in.adds) b.Add(k, blk);
    std::string data = b.Finish();
    bytes = data.size();
    entries = b.stats().entries;
    benchmark::DoNotOptimize(data);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * in.adds.size()));
  state.counters["adds"] = static_cast<double>(in.adds.size());
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["index_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_entry"] = static_cast<double>(bytes) / static_cast<double>(entries);
}
BENCHMARK(BM_TokenIndexBuild)->Unit(benchmark::kMillisecond);

// range(0) = 1: keys present; 0: absent keys (the needle-miss case).
void BM_TokenIndexLookup(benchmark::State& state) {
  const auto& in = MillionEntryInput();
  TokenIndexBuilder b;
  for (const auto& [k, blk] : in.adds) b.Add(k, blk);
  const std::string data = b.Finish();
  auto reader = TokenIndexReader::Open(data);
  if (!reader.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::vector<uint64_t> probes = state.range(0) ? in.present : RandomHashes(4096, 5);
  std::vector<uint32_t> blocks;
  size_t found = 0, postings = 0;
  for (auto _ : state) {
    for (uint64_t k : probes) {
      blocks.clear();
      found += reader->Lookup(k, &blocks);
      postings += blocks.size();
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * probes.size()));
  state.counters["avg_blocks"] = static_cast<double>(postings) / static_cast<double>(state.iterations() * probes.size());
  state.counters["entries"] = static_cast<double>(b.stats().entries);
  state.counters["bytes_per_entry"] = static_cast<double>(data.size()) / static_cast<double>(b.stats().entries);
}
BENCHMARK(BM_TokenIndexLookup)->Arg(1)->Arg(0);

}  // namespace
}  // namespace strata::storage::index
