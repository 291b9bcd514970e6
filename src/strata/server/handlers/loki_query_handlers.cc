#include "strata/server/handlers/loki_query_handlers.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "strata/base/clock.h"
#include "strata/common/json_writer.h"
#include "strata/common/text.h"
#include "strata/common/thread_pool.h"
#include "strata/model/time_format.h"
#include "strata/query/lang/logql_parser.h"
#include "strata/server/handlers/loki_json.h"
#include "strata/server/handlers/loki_params.h"
#include "strata/server/handlers/request_context.h"
#include "strata/server/version.h"

namespace strata::server {
namespace {

using loki::LokiParams;

// What /status/buildinfo reports as `version`: clients (Grafana among them) gate features on Loki's version, and
// we serve the API of a current Loki 3.x. Strata's own version goes in `branch`.
constexpr const char* kLokiCompatibleVersion = "3.5.0";

constexpr const char* kTimeoutText =
    "request timed out, decrease the duration of the request or add more label matchers (prefer exact match over "
    "regex match) to reduce the amount of data processed";
constexpr const char* kCancelledText = "The request was cancelled by the client.";
constexpr const char* kInstantLogQueryText =
    "log queries are not supported as an instant query type, please change your query to a range query type";

HttpResponse Text(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body.assign(message);
  r.body += '\n';  // Go's http.Error
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Loki's WriteError: the message as text/plain with Loki's status for the kind of error.
HttpResponse LokiError(const base::Status& st) {
  switch (st.code()) {
    case base::StatusCode::kInvalidArgument:
    case base::StatusCode::kFailedPrecondition:
      return Text(400, st.message());
    // A query over its memory budget is a property of the query, not a transient overload: retrying it as is
    // cannot succeed, so it is a 400 like Loki's other per-query limits (max_querier_bytes_read...).
    case base::StatusCode::kResourceExhausted:
      return Text(400, st.message());
    case base::StatusCode::kDeadlineExceeded:
      return Text(504, kTimeoutText);
    case base::StatusCode::kCancelled:
      return Text(499, kCancelledText);
    case base::StatusCode::kUnavailable:
      return Text(503, st.message());
    case base::StatusCode::kNotFound:
      return Text(404, st.message());
    default:
      return Text(500, st.message());
  }
}

HttpResponse Json(std::string body) {
  HttpResponse r;
  r.content_type = "application/json; charset=UTF-8";
  r.body = std::move(body);
  return r;
}

int64_t Now() { return base::SystemClock::Get().NowNanos(); }

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = common::HexDigitValue(s[i + 1]);
      int lo = common::HexDigitValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The {name} of /prefix/{name}/values.
std::string PathName(std::string_view path, std::string_view prefix) {
  std::string_view rest = path.substr(prefix.size());
  rest = rest.substr(0, rest.find('/'));
  return PercentDecode(rest);
}

// A query the metadata endpoints take: a stream selector. A pipeline after it is accepted and ignored (these
// endpoints report streams, not lines); a metric query is not a selector.
struct ParsedSelector {
  query::Selector ast;
  std::vector<storage::LabelMatcher> matchers;
};

base::Result<ParsedSelector> ParseSelector(std::string_view text) {
  ASSIGN_OR_RETURN(query::Expr expr, query::ParseLogQL(text));
  auto* log = std::get_if<query::LogExpr>(&expr.node);
  if (log == nullptr) return base::InvalidArgument("only label matchers are supported");
  ParsedSelector out;
  out.ast = log->selector;
  ASSIGN_OR_RETURN(out.matchers, query::ToStorageMatchers(out.ast));
  return out;
}

base::Result<query::LogExpr> ParseLogExpr(std::string_view text) {
  ASSIGN_OR_RETURN(query::Expr expr, query::ParseLogQL(text));
  auto* log = std::get_if<query::LogExpr>(&expr.node);
  if (log == nullptr) return base::InvalidArgument("only log queries are supported");
  return std::move(*log);
}

bool IsMatchAll(std::string_view text) {
  size_t a = text.find_first_not_of(" \t\r\n");
  size_t b = text.find_last_not_of(" \t\r\n");
  if (a == std::string_view::npos) return false;
  text = text.substr(a, b - a + 1);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
  return text.substr(1, text.size() - 2).find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The selector of an optional `query` parameter: empty or `{}` means every stream.
base::Result<std::optional<ParsedSelector>> OptionalSelector(std::string_view text) {
  if (text.empty() || IsMatchAll(text)) return std::optional<ParsedSelector>();
  ASSIGN_OR_RETURN(ParsedSelector s, ParseSelector(text));
  return std::optional<ParsedSelector>(std::move(s));
}

query::MetadataRequest Metadata(const RequestContext& ctx, int64_t start_ns, int64_t end_ns,
                                const std::optional<ParsedSelector>& selector) {
  query::MetadataRequest md;
  md.tenant = ctx.tenant;
  md.cancel = ctx.cancel();
  md.start_ns = start_ns;
  md.end_ns = end_ns;
  if (selector) md.selectors.push_back(selector->matchers);
  return md;
}

const model::Field* FindLabel(const model::LabelSet& labels, std::string_view name) {
  for (const auto& l : labels) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

std::string LabelSetString(const model::LabelSet& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ", ";
    out += labels[i].name;
    out += '=';
    common::AppendJsonString(out, labels[i].value);
  }
  out += '}';
  return out;
}

// Shared by every route: the engine, the config and the pool that runs engine calls off the io threads.
struct State {
  query::QueryEngine& engine;
  const Config& config;
  common::ThreadPool pool;
  State(query::QueryEngine& e, const Config& c, size_t threads) : engine(e), config(c), pool(threads) {}
};

using Work = std::function<HttpResponse(const HttpRequest& request, const RequestContext& ctx,
                                        const LokiParams& params)>;

// Resolves the tenant on the io thread (cheap, and a bad header needs no pool slot), then runs `work` on the pool.
Handler Offload(const std::shared_ptr<State>& state, Work work) {
  return [state, work = std::move(work)](HttpRequest&& request, Responder respond) {
    auto ctx = ContextFor(request, state->config.default_tenant);
    if (!ctx.ok()) return respond(Text(400, ctx.status().message()));
    auto req = std::make_shared<HttpRequest>(std::move(request));
    state->pool.Submit([work, req, ctx = std::move(ctx).value(), respond]() {
      respond(work(*req, ctx, LokiParams::From(*req)));
    });
  };
}

// ---- queries -----------------------------------------------------------------------------------------------------

HttpResponse InstantQuery(State& s, const HttpRequest& req, const RequestContext& ctx, const LokiParams& params) {
  auto p = loki::ParseInstantQuery(params, Now());
  if (!p.ok()) return LokiError(p.status());
  auto expr = query::ParseLogQL(p->query);
  if (!expr.ok()) return LokiError(expr.status());
  if (expr->IsLogQuery()) return Text(400, kInstantLogQueryText);
  query::QueryRequest q;
  q.tenant = ctx.tenant;
  q.cancel = ctx.cancel();
  q.expr = std::move(expr).value();
  q.start_ns = q.end_ns = p->time_ns;
  q.limit = p->limit;
  q.direction = p->direction;
  auto result = s.engine.Execute(q);
  if (!result.ok()) return LokiError(result.status());
  const auto& m = result->metric;
  if (m.type == query::metric::MetricResult::Type::kScalar) {
    double v = m.scalar.empty() ? 0 : m.scalar.back().v;
    return Json(loki::ScalarResponse(p->time_ns, v, result->stats, result->warnings));
  }
  std::vector<loki::Sample> samples;
  samples.reserve(m.series.size());
  for (const auto& series : m.series) {
    if (series.points.empty()) continue;
    samples.push_back({series.metric, series.points.back().t_ns, series.points.back().v});
  }
  return Json(loki::VectorResponse(samples, result->stats, result->warnings));
}

struct RangeResult {
  query::QueryResult result;
  loki::RangeQueryParams params;
};

base::Result<RangeResult> RunRangeQuery(State& s, const RequestContext& ctx, const LokiParams& params) {
  ASSIGN_OR_RETURN(loki::RangeQueryParams p, loki::ParseRangeQuery(params, Now()));
  ASSIGN_OR_RETURN(query::Expr expr, query::ParseLogQL(p.query));
  if (expr.IsLogQuery()) RETURN_IF_ERROR(loki::CheckMaxEntriesLimit(p.limit, s.engine.options().max_entries_limit));
  query::QueryRequest q;
  q.tenant = ctx.tenant;
  q.cancel = ctx.cancel();
  q.expr = std::move(expr);
  q.start_ns = p.start_ns;
  q.end_ns = p.end_ns;
  q.step_ns = p.step_ns;
  q.interval_ns = p.interval_ns;
  q.limit = p.limit;
  q.direction = p.direction;
  ASSIGN_OR_RETURN(query::QueryResult r, s.engine.Execute(q));
  return RangeResult{std::move(r), std::move(p)};
}

HttpResponse RangeQuery(State& s, const HttpRequest& req, const RequestContext& ctx, const LokiParams& params) {
  auto r = RunRangeQuery(s, ctx, params);
  if (!r.ok()) return LokiError(r.status());
  const query::QueryResult& result = r->result;
  if (result.is_log) {
    return Json(loki::StreamsResponse(result.entries, loki::CategorizeLabels(req), result.stats, result.warnings));
  }
  const auto& m = result.metric;
  if (m.type == query::metric::MetricResult::Type::kScalar) {
    // A literal over a range is one unlabeled series with a point per step, as Loki answers it.
    query::metric::Series series;
    series.points = m.scalar;
    std::vector<query::metric::Series> matrix;
    if (!series.points.empty()) matrix.push_back(std::move(series));
    return Json(loki::MatrixResponse(matrix, result.stats, result.warnings));
  }
  return Json(loki::MatrixResponse(m.series, result.stats, result.warnings));
}

// ---- labels and series -------------------------------------------------------------------------------------------

HttpResponse LabelNames(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto b = loki::ParseBounds(params, Now());
  if (!b.ok()) return LokiError(b.status());
  auto sel = OptionalSelector(params.Get("query"));
  if (!sel.ok()) return LokiError(sel.status());
  auto names = s.engine.LabelNames(Metadata(ctx, b->start_ns, b->end_ns, *sel));
  if (!names.ok()) return LokiError(names.status());
  return Json(loki::StringListResponse(*names));
}

HttpResponse LabelValues(State& s, const std::string& name, const RequestContext& ctx, const LokiParams& params) {
  auto b = loki::ParseBounds(params, Now());
  if (!b.ok()) return LokiError(b.status());
  auto sel = OptionalSelector(params.Get("query"));
  if (!sel.ok()) return LokiError(sel.status());
  auto values = s.engine.LabelValues(Metadata(ctx, b->start_ns, b->end_ns, *sel), name);
  if (!values.ok()) return LokiError(values.status());
  return Json(loki::StringListResponse(*values));
}

base::Result<std::vector<model::LabelSet>> SeriesOf(State& s, const RequestContext& ctx, const LokiParams& params) {
  ASSIGN_OR_RETURN(loki::Bounds b, loki::ParseBounds(params, Now()));
  std::vector<std::string> texts = loki::SeriesMatchers(params);
  if (texts.empty() && !params.Get("query").empty()) texts.emplace_back(params.Get("query"));
  query::MetadataRequest md = Metadata(ctx, b.start_ns, b.end_ns, std::nullopt);
  bool all = texts.empty();
  for (const auto& text : texts) {
    // Matchers are validated even when another group already selects everything.
    if (IsMatchAll(text)) {
      all = true;
      continue;
    }
    ASSIGN_OR_RETURN(ParsedSelector sel, ParseSelector(text));
    md.selectors.push_back(std::move(sel.matchers));
  }
  if (all) md.selectors.clear();
  ASSIGN_OR_RETURN(std::vector<query::StreamInfo> streams, s.engine.Streams(md));
  std::vector<model::LabelSet> out;
  out.reserve(streams.size());
  for (auto& st : streams) out.push_back(std::move(st.labels));
  return out;
}

HttpResponse Series(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto series = SeriesOf(s, ctx, params);
  if (!series.ok()) return LokiError(series.status());
  return Json(loki::SeriesResponse(*series));
}

// ---- index stats and volume ----------------------------------------------------------------------------------

HttpResponse IndexStats(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto p = loki::ParseRangeQuery(params, Now());  // Loki parses index/stats as a range query
  if (!p.ok()) return LokiError(p.status());
  auto sel = OptionalSelector(p->query);
  if (!sel.ok()) return LokiError(sel.status());
  auto streams = s.engine.Streams(Metadata(ctx, p->start_ns, p->end_ns, *sel));
  if (!streams.ok()) return LokiError(streams.status());
  uint64_t chunks = 0, bytes = 0, entries = 0;
  for (const auto& st : *streams) {
    chunks += st.chunks;
    bytes += st.bytes;
    entries += st.entries;
  }
  return Json(loki::IndexStatsResponse(streams->size(), chunks, bytes, entries));
}

// The label names a volume groups by: targetLabels when given, else the names the selector matches on.
std::vector<std::string> VolumeKeys(const loki::VolumeParams& p, const std::optional<ParsedSelector>& sel) {
  std::vector<std::string> keys = p.target_labels;
  if (keys.empty() && sel) {
    for (const auto& m : sel->ast.matchers) {
      if (std::find(keys.begin(), keys.end(), m.name) == keys.end()) keys.push_back(m.name);
    }
  }
  return keys;
}

// Series sorted by value descending, ties by their label text, cut to `limit` (Loki's MapToVolumeResponse).
template <typename T, typename ValueOf>
void SortVolumes(std::vector<T>& items, uint32_t limit, ValueOf value_of) {
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) {
    double va = value_of(a), vb = value_of(b);
    if (va != vb) return va > vb;
    return LabelSetString(a.metric) < LabelSetString(b.metric);
  });
  if (items.size() > limit) items.resize(limit);
}

HttpResponse Volume(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto p = loki::ParseVolumeQuery(params, Now(), false);
  if (!p.ok()) return LokiError(p.status());
  auto sel = OptionalSelector(p->query);
  if (!sel.ok()) return LokiError(sel.status());
  auto streams = s.engine.Streams(Metadata(ctx, p->start_ns, p->end_ns, *sel));
  if (!streams.ok()) return LokiError(streams.status());
  const std::vector<std::string> keys = VolumeKeys(*p, *sel);
  std::map<model::LabelSet, uint64_t> volumes;
  for (const auto& st : *streams) {
    // With targetLabels, a stream lacking one of them contributes nothing (Loki adds `label=~".+"` for each).
    bool has_targets = true;
    for (const auto& t : p->target_labels) {
      const model::Field* f = FindLabel(st.labels, t);
      has_targets = has_targets && f != nullptr && !f->value.empty();
    }
    if (!has_targets) continue;
    if (p->aggregate_by_labels) {
      for (const auto& k : keys) {
        if (FindLabel(st.labels, k) != nullptr) volumes[model::LabelSet{{k, ""}}] += st.bytes;
      }
      continue;
    }
    model::LabelSet key;
    for (const auto& k : keys) {
      if (const model::Field* f = FindLabel(st.labels, k)) key.push_back(*f);
    }
    model::CanonicalizeLabels(key);
    volumes[key] += st.bytes;
  }
  std::vector<loki::Sample> samples;
  for (auto& [metric, bytes] : volumes) samples.push_back({metric, p->end_ns, double(bytes)});
  SortVolumes(samples, p->limit, [](const loki::Sample& x) { return x.v; });
  return Json(loki::VectorResponse(samples, {}, {}));
}

query::Expr BytesOverTime(const query::Selector& selector, int64_t step_ns, std::vector<std::string> by) {
  query::RangeAggregation ra;
  ra.op = query::RangeOp::kBytesOverTime;
  ra.range.log.selector = selector;
  ra.range.range_ns = step_ns;
  query::VectorAggregation va;
  va.op = query::VectorOp::kSum;
  va.grouping = query::Grouping{false, std::move(by)};
  va.inner = query::Expr{std::move(ra)};
  return query::Expr{std::move(va)};
}

// volume_range: bytes per step from the data (sum by (keys) (bytes_over_time(selector[step]))), not an index
// estimate: blocks span many steps, so splitting block totals per step would invent a shape.
HttpResponse VolumeRange(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto p = loki::ParseVolumeQuery(params, Now(), true);
  if (!p.ok()) return LokiError(p.status());
  auto sel = OptionalSelector(p->query);
  if (!sel.ok()) return LokiError(sel.status());
  const std::vector<std::string> keys = VolumeKeys(*p, *sel);
  query::Selector selector = *sel ? (*sel)->ast : query::Selector{};
  for (const auto& t : p->target_labels) selector.matchers.push_back({t, query::MatchOp::kRegex, ".+"});

  auto run = [&](const query::Selector& selector, std::vector<std::string> by)
      -> base::Result<query::QueryResult> {
    query::QueryRequest q;
    q.tenant = ctx.tenant;
    q.cancel = ctx.cancel();
  q.cancel = ctx.cancel();
    q.expr = BytesOverTime(selector, p->step_ns, std::move(by));
    q.start_ns = p->start_ns;
    q.end_ns = p->end_ns;
    q.step_ns = p->step_ns;
    return s.engine.Execute(q);
  };
  std::vector<query::metric::Series> series;
  query::QueryStats stats;
  if (p->aggregate_by_labels) {
    for (const auto& k : keys) {
      query::Selector with = selector;
      with.matchers.push_back({k, query::MatchOp::kRegex, ".+"});
      auto r = run(with, {});
      if (!r.ok()) return LokiError(r.status());
      for (auto& one : r->metric.series) {
        one.metric = {{k, ""}};
        series.push_back(std::move(one));
      }
    }
  } else {
    auto r = run(selector, keys);
    if (!r.ok()) return LokiError(r.status());
    series = std::move(r->metric.series);
    stats = r->stats;
  }
  auto total = [](const query::metric::Series& x) {
    double sum = 0;
    for (const auto& pt : x.points) sum += pt.v;
    return sum;
  };
  SortVolumes(series, p->limit, total);
  return Json(loki::MatrixResponse(series, stats, {}));
}

// ---- detected labels / fields, patterns --------------------------------------------------------------------------

HttpResponse DetectedLabels(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto b = loki::ParseBounds(params, Now());
  if (!b.ok()) return LokiError(b.status());
  if (b->end_ns < b->start_ns) return Text(400, "end timestamp must not be before or equal to start time");
  auto sel = OptionalSelector(params.Get("query"));
  if (!sel.ok()) return LokiError(sel.status());
  auto streams = s.engine.Streams(Metadata(ctx, b->start_ns, b->end_ns, *sel));
  if (!streams.ok()) return LokiError(streams.status());
  std::map<std::string, std::set<std::string>> values;
  for (const auto& st : *streams) {
    for (const auto& l : st.labels) {
      // Internal labels (__stream_shard__, __tenant_id__...) are not something to break logs down by.
      if (l.name.rfind("__", 0) == 0) continue;
      values[l.name].insert(l.value);
    }
  }
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& [name, set] : values) out.emplace_back(name, set.size());
  return Json(loki::DetectedLabelsResponse(out));
}

base::Result<query::QueryRequest> DetectedRequest(const RequestContext& ctx, const loki::DetectedFieldsParams& p) {
  ASSIGN_OR_RETURN(query::LogExpr log, ParseLogExpr(p.query));
  query::QueryRequest q;
  q.tenant = ctx.tenant;
  q.cancel = ctx.cancel();
  q.expr.node = std::move(log);
  q.start_ns = p.start_ns;
  q.end_ns = p.end_ns;
  q.step_ns = p.step_ns;
  q.limit = p.line_limit;
  return q;
}

HttpResponse DetectedFields(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto p = loki::ParseDetectedFieldsQuery(params, Now());
  if (!p.ok()) return LokiError(p.status());
  auto q = DetectedRequest(ctx, *p);
  if (!q.ok()) return LokiError(q.status());
  auto fields = s.engine.DetectedFields(*q, p->line_limit);
  if (!fields.ok()) return LokiError(fields.status());
  if (fields->size() > p->limit) fields->resize(p->limit);
  return Json(loki::DetectedFieldsResponse(*fields, p->limit));
}

HttpResponse DetectedFieldValues(State& s, const std::string& name, const RequestContext& ctx,
                                 const LokiParams& params) {
  auto p = loki::ParseDetectedFieldsQuery(params, Now());
  if (!p.ok()) return LokiError(p.status());
  auto q = DetectedRequest(ctx, *p);
  if (!q.ok()) return LokiError(q.status());
  auto values = s.engine.DetectedFieldValues(*q, p->line_limit, name);
  if (!values.ok()) return LokiError(values.status());
  if (values->size() > p->limit) values->resize(p->limit);
  return Json(loki::DetectedFieldValuesResponse(*values, p->limit));
}

HttpResponse Patterns(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto p = loki::ParsePatternsQuery(params, Now());
  if (!p.ok()) return LokiError(p.status());
  auto log = ParseLogExpr(p->query);
  if (!log.ok()) return LokiError(log.status());
  query::QueryRequest q;
  q.tenant = ctx.tenant;
  q.cancel = ctx.cancel();
  q.expr.node = std::move(log).value();
  q.start_ns = p->start_ns;
  q.end_ns = p->end_ns;
  q.step_ns = p->step_ns;
  auto patterns = s.engine.Patterns(q);
  if (!patterns.ok()) return LokiError(patterns.status());
  return Json(loki::PatternsResponse(*patterns));
}

// ---- legacy /api/prom --------------------------------------------------------------------------------------------

// Go's RFC3339Nano: fraction digits without trailing zeros, none at all for a whole second.
std::string GoRfc3339Nano(int64_t ns) {
  std::string t = model::FormatRfc3339Nanos(ns);  // ...:ss.nnnnnnnnnZ
  size_t dot = t.rfind('.');
  if (dot == std::string::npos) return t;
  size_t end = t.size() - 1;  // the 'Z'
  size_t last = end;
  while (last > dot + 1 && t[last - 1] == '0') --last;
  if (last == dot + 1) return t.substr(0, dot) + "Z";
  return t.substr(0, last) + "Z";
}

HttpResponse LegacyQuery(State& s, const HttpRequest&, const RequestContext& ctx, const LokiParams& params) {
  auto r = RunRangeQuery(s, ctx, params);
  if (!r.ok()) return LokiError(r.status());
  if (!r->result.is_log) return Text(400, "legacy endpoints only support streams result type");
  // {"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"<RFC3339Nano>","line":"..."}]}]}
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  std::map<std::string, size_t> index;
  const auto& entries = r->result.entries;
  for (size_t i = 0; i < entries.size(); ++i) {
    model::LabelSet all = entries[i].stream;
    all.insert(all.end(), entries[i].structured_metadata.begin(), entries[i].structured_metadata.end());
    all.insert(all.end(), entries[i].parsed.begin(), entries[i].parsed.end());
    model::CanonicalizeLabels(all);
    std::string key = LabelSetString(all);
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) groups.emplace_back(key, std::vector<size_t>{});
    groups[it->second].second.push_back(i);
  }
  std::string out = "{\"streams\":[";
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g) out += ',';
    out += "{\"labels\":";
    common::AppendJsonString(out, groups[g].first);
    out += ",\"entries\":[";
    for (size_t k = 0; k < groups[g].second.size(); ++k) {
      const auto& e = entries[groups[g].second[k]];
      if (k) out += ',';
      out += "{\"ts\":\"" + GoRfc3339Nano(e.timestamp_ns) + "\",\"line\":";
      loki::AppendHtmlEscapedJsonString(out, e.line);
      out += '}';
    }
    out += "]}";
  }
  out += "]}";
  return Json(std::move(out));
}

HttpResponse LegacyValues(const base::Result<std::vector<std::string>>& result) {
  if (!result.ok()) return LokiError(result.status());
  const std::vector<std::string>& values = result.value();
  std::string out = "{\"values\":[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    common::AppendJsonString(out, values[i]);
  }
  out += "]}";
  return Json(std::move(out));
}

// ---- registration ------------------------------------------------------------------------------------------------

void AddBoth(Router& router, const std::string& path, const Handler& handler) {
  router.Add("GET", path, handler);
  router.Add("POST", path, handler);
}

}  // namespace

void AddLokiQueryRoutes(Router& router, query::QueryEngine& engine, const Config& config) {
  // Twice the engine's concurrency: queries waiting for an engine slot do not hold up the cheap metadata calls.
  const size_t threads = std::max<size_t>(4, engine.options().max_concurrent * 2);
  auto state = std::make_shared<State>(engine, config, threads);
  State& s = *state;
  auto bind = [&](HttpResponse (*fn)(State&, const HttpRequest&, const RequestContext&, const LokiParams&)) {
    return Offload(state, [&s, fn](const HttpRequest& r, const RequestContext& c, const LokiParams& p) {
      return fn(s, r, c, p);
    });
  };
  const std::string v1 = "/loki/api/v1";
  AddBoth(router, v1 + "/query", bind(InstantQuery));
  AddBoth(router, v1 + "/query_range", bind(RangeQuery));
  AddBoth(router, v1 + "/labels", bind(LabelNames));
  AddBoth(router, v1 + "/label", bind(LabelNames));
  AddBoth(router, v1 + "/label/*/values",
          Offload(state, [&s, v1](const HttpRequest& r, const RequestContext& c, const LokiParams& p) {
            return LabelValues(s, PathName(r.path, v1 + "/label/"), c, p);
          }));
  AddBoth(router, v1 + "/series", bind(Series));
  AddBoth(router, v1 + "/index/stats", bind(IndexStats));
  AddBoth(router, v1 + "/index/volume", bind(Volume));
  AddBoth(router, v1 + "/index/volume_range", bind(VolumeRange));
  AddBoth(router, v1 + "/detected_labels", bind(DetectedLabels));
  AddBoth(router, v1 + "/detected_fields", bind(DetectedFields));
  AddBoth(router, v1 + "/detected_field/*/values",
          Offload(state, [&s, v1](const HttpRequest& r, const RequestContext& c, const LokiParams& p) {
            return DetectedFieldValues(s, PathName(r.path, v1 + "/detected_field/"), c, p);
          }));
  AddBoth(router, v1 + "/patterns", bind(Patterns));

  // Parsing and printing only: answered on the io thread.
  AddBoth(router, v1 + "/format_query", [](HttpRequest&& request, Responder respond) {
    LokiParams params = LokiParams::From(request);
    auto expr = query::ParseLogQL(params.Get("query"));
    if (!expr.ok()) return respond(LokiError(expr.status()));
    respond(Json(loki::FormatQueryResponse(query::FormatLogQL(*expr))));
  });
  router.Add("GET", v1 + "/status/buildinfo", [](HttpRequest&&, Responder respond) {
    std::string out = "{\"version\":\"";
    out += kLokiCompatibleVersion;
    out += "\",\"revision\":";
    common::AppendJsonString(out, kGitRevision);
    out += ",\"branch\":";
    common::AppendJsonString(out, std::string("strata-") + kVersion);
    out += ",\"buildUser\":\"strata\",\"buildDate\":\"\",\"goVersion\":\"\"}";
    respond(Json(std::move(out)));
  });

  // Loki's v0 API, still called by old clients.
  AddBoth(router, "/api/prom/query", bind(LegacyQuery));
  AddBoth(router, "/api/prom/label",
          Offload(state, [&s](const HttpRequest&, const RequestContext& c, const LokiParams& p) {
            auto b = loki::ParseBounds(p, Now());
            if (!b.ok()) return LokiError(b.status());
            return LegacyValues(s.engine.LabelNames(Metadata(c, b->start_ns, b->end_ns, std::nullopt)));
          }));
  AddBoth(router, "/api/prom/label/*/values",
          Offload(state, [&s](const HttpRequest& r, const RequestContext& c, const LokiParams& p) {
            auto b = loki::ParseBounds(p, Now());
            if (!b.ok()) return LokiError(b.status());
            return LegacyValues(s.engine.LabelValues(Metadata(c, b->start_ns, b->end_ns, std::nullopt),
                                                     PathName(r.path, "/api/prom/label/")));
          }));
  AddBoth(router, "/api/prom/series", bind(Series));
}

}  // namespace strata::server
