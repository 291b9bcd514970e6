#include "cli/query_command.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <tuple>

#include "cli/cli_common.h"
#include "cli/http_client.h"
#include "cli/loki_response.h"
#include "cli/output_format.h"
#include "strata/query/lang/logql_lexer.h"

namespace strata::cli {

void AddClientFlags(CLI::App* cmd, ClientOptions& options) {
  cmd->add_option("--addr", options.addr, "Server address")
      ->envname("LOKI_ADDR")
      ->capture_default_str();
  cmd->add_option("--org-id", options.org_id, "Tenant, sent as X-Scope-OrgID")->envname("LOKI_ORG_ID");
  cmd->add_option("-o,--output", options.output, "Output: table (timestamp, labels, line), raw (the line) or json")
      ->capture_default_str();
}

CLI::App* AddQueryCommand(CLI::App& app, QueryOptions& options) {
  CLI::App* cmd = app.add_subcommand("query", "Run a LogQL range query against a Strata or Loki server");
  cmd->add_option("query", options.query, "LogQL query")->required();
  cmd->add_option("--since", options.since, "Look back this far from --to (Prometheus duration)")
      ->capture_default_str();
  cmd->add_option("--from", options.from, "Start, inclusive (RFC3339 or Unix seconds/ns); overrides --since");
  cmd->add_option("--to", options.to, "End, exclusive (RFC3339 or Unix seconds/ns); default now");
  cmd->add_option("--limit", options.limit, "Most log entries to print")->capture_default_str();
  cmd->add_option("--batch", options.batch, "Entries per request when --limit is larger")->capture_default_str();
  cmd->add_option("--direction", options.direction, "backward (newest first) or forward")->capture_default_str();
  cmd->add_option("--step", options.step, "Metric query resolution (duration or seconds); default: the server's");
  cmd->add_option("--timeout", options.timeout_seconds, "Seconds to wait for each answer")->capture_default_str();
  AddClientFlags(cmd, options.client);
  return cmd;
}

namespace {

struct Bounds {
  int64_t start_ns;
  int64_t end_ns;
};

base::Result<Bounds> ResolveBounds(const QueryOptions& o) {
  Bounds b;
  if (!o.to.empty()) {
    ASSIGN_OR_RETURN(b.end_ns, ParseTimeFlag("--to", o.to));
  } else {
    b.end_ns = NowNanos();
  }
  if (!o.from.empty()) {
    ASSIGN_OR_RETURN(b.start_ns, ParseTimeFlag("--from", o.from));
  } else {
    int64_t since;
    ASSIGN_OR_RETURN(since, ParseDurationFlag("--since", o.since));
    b.start_ns = b.end_ns - since;
  }
  if (b.end_ns < b.start_ns) return base::InvalidArgument("--to is before --from");
  return b;
}

// A step is sent as float seconds (as logcli does); the server also accepts durations, but seconds are what
// every Loki version understands.
base::Result<std::string> StepParam(const std::string& step) {
  if (step.empty()) return std::string();
  int64_t ns;
  char* end = nullptr;
  double seconds = std::strtod(step.c_str(), &end);
  if (step.find_first_not_of("0123456789.") == std::string::npos && end == step.c_str() + step.size()) {
    ns = static_cast<int64_t>(seconds * 1e9);
  } else if (!query::ParseAnyDuration(step, &ns)) {
    return base::InvalidArgument("--step: \"" + step + "\" is not a duration");
  }
  if (ns <= 0) return base::InvalidArgument("--step must be positive");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9f", static_cast<double>(ns) / 1e9);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// One entry of a batch, flattened out of its stream. The key identifies it across overlapping batches.
struct FlatEntry {
  const LogStream* stream;
  const LogEntry* entry;
  std::string labels_key;
};

using EntryKey = std::tuple<int64_t, std::string, std::string>;

}  // namespace

int RunQuery(const QueryOptions& o) {
  auto fail = [](const base::Status& st, int code) {
    std::cerr << "strata query: " << st.message() << "\n";
    return code;
  };
  auto addr = ParseServerAddress(o.client.addr);
  if (!addr.ok()) return fail(addr.status(), 2);
  auto mode = ParseOutputMode(o.client.output);
  if (!mode.ok()) return fail(mode.status(), 2);
  auto bounds = ResolveBounds(o);
  if (!bounds.ok()) return fail(bounds.status(), 2);
  auto step = StepParam(o.step);
  if (!step.ok()) return fail(step.status(), 2);
  std::string direction = o.direction;
  std::transform(direction.begin(), direction.end(), direction.begin(), ::tolower);
  if (direction != "backward" && direction != "forward") {
    return fail(base::InvalidArgument("--direction must be backward or forward"), 2);
  }
  if (o.limit <= 0 || o.batch <= 0) return fail(base::InvalidArgument("--limit and --batch must be positive"), 2);
  const bool forward = direction == "forward";
  Headers headers;
  if (!o.client.org_id.empty()) headers.emplace_back("X-Scope-OrgID", o.client.org_id);

  // Paging, as logcli's --batch: each request asks for at most `batch` entries; the next one starts at the
  // timestamp of the last entry printed (inclusive, since several entries may share it) and the entries already
  // printed at that timestamp are skipped.
  int64_t start = bounds->start_ns;
  int64_t end = bounds->end_ns;
  int remaining = o.limit;
  std::set<EntryKey> printed_at_boundary;
  while (remaining > 0) {
    // Entries at the boundary timestamp come back again; asking for that many more keeps each page's yield of
    // new entries at min(remaining, batch) (logcli does the same).
    const int ask = std::min(remaining, o.batch) + static_cast<int>(printed_at_boundary.size());
    std::vector<std::pair<std::string, std::string>> params = {
        {"query", o.query},
        {"start", std::to_string(start)},
        {"end", std::to_string(end)},
        {"limit", std::to_string(ask)},
        {"direction", direction},
    };
    if (!step->empty()) params.emplace_back("step", *step);
    auto response = HttpGet(*addr, "/loki/api/v1/query_range" + QueryString(params), headers,
                            std::chrono::seconds(o.timeout_seconds));
    if (!response.ok()) return fail(response.status(), 1);
    if (response->status != 200) return fail(ServerError(*response), 1);
    auto result = ParseQueryRangeResponse(response->body);
    if (!result.ok()) return fail(result.status(), 1);
    for (const auto& w : result->warnings) std::cerr << "strata query: warning: " << w << "\n";

    if (result->result_type != "streams") {
      PrintSeries(std::cout, *mode, result->series);
      return 0;
    }

    std::vector<FlatEntry> flat;
    size_t received = 0;
    for (const auto& s : result->streams) {
      std::string key = FormatLabels(s.labels);
      for (const auto& e : s.entries) flat.push_back({&s, &e, key});
      received += s.entries.size();
    }
    // Entries arrive grouped by stream; print them interleaved in time, in the requested direction.
    std::stable_sort(flat.begin(), flat.end(), [forward](const FlatEntry& a, const FlatEntry& b) {
      return forward ? a.entry->ts_ns < b.entry->ts_ns : a.entry->ts_ns > b.entry->ts_ns;
    });
    std::vector<PrintedEntry> out;
    std::set<EntryKey> boundary;
    int64_t last_ts = 0;
    for (const auto& f : flat) {
      if (static_cast<int>(out.size()) >= remaining) break;
      EntryKey key{f.entry->ts_ns, f.labels_key, f.entry->line};
      if (printed_at_boundary.contains(key)) continue;
      out.push_back({&f.stream->labels, f.entry});
      if (f.entry->ts_ns != last_ts) boundary.clear();
      last_ts = f.entry->ts_ns;
      boundary.insert(std::move(key));
    }
    PrintEntries(std::cout, *mode, out);
    std::cout.flush();
    remaining -= static_cast<int>(out.size());
    // Fewer than asked means the range is exhausted; nothing new means more entries share one timestamp than a
    // batch holds, and asking again would loop.
    if (static_cast<int>(received) < ask || out.empty()) break;
    if (printed_at_boundary.empty() || std::get<0>(*printed_at_boundary.begin()) != last_ts) {
      printed_at_boundary = std::move(boundary);
    } else {
      printed_at_boundary.merge(boundary);
    }
    if (forward) {
      start = last_ts;
    } else {
      end = last_ts + 1;  // end is exclusive
    }
  }
  return 0;
}

}  // namespace strata::cli
