#pragma once
// Decoders of Loki's push API (POST /loki/api/v1/push, legacy /api/prom/push), the two bodies its clients send:
//
//   JSON (Fluent Bit, scripts):
//     {"streams":[{"stream":{"app":"api"},"values":[["<unix ns string>","<line>"],
//                                                     ["<ns>","<line>",{"trace_id":"..."}]]}]}
//     and the legacy shape {"streams":[{"labels":"{app=\"api\"}","entries":[{"ts":"<RFC 3339>","line":"..."}]}]}.
//   Protobuf (promtail, Alloy, Vector, the docker driver; snappy is undone by the caller), from Loki's push.proto:
//     PushRequest      { repeated StreamAdapter streams = 1; string format = 2; }
//     StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//     EntryAdapter     { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3;
//                        repeated LabelPairAdapter parsed = 4; }
//     Timestamp        { int64 seconds = 1; int32 nanos = 2; }
//     LabelPairAdapter { string name = 1; string value = 2; }
//   Unknown fields are skipped; `format`, `hash` and `parsed` are ignored.
//
// Mapping: stream labels -> the record's labels (parsed, validated, canonicalised; an empty value means "no such
// label", as in Prometheus); the line -> message, byte for byte; structured metadata -> fields (a repeated name
// keeps its first position and last value); the timestamp -> timestamp_ns. When the stream has no `service_name`
// label, one is added as Loki does: the value of the first present label of `service_name_sources`, else
// "unknown_service". Out-of-order entries are accepted: the only time bounds are [oldest_ns, newest_ns].
//
// Partial acceptance: a bad stream (labels) drops its entries, a bad entry only itself; the rest are records.
// Each drop is listed with Loki's text (clients and users grep for them):
//   error at least one label pair is required per stream
//   error parsing labels '<text>' with error: <why>
//   stream '<labels>' has label name too long: '<name>'       / ... label value too long: '<value>'
//   entry for stream '<labels>' has <n> label names; limit <m>
//   entry for stream '<labels>' has timestamp too old: <t>, oldest acceptable timestamp is: <t>
//   entry for stream '<labels>' has timestamp too new: <t>
//   max entry size '<limit>' bytes exceeded for stream '<labels>' while adding an entry with length '<n>' bytes
//   stream '<labels>' has too many structured metadata labels: '<n>', limit: '<m>'
// and, for input Loki would refuse as a whole, per entry where we can:
//   entry <i> for stream '<labels>' is malformed: <why>   (bad JSON shape, non-integer ns, invalid UTF-8, ...)
//   stream <i> is malformed: <why>                         (not an object / not a decodable StreamAdapter)
// Body-level errors (nothing usable) are InvalidArgument: "malformed JSON: <simdjson message>", "empty body",
// "expected a JSON object with \"streams\"", "streams: expected a JSON array", "malformed protobuf: <why> at
// offset N" (when not even the first stream decodes; a later malformed part becomes a rejection and the streams
// before it are kept).
//
// Pure functions: thread-safe, no global state.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"
#include "strata/model/record_batch_builder.h"

namespace strata::ingest::loki {

struct PushOptions {
  size_t max_line_bytes = 256 * 1024;  // the entry's raw size (line + labels + metadata), as everywhere in Strata
  size_t max_fields = 128;             // structured metadata entries per line
  size_t max_label_names = 30;         // Loki: 15; we are more generous
  size_t max_label_name_length = 1024;
  size_t max_label_value_length = 2048;
  int64_t oldest_ns = std::numeric_limits<int64_t>::min();  // older entries: "timestamp too old"
  int64_t newest_ns = std::numeric_limits<int64_t>::max();  // newer entries: "timestamp too new"
  std::vector<std::string> service_name_sources = {
      "service",   "app",       "application",    "app_name",          "name",       "app_kubernetes_io_name",
      "container", "container_name", "k8s_container_name", "component", "workload", "job", "k8s_job_name"};
};

struct Rejection {
  std::string reason;   // a stable metrics token: "line_too_long", "greater_than_max_sample_age", ...
  std::string message;  // Loki's text (see above)
  size_t entries = 1;   // how many entries this drop cost (a bad stream costs all of its entries)
  bool operator==(const Rejection&) const = default;
};

struct PushResult {
  std::vector<model::LogRecord> records;
  std::vector<Rejection> rejected;
  size_t RejectedEntries() const;
};

// application/json bodies (after Content-Encoding is undone).
// With encode_into, accepted entries are encoded into it, in the same order, instead of becoming records (the
// ingest fast path: records stays empty; rejections are reported the same way).
base::Result<PushResult> DecodePushJson(std::string_view body, const PushOptions& options,
                                        model::RecordBatchBuilder* encode_into = nullptr);

// Readable bytes DecodePushJsonPadded needs after the body (simdjson::SIMDJSON_PADDING).
inline constexpr size_t kJsonBodyPadding = 64;

// As DecodePushJson, for a body followed in memory by kJsonBodyPadding readable bytes (e.g. zeroed spare capacity
// of the string that holds it): parsed in place, with no padded copy of the body.
base::Result<PushResult> DecodePushJsonPadded(std::string_view body, const PushOptions& options,
                                              model::RecordBatchBuilder* encode_into = nullptr);

// A serialized PushRequest (after snappy and any Content-Encoding are undone). An empty message is valid: no
// streams, no records. encode_into as for DecodePushJson.
base::Result<PushResult> DecodePushProto(std::string_view message, const PushOptions& options,
                                         model::RecordBatchBuilder* encode_into = nullptr);

// Prometheus text form `{a="b", c="d"}` (Go string escapes in values, spaces allowed, a trailing comma tolerated)
// -> labels sorted by name, empty values dropped. InvalidArgument for a syntax error, a bad name
// ([a-zA-Z_][a-zA-Z0-9_]*), an operator other than `=`, or a repeated name.
base::Result<model::LabelSet> ParseLabelString(std::string_view text);

// The canonical text form of labels, as Loki prints them in errors: {a="b", c="d"}.
std::string FormatLabels(const model::LabelSet& labels);

}  // namespace strata::ingest::loki
