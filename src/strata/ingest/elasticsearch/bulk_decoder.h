#pragma once
// Decoder of Elasticsearch's `_bulk` body and writer of its response, so Filebeat, Logstash, Fluent Bit, Vector
// and the official clients can ship to Strata unchanged.
//
// Request: NDJSON pairs `action\n[source\n]`; the body must end with "\n" (else the whole request is refused, as
// Elasticsearch does). Blank lines are skipped. Actions:
//   {"index":{...}} / {"create":{...}} + a source line: the source becomes one record;
//   {"delete":{...}} (no source) and {"update":{...}} + a source line: answered per item with status 400 (logs are
//   immutable here; deletes go through the delete API).
// Action metadata: `_index` (else the index of the URL, /{index}/_bulk), `_id`; the rest is ignored.
//
// Mapping of a source document (configurable through BulkOptions):
//   - the document is flattened: nested objects become dotted names (`a.b.c`), null members and empty objects
//     leave nothing, arrays are kept as minified JSON text, strings unescaped, numbers and booleans as JSON text;
//   - message: the first present field of `message_fields` (default message, msg, log, _msg), removed from the
//     fields; a non-string value is kept as its JSON text; none present = "" (the fields carry the document);
//   - timestamp: the first present field of `time_fields` (default @timestamp, timestamp, time), removed from the
//     fields: an RFC 3339 / ISO-8601 string or an epoch (string or number; unit by magnitude, see time_format.h);
//     none present = the receive time; unparseable = item error 400 mapper_parsing_exception;
//   - labels: each present field of `label_fields` with a scalar value becomes a label named by LabelNameFor
//     (`_index` -> `index` from the action or URL; `service.name` -> `service_name`), removed from the fields;
//   - everything else is a field (a repeated name keeps its first position and last value).
// A malformed action line (not JSON, not an object with exactly one known action whose value is an object) is an
// item error 400 keyed "index" (there is no action name to key it by), and the line after it is taken as its
// source unless that line is itself a valid action line: the answer keeps one item per action the client sent,
// in order, as shippers read items positionally. A bad source line (not JSON, not an object, over the limits) is an
// item error 400 too. Good items of the same request are kept.
//
// Body-level errors (InvalidArgument; the handler answers HTTP 400 in Elasticsearch's error shape):
//   "request body is required" (empty body), "The bulk request must be terminated by a newline [\n]".
//
// Pure functions and value types: thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"

namespace strata::ingest::elasticsearch {

enum class BulkAction { kIndex, kCreate, kDelete, kUpdate };
std::string_view ActionName(BulkAction action);

struct BulkOptions {
  std::vector<std::string> message_fields = {"message", "msg", "log", "_msg", "MESSAGE"};
  std::vector<std::string> time_fields = {"@timestamp", "timestamp", "time"};
  std::vector<std::string> label_fields = {"_index",
                                           "service.name",
                                           "host.name",
                                           "kubernetes.namespace_name",
                                           "kubernetes.pod_name",
                                           "kubernetes.container_name"};
  std::string default_index;           // from /{index}/_bulk; empty for /_bulk
  size_t max_line_bytes = 256 * 1024;  // a record's raw size (message + labels + fields) and a source line's size
  size_t max_fields = 256;             // fields per record after flattening
  int64_t receive_time_ns = 0;         // timestamp of documents without a time field
};

struct BulkItem {
  static constexpr size_t kNoRecord = static_cast<size_t>(-1);
  BulkAction action = BulkAction::kIndex;  // the response item's key
  std::string index;
  std::string id;          // empty: none given (the handler generates one for stored documents)
  int status = 201;        // 201 = stored; anything else carries an error
  std::string error_type;  // e.g. "mapper_parsing_exception"
  std::string error_reason;
  size_t record = kNoRecord;  // index into BulkDecodeResult::records for stored items
};

struct BulkDecodeResult {
  std::vector<model::LogRecord> records;
  std::vector<BulkItem> items;  // one per action, in request order
};

base::Result<BulkDecodeResult> DecodeBulk(std::string_view body, const BulkOptions& options);

// The label name of a document field: `_index` -> `index`; otherwise every character outside [A-Za-z0-9_]
// becomes `_` (`service.name` -> `service_name`, `kubernetes.pod_name` -> `kubernetes_pod_name`).
std::string LabelNameFor(std::string_view field);

// {"took":N,"errors":B,"items":[{"<action>":{"_index":..,"_id":..,"status":..,...}}, ...]}: successful items carry
// `result`, `_version`, `_shards`, `_seq_no`, `_primary_term`; failed ones `error: {type, reason, index, shard}`.
std::string FormatBulkResponse(const std::vector<BulkItem>& items, int64_t took_ms);

// Elasticsearch's request-level error body: {"error":{"root_cause":[{"type":..,"reason":..}],"type":..,
// "reason":..},"status":N}.
std::string FormatErrorBody(int status, std::string_view type, std::string_view reason);

// A 20-character URL-safe id, unique within the process and very likely across restarts (time + counter + random
// seed), like Elasticsearch's auto-generated ids. Thread-safe.
std::string GenerateDocumentId();

}  // namespace strata::ingest::elasticsearch
