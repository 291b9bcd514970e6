#pragma once
// Decoding of the Loki HTTP API answers the command-line tools read: query_range (streams, matrix, vector,
// scalar) and the tail WebSocket frames. Shapes are those of Loki's pkg/util/marshal (see docs/api/cli.md).
// Pure functions on values; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"

namespace strata::cli {

// Label pairs sorted by name (the order Loki clients print them in).
using Labels = std::vector<std::pair<std::string, std::string>>;

struct LogEntry {
  int64_t ts_ns = 0;
  std::string line;
};

struct LogStream {
  Labels labels;
  std::vector<LogEntry> entries;
};

// One metric sample. The time is kept in ms, the precision of Loki's `<t>` (seconds with 3 decimals); the value
// stays the server's text ("NaN", "+Inf" included) so that printing it never changes it.
struct Sample {
  int64_t t_ms = 0;
  std::string value;
};

struct Series {
  Labels metric;
  std::vector<Sample> samples;  // one for a vector or scalar result
};

struct QueryResult {
  std::string result_type;  // "streams", "matrix", "vector" or "scalar"
  std::vector<LogStream> streams;
  std::vector<Series> series;  // matrix and vector; a scalar is one series with no labels
  std::vector<std::string> warnings;
};

struct TailFrame {
  std::vector<LogStream> streams;
  // Entries the server could not send in time (a slow client): labels and timestamp only.
  std::vector<std::pair<Labels, int64_t>> dropped;
};

// InvalidArgument (with what was wrong) for a body that is not a well-formed success answer.
base::Result<QueryResult> ParseQueryRangeResponse(std::string_view body);
base::Result<TailFrame> ParseTailFrame(std::string_view text);

}  // namespace strata::cli
