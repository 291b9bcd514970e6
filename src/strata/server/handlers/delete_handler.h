#pragma once
// Delete requests (GDPR): create, list and cancel them for the caller's tenant. The rows a request covers are
// hidden from every read as soon as it is acknowledged (StorageEngine::Scan consults DeleteStore::Active) and
// purged physically by the background maintenance (StorageEngine::ProcessDeletes), which marks it processed.
//
// Native API (JSON, errors in the native error format):
//   POST   /api/v1/delete   query, start, end from the URL query string, or a JSON body
//                            {"query": "{service=\"api\"} |= \"secret\"", "start": ..., "end": ...}
//                            (or a form-encoded body). start is required; end defaults to now; both are ISO-8601 or
//                            an epoch (seconds/ms/us/ns by magnitude), inclusive. 200 with the request object, only
//                            once it is durable; 400 with Loki's parse error for a bad query.
//   GET    /api/v1/delete   200 {"requests": [<request>, ...]}, oldest first, every status.
//   DELETE /api/v1/delete?id=<id> (or request_id=)  200 {"id": ..., "status": "cancelled"} (also when it was
//                            already cancelled); 404 unknown id; 409 (code already_exists) once processed.
//   <request> = {"id","status":"pending|processed|cancelled","query","start","end","created"[,"processed"]},
//   times as RFC 3339 with nanoseconds.
//
// Loki API (/loki/api/v1/delete, as Loki's compactor answers, so logcli `delete create|list|cancel` works):
//   POST or PUT -> 204; GET -> a JSON array [{"request_id","start_time","end_time","query","status",
//   "created_at","user_id":""}] without cancelled requests, status "received" (pending) or "processed", times in
//   seconds with a millisecond fraction, optionally only requests overlapping [start, end] when both are given;
//   DELETE ?request_id= (or id=) -> 204, 404 unknown, 400 once processed. Errors are text/plain messages.
//
// Requests are answered on the io thread; creating or cancelling one writes and fsyncs the request file first
// (rare administrative calls). Before WAL recovery finished the store is not open yet: 503.

#include "strata/server/config.h"
#include "strata/server/http_types.h"
#include "strata/storage/storage_engine.h"

namespace strata::server {

enum class DeleteApi { kNative, kLoki };

// One handler for every method of the path; register it for POST, GET and DELETE (and PUT for Loki).
Handler MakeDeleteHandler(storage::StorageEngine& storage, const Config& config, DeleteApi api);

}  // namespace strata::server
