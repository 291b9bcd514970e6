// QueryEngine::Patterns: log pattern mining by token shape. A token holding a digit (an id, a number, a time,
// an address) is a variable and becomes `<_>`; in `key=value` tokens only the value does. Lines with the same
// shape form one pattern, counted per step. Cheap and predictable; good enough for Grafana's pattern view.
#include <algorithm>
#include <cctype>
#include <map>

#include "strata/query/engine/log_query.h"
#include "strata/query/engine/query_engine_impl.h"

namespace strata::query {

namespace {

constexpr uint64_t kSampleLines = 20000;
constexpr size_t kMaxPatterns = 1000;

bool IsVariable(std::string_view token) {
  return std::any_of(token.begin(), token.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string ShapeOf(std::string_view line) {
  std::string out;
  bool last_var = false;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    std::string_view token = line.substr(i, j - i);
    std::string piece;
    size_t eq = token.find('=');
    bool var = false;
    if (eq != std::string_view::npos && eq > 0 && !IsVariable(token.substr(0, eq))) {
      std::string_view value = token.substr(eq + 1);
      piece = std::string(token.substr(0, eq + 1)) + (IsVariable(value) ? "<_>" : std::string(value));
    } else if (IsVariable(token)) {
      var = true;
      piece = "<_>";
    } else {
      piece = std::string(token);
    }
    if (!(var && last_var)) {
      if (!out.empty() || i > 0) out.push_back(' ');
      out += piece;
    }
    last_var = var;
    i = j + 1;
  }
  if (!out.empty() && out.front() == ' ') out.erase(0, 1);
  return out;
}

std::string LevelOf(const LogEntry& e) {
  for (const auto* set : {&e.stream, &e.structured_metadata, &e.parsed}) {
    for (const auto& l : *set) {
      if (l.name == "level" || l.name == "detected_level" || l.name == "severity") {
        std::string v = l.value;
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
        return v;
      }
    }
  }
  return "unknown";
}

}  // namespace

base::Result<std::vector<Pattern>> QueryEngine::Patterns(const QueryRequest& request) {
  const auto* log = std::get_if<LogExpr>(&request.expr.node);
  if (!log) return base::InvalidArgument("patterns need a log query");
  QueryStats stats;
  ExecutionContext ctx = impl_->Context(request.tenant, request.cancel,
                                        std::chrono::steady_clock::now() + options_.timeout,
                                        options_.max_memory_bytes, &stats);
  ASSIGN_OR_RETURN(auto entries, RunLogQuery(ctx, *log, request.start_ns, request.end_ns, kSampleLines,
                                             storage::Direction::kBackward, 0));
  int64_t step = request.step_ns > 0 ? request.step_ns
                                     : std::max<int64_t>((request.end_ns - request.start_ns) / 100, 10'000'000'000);
  struct Acc {
    uint64_t total = 0;
    std::map<int64_t, uint64_t> buckets;
  };
  std::map<std::pair<std::string, std::string>, Acc> groups;
  for (const auto& e : entries) {
    Acc& a = groups[{ShapeOf(e.line), LevelOf(e)}];
    ++a.total;
    int64_t bucket = request.start_ns + (e.timestamp_ns - request.start_ns) / step * step;
    ++a.buckets[bucket / 1'000'000'000];
  }
  std::vector<Pattern> out;
  for (auto& [key, acc] : groups) {
    Pattern p;
    p.pattern = key.first;
    p.level = key.second;
    for (auto& [t, n] : acc.buckets) p.samples.emplace_back(t, n);
    out.push_back(std::move(p));
  }
  std::stable_sort(out.begin(), out.end(), [](const Pattern& a, const Pattern& b) {
    uint64_t ta = 0, tb = 0;
    for (auto& s : a.samples) ta += s.second;
    for (auto& s : b.samples) tb += s.second;
    return ta > tb;
  });
  if (out.size() > kMaxPatterns) out.resize(kMaxPatterns);
  return out;
}

}  // namespace strata::query
