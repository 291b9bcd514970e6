#include "strata/server/handlers/delete_handler.h"

#include <simdjson.h>

#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include "strata/base/clock.h"
#include "strata/common/json_writer.h"
#include "strata/model/time_format.h"
#include "strata/server/handlers/request_context.h"
#include "strata/storage/stream_selector.h"

namespace strata::server {
namespace {

using storage::DeleteRequest;
using storage::DeleteStatus;

// Loki's messages (pkg/compactor/deletion/request_handler.go), for the Loki-compatible path.
constexpr const char* kLokiNotFound = "could not find delete request with given id";
constexpr const char* kLokiAlreadyProcessed =
    "deletion of request which is in process or already processed is not allowed";

// A time parameter as sent: a string (ISO-8601 or epoch digits) or, from a JSON body, a number.
struct TimeArg {
  std::string text;
  std::optional<int64_t> integer;
  std::optional<double> real;
};

struct CreateArgs {
  std::optional<std::string> query;
  std::optional<TimeArg> start;
  std::optional<TimeArg> end;
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

base::Result<int64_t> ResolveTime(const char* name, const TimeArg& arg) {
  base::Result<int64_t> t = base::InvalidArgument("");
  if (arg.integer) {
    t = model::EpochIntegerToNanos(*arg.integer);
  } else if (arg.real) {
    t = model::EpochToNanos(*arg.real);
  } else {
    t = model::ParseTimestamp(arg.text);
  }
  if (!t.ok()) {
    std::string shown = arg.integer ? std::to_string(*arg.integer) : arg.real ? std::to_string(*arg.real) : arg.text;
    return base::InvalidArgument(std::string(name) + ": \"" + shown + "\" is not ISO-8601 or an epoch");
  }
  return t;
}

base::Status ReadJsonTime(simdjson::dom::element value, const char* name, std::optional<TimeArg>* out) {
  TimeArg arg;
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      arg.text = std::string(value.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::INT64:
      arg.integer = value.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      arg.real = value.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      return base::Status::Ok();  // as if absent
    default:
      return base::InvalidArgument(std::string(name) + ": expected a string or a number");
  }
  *out = std::move(arg);
  return base::Status::Ok();
}

base::Status ReadJsonBody(const std::string& body, CreateArgs* args) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err) {
    return base::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    return base::InvalidArgument("expected a JSON object {\"query\": ..., \"start\": ..., \"end\": ...}");
  }
  for (auto field : obj) {
    if (field.key == "query") {
      std::string_view q;
      if (field.value.get_string().get(q)) return base::InvalidArgument("query: expected a string");
      if (!args->query) args->query = std::string(q);
    } else if (field.key == "start") {
      if (!args->start) RETURN_IF_ERROR(ReadJsonTime(field.value, "start", &args->start));
    } else if (field.key == "end") {
      if (!args->end) RETURN_IF_ERROR(ReadJsonTime(field.value, "end", &args->end));
    }
    // Anything else (Loki's max_interval, ...) is ignored.
  }
  return base::Status::Ok();
}

// The URL query string first; a JSON or form body fills in what the URL did not give.
base::Status ReadCreateArgs(const HttpRequest& request, CreateArgs* args) {
  if (request.HasQuery("query")) args->query = std::string(request.Query("query"));
  if (request.HasQuery("start")) args->start = TimeArg{std::string(request.Query("start")), {}, {}};
  if (request.HasQuery("end")) args->end = TimeArg{std::string(request.Query("end")), {}, {}};

  std::string_view body = request.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return base::Status::Ok();
  std::string_view type = request.Header("Content-Type");
  if (StartsWithNoCase(type, "application/x-www-form-urlencoded")) {
    for (const auto& [k, v] : ParseQueryString(body)) {
      if (k == "query" && !args->query) args->query = v;
      if (k == "start" && !args->start) args->start = TimeArg{v, {}, {}};
      if (k == "end" && !args->end) args->end = TimeArg{v, {}, {}};
    }
    return base::Status::Ok();
  }
  if (type.empty() || StartsWithNoCase(type, "application/json") || body[first] == '{') {
    return ReadJsonBody(request.body, args);
  }
  return base::UnsupportedMedia("expected a JSON body, form-encoded parameters or the URL query string");
}

// Loki's model.Time in JSON: seconds with up to three fraction digits (milliseconds), no trailing zeros.
void AppendLokiTime(std::string& out, int64_t ns) {
  int64_t ms = ns / 1000000;
  if (ns % 1000000 < 0) --ms;  // floor
  int64_t sec = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --sec;
  }
  out += std::to_string(sec);
  if (frac == 0) return;
  char buf[8];
  std::snprintf(buf, sizeof(buf), ".%03d", static_cast<int>(frac));
  std::string f(buf);
  while (f.back() == '0') f.pop_back();
  out += f;
}

void AppendNativeRequest(std::string& out, const DeleteRequest& r) {
  out += "{\"id\":";
  common::AppendJsonString(out, r.id);
  out += ",\"status\":";
  common::AppendJsonString(out, storage::DeleteStatusName(r.status));
  out += ",\"query\":";
  common::AppendJsonString(out, r.selector.text);
  out += ",\"start\":\"" + model::FormatRfc3339Nanos(r.from) + "\"";
  out += ",\"end\":\"" + model::FormatRfc3339Nanos(r.to) + "\"";
  out += ",\"created\":\"" + model::FormatRfc3339Nanos(r.created_ns) + "\"";
  if (r.status == DeleteStatus::kProcessed) {
    out += ",\"processed\":\"" + model::FormatRfc3339Nanos(r.processed_ns) + "\"";
  }
  out += '}';
}

void AppendLokiRequest(std::string& out, const DeleteRequest& r) {
  out += "{\"request_id\":";
  common::AppendJsonString(out, r.id);
  out += ",\"start_time\":";
  AppendLokiTime(out, r.from);
  out += ",\"end_time\":";
  AppendLokiTime(out, r.to);
  out += ",\"query\":";
  common::AppendJsonString(out, r.selector.text);
  out += ",\"status\":";
  common::AppendJsonString(out, r.status == DeleteStatus::kProcessed ? "processed" : "received");
  out += ",\"created_at\":";
  AppendLokiTime(out, r.created_ns);
  out += ",\"user_id\":\"\"}";
}

class DeleteApiHandler {
 public:
  DeleteApiHandler(storage::StorageEngine& storage, const Config& config, DeleteApi api)
      : storage_(storage), config_(config), api_(api) {}

  void operator()(HttpRequest&& request, const Responder& respond) const {
    auto ctx = ContextFor(request, config_.default_tenant);
    if (!ctx.ok()) return respond(Error(ctx.status()));
    // The delete store is opened by WAL recovery; until then there is nothing to read or write.
    if (!storage_.ready()) return respond(Error(base::Unavailable("WAL replay in progress")));
    if (request.method == "POST" || request.method == "PUT") return respond(Create(request, ctx->tenant));
    if (request.method == "GET" || request.method == "HEAD") return respond(List(request, ctx->tenant));
    if (request.method == "DELETE") return respond(Cancel(request, ctx->tenant));
    HttpResponse r = Error(base::InvalidArgument("method " + request.method + " is not allowed on " + request.path));
    r.status = 405;
    respond(std::move(r));
  }

 private:
  bool loki() const { return api_ == DeleteApi::kLoki; }

  HttpResponse Error(const base::Status& status, std::string loki_message = "") const {
    if (!loki()) return ErrorResponse(status);
    HttpResponse r;
    r.status = base::HttpStatusFor(status.code());
    r.content_type = "text/plain; charset=utf-8";
    r.body = loki_message.empty() ? status.message() : std::move(loki_message);
    r.body += '\n';
    if (status.code() == base::StatusCode::kUnavailable) r.headers.emplace_back("Retry-After", "1");
    return r;
  }

  static HttpResponse Json(std::string body) {
    HttpResponse r;
    r.body = std::move(body);
    return r;
  }

  static HttpResponse NoContent() {
    HttpResponse r;
    r.status = 204;
    return r;
  }

  HttpResponse Create(const HttpRequest& request, const std::string& tenant) const {
    CreateArgs args;
    if (auto st = ReadCreateArgs(request, &args); !st.ok()) return Error(st);
    if (!args.query || args.query->empty()) return Error(base::InvalidArgument("query: required"));
    if (!args.start || (args.start->text.empty() && !args.start->integer && !args.start->real)) {
      return Error(base::InvalidArgument("start: required"));
    }
    auto from = ResolveTime("start", *args.start);
    if (!from.ok()) return Error(from.status());
    int64_t to = base::SystemClock::Get().NowNanos();
    if (args.end && (!args.end->text.empty() || args.end->integer || args.end->real)) {
      auto t = ResolveTime("end", *args.end);
      if (!t.ok()) return Error(t.status());
      to = *t;
    }
    if (to < *from) return Error(base::InvalidArgument("end timestamp must not be before start time"));
    auto selector = storage::ParseStreamSelector(*args.query);
    if (!selector.ok()) return Error(selector.status());

    DeleteRequest req;
    req.tenant = tenant;
    req.from = *from;
    req.to = to;
    req.selector = std::move(selector).value();
    auto added = storage_.deletes().Add(std::move(req));  // durable when it returns
    if (!added.ok()) return Error(added.status());
    if (loki()) return NoContent();
    std::string body;
    AppendNativeRequest(body, *added);
    return Json(std::move(body));
  }

  HttpResponse List(const HttpRequest& request, const std::string& tenant) const {
    auto requests = storage_.deletes().List(tenant);
    std::string body;
    if (!loki()) {
      body = "{\"requests\":[";
      for (size_t i = 0; i < requests.size(); ++i) {
        if (i) body += ',';
        AppendNativeRequest(body, requests[i]);
      }
      body += "]}";
      return Json(std::move(body));
    }
    // Loki: an optional window; only requests overlapping it.
    bool has_start = !request.Query("start").empty();
    bool has_end = !request.Query("end").empty();
    if (has_start != has_end) return Error(base::InvalidArgument("start and end must be given together"));
    int64_t lo = INT64_MIN;
    int64_t hi = INT64_MAX;
    if (has_start) {
      auto s = ResolveTime("start", TimeArg{std::string(request.Query("start")), {}, {}});
      if (!s.ok()) return Error(s.status());
      auto e = ResolveTime("end", TimeArg{std::string(request.Query("end")), {}, {}});
      if (!e.ok()) return Error(e.status());
      lo = *s;
      hi = *e;
    }
    body = "[";
    bool first = true;
    for (const auto& r : requests) {
      if (r.status == DeleteStatus::kCancelled || r.to < lo || r.from > hi) continue;
      if (!first) body += ',';
      first = false;
      AppendLokiRequest(body, r);
    }
    body += ']';
    return Json(std::move(body));
  }

  HttpResponse Cancel(const HttpRequest& request, const std::string& tenant) const {
    std::string id(request.Query("id"));
    if (id.empty()) id = std::string(request.Query("request_id"));
    if (id.empty()) return Error(base::InvalidArgument("id: required (or request_id)"));
    base::Status st = storage_.deletes().Cancel(tenant, id);
    if (st.code() == base::StatusCode::kFailedPrecondition) {
      // Terminal states never change again, so this look-up cannot race with another transition.
      for (const auto& r : storage_.deletes().List(tenant)) {
        if (r.id != id) continue;
        if (r.status == DeleteStatus::kCancelled) {
          // Idempotent natively; Loki forgets cancelled requests, so for it the id is unknown now.
          st = loki() ? base::NotFound("delete request " + id + " not found") : base::Status::Ok();
        } else {
          st = base::Status(base::StatusCode::kAlreadyExists,
                            "delete request " + id + " was already processed: its rows are purged and it cannot be "
                            "cancelled");
          if (loki()) return Error(base::InvalidArgument(st.message()), kLokiAlreadyProcessed);
        }
      }
    }
    if (!st.ok()) return Error(st, st.code() == base::StatusCode::kNotFound ? kLokiNotFound : "");
    if (loki()) return NoContent();
    std::string body = "{\"id\":";
    common::AppendJsonString(body, id);
    body += ",\"status\":\"cancelled\"}";
    return Json(std::move(body));
  }

  storage::StorageEngine& storage_;
  const Config& config_;
  DeleteApi api_;
};

}  // namespace

Handler MakeDeleteHandler(storage::StorageEngine& storage, const Config& config, DeleteApi api) {
  return [handler = DeleteApiHandler(storage, config, api)](HttpRequest&& request, Responder respond) {
    handler(std::move(request), respond);
  };
}

}  // namespace strata::server
