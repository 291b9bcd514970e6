#pragma once
// GET /api/v1/export?from=&to=&<label>=<value>...: every stored record of the caller's tenant in [from, to]
// (ISO-8601 or epoch; both optional) whose labels equal every given label filter, as NDJSON lines
//   {"timestamp":"2026-11-27T19:40:33.123456789Z","labels":{...},"message":"...","fields":{...}}
// streamed with chunked transfer encoding: memory stays bounded by a few chunks plus one decoded block.
// Reads through StorageEngine::Scan (oldest-first, block by block: time-ordered within each stream's block, not
// merged across streams).

#include "strata/server/config.h"
#include "strata/server/http_types.h"
#include "strata/storage/storage_engine.h"

namespace strata::server {

Handler MakeExportHandler(const storage::StorageEngine& storage, const Config& config);

// One record as an export line (with trailing newline). Shared with tests and future exporters.
void AppendExportLine(std::string& out, const model::LogRecord& record);

}  // namespace strata::server
