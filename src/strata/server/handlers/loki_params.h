#pragma once
// Parameters of Loki's read API, parsed the way Loki parses them (pkg/loghttp: params.go, query.go), with Loki's
// defaults, bounds and error texts (../shared/reference/loki.md §1.2), so clients that match on messages or
// status codes behave the same against Strata.
//
// Every function here is pure (the current time is an argument) and thread-safe. Errors are InvalidArgument
// Statuses whose message is exactly Loki's text; the handlers answer them as text/plain 400s.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"
#include "strata/server/http_types.h"
#include "strata/storage/scan.h"

namespace strata::server::loki {

inline constexpr uint32_t kDefaultQueryLimit = 100;        // limit, line_limit
inline constexpr uint32_t kDefaultFieldLimit = 1000;       // detected_fields limit
inline constexpr uint32_t kDefaultVolumeLimit = 100;
inline constexpr int64_t kDefaultSinceNs = 3600LL * 1000000000;  // 1h, for every endpoint
inline constexpr int64_t kMaxPointsPerSeries = 11000;

// The request's parameters as Go's r.Form holds them after ParseForm: for a POST/PUT/PATCH with
// Content-Type application/x-www-form-urlencoded the body's values come first (so they win in Get), then the URL's.
class LokiParams {
 public:
  LokiParams() = default;
  explicit LokiParams(std::vector<std::pair<std::string, std::string>> values) : values_(std::move(values)) {}
  static LokiParams From(const HttpRequest& request);

  // The first value; empty when absent (Go's Form.Get: absent and empty are the same).
  std::string_view Get(std::string_view name) const;
  // Every value in order.
  std::vector<std::string> GetAll(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Go's strconv.Quote for the ASCII and UTF-8 text that appears in messages (`"abc"`, `"a\"b"`, `"\x00"`).
std::string GoQuote(std::string_view s);

// Go's strconv.Atoi, with its error texts (`strconv.Atoi: parsing "x": invalid syntax` / `value out of range`).
base::Result<int64_t> GoAtoi(std::string_view s);

// A timestamp parameter (start, end, time): empty -> def; contains '.' and is a float -> seconds rounded to ms;
// an integer of at most 10 characters -> seconds, longer -> nanoseconds; else RFC3339Nano. The error is Go's
// strconv.ParseInt error for the text. Results saturate at the int64 nanosecond range.
base::Result<int64_t> ParseTimestamp(std::string_view value, int64_t def);

// Prometheus' model.ParseDuration (`1h30m`, `5m`, `90s`, `100ms`, `2d`, `1w`, `1y`, units in descending order,
// each at most once; "0" is zero). Errors: `empty duration string`, `not a valid duration string: "x"`,
// `unknown unit "x" in duration "1x"`, `duration out of range`.
base::Result<int64_t> ParsePromDuration(std::string_view value);

// step / interval: a float number of seconds, else a Prometheus duration; else `cannot parse "x" to a valid
// duration` (and `... It overflows int64` for huge floats).
base::Result<int64_t> ParseSecondsOrDuration(std::string_view value);

struct Bounds {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// Loki's determineBounds: end defaults to now; start defaults to min(end, now) - since; since defaults to 1h.
// Errors are prefixed `could not parse 'since' parameter: `, `... 'end' ...`, `... 'start' ...`.
base::Result<Bounds> DetermineBounds(int64_t now_ns, std::string_view start, std::string_view end,
                                     std::string_view since);
base::Result<Bounds> ParseBounds(const LokiParams& params, int64_t now_ns);

// max(floor((end - start) / 250 s), 1) seconds.
int64_t DefaultStepNs(int64_t start_ns, int64_t end_ns);

struct RangeQueryParams {
  std::string query;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;
  int64_t interval_ns = 0;
  uint32_t limit = kDefaultQueryLimit;
  storage::Direction direction = storage::Direction::kBackward;
};

// /query_range (and index/stats, volume_range): bounds, `end timestamp must not be before or equal to start time`,
// limit (`limit must be a positive value`), direction (`invalid direction 'x'`), step (default, `zero or negative
// query resolution step widths are not accepted. Try a positive integer`, the 11,000-points check), interval
// (`interval must be >= 0`). In Loki's order, so the first error is the one Loki reports.
base::Result<RangeQueryParams> ParseRangeQuery(const LokiParams& params, int64_t now_ns);

struct InstantQueryParams {
  std::string query;
  int64_t time_ns = 0;
  uint32_t limit = kDefaultQueryLimit;
  storage::Direction direction = storage::Direction::kBackward;
};
base::Result<InstantQueryParams> ParseInstantQuery(const LokiParams& params, int64_t now_ns);

// Loki checks max_entries_limit_per_query for log queries only:
// `max entries limit per query exceeded, limit > max_entries_limit_per_query (N > M)`.
base::Status CheckMaxEntriesLimit(uint64_t limit, uint64_t max_entries);

struct VolumeParams {
  std::string query;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;  // volume_range only
  uint32_t limit = kDefaultVolumeLimit;
  std::vector<std::string> target_labels;
  bool aggregate_by_labels = false;  // aggregateBy=labels (default series)
};
// index/volume (range=false) and index/volume_range (range=true). limit=0 means the default; aggregateBy other
// than series|labels is `invalid aggregation option`.
base::Result<VolumeParams> ParseVolumeQuery(const LokiParams& params, int64_t now_ns, bool range);

struct DetectedFieldsParams {
  std::string query;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;
  uint32_t line_limit = kDefaultQueryLimit;
  uint32_t limit = kDefaultFieldLimit;  // `limit`, or its older name `field_limit`
};
base::Result<DetectedFieldsParams> ParseDetectedFieldsQuery(const LokiParams& params, int64_t now_ns);

struct PatternsParams {
  std::string query;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;
};
base::Result<PatternsParams> ParsePatternsQuery(const LokiParams& params, int64_t now_ns);

// /series matchers: every `match` then every `match[]` value, de-duplicated in first-seen order.
std::vector<std::string> SeriesMatchers(const LokiParams& params);

// X-Loki-Response-Encoding-Flags holds `categorize-labels` (comma-separated, exact match).
bool CategorizeLabels(const HttpRequest& request);

}  // namespace strata::server::loki
