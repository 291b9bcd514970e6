#include "strata/server/handlers/es_bulk_handler.h"

#include <chrono>
#include <memory>
#include <unordered_set>

#include "strata/base/clock.h"
#include "strata/common/compression.h"
#include "strata/ingest/elasticsearch/bulk_decoder.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

namespace es = ingest::elasticsearch;

// The index named by the URL: "/{index}/_bulk" or "/elasticsearch/{index}/_bulk"; empty for "/_bulk".
std::string IndexFromPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/elasticsearch";
  if (path.substr(0, kPrefix.size()) == kPrefix && path.size() > kPrefix.size() && path[kPrefix.size()] == '/') {
    path.remove_prefix(kPrefix.size());
  }
  constexpr std::string_view kSuffix = "/_bulk";
  if (path.size() <= kSuffix.size() || path.substr(path.size() - kSuffix.size()) != kSuffix) return {};
  path.remove_suffix(kSuffix.size());
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return std::string(path);
}

// Request-level error types, as Elasticsearch names them.
HttpResponse EsStatusResponse(const base::Status& st) {
  const int status = base::HttpStatusFor(st.code());
  std::string_view type = "illegal_argument_exception";
  switch (st.code()) {
    case base::StatusCode::kResourceExhausted: type = "es_rejected_execution_exception"; break;
    case base::StatusCode::kUnavailable: type = "unavailable_shards_exception"; break;
    case base::StatusCode::kPayloadTooLarge: type = "content_too_long_exception"; break;
    case base::StatusCode::kUnsupportedMedia: type = "media_type_header_exception"; break;
    case base::StatusCode::kInvalidArgument:
      type = st.message() == "request body is required" ? "parse_exception" : "illegal_argument_exception";
      break;
    default: type = "exception"; break;
  }
  HttpResponse r = EsErrorResponse(status, type, st.message());
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

int64_t MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

HttpResponse EsJsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json; charset=UTF-8";
  r.body = std::move(body);
  r.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
  return r;
}

HttpResponse EsErrorResponse(int status, std::string_view type, std::string_view reason) {
  return EsJsonResponse(status, es::FormatErrorBody(status, type, reason));
}

Handler MakeEsBulkHandler(ingest::IngestSink& sink, const Config& config, es::IdDedup& dedup) {
  return [&sink, &config, &dedup](HttpRequest&& request, Responder respond) {
    const auto start = std::chrono::steady_clock::now();
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(EsStatusResponse(ctx.status()));
    const std::string tenant = ctx->tenant;
    auto fail = [&](const base::Status& st) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      respond(EsStatusResponse(st));
    };

    // An uncompressed body is decoded where it is (no copy); anything else goes through DecompressBody.
    std::string_view body = request.body;
    std::string decompressed;
    const std::string_view encoding = request.Header("Content-Encoding");
    if (!encoding.empty() || request.body.size() > config.max_decompressed_bytes) {
      auto inflated = common::DecompressBody(encoding, request.body, config.max_decompressed_bytes);
      if (!inflated.ok()) return fail(inflated.status());
      decompressed = std::move(inflated).value();
      body = decompressed;
    }

    const int64_t now = base::SystemClock::Get().NowNanos();
    es::BulkOptions options;
    options.message_fields = config.es_message_fields;
    options.time_fields = config.es_time_fields;
    options.label_fields = config.es_label_fields;
    options.default_index = IndexFromPath(request.path);
    options.max_line_bytes = config.max_line_bytes;
    options.max_fields = config.max_fields_per_line;
    options.receive_time_ns = now;
    auto decoded = es::DecodeBulk(body, options);
    if (!decoded.ok()) return fail(decoded.status());

    // Dedup of `create` by _id: against what was stored within the window, and within this request.
    std::vector<es::BulkItem>& items = decoded->items;
    std::unordered_set<std::string> in_request;
    std::vector<std::string> remember;
    std::vector<bool> keep(decoded->records.size(), true);
    for (auto& item : items) {
      if (item.record == es::BulkItem::kNoRecord) continue;
      if (item.id.empty()) {
        item.id = es::GenerateDocumentId();
        continue;
      }
      std::string key = es::IdDedup::Key(item.index, item.id);
      const bool duplicate = in_request.count(key) > 0 || dedup.Contains(tenant, key, now);
      if (item.action == es::BulkAction::kCreate && duplicate) {
        keep[item.record] = false;
        item.record = es::BulkItem::kNoRecord;
        item.status = 409;
        item.error_type = "version_conflict_engine_exception";
        item.error_reason = "[" + item.id + "]: version conflict, document already exists (current version [1])";
        continue;
      }
      in_request.insert(key);
      remember.push_back(std::move(key));
    }
    std::vector<model::LogRecord> records;
    records.reserve(decoded->records.size());
    for (size_t i = 0; i < decoded->records.size(); ++i) {
      if (keep[i]) records.push_back(std::move(decoded->records[i]));
    }
    for (const auto& item : items) {
      if (item.status == 409) {
        sink.CountRejected(tenant, "duplicate_id", 1);
      } else if (item.status >= 300) {
        sink.CountRejected(tenant, item.error_type, 1);
      }
    }
    if (records.empty()) return respond(EsJsonResponse(200, es::FormatBulkResponse(items, MillisSince(start))));

    auto shared_respond = std::make_shared<Responder>(std::move(respond));
    auto shared_items = std::make_shared<std::vector<es::BulkItem>>(std::move(items));
    base::Status st = sink.Ingest(
        tenant, std::move(records),
        [shared_respond, shared_items, remember = std::move(remember), tenant, start, now, &sink,
         &dedup](const base::Status& durable) {
          if (!durable.ok()) {
            sink.CountError(tenant, base::StatusCodeName(durable.code()));
            return (*shared_respond)(EsStatusResponse(durable));
          }
          dedup.Remember(tenant, remember, now);
          (*shared_respond)(EsJsonResponse(200, es::FormatBulkResponse(*shared_items, MillisSince(start))));
        });
    if (!st.ok()) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      (*shared_respond)(EsStatusResponse(st));
    }
  };
}

}  // namespace strata::server
