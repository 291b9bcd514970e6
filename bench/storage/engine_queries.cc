#include "bench/storage/engine_queries.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "strata/query/lang/logql_parser.h"

namespace strata::bench {

namespace {

struct Spec {
  std::string name;
  std::string logql;
  bool instant = false;        // metric: instant query at end
  int64_t step_ns = 0;         // metric: range query with this step over the whole data
  int64_t window_ns = 0;       // log: only the last window_ns of the data (0 = all)
  uint64_t limit = 1000;
  std::optional<uint64_t> expected;
};

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string Thousands(uint64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

}  // namespace

std::vector<EngineQueryResult> RunEngineQueries(query::QueryEngine& engine, const EngineQueryInput& in) {
  const int64_t span_s = std::max<int64_t>(1, (in.end_ns - in.start_ns) / 1'000'000'000 + 1);
  const std::string all = "[" + std::to_string(span_s) + "s]";
  std::vector<Spec> specs;
  const Needle* single = nullptr;
  const Needle* several = nullptr;
  for (const auto& n : *in.trace_ids) {
    if (!single && n.count == 1) single = &n;
    if (!several && n.count >= 3) several = &n;
  }
  if (single) {
    specs.push_back({"needle: trace_id (1 line)", "{env=~\".+\"} | trace_id=\"" + single->value + "\"", false, 0, 0,
                     1000, single->count});
  }
  if (several) {
    specs.push_back({"needle: trace_id (" + std::to_string(several->count) + " lines)",
                     "{env=~\".+\"} | trace_id=\"" + several->value + "\"", false, 0, 0, 1000, several->count});
    specs.push_back({"needle as a line filter (substring over every line)",
                     "{env=~\".+\"} |= \"" + several->value + "\"", false, 0, 0, 1000, std::nullopt});
  }
  if (!in.unique_tokens->empty()) {
    const Needle& t = in.unique_tokens->front();
    specs.push_back({"rare token (substring)", "{env=~\".+\"} |= \"" + t.value + "\"", false, 0, 0, 1000, 1});
  }
  specs.push_back({"frequent token, newest 100", "{env=~\".+\"} |= \"GET\"", false, 0, 0, 100,
                   in.lines >= 10000 ? std::optional<uint64_t>(100) : std::nullopt});
  specs.push_back({"count all", "sum(count_over_time({env=~\".+\"}" + all + "))", true, 0, 0, 0, in.lines});
  specs.push_back({"count by level", "sum by (level) (count_over_time({env=~\".+\"}" + all + "))", true, 0, 0, 0,
                   in.lines});
  specs.push_back({"filtered time histogram (1m steps)",
                   "sum(count_over_time({level=\"error\"} |= \"timeout\" [1m]))", false, 60'000'000'000, 0, 0,
                   std::nullopt});
  specs.push_back({"regex filter over the last hour, newest 100", "{env=~\".+\"} |~ \"time(d)?out|refused\"", false,
                   0, 3600'000'000'000, 100, std::nullopt});
  specs.push_back({"label selector + line filter", "{service=\"nginx\", host=\"web-02\"} |= \"POST /api/v1/orders\"",
                   false, 0, 0, 5000, std::nullopt});
  specs.push_back({"json field filter (structured metadata > N)", "{env=~\".+\"} | latency_ms > 10000", false, 0, 0,
                   5000, std::nullopt});
  specs.push_back({"count of a numeric field filter", "sum(count_over_time({env=~\".+\"} | latency_ms > 1000" + all + "))",
                   true, 0, 0, 0, std::nullopt});
  specs.push_back({"logfmt parse + filter", "{namespace=~\".+\"} | logfmt | status >= 500", false, 0, 0, 5000,
                   std::nullopt});
  specs.push_back({"topk by service", "topk(5, sum by (service) (count_over_time({env=~\".+\"}" + all + ")))",
                   true, 0, 0, 0, std::nullopt});

  std::vector<EngineQueryResult> out;
  for (const auto& s : specs) {
    std::fprintf(stderr, "engine query: %s...\n", s.name.c_str());
    EngineQueryResult r;
    r.name = s.name;
    r.logql = s.logql;
    r.expected = s.expected;
    auto expr = query::ParseLogQL(s.logql);
    if (!expr.ok()) {
      r.ok = false;
      r.error = expr.status().ToString();
      out.push_back(std::move(r));
      continue;
    }
    query::QueryRequest q;
    q.tenant = in.tenant;
    q.expr = *expr;
    q.limit = s.limit;
    q.direction = storage::Direction::kBackward;
    if (expr->IsLogQuery()) {
      q.start_ns = s.window_ns ? in.end_ns - s.window_ns : in.start_ns;
      q.end_ns = in.end_ns + 1;
    } else if (s.instant) {
      q.start_ns = q.end_ns = in.end_ns;
    } else {
      q.start_ns = in.start_ns + s.step_ns;
      q.end_ns = in.end_ns;
      q.step_ns = s.step_ns;
    }
    std::vector<double> times;
    for (int run = 0; run < in.runs; ++run) {
      auto t0 = std::chrono::steady_clock::now();
      auto res = engine.Execute(q);
      times.push_back(Ms(std::chrono::steady_clock::now() - t0));
      if (!res.ok()) {
        r.ok = false;
        r.error = res.status().ToString();
        break;
      }
      r.stats = res->stats;
      if (res->is_log) {
        r.value = res->entries.size();
        r.answer = Thousands(r.value) + " entries";
      } else {
        double total = 0;
        size_t series = 0;
        for (const auto& ser : res->metric.series) {
          if (!ser.points.empty()) total += ser.points.back().v;
          ++series;
        }
        r.value = static_cast<uint64_t>(total + 0.5);
        r.answer = Thousands(r.value) + " (" + std::to_string(series) + " series" +
                   (s.step_ns ? ", last step" : "") + ")";
      }
    }
    if (!times.empty()) {
      r.first_ms = times.front();
      std::sort(times.begin(), times.end());
      r.median_ms = times[times.size() / 2];
    }
    if (r.ok && r.expected && r.value != *r.expected) r.ok = false;
    out.push_back(std::move(r));
  }
  return out;
}

std::string EngineQueriesMarkdown(const std::vector<EngineQueryResult>& results, int runs) {
  std::string md = "## LogQL through the query engine (" + std::to_string(runs) +
                   " run(s) each, warm: median and first run)\n\n";
  md += "| query | answer | median ms | first ms | lines processed | blocks read | pruned by token index | MB "
        "decompressed |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) {
    std::string answer = r.error.empty() ? r.answer : "ERROR " + r.error;
    if (r.expected && !r.ok && r.error.empty()) answer += " **MISMATCH, expected " + Thousands(*r.expected) + "**";
    md += "| " + r.name + " | " + answer + " | " + Fmt("%.1f", r.median_ms) + " | " + Fmt("%.1f", r.first_ms) +
          " | " + Thousands(r.stats.lines_processed) + " | " + Thousands(r.stats.scan.blocks_read) + " | " +
          Thousands(r.stats.scan.blocks_pruned_by_token_index) + " | " +
          Fmt("%.1f", static_cast<double>(r.stats.scan.bytes_decompressed) / 1e6) + " |\n";
  }
  md += "\nThe queries:\n\n";
  for (const auto& r : results) md += "- " + r.name + ": `" + r.logql + "`\n";
  md += "\n";
  return md;
}

}  // namespace strata::bench
