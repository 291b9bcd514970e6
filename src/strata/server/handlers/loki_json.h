#pragma once
// Response bodies of Loki's read API, byte-compatible with what Loki writes (pkg/util/marshal, pkg/loghttp;
// ../shared/reference/loki.md §1.3 "Response shapes"): key order status, [warnings], data{resultType,
// [encodingFlags], result, stats}; metric timestamps as JSON numbers of seconds with up to 3 decimals; sample
// values as strings from Go's FormatFloat(v, 'f', -1) (NaN, +Inf, -Inf); stream timestamps as strings of ns; log
// lines escaped the way Go's HTML-safe writer does (<, >, & as \u003c, \u003e, \u0026). Grafana reads these with
// a streaming parser, so the order matters, not only the content.
//
// Pure functions returning complete bodies; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/model/log_record.h"
#include "strata/query/engine/query_engine.h"
#include "strata/query/metric/evaluator.h"

namespace strata::server::loki {

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an exponent; NaN, +Inf,
// -Inf as Prometheus spells them.
std::string FormatSampleValue(double v);
// Prometheus model.Time.String() of ns (truncated to ms): "1568404331.324", "1", "-0.5".
void AppendLokiTime(std::string& out, int64_t ns);
// A JSON string with Go's HTML-safe escaping (also U+2028 and U+2029); invalid UTF-8 becomes U+FFFD.
void AppendHtmlEscapedJsonString(std::string& out, std::string_view s);
// {"k":"v",...} in the given order.
void AppendLabelObject(std::string& out, const model::LabelSet& labels);
// Loki's stats object (summary, querier, ingester, cache, index), filled from ours; zeros where we have no
// equivalent.
void AppendStats(std::string& out, const query::QueryStats& stats);

struct Sample {
  model::LabelSet metric;
  int64_t t_ns = 0;
  double v = 0;
};

// {"status":"success",["warnings":[...],]"data":{"resultType":"streams",...}}. Without categorize, entries are
// grouped into streams by their full label set (stream labels + structured metadata + parsed labels, the later
// winning on a name clash), so a pipeline that extracts labels splits one stored stream into many; with it,
// streams are the indexed labels and each entry is ["ns","line",{"structuredMetadata":{..},"parsed":{..}}]
// (each key present only when non-empty). Streams appear in the order of their first entry; entries keep the
// order given (the query's direction).
std::string StreamsResponse(const std::vector<query::LogEntry>& entries, bool categorize_labels,
                            const query::QueryStats& stats, const std::vector<std::string>& warnings);
std::string VectorResponse(const std::vector<Sample>& samples, const query::QueryStats& stats,
                           const std::vector<std::string>& warnings);
std::string MatrixResponse(const std::vector<query::metric::Series>& series, const query::QueryStats& stats,
                           const std::vector<std::string>& warnings);
std::string ScalarResponse(int64_t t_ns, double v, const query::QueryStats& stats,
                           const std::vector<std::string>& warnings);

// {"status":"success","data":["a","b"]} (labels, label values).
std::string StringListResponse(const std::vector<std::string>& values);
// {"status":"success","data":[{"k":"v"},...]}.
std::string SeriesResponse(const std::vector<model::LabelSet>& series);
// {"streams":N,"chunks":N,"bytes":N,"entries":N}.
std::string IndexStatsResponse(uint64_t streams, uint64_t chunks, uint64_t bytes, uint64_t entries);
// {"detectedLabels":[{"label":"app","cardinality":3},...]}.
std::string DetectedLabelsResponse(const std::vector<std::pair<std::string, uint64_t>>& labels);
// {"fields":[{"label","type","cardinality","parsers":[..]|null[,"jsonPath":[..]]}],"limit":N}.
std::string DetectedFieldsResponse(const std::vector<query::DetectedField>& fields, uint32_t limit);
// {"values":[...],"limit":N}.
std::string DetectedFieldValuesResponse(const std::vector<std::string>& values, uint32_t limit);
// {"status":"success","data":[{"pattern":"..","level":"..","samples":[[s,n],...]}]} (level only when known).
std::string PatternsResponse(const std::vector<query::Pattern>& patterns);
// {"status":"success","data":"<text>"}.
std::string FormatQueryResponse(std::string_view formatted);

}  // namespace strata::server::loki
