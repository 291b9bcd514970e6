#include "strata/server/handlers/otlp_http_handler.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "strata/base/clock.h"
#include "strata/common/compression.h"
#include "strata/ingest/otlp/otlp_decoder.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr std::string_view kJson = "application/json";

// The media type without parameters, lower-cased.
std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }), t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t;
}

// google.rpc.Status in the request's encoding, with the HTTP status of the one code table.
HttpResponse StatusResponse(const base::Status& st, bool json) {
  HttpResponse r;
  r.status = base::HttpStatusFor(st.code());
  const int grpc_code = base::GrpcCodeFor(st.code());
  r.content_type = std::string(json ? kJson : kProtobuf);
  r.body = json ? ingest::otlp::StatusToJson(grpc_code, st.message())
                : ingest::otlp::StatusToProtobuf(grpc_code, st.message());
  if (st.code() == base::StatusCode::kResourceExhausted || st.code() == base::StatusCode::kUnavailable) {
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

HttpResponse SuccessResponse(const ingest::otlp::ExportResponse& response, bool json) {
  HttpResponse r;
  r.content_type = std::string(json ? kJson : kProtobuf);
  r.body = json ? ingest::otlp::ResponseToJson(response) : response.SerializeAsString();
  return r;
}

// "timestamp: out of range" -> "timestamp"; "line too long: ..." -> "line_too_long" (as the native handler).
std::string ReasonLabel(const std::string& reason) {
  std::string label = reason.substr(0, reason.find(':'));
  for (char& c : label) c = (c == ' ' || c == '-' || c == '.') ? '_' : static_cast<char>(std::tolower(c));
  return label.empty() ? "other" : label;
}

}  // namespace

Handler MakeOtlpHttpHandler(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config) {
  return [&sink, &labels, &config](HttpRequest&& request, Responder respond) {
    const std::string type = MediaType(request.Header("Content-Type"));
    const bool json = type == kJson;
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(StatusResponse(ctx.status(), json));
    const std::string tenant = ctx->tenant;
    auto fail = [&](const base::Status& st) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      respond(StatusResponse(st, json));
    };
    if (!json && type != kProtobuf && type != "application/protobuf") {
      return fail(base::UnsupportedMedia("unsupported Content-Type \"" + std::string(request.Header("Content-Type")) +
                                         "\": use application/x-protobuf or application/json"));
    }
    auto body = common::DecompressBody(request.Header("Content-Encoding"), request.body,
                                       config.max_decompressed_bytes);
    if (!body.ok()) return fail(body.status());

    ingest::otlp::MapOptions options;
    options.labels = &labels;
    options.max_line_bytes = config.max_line_bytes;
    options.max_fields = config.max_fields_per_line;
    options.receive_time_ns = base::SystemClock::Get().NowNanos();
    auto mapped = json ? ingest::otlp::DecodeJsonBody(*body, options)
                       : ingest::otlp::DecodeProtobufBody(*body, options);
    if (!mapped.ok()) return fail(mapped.status());

    for (const auto& r : mapped->rejected) sink.CountRejected(tenant, ReasonLabel(r.reason), 1);
    ingest::otlp::ExportResponse response = ingest::otlp::ResponseFor(*mapped);
    if (mapped->records.empty()) return respond(SuccessResponse(response, json));

    auto shared_respond = std::make_shared<Responder>(std::move(respond));
    base::Status st = sink.Ingest(
        tenant, std::move(mapped->records),
        [shared_respond, response = std::move(response), json, tenant, &sink](const base::Status& durable) {
          if (!durable.ok()) {
            sink.CountError(tenant, base::StatusCodeName(durable.code()));
            return (*shared_respond)(StatusResponse(durable, json));
          }
          (*shared_respond)(SuccessResponse(response, json));
        });
    if (!st.ok()) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      (*shared_respond)(StatusResponse(st, json));
    }
  };
}

}  // namespace strata::server
