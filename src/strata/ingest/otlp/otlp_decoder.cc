#include "strata/ingest/otlp/otlp_decoder.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "google/rpc/status.pb.h"
#include "strata/common/json_writer.h"
#include "strata/ingest/otlp/otlp_values.h"
#include "strata/model/level.h"

namespace strata::ingest::otlp {

const std::vector<std::string_view> kPromotedResourceAttributes = {
    "service.name",        "service.namespace",       "service.instance.id", "deployment.environment",
    "deployment.environment.name", "cloud.region",    "cloud.availability_zone", "k8s.cluster.name",
    "k8s.namespace.name",  "k8s.pod.name",            "k8s.container.name",  "container.name",
    "k8s.replicaset.name", "k8s.deployment.name",     "k8s.statefulset.name", "k8s.daemonset.name",
    "k8s.cronjob.name",    "k8s.job.name",
};

namespace {

using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;

bool IsPromoted(std::string_view key) {
  for (std::string_view k : kPromotedResourceAttributes) {
    if (k == key) return true;
  }
  return false;
}

std::string LabelName(std::string_view key) {
  std::string name(key);
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

// OTel severity number ranges (logs data model): 1-4 TRACE ... 21-24 FATAL; anything else is "no level".
std::string_view LevelForNumber(int n) {
  static constexpr std::string_view kLevels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  if (n < 1 || n > 24) return {};
  return kLevels[(n - 1) / 4];
}

bool AllZero(const std::string& bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

// Fields with unique names in first-occurrence order; a later Set of the same name replaces the value.
class FieldBuilder {
 public:
  void Set(std::string_view name, std::string value) {
    auto it = index_.find(std::string(name));
    if (it != index_.end()) {
      fields_[it->second].value = std::move(value);
      return;
    }
    index_.emplace(std::string(name), fields_.size());
    fields_.push_back({std::string(name), std::move(value)});
  }
  const std::vector<model::Field>& fields() const { return fields_; }
  std::vector<model::Field> Take() { return std::move(fields_); }

 private:
  std::vector<model::Field> fields_;
  std::unordered_map<std::string, size_t> index_;
};

// Adds attributes as fields (empty values are skipped).
void AddAttributes(const google::protobuf::RepeatedPtrField<KeyValue>& attrs, FieldBuilder& out) {
  for (const KeyValue& kv : attrs) {
    if (!kv.has_value() || kv.value().value_case() == AnyValue::VALUE_NOT_SET) continue;
    out.Set(kv.key(), AnyValueText(kv.value()));
  }
}

}  // namespace

base::Result<MapResult> MapExportRequest(const ExportRequest& request, const MapOptions& options,
                                         const std::vector<Rejection>* pre_rejected) {
  if (options.labels == nullptr) return base::Internal("otlp::MapOptions::labels is null");
  const std::string level_label(options.labels->LabelFor("level"));
  MapResult result;
  size_t index = 0;
  size_t pre = 0;  // next entry of pre_rejected
  auto reject = [&](size_t i, std::string reason) { result.rejected.push_back({i, std::move(reason)}); };

  for (const auto& resource_logs : request.resource_logs()) {
    // Resource: promoted attributes -> labels, the rest -> the base fields of every record below.
    model::LabelSet resource_labels;
    FieldBuilder resource_fields;
    bool has_service_name = false;
    for (const KeyValue& kv : resource_logs.resource().attributes()) {
      if (!kv.has_value() || kv.value().value_case() == AnyValue::VALUE_NOT_SET) continue;
      if (IsPromoted(kv.key())) {
        std::string value = AnyValueText(kv.value());
        if (value.empty()) continue;
        if (kv.key() == "service.name") has_service_name = true;
        resource_labels.push_back({LabelName(kv.key()), std::move(value)});
      } else {
        resource_fields.Set(kv.key(), AnyValueText(kv.value()));
      }
    }
    if (!has_service_name) resource_labels.push_back({"service_name", "unknown_service"});
    model::CanonicalizeLabels(resource_labels);

    for (const auto& scope_logs : resource_logs.scope_logs()) {
      FieldBuilder scope_fields = resource_fields;
      const auto& scope = scope_logs.scope();
      if (!scope.name().empty()) scope_fields.Set("scope.name", scope.name());
      if (!scope.version().empty()) scope_fields.Set("scope.version", scope.version());
      AddAttributes(scope.attributes(), scope_fields);

      for (const LogRecord& log : scope_logs.log_records()) {
        const size_t i = index++;
        if (pre_rejected != nullptr && pre < pre_rejected->size() && (*pre_rejected)[pre].index == i) {
          reject(i, (*pre_rejected)[pre].reason);
          ++pre;
          continue;
        }
        model::LogRecord rec;
        uint64_t ts = log.time_unix_nano() != 0 ? log.time_unix_nano() : log.observed_time_unix_nano();
        if (ts > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          reject(i, "timestamp: out of range");
          continue;
        }
        rec.timestamp_ns = ts != 0 ? static_cast<int64_t>(ts) : options.receive_time_ns;
        rec.labels = resource_labels;
        if (log.has_body()) rec.message = AnyValueText(log.body());

        FieldBuilder fields = scope_fields;
        AddAttributes(log.attributes(), fields);
        std::string level(LevelForNumber(static_cast<int>(log.severity_number())));
        if (!log.severity_text().empty()) {
          std::string from_text = model::NormalizeLevel(log.severity_text());
          if (level.empty()) {
            level = std::move(from_text);
          } else if (from_text != level) {
            fields.Set("severity_text", log.severity_text());
          }
        }
        if (!level.empty()) {
          if (!level_label.empty()) {
            rec.labels.push_back({level_label, std::move(level)});
            model::CanonicalizeLabels(rec.labels);
          } else {
            fields.Set("level", std::move(level));
          }
        }
        if (!log.trace_id().empty() && !AllZero(log.trace_id())) fields.Set("trace_id", HexEncode(log.trace_id()));
        if (!log.span_id().empty() && !AllZero(log.span_id())) fields.Set("span_id", HexEncode(log.span_id()));
        if (!log.event_name().empty()) fields.Set("event_name", log.event_name());
        rec.fields = fields.Take();

        if (size_t raw = rec.RawBytes(); raw > options.max_line_bytes) {
          reject(i, "line too long: " + std::to_string(raw) + " bytes > limit " +
                        std::to_string(options.max_line_bytes));
          continue;
        }
        if (rec.fields.size() > options.max_fields) {
          reject(i, "too many fields: " + std::to_string(rec.fields.size()) + " > limit " +
                        std::to_string(options.max_fields));
          continue;
        }
        result.records.push_back(std::move(rec));
      }
    }
  }
  result.total = index;
  return result;
}

base::Result<MapResult> DecodeProtobufBody(std::string_view body, const MapOptions& options) {
  if (body.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return base::PayloadTooLarge("protobuf body over 2 GiB");
  }
  ExportRequest request;
  if (!request.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return base::InvalidArgument(
        "malformed protobuf: not an ExportLogsServiceRequest (truncated, bad wire type or invalid UTF-8 in a "
        "string)");
  }
  return MapExportRequest(request, options);
}

base::Result<MapResult> DecodeJsonBody(std::string_view body, const MapOptions& options) {
  std::vector<Rejection> rejected;
  ASSIGN_OR_RETURN(ExportRequest request, ParseJsonRequest(body, &rejected));
  return MapExportRequest(request, options, &rejected);
}

std::string PartialSuccessMessage(const MapResult& result) {
  if (result.rejected.empty()) return "";
  const Rejection& first = result.rejected.front();
  return std::to_string(result.rejected.size()) + " of " + std::to_string(result.total) +
         " log records rejected; first: #" + std::to_string(first.index) + " " + first.reason;
}

ExportResponse ResponseFor(const MapResult& result) {
  ExportResponse response;
  if (!result.rejected.empty()) {
    auto* ps = response.mutable_partial_success();
    ps->set_rejected_log_records(static_cast<int64_t>(result.rejected.size()));
    ps->set_error_message(PartialSuccessMessage(result));
  }
  return response;
}

std::string ResponseToJson(const ExportResponse& response) {
  if (!response.has_partial_success()) return "{}";
  std::string out = "{\"partialSuccess\":{\"rejectedLogRecords\":\"";
  out += std::to_string(response.partial_success().rejected_log_records());
  out += "\",\"errorMessage\":";
  common::AppendJsonString(out, response.partial_success().error_message());
  out += "}}";
  return out;
}

std::string StatusToJson(int grpc_code, std::string_view message) {
  std::string out = "{\"code\":" + std::to_string(grpc_code) + ",\"message\":";
  common::AppendJsonString(out, message);
  out += "}";
  return out;
}

std::string StatusToProtobuf(int grpc_code, std::string_view message) {
  google::rpc::Status status;
  status.set_code(grpc_code);
  // proto3 strings must be UTF-8; messages may quote client bytes, so make them valid first.
  status.set_message(ValidUtf8(message));
  return status.SerializeAsString();
}

}  // namespace strata::ingest::otlp
