#include "strata/server/handlers/export_handler.h"

#include <limits>
#include <memory>

#include "strata/common/json_writer.h"
#include "strata/model/record_codec.h"
#include "strata/model/time_format.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;

void AppendObject(std::string& out, const std::vector<model::Field>& pairs) {
  out += '{';
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out += ',';
    common::AppendJsonString(out, pairs[i].name);
    out += ':';
    common::AppendJsonString(out, pairs[i].value);
  }
  out += '}';
}

base::Result<int64_t> TimeParam(const HttpRequest& request, const char* name, int64_t fallback) {
  if (!request.HasQuery(name)) return fallback;
  auto t = model::ParseTimestamp(request.Query(name));
  if (!t.ok()) {
    return base::InvalidArgument(std::string(name) + ": \"" + std::string(request.Query(name)) +
                                 "\" is not ISO-8601 or an epoch");
  }
  return t;
}

// Streams matching records a head batch at a time.
struct ExportCursor {
  std::vector<std::shared_ptr<const storage::HeadBatch>> batches;
  size_t next_batch = 0;
  int64_t from = 0, to = 0;
  uint64_t limit = 0;  // 0 = unlimited
  uint64_t emitted = 0;
  std::vector<model::Field> label_filters;
  model::LogBatch current;
  size_t next_record = 0;

  bool Matches(const model::LogRecord& r) const {
    if (r.timestamp_ns < from || r.timestamp_ns > to) return false;
    for (const auto& f : label_filters) {
      bool found = false;
      for (const auto& l : r.labels) {
        if (l.name == f.name) {
          found = l.value == f.value;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  base::Result<bool> Next(std::string* chunk) {
    while (chunk->size() < kChunkBytes) {
      if (limit && emitted >= limit) return false;
      if (next_record >= current.records.size()) {
        if (next_batch >= batches.size()) return false;
        auto decoded = model::DecodeRecordBatch(batches[next_batch++]->encoded);
        if (!decoded.ok()) return decoded.status();
        current = std::move(decoded).value();
        next_record = 0;
        continue;
      }
      const auto& r = current.records[next_record++];
      if (!Matches(r)) continue;
      AppendExportLine(*chunk, r);
      ++emitted;
    }
    return true;
  }
};

}  // namespace

void AppendExportLine(std::string& out, const model::LogRecord& r) {
  out += "{\"timestamp\":\"";
  out += model::FormatRfc3339Nanos(r.timestamp_ns);
  out += "\",\"labels\":";
  AppendObject(out, r.labels);
  out += ",\"message\":";
  common::AppendJsonString(out, r.message);
  out += ",\"fields\":";
  AppendObject(out, r.fields);
  out += "}\n";
}

Handler MakeExportHandler(const storage::StorageEngine& storage, const Config& config) {
  return [&storage, &config](HttpRequest&& request, Responder respond) {
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(ErrorResponse(ctx.status()));
    if (!storage.ready()) return respond(ErrorResponse(base::Unavailable("WAL replay in progress")));
    auto from = TimeParam(request, "from", std::numeric_limits<int64_t>::min());
    if (!from.ok()) return respond(ErrorResponse(from.status()));
    auto to = TimeParam(request, "to", std::numeric_limits<int64_t>::max());
    if (!to.ok()) return respond(ErrorResponse(to.status()));
    if (*from > *to) return respond(ErrorResponse(base::InvalidArgument("from must not be after to")));
    auto cursor = std::make_shared<ExportCursor>();
    cursor->from = *from;
    cursor->to = *to;
    for (const auto& [k, v] : request.query) {
      if (k == "from" || k == "to") continue;
      if (k == "limit") {
        uint64_t n = 0;
        for (char c : v) {
          if (c < '0' || c > '9') return respond(ErrorResponse(base::InvalidArgument("limit: expected an integer")));
          n = n * 10 + static_cast<uint64_t>(c - '0');
        }
        cursor->limit = n;
        continue;
      }
      cursor->label_filters.push_back({k, v});
    }
    cursor->batches = storage.SnapshotHead(ctx->tenant, *from, *to);
    HttpResponse r;
    r.content_type = "application/x-ndjson";
    r.stream = [cursor](std::string* chunk) { return cursor->Next(chunk); };
    respond(std::move(r));
  };
}

}  // namespace strata::server
