#pragma once
// strata.v1.Ingest entries (proto/strata/v1/ingest.proto) -> records, with the native JSON API's semantics
// (ingest/native/native_decoder.h), so an entry reads back the same whichever front end sent it:
//   - timestamp_unix_nano when non-zero, else `timestamp` text (model::ParseTimestamp), else the receive time;
//   - level normalised (model::NormalizeLevel); service, instance, env, host, level and every `attributes` key the
//     LabelPolicy names become labels (LabelFor), the others fields; empty values are skipped;
//   - trace_id -> field `traceId`; metadata -> fields `metadata.<key>` (keys sorted, as protobuf maps have no
//     order); message as is.
// Rejection reasons are the native API's: "timestamp: not ISO-8601 or epoch", "line too long: N bytes > limit M",
// "too many fields: N > limit M".
// It lives next to the OTLP mapping because both are protobuf front ends over strata_proto. Pure, thread-safe.

#include <cstddef>

#include "strata/ingest/otlp/otlp_decoder.h"
#include "strata/v1/ingest.pb.h"

namespace strata::ingest::otlp {

// index_base is added to each rejection's index (PushStream numbers entries across the whole stream).
base::Result<MapResult> MapPushRequest(const strata::v1::PushRequest& request, const MapOptions& options,
                                       size_t index_base = 0);

}  // namespace strata::ingest::otlp
