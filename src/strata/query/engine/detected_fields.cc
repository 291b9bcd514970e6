// QueryEngine::DetectedFields / DetectedFieldValues: sample the query's newest lines and report the fields
// they carry: structured metadata, and what the json or logfmt parser extracts from each line.
#include <map>
#include <set>

#include "strata/query/engine/log_query.h"
#include "strata/query/engine/query_engine_impl.h"
#include "strata/query/engine/value_type.h"
#include "strata/query/pipeline/pipeline.h"

namespace strata::query {

namespace {

struct FieldAccumulator {
  ValueType type = ValueType::kString;
  bool typed = false;
  std::set<std::string> values;
  std::set<std::string> parsers;
};

constexpr size_t kMaxValuesPerField = 10000;

base::Result<std::vector<LogEntry>> SampleLines(QueryEngine::Impl& impl, const QueryEngineOptions& options,
                                                const QueryRequest& request, size_t line_limit, QueryStats* stats) {
  const auto* log = std::get_if<LogExpr>(&request.expr.node);
  if (!log) return base::InvalidArgument("detected fields need a log query");
  ExecutionContext ctx = impl.Context(request.tenant, request.cancel,
                                      std::chrono::steady_clock::now() + options.timeout, options.max_memory_bytes,
                                      stats);
  return RunLogQuery(ctx, *log, request.start_ns, request.end_ns, line_limit, storage::Direction::kBackward, 0);
}

base::Result<std::map<std::string, FieldAccumulator>> Detect(const std::vector<LogEntry>& entries) {
  ParserStage json_stage;
  json_stage.kind = ParserKind::kJson;
  ParserStage logfmt_stage;
  logfmt_stage.kind = ParserKind::kLogfmt;
  ASSIGN_OR_RETURN(Pipeline json, Pipeline::Compile({Stage(json_stage)}));
  ASSIGN_OR_RETURN(Pipeline logfmt, Pipeline::Compile({Stage(logfmt_stage)}));
  std::map<std::string, FieldAccumulator> fields;
  auto note = [&](const std::string& name, const std::string& value, const char* parser) {
    if (name == "__error__" || name == "__error_details__") return;
    FieldAccumulator& f = fields[name];
    ValueType t = DetectValueType(value);
    f.type = f.typed ? MergeValueTypes(f.type, t) : t;
    f.typed = true;
    if (f.values.size() < kMaxValuesPerField) f.values.insert(value);
    if (parser) f.parsers.insert(parser);
  };
  static const model::LabelSet kNoLabels;
  LabelsBuilder labels;
  for (const auto& e : entries) {
    for (const auto& l : e.structured_metadata) note(l.name, l.value, nullptr);
    for (const auto& l : e.parsed) note(l.name, l.value, nullptr);
    size_t first = e.line.find_first_not_of(" \t");
    bool looks_json = first != std::string::npos && e.line[first] == '{';
    const Pipeline& parser = looks_json ? json : logfmt;
    labels.Reset(kNoLabels);
    std::string line = e.line;
    if (!parser.Process(e.timestamp_ns, line, labels) || labels.HasError()) continue;
    for (const auto& l : labels.Of(LabelSource::kParsed)) note(l.name, l.value, looks_json ? "json" : "logfmt");
  }
  return fields;
}

}  // namespace

base::Result<std::vector<DetectedField>> QueryEngine::DetectedFields(const QueryRequest& request,
                                                                      size_t line_limit) {
  QueryStats stats;
  ASSIGN_OR_RETURN(auto entries, SampleLines(*impl_, options_, request, line_limit, &stats));
  ASSIGN_OR_RETURN(auto fields, Detect(entries));
  std::vector<DetectedField> out;
  for (auto& [name, f] : fields) {
    DetectedField d;
    d.name = name;
    d.type = ValueTypeName(f.type);
    d.cardinality = f.values.size();
    d.parsers.assign(f.parsers.begin(), f.parsers.end());
    out.push_back(std::move(d));
  }
  return out;
}

base::Result<std::vector<std::string>> QueryEngine::DetectedFieldValues(const QueryRequest& request,
                                                                        size_t line_limit, const std::string& name) {
  QueryStats stats;
  ASSIGN_OR_RETURN(auto entries, SampleLines(*impl_, options_, request, line_limit, &stats));
  ASSIGN_OR_RETURN(auto fields, Detect(entries));
  auto it = fields.find(name);
  if (it == fields.end()) return std::vector<std::string>{};
  return std::vector<std::string>(it->second.values.begin(), it->second.values.end());
}

}  // namespace strata::query
