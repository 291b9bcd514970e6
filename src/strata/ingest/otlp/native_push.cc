#include "strata/ingest/otlp/native_push.h"

#include <algorithm>
#include <unordered_map>

#include "strata/model/level.h"
#include "strata/model/time_format.h"

namespace strata::ingest::otlp {
namespace {

// Sorted (key, value) views of a protobuf map.
std::vector<std::pair<std::string_view, std::string_view>> Sorted(
    const google::protobuf::Map<std::string, std::string>& map) {
  std::vector<std::pair<std::string_view, std::string_view>> out(map.begin(), map.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

base::Result<MapResult> MapPushRequest(const strata::v1::PushRequest& request, const MapOptions& options,
                                       size_t index_base) {
  if (options.labels == nullptr) return base::Internal("otlp::MapOptions::labels is null");
  const model::LabelPolicy& policy = *options.labels;
  MapResult result;
  result.total = static_cast<size_t>(request.entries_size());
  for (int n = 0; n < request.entries_size(); ++n) {
    const strata::v1::LogEntry& e = request.entries(n);
    const size_t index = index_base + static_cast<size_t>(n);
    model::LogRecord rec;
    if (e.timestamp_unix_nano() != 0) {
      rec.timestamp_ns = e.timestamp_unix_nano();
    } else if (!e.timestamp().empty()) {
      auto ts = model::ParseTimestamp(e.timestamp());
      if (!ts.ok()) {
        result.rejected.push_back({index, "timestamp: not ISO-8601 or epoch"});
        continue;
      }
      rec.timestamp_ns = *ts;
    } else {
      rec.timestamp_ns = options.receive_time_ns;
    }
    rec.message = e.message();

    std::vector<model::Field> fields;
    std::unordered_map<std::string, size_t> field_pos;
    auto set_field = [&](std::string name, std::string value) {
      auto [it, inserted] = field_pos.emplace(name, fields.size());
      if (inserted) {
        fields.push_back({std::move(name), std::move(value)});
      } else {
        fields[it->second].value = std::move(value);
      }
    };
    // A key the policy names becomes that label, else a field of the key's name.
    auto put = [&](std::string_view key, std::string value) {
      if (value.empty()) return;
      std::string_view label = policy.LabelFor(key);
      if (label == "level" || (label.empty() && key == "level")) value = model::NormalizeLevel(value);
      if (!label.empty()) {
        rec.labels.push_back({std::string(label), std::move(value)});
      } else {
        set_field(std::string(key), std::move(value));
      }
    };
    put("service", e.service());
    put("instance", e.instance());
    put("env", e.env());
    put("host", e.host());
    put("level", e.level());
    if (!e.trace_id().empty()) set_field("traceId", e.trace_id());
    for (const auto& [k, v] : Sorted(e.metadata())) set_field("metadata." + std::string(k), std::string(v));
    for (const auto& [k, v] : Sorted(e.attributes())) put(k, std::string(v));
    model::CanonicalizeLabels(rec.labels);
    rec.fields = std::move(fields);

    if (size_t raw = rec.RawBytes(); raw > options.max_line_bytes) {
      result.rejected.push_back({index, "line too long: " + std::to_string(raw) + " bytes > limit " +
                                            std::to_string(options.max_line_bytes)});
      continue;
    }
    if (rec.fields.size() > options.max_fields) {
      result.rejected.push_back({index, "too many fields: " + std::to_string(rec.fields.size()) + " > limit " +
                                            std::to_string(options.max_fields)});
      continue;
    }
    result.records.push_back(std::move(rec));
  }
  return result;
}

}  // namespace strata::ingest::otlp
