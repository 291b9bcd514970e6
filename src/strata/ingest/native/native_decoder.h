#pragma once
// Decoders of the native ingest API (POST /api/v1/logs): a JSON array or {"logs": [...]}, NDJSON, plain text.
//
// Each decoder turns a request body into records plus per-item rejections. A bad item never drops the good ones:
// it is listed in `rejected` with its index and a reason, and decoding goes on. A body-level error (the JSON body
// is not parseable at all, or not an array/object of the expected shape) is returned as a Status.
//
// The native record schema (product spec): `timestamp` (ISO-8601 string or epoch s/ms/us/ns as number or digit
// string; missing or null = receive time), `level` (normalised, see level.h), `service`, `instance`/`hostname`/
// `host`, `env`, `message`, `traceId`, `metadata` (object flattened to `metadata.a.b` fields). Other top-level keys
// become fields (nested objects flattened `a.b.c`; arrays kept as their JSON text; numbers and booleans as their
// JSON text). Keys named by the LabelPolicy become labels instead of fields.
//
// Item rules (JSON array elements, the single object, NDJSON lines):
//   - `timestamp`: ISO-8601 string, digit-string epoch, or JSON number (see time_format.h); null/missing = receive
//     time. Plain decimal numbers are read from their text, so 1714564800.123456789 keeps its nanoseconds.
//   - `level`: a string, normalised (NormalizeLevel); a label if the policy names `level`, else a field. null =
//     absent.
//   - `message`: a string as is; any other JSON value as its minified JSON text; null/missing = "".
//   - `metadata`: an object is flattened into `metadata.<k>` / `metadata.a.b` fields; anything else is the field
//     `metadata` under the general rules below. Never a label.
//   - any other key K: null is skipped; an object is flattened into `K.a.b` fields (null members and empty objects
//     leave no field); otherwise, when LabelFor(K) is non-empty and the value is a string, number or boolean, it
//     is the label LabelFor(K) (value normalised when that name is `level`); else it is the field K (this covers
//     `traceId`). Strings are stored unescaped; numbers as written in the input (1.50 stays "1.50"); booleans as
//     true/false; arrays (and objects used as `message`) as minified JSON keeping the original number text and
//     string escapes.
//   - labels are canonicalised (sorted, last duplicate wins); duplicate field names keep the position of the first
//     occurrence and the value of the last.
//   - limits, checked after decoding: LogRecord::RawBytes() > max_line_bytes, then fields > max_fields.
// Text records: labels from the attributes the policy knows (`level` normalised), every other attribute is a
// field with its name as given; whitespace-only lines count as blank. A UTF-8 byte-order mark at the very start of
// any body is ignored.
//
// Stable rejection reasons (clients, tests and docs match on them; N and M are decimal numbers):
//   "item: expected a JSON object"        JSON element / NDJSON line that is valid JSON but not an object
//   "timestamp: not ISO-8601 or epoch"    unparseable, out-of-range (outside 1677..2262) or non-scalar timestamp
//   "level: expected a string"            `level` is a number, boolean, array or object
//   "line too long: N bytes > limit M"    NDJSON/text line longer than max_line_bytes (N = line bytes without the
//                                         line ending, checked before parsing), or any item whose RawBytes() is N
//   "too many fields: N > limit M"        N fields after flattening and de-duplication
//   "invalid UTF-8"                       NDJSON or text line that is not valid UTF-8
//   "malformed JSON: <simdjson message>"  NDJSON line that is not valid JSON, e.g. "malformed JSON: The JSON
//                                         document has an improper structure: ..."
// Body-level errors (all InvalidArgument; messages also stable): `empty body` (nothing but whitespace, any
// format); `invalid UTF-8 in JSON body`; `malformed JSON: <simdjson message>`; `expected a JSON array of log
// objects or {"logs": [...]}` (a top-level scalar); `logs: expected a JSON array`. A null DecodeOptions::labels is
// an Internal error (a caller bug).
//
// Pure functions: thread-safe, no global state.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/label_policy.h"
#include "strata/model/log_record.h"

namespace strata::ingest::native {

struct DecodeOptions {
  const model::LabelPolicy* labels = nullptr;  // required
  size_t max_line_bytes = 256 * 1024;          // an item's raw size (message + fields + labels) above this is rejected
  size_t max_fields = 256;                     // fields per record after flattening
  int64_t receive_time_ns = 0;                 // timestamp of records that carry none
  int64_t oldest_ns = INT64_MIN;               // records older than this (the tenant's retention) are rejected
};

struct Rejection {
  size_t index;        // JSON: array element index; NDJSON and text: 0-based line number in the body
  std::string reason;  // "<field>: <what is wrong>", e.g. "timestamp: not ISO-8601 or epoch"
  bool operator==(const Rejection&) const = default;
};

struct DecodeResult {
  std::vector<model::LogRecord> records;
  std::vector<Rejection> rejected;
};

// application/json: `[{...}, ...]` or `{"logs": [{...}, ...]}` (a single object without "logs" is one record).
base::Result<DecodeResult> DecodeJsonBody(std::string_view body, const DecodeOptions& options);

// application/x-ndjson: one JSON object per line; blank lines are skipped (they are neither records nor rejects).
base::Result<DecodeResult> DecodeNdjsonBody(std::string_view body, const DecodeOptions& options);

// text/plain: one record per line (\n or \r\n; blank lines skipped); message = the line, timestamp = receive time.
// `attributes` come from the query string: names the LabelPolicy knows become labels, `tag.k=v` and any other
// names become fields. The same attributes apply to every line.
struct TextAttributes {
  std::vector<model::Field> pairs;
};
base::Result<DecodeResult> DecodeTextBody(std::string_view body, const TextAttributes& attributes,
                                          const DecodeOptions& options);

}  // namespace strata::ingest::native
