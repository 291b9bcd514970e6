#pragma once
// OTLP logs -> Strata records: the mapping shared by OTLP/HTTP (protobuf and JSON bodies) and OTLP/gRPC.
//
// Mapping of one ExportLogsServiceRequest (docs: the header of each rule is the OTLP field):
//   - resource attributes named in kPromotedResourceAttributes (Loki's default list: service.name,
//     service.namespace, service.instance.id, deployment.environment(.name), cloud.region,
//     cloud.availability_zone, k8s.cluster.name, k8s.namespace.name, k8s.pod.name, k8s.container.name,
//     container.name, k8s.{replicaset,deployment,statefulset,daemonset,cronjob,job}.name) become stream labels,
//     dots replaced by '_' (service.name -> service_name). A resource without service.name gets
//     service_name="unknown_service", as Loki does, so every OTLP stream has one.
//   - every other resource attribute, the scope's `scope.name` / `scope.version`, scope attributes and log
//     attributes become fields named by their key as sent (`host.name`, `http.status_code`). On a name clash the
//     most specific wins (log > scope > resource), keeping the position of the first occurrence.
//   - attribute values as text: strings as is, booleans true/false, ints in decimal, doubles in the shortest form
//     that reads back exactly (NaN, Infinity, -Infinity), bytes in base64; arrays and kvlists as minified JSON
//     (kvlist = object; the empty value = null; bytes = base64 string; int = number). An attribute with the empty
//     value is skipped.
//   - body -> message: a string as is, an empty body as "", other kinds as their attribute text (above).
//   - severity_number 1-4/5-8/9-12/13-16/17-20/21-24 -> level TRACE/DEBUG/INFO/WARN/ERROR/FATAL; without a number,
//     severity_text normalised (model::NormalizeLevel). The level is a label when the LabelPolicy names `level`
//     (the default), else a field. A severity_text that normalises to something else than the number's level is
//     kept as the field `severity_text`.
//   - trace_id / span_id (bytes) -> fields `trace_id` / `span_id` in lower-case hex; empty or all-zero ids
//     (the spec's "invalid" id) leave no field. event_name -> field `event_name`. flags are not kept.
//   - time_unix_nano, else observed_time_unix_nano, else the receive time -> timestamp.
// Per-record rejections (the record is counted in partial_success, the others are kept), reasons stable:
//   "timestamp: out of range"            a time after 2262-04-11 (not representable in int64 ns)
//   "line too long: N bytes > limit M"   LogRecord::RawBytes() over max_line_bytes
//   "too many fields: N > limit M"       more than max_fields fields
//   JSON only: "<field>: <problem>" for a record whose own fields are malformed (see ParseJsonRequest).
// Record order is preserved; `index` of a rejection is the record's position in the request (depth first over
// resourceLogs, scopeLogs, logRecords, 0-based).
//
// Pure functions: thread-safe, no global state (the protobuf descriptors are immutable).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "strata/base/status.h"
#include "strata/model/label_policy.h"
#include "strata/model/log_record.h"

namespace strata::ingest::otlp {

using ExportRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using ExportResponse = opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

// Resource attributes promoted to labels (Loki's otlplabels defaults), in no particular order.
extern const std::vector<std::string_view> kPromotedResourceAttributes;

struct MapOptions {
  const model::LabelPolicy* labels = nullptr;  // required: decides whether `level` is a label
  size_t max_line_bytes = 256 * 1024;
  size_t max_fields = 256;
  int64_t receive_time_ns = 0;  // timestamp of records without time_unix_nano and observed_time_unix_nano
};

struct Rejection {
  size_t index;        // the record's position in the request
  std::string reason;  // "<what>: <problem>"
  bool operator==(const Rejection&) const = default;
};

struct MapResult {
  std::vector<model::LogRecord> records;
  std::vector<Rejection> rejected;  // sorted by index
  size_t total = 0;                 // log records in the request (records + rejected)
};

// Maps a decoded request. `pre_rejected` (sorted by index, may be null) lists records a decoder already refused
// (ParseJsonRequest): they are passed over and reported with their reason. An Internal error for a null
// options.labels (a caller bug); otherwise never fails.
base::Result<MapResult> MapExportRequest(const ExportRequest& request, const MapOptions& options,
                                         const std::vector<Rejection>* pre_rejected = nullptr);

// application/x-protobuf body -> records. InvalidArgument "malformed protobuf: ..." when the body does not parse
// (including invalid UTF-8 in a string field, which proto3 forbids).
base::Result<MapResult> DecodeProtobufBody(std::string_view body, const MapOptions& options);

// OTLP/JSON (the protobuf JSON mapping with OTLP's deviations: trace/span ids as hex, keys lowerCamelCase) ->
// ExportRequest, via simdjson. Accepted as well: the proto field names (snake_case); int64/fixed64 as strings or
// numbers; enum values as numbers or names; doubles as numbers or "NaN"/"Infinity"/"-Infinity"; bytes as standard
// or URL-safe base64 with or without padding; null for any field = absent. Unknown keys are ignored.
//
// Errors inside a logRecords element reject that record only: an empty LogRecord keeps its place in the returned
// request and `rejected` gets its index with a reason ("traceId: expected hex", "timeUnixNano: expected an
// unsigned integer", "body: nesting deeper than 64", ...). Anything else that is malformed is a body-level
// InvalidArgument naming the JSON path: "malformed JSON: <simdjson message>", "resourceLogs[0].resource:
// expected an object", "resourceLogs[0].resource.attributes[2].value.intValue: expected an integer", ...
base::Result<ExportRequest> ParseJsonRequest(std::string_view body, std::vector<Rejection>* rejected);

// application/json body -> records (ParseJsonRequest, then MapExportRequest).
base::Result<MapResult> DecodeJsonBody(std::string_view body, const MapOptions& options);

// partial_success.error_message for a result with rejections: "N log records rejected; first: #i <reason>".
std::string PartialSuccessMessage(const MapResult& result);

// The response to send: empty when nothing was rejected, else partial_success filled in.
ExportResponse ResponseFor(const MapResult& result);

// ExportLogsServiceResponse / google.rpc.Status in OTLP/JSON (int64 as strings, lowerCamelCase keys).
std::string ResponseToJson(const ExportResponse& response);
std::string StatusToJson(int grpc_code, std::string_view message);
// google.rpc.Status in protobuf.
std::string StatusToProtobuf(int grpc_code, std::string_view message);

}  // namespace strata::ingest::otlp
