#include "strata/server/handlers/tail_handler.h"

#include <map>
#include <optional>

#include "strata/base/clock.h"
#include "strata/common/json_writer.h"
#include "strata/model/time_format.h"
#include "strata/query/lang/dsl_parser.h"
#include "strata/query/lang/logql_parser.h"
#include "strata/server/handlers/loki_json.h"
#include "strata/server/handlers/loki_params.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {

namespace {

using query::TailClock;

enum class Api { kLoki, kNative };

constexpr int64_t kSecondNs = 1000000000;
constexpr int64_t kMaxDelayForSeconds = 5;  // Loki's maxDelayForInTailing

struct ParsedTail {
  query::TailRequest request;
  bool categorize = false;
};

base::Result<int64_t> ParseDelayFor(std::string_view value) {
  if (value.empty()) return int64_t{0};
  ASSIGN_OR_RETURN(int64_t seconds, loki::GoAtoi(value));
  if (seconds > kMaxDelayForSeconds) return base::InvalidArgument("delay_for can't be greater than 5");
  return std::max<int64_t>(seconds, 0);
}

base::Result<uint64_t> ParseLimit(std::string_view value, uint64_t max_entries) {
  int64_t limit = loki::kDefaultQueryLimit;
  if (!value.empty()) {
    ASSIGN_OR_RETURN(limit, loki::GoAtoi(value));
  }
  if (limit <= 0) return base::InvalidArgument("limit must be a positive value");
  RETURN_IF_ERROR(loki::CheckMaxEntriesLimit(static_cast<uint64_t>(limit), max_entries));
  return static_cast<uint64_t>(limit);
}

base::Result<query::LogExpr> LogQuery(base::Result<query::Expr> expr) {
  if (!expr.ok()) return expr.status();
  if (!expr->IsLogQuery()) return base::InvalidArgument("tail supports log queries only, not metric queries");
  return std::get<query::LogExpr>(std::move(expr).value().node);
}

// Loki's ParseTailQuery: query, limit, start (default now - 1h), delay_for.
base::Result<ParsedTail> ParseLokiTail(const HttpRequest& request, const TailHandlerOptions& options, int64_t now_ns) {
  loki::LokiParams params = loki::LokiParams::From(request);
  ParsedTail out;
  ASSIGN_OR_RETURN(out.request.expr, LogQuery(query::ParseLogQL(params.Get("query"))));
  ASSIGN_OR_RETURN(out.request.limit, ParseLimit(params.Get("limit"), options.max_entries_limit));
  ASSIGN_OR_RETURN(int64_t start, loki::ParseTimestamp(params.Get("start"), now_ns - loki::kDefaultSinceNs));
  ASSIGN_OR_RETURN(int64_t delay, ParseDelayFor(params.Get("delay_for")));
  // A start in the future has no history; 1 rather than 0 keeps "from the epoch" a backfill.
  out.request.backfill_from_ns = start > now_ns ? 0 : std::max<int64_t>(start, 1);
  out.request.options.delay = std::chrono::seconds(delay);
  out.categorize = loki::CategorizeLabels(request);
  return out;
}

// The native endpoint: the product DSL by default (it is the native query language), LogQL when asked for or when
// the query is a LogQL selector; history only when `start` is given.
base::Result<ParsedTail> ParseNativeTail(const HttpRequest& request, const TailHandlerOptions& options,
                                         int64_t now_ns) {
  ParsedTail out;
  std::string_view text = request.Query("query");
  std::string_view language = request.Query("language");
  size_t first = text.find_first_not_of(" \t\r\n");
  bool logql = language == "logql" || (language.empty() && first != std::string_view::npos && text[first] == '{');
  if (!language.empty() && language != "logql" && language != "dsl") {
    return base::InvalidArgument("language must be dsl or logql, not \"" + std::string(language) + "\"");
  }
  if (logql) {
    ASSIGN_OR_RETURN(out.request.expr, LogQuery(query::ParseLogQL(text)));
  } else {
    ASSIGN_OR_RETURN(query::DslQuery dsl, query::ParseDsl(text));
    if (!dsl.expr.IsLogQuery()) return base::InvalidArgument("tail supports filters only, not aggregations (| count)");
    out.request.expr = std::get<query::LogExpr>(std::move(dsl.expr.node));
  }
  ASSIGN_OR_RETURN(out.request.limit, ParseLimit(request.Query("limit"), options.max_entries_limit));
  if (request.HasQuery("start")) {
    ASSIGN_OR_RETURN(int64_t start, model::ParseTimestamp(request.Query("start")));
    out.request.backfill_from_ns = start > now_ns ? 0 : std::max<int64_t>(start, 1);
  }
  ASSIGN_OR_RETURN(int64_t delay, ParseDelayFor(request.Query("delay_for")));
  out.request.options.delay = std::chrono::seconds(delay);
  return out;
}

HttpResponse Reject(Api api, const base::Status& status) {
  if (api == Api::kNative) return ErrorResponse(status);
  // Loki's errors before the upgrade are Go's http.Error: text/plain, the message and a newline.
  HttpResponse r;
  r.status = base::HttpStatusFor(status.code());
  r.content_type = "text/plain; charset=utf-8";
  r.body = status.message() + "\n";
  return r;
}

// ---- frames ----------------------------------------------------------------------------------------------------

std::optional<std::string> LokiFrame(const query::TailBatch& batch, bool categorize) {
  if (batch.entries.empty() && batch.dropped.empty()) return std::nullopt;
  // Streams in order of first appearance; without categorize-labels a stream is the full result label set.
  std::vector<std::pair<model::LabelSet, std::vector<const query::LogEntry*>>> streams;
  std::map<model::LabelSet, size_t> index;
  for (const auto& e : batch.entries) {
    model::LabelSet key = categorize ? e.stream : query::MergedLabels(e);
    auto [it, inserted] = index.emplace(key, streams.size());
    if (inserted) streams.push_back({std::move(key), {}});
    streams[it->second].second.push_back(&e);
  }
  std::string out = "{";
  if (categorize) out += "\"encodingFlags\":[\"categorize-labels\"],";
  out += "\"streams\":[";
  for (size_t s = 0; s < streams.size(); ++s) {
    if (s) out += ',';
    out += "{\"stream\":";
    loki::AppendLabelObject(out, streams[s].first);
    out += ",\"values\":[";
    for (size_t i = 0; i < streams[s].second.size(); ++i) {
      const query::LogEntry& e = *streams[s].second[i];
      if (i) out += ',';
      out += "[\"";
      out += std::to_string(e.timestamp_ns);
      out += "\",";
      loki::AppendHtmlEscapedJsonString(out, e.line);
      if (categorize) {
        out += ",{";
        if (!e.structured_metadata.empty()) {
          out += "\"structuredMetadata\":";
          loki::AppendLabelObject(out, e.structured_metadata);
        }
        if (!e.parsed.empty()) {
          if (!e.structured_metadata.empty()) out += ',';
          out += "\"parsed\":";
          loki::AppendLabelObject(out, e.parsed);
        }
        out += '}';
      }
      out += ']';
    }
    out += "]}";
  }
  out += ']';
  if (!batch.dropped.empty()) {
    out += ",\"dropped_entries\":[";
    for (size_t i = 0; i < batch.dropped.size(); ++i) {
      if (i) out += ',';
      out += "{\"labels\":";
      loki::AppendLabelObject(out, batch.dropped[i].labels);
      out += ",\"timestamp\":\"";
      out += std::to_string(batch.dropped[i].timestamp_ns);
      out += "\"}";
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::optional<std::string> NativeFrame(const query::TailBatch& batch) {
  if (batch.empty()) return std::nullopt;
  std::string out = "{\"entries\":[";
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const query::LogEntry& e = batch.entries[i];
    if (i) out += ',';
    out += "{\"timestamp\":\"";
    out += model::FormatRfc3339Nanos(e.timestamp_ns);
    out += "\",\"labels\":";
    loki::AppendLabelObject(out, e.stream);
    out += ",\"message\":";
    common::AppendJsonString(out, e.line);
    out += ",\"fields\":";
    model::LabelSet fields = e.structured_metadata;
    fields.insert(fields.end(), e.parsed.begin(), e.parsed.end());
    model::CanonicalizeLabels(fields);
    loki::AppendLabelObject(out, fields);
    out += '}';
  }
  out += "],\"dropped\":";
  out += std::to_string(batch.dropped_count);
  out += '}';
  return out;
}

// ---- sessions --------------------------------------------------------------------------------------------------

// Moves entries from the subscription to the client, one message in flight at a time: while the client has not
// taken the previous message, entries wait in the subscription's bounded queue (and overflow as dropped entries).
class TailSession final : public WebSocketSession, public std::enable_shared_from_this<TailSession> {
 public:
  TailSession(std::shared_ptr<query::TailSubscription> subscription, Api api, bool categorize,
              const TailHandlerOptions& options)
      : subscription_(std::move(subscription)),
        api_(api),
        categorize_(categorize),
        max_entries_per_message_(options.max_entries_per_message),
        deadline_(TailClock::now() + options.max_duration) {}

  void OnOpen(std::shared_ptr<WebSocketConnection> connection) override {
    connection_ = connection;
    std::weak_ptr<WebSocketConnection> weak_connection = connection;
    std::weak_ptr<TailSession> weak_self = shared_from_this();
    // Runs on the hub's threads: hop to the connection's strand.
    subscription_->SetListener([weak_connection, weak_self] {
      if (auto c = weak_connection.lock()) {
        c->Post([weak_self] {
          if (auto s = weak_self.lock()) s->Pump();
        });
      }
    });
    Pump();
  }

  void OnWritable() override { Pump(); }

  void OnTick() override {
    if (connection_ && !closing_ && TailClock::now() >= deadline_) {
      closing_ = true;
      connection_->Close(kWsCloseInternalError, "reached tail max duration limit");
      return;
    }
    Pump();  // delayed entries become due with time, not with a notification
  }

  void OnClosed(uint16_t) override {
    connection_.reset();
    // Releasing the subscription unsubscribes it.
    subscription_.reset();
  }

 private:
  void Pump() {
    if (!connection_ || !subscription_ || closing_ || connection_->PendingMessages() > 0) return;
    for (;;) {
      query::TailBatch batch = subscription_->Take(max_entries_per_message_, TailClock::now());
      if (batch.empty()) break;
      auto frame = api_ == Api::kLoki ? LokiFrame(batch, categorize_) : NativeFrame(batch);
      if (frame) {
        connection_->SendText(std::move(*frame));
        return;  // OnWritable brings us back
      }
    }
    if (auto status = subscription_->closed()) {
      closing_ = true;
      if (status->code() == base::StatusCode::kUnavailable) {
        connection_->Close(kWsCloseGoingAway, status->message());
      } else {
        connection_->Close(status->ok() ? kWsCloseNormal : kWsCloseInternalError, status->message());
      }
    }
  }

  std::shared_ptr<query::TailSubscription> subscription_;
  std::shared_ptr<WebSocketConnection> connection_;
  const Api api_;
  const bool categorize_;
  const size_t max_entries_per_message_;
  const TailClock::time_point deadline_;
  bool closing_ = false;
};

// Loki upgrades before asking the querier for the tail, so its refusals (the per-tenant limit) arrive as a close
// frame 1011 with the reason rather than as an HTTP status.
class RefusedSession final : public WebSocketSession {
 public:
  explicit RefusedSession(std::string reason) : reason_(std::move(reason)) {}
  void OnOpen(std::shared_ptr<WebSocketConnection> connection) override {
    connection->Close(kWsCloseInternalError, reason_);
  }
  void OnClosed(uint16_t) override {}

 private:
  std::string reason_;
};

base::Result<ParsedTail> Parse(Api api, const HttpRequest& request, const TailHandlerOptions& options) {
  const int64_t now_ns = base::SystemClock::Get().NowNanos();
  return api == Api::kLoki ? ParseLokiTail(request, options, now_ns) : ParseNativeTail(request, options, now_ns);
}

WebSocketHandler MakeTailWebSocketHandler(Api api, query::TailHub& hub, const Config& config,
                                          TailHandlerOptions options) {
  return [api, &hub, &config, options](const HttpRequest& request) {
    WebSocketUpgrade upgrade;
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) {
      upgrade.reject = Reject(api, ctx.status());
      return upgrade;
    }
    auto parsed = Parse(api, request, options);
    if (!parsed.ok()) {
      upgrade.reject = Reject(api, parsed.status());
      return upgrade;
    }
    query::TailRequest tail = std::move(parsed->request);
    tail.tenant = ctx->tenant;
    tail.options.max_queued_entries = options.max_queued_entries;
    const bool delayed = tail.options.delay.count() > 0;
    auto subscription = hub.Subscribe(std::move(tail));
    upgrade.options.ping_interval = options.ping_interval;
    // Delayed entries fall due between notifications: look more often than the pings.
    upgrade.options.tick_interval = delayed ? std::chrono::milliseconds(100) : options.ping_interval;
    if (!subscription.ok()) {
      if (api == Api::kLoki && subscription.status().code() == base::StatusCode::kResourceExhausted) {
        upgrade.session = std::make_shared<RefusedSession>(subscription.status().message());
      } else {
        upgrade.reject = Reject(api, subscription.status());
      }
      return upgrade;
    }
    upgrade.session = std::make_shared<TailSession>(std::move(subscription).value(), api, parsed->categorize, options);
    return upgrade;
  };
}

// A plain GET (no upgrade): the same parameter errors, else a hint that a WebSocket is needed.
Handler MakeTailHttpHandler(Api api, const Config& config, TailHandlerOptions options) {
  return [api, &config, options](HttpRequest&& request, Responder respond) {
    auto ctx = ContextFor(request, config.default_tenant);
    if (!ctx.ok()) return respond(Reject(api, ctx.status()));
    auto parsed = Parse(api, request, options);
    if (!parsed.ok()) return respond(Reject(api, parsed.status()));
    respond(Reject(api, base::InvalidArgument(
                            "websocket: the client is not using the websocket protocol: 'upgrade' token not found "
                            "in 'Connection' header")));
  };
}

}  // namespace

void AddTailRoutes(Router& router, query::TailHub& hub, const Config& config, TailHandlerOptions options) {
  router.AddWebSocket("/loki/api/v1/tail", MakeTailWebSocketHandler(Api::kLoki, hub, config, options));
  router.AddWebSocket("/ws/tail", MakeTailWebSocketHandler(Api::kNative, hub, config, options));
  router.Add("GET", "/loki/api/v1/tail", MakeTailHttpHandler(Api::kLoki, config, options));
  router.Add("GET", "/ws/tail", MakeTailHttpHandler(Api::kNative, config, options));
}

}  // namespace strata::server
