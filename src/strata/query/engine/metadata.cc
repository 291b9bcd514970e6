// QueryEngine's index lookups: streams, label names and values (no column is decompressed for parts).
#include <set>

#include "strata/query/engine/query_engine_impl.h"
#include "strata/storage/storage_engine.h"

namespace strata::query {

base::Result<std::vector<StreamInfo>> QueryEngine::Streams(const MetadataRequest& request) {
  ASSIGN_OR_RETURN(auto streams,
                   impl_->storage.ListStreams(request.tenant, request.start_ns, request.end_ns, request.selectors));
  std::vector<StreamInfo> out;
  out.reserve(streams.size());
  for (auto& s : streams) {
    StreamInfo info;
    info.labels = std::move(s.labels);
    info.entries = s.entries;
    info.bytes = s.bytes;
    info.chunks = s.chunks;
    out.push_back(std::move(info));
  }
  return out;
}

base::Result<std::vector<std::string>> QueryEngine::LabelNames(const MetadataRequest& request) {
  ASSIGN_OR_RETURN(auto streams, Streams(request));
  std::set<std::string> names;
  for (const auto& s : streams) {
    for (const auto& l : s.labels) names.insert(l.name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

base::Result<std::vector<std::string>> QueryEngine::LabelValues(const MetadataRequest& request,
                                                                const std::string& name) {
  ASSIGN_OR_RETURN(auto streams, Streams(request));
  std::set<std::string> values;
  for (const auto& s : streams) {
    for (const auto& l : s.labels) {
      if (l.name == name) values.insert(l.value);
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace strata::query
