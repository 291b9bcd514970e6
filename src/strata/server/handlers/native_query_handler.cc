#include "strata/server/handlers/native_query_handler.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "strata/base/clock.h"
#include "strata/common/json_writer.h"
#include "strata/common/thread_pool.h"
#include "strata/model/time_format.h"
#include "strata/query/lang/dsl_parser.h"
#include "strata/query/lang/logql_parser.h"
#include "strata/server/handlers/loki_json.h"
#include "strata/server/handlers/request_context.h"

namespace strata::server {
namespace {

constexpr int64_t kHourNs = 3600LL * 1000000000;
constexpr int64_t kMaxBuckets = 11000;  // the same resolution bound as Loki's range queries

struct NativeRequest {
  std::optional<std::string> tenant;
  std::string query;
  std::optional<int64_t> from, to;
  uint64_t limit = 100;
  bool logql = false;
  storage::Direction direction = storage::Direction::kBackward;
};

base::Result<int64_t> JsonTime(simdjson::dom::element v, const char* name) {
  base::Result<int64_t> t = base::InvalidArgument("");
  switch (v.type()) {
    case simdjson::dom::element_type::STRING:
      t = model::ParseTimestamp(v.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::INT64:
      t = model::EpochIntegerToNanos(v.get_int64().value_unsafe());
      break;
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      t = model::EpochToNanos(v.get_double().value_unsafe());
      break;
    default:
      return base::InvalidArgument(std::string("range.") + name + ": expected an ISO-8601 string or an epoch number");
  }
  if (!t.ok()) return base::InvalidArgument(std::string("range.") + name + ": " + t.status().message());
  return t;
}

base::Result<NativeRequest> ParseRequest(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err) {
    return base::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    return base::InvalidArgument("expected a JSON object {\"query\": ..., \"range\": {\"from\", \"to\"}, ...}");
  }
  NativeRequest r;
  bool has_query = false;
  for (auto field : obj) {
    if (field.key == "query") {
      std::string_view q;
      if (field.value.get_string().get(q)) return base::InvalidArgument("query: expected a string");
      r.query = std::string(q);
      has_query = true;
    } else if (field.key == "tenantId") {
      if (field.value.is_null()) continue;
      std::string_view t;
      if (field.value.get_string().get(t)) return base::InvalidArgument("tenantId: expected a string");
      r.tenant = std::string(t);
    } else if (field.key == "range") {
      if (field.value.is_null()) continue;
      simdjson::dom::object range;
      if (field.value.get_object().get(range)) {
        return base::InvalidArgument("range: expected an object {\"from\": ..., \"to\": ...}");
      }
      for (auto rf : range) {
        if (rf.value.is_null()) continue;
        if (rf.key == "from") {
          ASSIGN_OR_RETURN(r.from, JsonTime(rf.value, "from"));
        } else if (rf.key == "to") {
          ASSIGN_OR_RETURN(r.to, JsonTime(rf.value, "to"));
        }
      }
    } else if (field.key == "limit") {
      if (field.value.is_null()) continue;
      int64_t n = 0;
      if (field.value.get_int64().get(n) || n < 0) {
        return base::InvalidArgument("limit: expected a non-negative integer");
      }
      r.limit = uint64_t(n);
    } else if (field.key == "language") {
      if (field.value.is_null()) continue;
      std::string_view lang;
      if (field.value.get_string().get(lang)) return base::InvalidArgument("language: expected \"dsl\" or \"logql\"");
      std::string lower;
      for (char c : lang) lower += char(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "logql") {
        r.logql = true;
      } else if (lower != "dsl") {
        return base::InvalidArgument("language: expected \"dsl\" or \"logql\", got \"" + std::string(lang) + "\"");
      }
    } else if (field.key == "direction") {
      if (field.value.is_null()) continue;
      std::string_view d;
      if (field.value.get_string().get(d) || (d != "backward" && d != "forward")) {
        return base::InvalidArgument("direction: expected \"backward\" or \"forward\"");
      }
      r.direction = d == "forward" ? storage::Direction::kForward : storage::Direction::kBackward;
    }
  }
  if (!has_query) return base::InvalidArgument("query: required");
  return r;
}

// "parse error at line L, col C: ..." -> details naming the position, so a UI can point at it.
std::string ErrorDetails(const base::Status& st) {
  const std::string& m = st.message();
  const std::string marker = "at line ";
  size_t at = m.find(marker);
  if (m.rfind("parse error", 0) != 0 || at == std::string::npos) return "[]";
  size_t i = at + marker.size();
  int64_t line = 0, col = 0;
  while (i < m.size() && std::isdigit(static_cast<unsigned char>(m[i]))) line = line * 10 + (m[i++] - '0');
  if (m.compare(i, 6, ", col ") != 0) return "[]";
  i += 6;
  while (i < m.size() && std::isdigit(static_cast<unsigned char>(m[i]))) col = col * 10 + (m[i++] - '0');
  return "[{\"field\":\"query\",\"line\":" + std::to_string(line) + ",\"column\":" + std::to_string(col) + "}]";
}

HttpResponse Error(const base::Status& st) {
  HttpResponse r = ErrorResponse(st, ErrorDetails(st));
  // Over its memory budget a query fails the same way every time: not the 429 ("retry later") of back-pressure.
  if (st.code() == base::StatusCode::kResourceExhausted) {
    r.status = 400;
    r.headers.clear();
  }
  return r;
}

query::Expr CountOver(const query::LogExpr& log, int64_t range_ns, std::optional<query::Grouping> by) {
  query::RangeAggregation ra;
  ra.op = query::RangeOp::kCountOverTime;
  ra.range.log = log;
  ra.range.range_ns = range_ns;
  query::VectorAggregation va;
  va.op = query::VectorOp::kSum;
  va.grouping = std::move(by);
  va.inner = query::Expr{std::move(ra)};
  return query::Expr{std::move(va)};
}

struct Bucket {
  model::LabelSet key;
  std::optional<int64_t> start_ns;  // histogram buckets
  uint64_t count = 0;
};

class NativeQuery {
 public:
  NativeQuery(query::QueryEngine& engine, std::string tenant, NativeRequest req,
              std::shared_ptr<const std::atomic<bool>> client_gone)
      : engine_(engine), tenant_(std::move(tenant)), req_(std::move(req)), client_gone_(std::move(client_gone)) {}

  HttpResponse Run() {
    const auto started = std::chrono::steady_clock::now();
    const int64_t to = req_.to.value_or(base::SystemClock::Get().NowNanos());
    const int64_t from = req_.from.value_or(to - kHourNs);
    if (from > to) return Error(base::InvalidArgument("range: from must not be after to"));
    if (req_.limit > engine_.options().max_entries_limit) {
      return Error(base::InvalidArgument("limit: at most " + std::to_string(engine_.options().max_entries_limit)));
    }
    from_ = from;
    to_ = to;

    // The log part and the aggregation the query asks for.
    query::LogExpr log;
    std::optional<query::Grouping> grouping;
    bool aggregate = false;
    int64_t histogram_ns = 0;
    if (req_.logql) {
      auto expr = query::ParseLogQL(req_.query);
      if (!expr.ok()) return Error(expr.status());
      auto* l = std::get_if<query::LogExpr>(&expr->node);
      if (l == nullptr) {
        return Error(base::InvalidArgument(
            "POST /api/v1/query takes log queries; run metric queries with /loki/api/v1/query_range"));
      }
      log = std::move(*l);
    } else {
      auto dsl = query::ParseDsl(req_.query);
      if (!dsl.ok()) return Error(dsl.status());
      if (auto* l = std::get_if<query::LogExpr>(&dsl->expr.node)) {
        log = std::move(*l);
      } else {
        // ParseDsl's aggregation form: sum [by (...)] (count_over_time(<log> [histogram step or 0])).
        const auto& va = std::get<query::VectorAggregation>(dsl->expr.node);
        const auto& ra = std::get<query::RangeAggregation>(va.inner->node);
        log = ra.range.log;
        grouping = va.grouping;
        aggregate = true;
        histogram_ns = dsl->step_ns;
      }
    }

    // Results.
    std::vector<query::LogEntry> entries;
    if (req_.limit > 0) {
      query::QueryRequest q = Request(query::Expr{log});
      q.start_ns = from;
      q.end_ns = to == INT64_MAX ? to : to + 1;  // the engine's end is exclusive; ours is inclusive
      q.limit = req_.limit;
      q.direction = req_.direction;
      auto r = engine_.Execute(q);
      if (!r.ok()) return Error(r.status());
      entries = std::move(r->entries);
    }

    // Count: exact from the results when they are not cut by the limit, else counted over the range.
    uint64_t count = entries.size();
    bool estimated = false;
    if (req_.limit == 0 || entries.size() >= req_.limit) {
      auto total = CountWindow(log, from, to, std::nullopt);
      if (total.ok()) {
        count = 0;
        for (const auto& b : *total) count += b.count;
      } else if (total.status().code() == base::StatusCode::kDeadlineExceeded ||
                 total.status().code() == base::StatusCode::kResourceExhausted) {
        estimated = true;
      } else {
        return Error(total.status());
      }
    }

    std::string aggregations = "null";
    if (aggregate) {
      auto rendered = Aggregations(log, grouping, histogram_ns);
      if (!rendered.ok()) return Error(rendered.status());
      aggregations = std::move(rendered).value();
    }

    std::string out = "{\"results\":[";
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i) out += ',';
      AppendRow(out, entries[i]);
    }
    out += "],\"count\":" + std::to_string(count);
    out += ",\"countEstimated\":";
    out += estimated ? "true" : "false";
    const auto elapsed = std::chrono::steady_clock::now() - started;
    out += ",\"durationMs\":" +
           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
    out += ",\"aggregations\":" + aggregations + "}";
    HttpResponse resp;
    resp.body = std::move(out);
    return resp;
  }

 private:
  query::QueryRequest Request(query::Expr expr) const {
    query::QueryRequest q;
    q.tenant = tenant_;
    q.cancel = client_gone_.get();
    q.expr = std::move(expr);
    return q;
  }

  // Counts per group of the rows in [lo, hi] (inclusive), one instant evaluation at hi over hi - lo + 1.
  base::Result<std::vector<Bucket>> CountWindow(const query::LogExpr& log, int64_t lo, int64_t hi,
                                                std::optional<query::Grouping> by) {
    query::QueryRequest q = Request(CountOver(log, hi - lo + 1, std::move(by)));
    q.start_ns = q.end_ns = hi;
    ASSIGN_OR_RETURN(query::QueryResult r, engine_.Execute(q));
    std::vector<Bucket> out;
    for (const auto& s : r.metric.series) {
      if (s.points.empty()) continue;
      out.push_back({s.metric, std::nullopt, uint64_t(std::llround(s.points.back().v))});
    }
    return out;
  }

  // Histogram buckets [from + k*S, from + (k+1)*S - 1], the last one cut at `to`: full buckets as one range
  // evaluation whose windows (t - S, t] tile them exactly, the cut one as a separate instant count.
  base::Result<std::vector<Bucket>> Histogram(const query::LogExpr& log, const std::optional<query::Grouping>& by,
                                              int64_t step) {
    const int64_t span = to_ - from_ + 1;
    if (span / step > kMaxBuckets) {
      return base::InvalidArgument("histogram interval too small: at most " + std::to_string(kMaxBuckets) +
                                   " buckets per query");
    }
    const int64_t full = span / step;
    std::vector<Bucket> out;
    if (full > 0) {
      query::QueryRequest q = Request(CountOver(log, step, by));
      q.start_ns = from_ + step - 1;
      q.end_ns = from_ + full * step - 1;
      q.step_ns = step;
      if (q.start_ns == q.end_ns) q.step_ns = 0;
      ASSIGN_OR_RETURN(query::QueryResult r, engine_.Execute(q));
      for (const auto& s : r.metric.series) {
        for (const auto& p : s.points) {
          uint64_t n = uint64_t(std::llround(p.v));
          if (n > 0) out.push_back({s.metric, p.t_ns - step + 1, n});
        }
      }
    }
    if (span % step != 0) {
      const int64_t last = from_ + full * step;
      ASSIGN_OR_RETURN(std::vector<Bucket> tail, CountWindow(log, last, to_, by));
      for (auto& b : tail) {
        if (b.count == 0) continue;
        b.start_ns = last;
        out.push_back(std::move(b));
      }
    }
    std::sort(out.begin(), out.end(), [](const Bucket& a, const Bucket& b) {
      if (*a.start_ns != *b.start_ns) return *a.start_ns < *b.start_ns;
      return a.key < b.key;
    });
    return out;
  }

  base::Result<std::string> Aggregations(const query::LogExpr& log, const std::optional<query::Grouping>& by,
                                         int64_t histogram_ns) {
    std::vector<Bucket> buckets;
    if (histogram_ns > 0) {
      ASSIGN_OR_RETURN(buckets, Histogram(log, by, histogram_ns));
    } else {
      ASSIGN_OR_RETURN(buckets, CountWindow(log, from_, to_, by));
      std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) {
        if (a.count != b.count) return a.count > b.count;
        return a.key < b.key;
      });
    }
    std::string out = "{\"groupBy\":[";
    if (by) {
      for (size_t i = 0; i < by->labels.size(); ++i) {
        if (i) out += ',';
        common::AppendJsonString(out, by->labels[i]);
      }
    }
    out += "],\"intervalMs\":";
    out += histogram_ns > 0 ? std::to_string(histogram_ns / 1000000) : "null";
    out += ",\"buckets\":[";
    for (size_t i = 0; i < buckets.size(); ++i) {
      if (i) out += ',';
      out += '{';
      if (buckets[i].start_ns) out += "\"timestamp\":\"" + model::FormatRfc3339Nanos(*buckets[i].start_ns) + "\",";
      out += "\"key\":";
      loki::AppendLabelObject(out, buckets[i].key);
      out += ",\"count\":" + std::to_string(buckets[i].count) + "}";
    }
    out += "]}";
    return out;
  }

  static void AppendRow(std::string& out, const query::LogEntry& e) {
    out += "{\"timestamp\":\"";
    out += model::FormatRfc3339Nanos(e.timestamp_ns);
    out += "\",\"labels\":";
    loki::AppendLabelObject(out, e.stream);
    out += ",\"message\":";
    common::AppendJsonString(out, e.line);
    // Structured metadata and parsed labels together; a parsed label wins a name clash (it is the newer value).
    model::LabelSet fields = e.structured_metadata;
    fields.insert(fields.end(), e.parsed.begin(), e.parsed.end());
    model::CanonicalizeLabels(fields);
    out += ",\"fields\":";
    loki::AppendLabelObject(out, fields);
    out += '}';
  }

  query::QueryEngine& engine_;
  std::string tenant_;
  NativeRequest req_;
  std::shared_ptr<const std::atomic<bool>> client_gone_;
  int64_t from_ = 0;
  int64_t to_ = 0;
};

// The tenant: the body's tenantId, else the headers / default (request_context.h). A body tenant that differs
// from an explicit header is refused rather than silently preferring one of them.
base::Result<std::string> TenantFor(const HttpRequest& request, const NativeRequest& body,
                                    const std::string& default_tenant) {
  ASSIGN_OR_RETURN(RequestContext ctx, ContextFor(request, default_tenant));
  if (!body.tenant) return ctx.tenant;
  HttpRequest probe;
  probe.headers = {{"X-Tenant-ID", *body.tenant}};
  ASSIGN_OR_RETURN(RequestContext from_body, ContextFor(probe, default_tenant));
  const bool header_given = !request.Header("X-Tenant-ID").empty() || !request.Header("X-Scope-OrgID").empty();
  if (header_given && ctx.tenant != from_body.tenant) {
    return base::InvalidArgument("tenantId \"" + from_body.tenant + "\" does not match the tenant header \"" +
                                 ctx.tenant + "\"");
  }
  return from_body.tenant;
}

}  // namespace

Handler MakeNativeQueryHandler(query::QueryEngine& engine, const Config& config) {
  auto pool = std::make_shared<common::ThreadPool>(std::max<size_t>(2, engine.options().max_concurrent));
  return [&engine, &config, pool](HttpRequest&& request, Responder respond) {
    auto body = ParseRequest(request.body);
    if (!body.ok()) return respond(Error(body.status()));
    auto tenant = TenantFor(request, *body, config.default_tenant);
    if (!tenant.ok()) return respond(Error(tenant.status()));
    auto query = std::make_shared<NativeQuery>(engine, std::move(tenant).value(), std::move(body).value(),
                                               request.client_gone);
    pool->Submit([query, respond]() { respond(query->Run()); });
  };
}

}  // namespace strata::server
