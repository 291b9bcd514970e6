#include "strata/server/handlers/loki_push_handler.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "strata/base/clock.h"
#include "strata/common/compression.h"
#include "strata/ingest/loki/loki_push_decoder.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

constexpr int64_t kCreationGraceNs = 10ll * 60 * 1000000000;  // Loki's creation_grace_period default
constexpr size_t kMaxListedRejections = 100;

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isspace(u)) out += static_cast<char>(std::tolower(u));
  }
  return out;
}

// Loki answers errors as text/plain (Go's http.Error: the message and a newline).
HttpResponse LokiText(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body.assign(message);
  r.body += '\n';
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse LokiError(const base::Status& st) { return LokiText(base::HttpStatusFor(st.code()), st.message()); }

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.content_type = "text/plain; charset=utf-8";  // no body; avoids an empty Content-Type header
  return r;
}

std::string RejectionText(const std::vector<ingest::loki::Rejection>& rejected) {
  std::string out;
  for (size_t i = 0; i < rejected.size() && i < kMaxListedRejections; ++i) {
    if (i) out += '\n';
    out += rejected[i].message;
  }
  if (rejected.size() > kMaxListedRejections) {
    out += "\n... and " + std::to_string(rejected.size() - kMaxListedRejections) + " more";
  }
  return out;
}

int64_t RetentionOf(const Config& config, const std::string& tenant) {
  auto it = config.retention_tenants.find(tenant);
  return it != config.retention_tenants.end() ? it->second : config.retention_default_ns;
}

// The PushRequest bytes of a protobuf body. Loki always snappy-decodes protobuf bodies, whatever the
// Content-Encoding says; after gzip/deflate/zstd we also take a body that is not snappy as a plain message.
base::Result<std::string> ProtobufMessage(const std::string& encoding, std::string body, size_t max) {
  if (encoding.empty() || encoding == "identity" || encoding == "snappy") {
    return common::DecompressBody("snappy", body, max);
  }
  ASSIGN_OR_RETURN(std::string inner, common::DecompressBody(encoding, body, max));
  auto snappy = common::DecompressBody("snappy", inner, max);
  if (snappy.ok() || snappy.status().code() == base::StatusCode::kPayloadTooLarge) return snappy;
  return inner;
}

base::Result<std::string> JsonBody(const std::string& encoding, std::string body, size_t max) {
  if (encoding.empty() || encoding == "identity") return body;
  if (encoding == "snappy") {
    // A hint in Loki (it reads JSON as is); accept a snappy-compressed JSON body as well.
    auto decoded = common::DecompressBody("snappy", body, max);
    if (decoded.ok() || decoded.status().code() == base::StatusCode::kPayloadTooLarge) return decoded;
    return body;
  }
  return common::DecompressBody(encoding, body, max);
}

}  // namespace

Handler MakeLokiPushHandler(ingest::IngestSink& sink, const Config& config) {
  return [&sink, &config](HttpRequest&& request, Responder respond) {
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(LokiError(ctx.status()));
    const std::string tenant = ctx->tenant;
    auto fail = [&](const base::Status& st) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      respond(LokiError(st));
    };

    const std::string encoding = Lower(request.Header("Content-Encoding"));
    if (!(encoding.empty() || encoding == "identity" || encoding == "snappy" || encoding == "gzip" ||
          encoding == "x-gzip" || encoding == "deflate" || encoding == "zstd")) {
      return fail(base::InvalidArgument("Content-Encoding \"" + std::string(request.Header("Content-Encoding")) +
                                        "\" not supported"));
    }
    std::string media = Lower(request.Header("Content-Type"));
    media = media.substr(0, media.find(';'));
    const bool json = media == "application/json";

    const int64_t now = base::SystemClock::Get().NowNanos();
    ingest::loki::PushOptions options;
    options.max_line_bytes = config.max_line_bytes;
    options.max_fields = config.max_fields_per_line;
    options.oldest_ns = now - RetentionOf(config, tenant);
    options.newest_ns = now + kCreationGraceNs;

    // Entries are encoded into the stored form while the body is decoded (no LogRecord per line). One builder per
    // io thread: its scratch buffer is reused from request to request (a handler runs to completion on its thread).
    thread_local model::RecordBatchBuilder encoder{std::string()};
    encoder.Restart(tenant);
    base::Result<ingest::loki::PushResult> decoded = base::Internal("unreachable");
    if (json) {
      auto body = JsonBody(encoding, std::move(request.body), config.max_decompressed_bytes);
      if (!body.ok()) return fail(body.status());
      // The HTTP server leaves room after a body (http_server.cc); when it is still there (not decompressed), the
      // body is parsed in place, without a padded copy.
      std::string& text = *body;
      const size_t size = text.size();
      if (text.capacity() - size >= ingest::loki::kJsonBodyPadding) {
        text.resize(size + ingest::loki::kJsonBodyPadding);  // zeroes the room, within the capacity
        text.resize(size);
        decoded = ingest::loki::DecodePushJsonPadded(text, options, &encoder);
      } else {
        decoded = ingest::loki::DecodePushJson(text, options, &encoder);
      }
    } else {
      auto message = ProtobufMessage(encoding, std::move(request.body), config.max_decompressed_bytes);
      if (!message.ok()) return fail(message.status());
      decoded = ingest::loki::DecodePushProto(*message, options, &encoder);
    }
    if (!decoded.ok()) return fail(decoded.status());

    for (const auto& r : decoded->rejected) sink.CountRejected(tenant, r.reason, r.entries);
    std::string rejection_text = RejectionText(decoded->rejected);
    if (encoder.records() == 0) {
      if (!decoded->rejected.empty()) return fail(base::InvalidArgument(rejection_text));
      return respond(NoContent());
    }

    auto shared_respond = std::make_shared<Responder>(std::move(respond));
    base::Status st = sink.IngestEncoded(
        encoder.Finish(),
        [shared_respond, rejection_text = std::move(rejection_text), tenant, &sink](const base::Status& durable) {
          if (!durable.ok()) {
            sink.CountError(tenant, base::StatusCodeName(durable.code()));
            return (*shared_respond)(LokiError(durable));
          }
          if (!rejection_text.empty()) {
            // Loki's partial acceptance: the good entries are stored, the client is told about the others with a
            // 400 (which it does not retry).
            sink.CountError(tenant, base::StatusCodeName(base::StatusCode::kInvalidArgument));
            return (*shared_respond)(LokiText(400, rejection_text));
          }
          (*shared_respond)(NoContent());
        });
    if (!st.ok()) {
      sink.CountError(tenant, base::StatusCodeName(st.code()));
      (*shared_respond)(LokiError(st));
    }
  };
}

}  // namespace strata::server
