#include "strata/server/handlers/native_ingest_handler.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "strata/base/clock.h"
#include "strata/common/compression.h"
#include "strata/common/json_writer.h"
#include "strata/ingest/native/native_decoder.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

enum class BodyKind { kJson, kNdjson, kText };

// The media type without parameters, lower-cased.
std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }), t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t;
}

base::Result<BodyKind> KindFor(std::string_view content_type) {
  std::string t = MediaType(content_type);
  if (t == "application/json") return BodyKind::kJson;
  if (t == "application/x-ndjson" || t == "application/ndjson" || t == "application/jsonlines" ||
      t == "application/x-jsonlines" || t == "application/jsonl")
    return BodyKind::kNdjson;
  if (t == "text/plain") return BodyKind::kText;
  return base::UnsupportedMedia("unsupported Content-Type \"" + std::string(content_type) +
                                "\": use application/json, application/x-ndjson or text/plain");
}

// The reason's stable prefix as a metrics label: "timestamp: not ISO..." -> "timestamp",
// "line too long: ..." -> "line_too_long".
std::string ReasonLabel(const std::string& reason) {
  std::string label = reason.substr(0, reason.find(':'));
  for (char& c : label) c = (c == ' ' || c == '-') ? '_' : static_cast<char>(std::tolower(c));
  return label.empty() ? "other" : label;
}

constexpr size_t kMaxListedRejections = 1000;

std::string RejectionsJson(const std::vector<ingest::native::Rejection>& rejected) {
  std::string out = "[";
  for (size_t i = 0; i < rejected.size() && i < kMaxListedRejections; ++i) {
    if (i) out += ',';
    out += "{\"index\":" + std::to_string(rejected[i].index) + ",\"reason\":";
    common::AppendJsonString(out, rejected[i].reason);
    out += '}';
  }
  return out + "]";
}

}  // namespace

Handler MakeNativeIngestHandler(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config) {
  return [&sink, &labels, &config](HttpRequest&& request, Responder respond) {
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(ErrorResponse(ctx.status()));
    const std::string tenant = ctx->tenant;
    auto fail = [&](const base::Status& st, const std::string& details = "[]") {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      respond(ErrorResponse(st, details));
    };

    auto kind = KindFor(request.Header("Content-Type"));
    if (!kind.ok()) return fail(kind.status());
    auto body = common::DecompressBody(request.Header("Content-Encoding"), request.body,
                                       config.max_decompressed_bytes);
    if (!body.ok()) return fail(body.status());

    ingest::native::DecodeOptions options;
    options.labels = &labels;
    options.max_line_bytes = config.max_line_bytes;
    options.max_fields = config.max_fields_per_line;
    options.receive_time_ns = base::SystemClock::Get().NowNanos();
    auto retention = config.retention_tenants.find(tenant);
    options.oldest_ns = options.receive_time_ns -
                        (retention != config.retention_tenants.end() ? retention->second : config.retention_default_ns);
    base::Result<ingest::native::DecodeResult> decoded = base::Internal("unreachable");
    switch (*kind) {
      case BodyKind::kJson: decoded = ingest::native::DecodeJsonBody(*body, options); break;
      case BodyKind::kNdjson: decoded = ingest::native::DecodeNdjsonBody(*body, options); break;
      case BodyKind::kText: {
        ingest::native::TextAttributes attrs;
        for (const auto& [k, v] : request.query) attrs.pairs.push_back({k, v});
        decoded = ingest::native::DecodeTextBody(*body, attrs, options);
        break;
      }
    }
    if (!decoded.ok()) return fail(decoded.status());

    auto& rejected = decoded->rejected;
    for (const auto& r : rejected) sink.CountRejected(tenant, ReasonLabel(r.reason), 1);
    size_t accepted = decoded->records.size();
    if (accepted == 0 && !rejected.empty()) {
      return fail(base::InvalidArgument("all " + std::to_string(rejected.size()) + " log lines were rejected"),
                  RejectionsJson(rejected));
    }
    std::string ok_body = "{\"status\":\"accepted\",\"ingestedCount\":" + std::to_string(accepted);
    if (!rejected.empty()) {
      ok_body += ",\"rejectedCount\":" + std::to_string(rejected.size()) + ",\"rejected\":" + RejectionsJson(rejected);
    }
    ok_body += "}";
    if (accepted == 0) {
      HttpResponse r;
      r.body = std::move(ok_body);
      return respond(std::move(r));
    }

    // respond is moved into the durability callback; keep a shared copy for the immediate-error path.
    auto shared_respond = std::make_shared<Responder>(std::move(respond));
    base::Status st = sink.Ingest(
        tenant, std::move(decoded->records),
        [shared_respond, ok_body = std::move(ok_body), tenant, &sink](const base::Status& durable) {
          if (!durable.ok()) {
            sink.CountError(tenant, base::StatusCodeName(durable.code()));
            return (*shared_respond)(ErrorResponse(durable));
          }
          HttpResponse r;
          r.body = ok_body;
          (*shared_respond)(std::move(r));
        });
    if (!st.ok()) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      (*shared_respond)(ErrorResponse(st));
    }
  };
}

}  // namespace strata::server
