#pragma once
// LogGenerator: a deterministic, seeded source of realistic log records for benchmarks (bench/README.md).
//
// The mix (shares of lines, approximate):
//   30% nginx access lines (combined format + request/upstream times; client IPs from a Zipf-skewed pool, paths,
//       methods, status codes by level, sizes, user agents, referers) -- message only, no fields;
//   40% application logs, JSON-style, flattened to message + fields (trace_id: 32 hex, one per request and shared
//       by the 1-6 lines of that request; span_id, caller, user_id, latency_ms, status, method, route), messages
//       from per-service and per-level templates, some carrying unique ids (order, payment, message ids);
//   10% syslog-style system lines (sshd, kernel, cron, systemd; fields facility, pid);
//    8% a Java (Spring Boot) service, raw lines with a multi-line stack trace (one record with '\n' inside) on
//       about half of its error lines (fields trace_id, span_id);
//   12% Kubernetes container logs (labels namespace/pod/container; klog, logfmt and CoreDNS lines; fields node,
//       stream).
// About 100 streams (label sets over service/env/host/level, or namespace/pod/container/env/level for
// Kubernetes) with Zipf-like sizes; level is a stream label. The stream catalog is the same for every seed; the
// seed changes the content. Average LogRecord::RawBytes() is about 250 bytes (log_generator_test.cc checks it).
// Timestamps advance at `lines_per_second` with a random jitter of up to `jitter_ns` (so they are not strictly
// monotonic, as with real collectors).
//
// Needles: the generator remembers a uniform sample (reservoir, independent of the output stream) of the trace
// ids of completed requests with the exact number of lines carrying them, and of message tokens generated
// exactly once, so a benchmark can search for something that exists once or a few times.
//
// Depends only on model/log_record.h, so the side-by-side harness can reuse it for NDJSON, Loki push and _bulk
// bodies. Not thread-safe: one generator per thread (different seeds give independent streams).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/model/log_record.h"

namespace strata::bench {

struct LogGeneratorOptions {
  int64_t start_ns = 1767571200000000000;  // 2026-01-05T00:00:00Z
  double lines_per_second = 1000;          // nominal rate of the timestamps (10 M lines span ~2.8 h)
  int64_t jitter_ns = -1;                  // each timestamp = nominal + U[0, jitter_ns); -1 = 4 nominal intervals
  double stream_skew = 1.0;                // Zipf exponent of the source sizes inside each kind of log
  size_t needle_samples = 1000;            // how many trace ids and unique tokens are remembered
};

// A value the generator emitted `count` times (count is exact once the value is reported).
struct Needle {
  std::string value;
  uint32_t count = 0;
};

class LogGenerator {
 public:
  using Options = LogGeneratorOptions;

  explicit LogGenerator(uint64_t seed, Options options = Options());
  ~LogGenerator();
  LogGenerator(const LogGenerator&) = delete;
  LogGenerator& operator=(const LogGenerator&) = delete;

  // Overwrites *out with the next record (reusing its buffers). Labels are canonical (sorted by name).
  void Next(model::LogRecord* out);

  uint64_t lines() const;
  // The stream catalog: every label set Next() can produce.
  const std::vector<model::LabelSet>& streams() const;
  // Sampled trace ids (field `trace_id`) of requests whose lines were all emitted, with their exact line counts
  // (1..6). Requests still open are not listed.
  const std::vector<Needle>& trace_ids() const;
  // Sampled message tokens (e.g. "ord_3f9a0c2e7b1d4a65") emitted exactly once (count = 1) in the message.
  const std::vector<Needle>& unique_tokens() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The record as one VictoriaLogs-style JSON line ({"_time":"<RFC 3339 ns>", labels..., "_msg":..., fields...})
// plus '\n', appended to *out: the "raw text" the peers' disk ratios are measured against.
void AppendNdjsonLine(const model::LogRecord& record, std::string* out);

// RFC 3339 UTC with 9 fraction digits, e.g. 2026-01-05T00:00:01.123456789Z.
void AppendRfc3339Nanos(int64_t ns, std::string* out);

}  // namespace strata::bench
