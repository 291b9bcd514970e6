// OTLP/JSON -> ExportLogsServiceRequest with simdjson's DOM (the document is small next to the records it carries,
// and the DOM gives random access to keys in any order). Only the fields the mapping reads are decoded; the others
// (dropped counts, flags, schema URLs, entity refs) are skipped without validation, as unknown keys are.

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "strata/ingest/otlp/otlp_decoder.h"
#include "strata/ingest/otlp/otlp_values.h"

namespace strata::ingest::otlp {
namespace {

namespace dom = simdjson::dom;
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::logs::v1::SeverityNumber;
using KeyValues = google::protobuf::RepeatedPtrField<KeyValue>;

constexpr int kMaxDepth = 64;  // AnyValue nesting (arrays in kvlists in arrays...)

// True when key is the lowerCamelCase JSON name or the proto field name.
bool Is(std::string_view key, std::string_view camel, std::string_view snake = {}) {
  return key == camel || (!snake.empty() && key == snake);
}

base::Status Bad(const std::string& path, std::string_view what) {
  return base::InvalidArgument(path + ": " + std::string(what));
}

bool IsNull(dom::element e) { return e.type() == dom::element_type::NULL_VALUE; }

base::Result<std::string> String(dom::element e, const std::string& path) {
  std::string_view s;
  if (e.get_string().get(s)) return Bad(path, "expected a string");
  return std::string(s);
}

// fixed64 / uint32: a non-negative integer as number or decimal string.
base::Result<uint64_t> Unsigned(dom::element e, const std::string& path, uint64_t max) {
  uint64_t v = 0;
  switch (e.type()) {
    case dom::element_type::UINT64: v = e.get_uint64().value_unsafe(); break;
    case dom::element_type::INT64: {
      int64_t i = e.get_int64().value_unsafe();
      if (i < 0) return Bad(path, "expected an unsigned integer");
      v = static_cast<uint64_t>(i);
      break;
    }
    case dom::element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (!(d >= 0 && d < 18446744073709551616.0) || std::floor(d) != d) {
        return Bad(path, "expected an unsigned integer");
      }
      v = static_cast<uint64_t>(d);
      break;
    }
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
        return Bad(path, "expected an unsigned integer");
      }
      break;
    }
    default: return Bad(path, "expected an unsigned integer");
  }
  if (v > max) return Bad(path, "out of range");
  return v;
}

// int64 / int32 / enum numbers: an integer as number or decimal string.
base::Result<int64_t> Signed(dom::element e, const std::string& path, int64_t min, int64_t max) {
  int64_t v = 0;
  switch (e.type()) {
    case dom::element_type::INT64: v = e.get_int64().value_unsafe(); break;
    case dom::element_type::UINT64: return Bad(path, "out of range");  // > INT64_MAX
    case dom::element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::floor(d) != d) {
        return Bad(path, "expected an integer");
      }
      v = static_cast<int64_t>(d);
      break;
    }
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return Bad(path, "expected an integer");
      break;
    }
    default: return Bad(path, "expected an integer");
  }
  if (v < min || v > max) return Bad(path, "out of range");
  return v;
}

base::Result<double> Double(dom::element e, const std::string& path) {
  switch (e.type()) {
    case dom::element_type::DOUBLE: return e.get_double().value_unsafe();
    case dom::element_type::INT64: return static_cast<double>(e.get_int64().value_unsafe());
    case dom::element_type::UINT64: return static_cast<double>(e.get_uint64().value_unsafe());
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
      double d = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return Bad(path, "expected a number");
      return d;
    }
    default: return Bad(path, "expected a number");
  }
}

base::Status ParseKeyValues(dom::element e, const std::string& path, int depth, KeyValues* out);

base::Status ParseAnyValue(dom::element e, const std::string& path, int depth, AnyValue* out) {
  if (depth > kMaxDepth) return Bad(path, "nesting deeper than " + std::to_string(kMaxDepth));
  dom::object obj;
  if (e.get_object().get(obj)) return Bad(path, "expected an object");
  for (auto [key, value] : obj) {
    if (IsNull(value)) continue;
    const std::string p = path + "." + std::string(key);
    if (Is(key, "stringValue", "string_value")) {
      ASSIGN_OR_RETURN(*out->mutable_string_value(), String(value, p));
    } else if (Is(key, "boolValue", "bool_value")) {
      bool b = false;
      if (value.get_bool().get(b)) return Bad(p, "expected a boolean");
      out->set_bool_value(b);
    } else if (Is(key, "intValue", "int_value")) {
      ASSIGN_OR_RETURN(int64_t v, Signed(value, p, std::numeric_limits<int64_t>::min(),
                                          std::numeric_limits<int64_t>::max()));
      out->set_int_value(v);
    } else if (Is(key, "doubleValue", "double_value")) {
      ASSIGN_OR_RETURN(double v, Double(value, p));
      out->set_double_value(v);
    } else if (Is(key, "bytesValue", "bytes_value")) {
      ASSIGN_OR_RETURN(std::string text, String(value, p));
      auto bytes = Base64Decode(text);
      if (!bytes) return Bad(p, "expected base64");
      out->set_bytes_value(std::move(*bytes));
    } else if (Is(key, "arrayValue", "array_value")) {
      dom::object array_obj;
      if (value.get_object().get(array_obj)) return Bad(p, "expected an object");
      auto* array = out->mutable_array_value();  // {} is an empty array
      dom::element values;
      if (!array_obj.at_key("values").get(values) && !IsNull(values)) {
        dom::array items;
        if (values.get_array().get(items)) return Bad(p + ".values", "expected an array");
        size_t i = 0;
        for (dom::element item : items) {
          RETURN_IF_ERROR(ParseAnyValue(item, p + ".values[" + std::to_string(i++) + "]", depth + 1,
                                        array->add_values()));
        }
      }
    } else if (Is(key, "kvlistValue", "kvlist_value")) {
      dom::object list_obj;
      if (value.get_object().get(list_obj)) return Bad(p, "expected an object");
      auto* list = out->mutable_kvlist_value();
      dom::element values;
      if (!list_obj.at_key("values").get(values) && !IsNull(values)) {
        RETURN_IF_ERROR(ParseKeyValues(values, p + ".values", depth + 1, list->mutable_values()));
      }
    }
  }
  return base::Status::Ok();
}

base::Status ParseKeyValues(dom::element e, const std::string& path, int depth, KeyValues* out) {
  if (depth > kMaxDepth) return Bad(path, "nesting deeper than " + std::to_string(kMaxDepth));
  dom::array items;
  if (e.get_array().get(items)) return Bad(path, "expected an array");
  size_t i = 0;
  for (dom::element item : items) {
    const std::string p = path + "[" + std::to_string(i++) + "]";
    dom::object obj;
    if (item.get_object().get(obj)) return Bad(p, "expected an object");
    KeyValue* kv = out->Add();
    for (auto [key, value] : obj) {
      if (IsNull(value)) continue;
      if (key == "key") {
        ASSIGN_OR_RETURN(*kv->mutable_key(), String(value, p + ".key"));
      } else if (key == "value") {
        RETURN_IF_ERROR(ParseAnyValue(value, p + ".value", depth + 1, kv->mutable_value()));
      }
    }
  }
  return base::Status::Ok();
}

base::Result<std::string> HexId(dom::element e, const std::string& path, size_t bytes) {
  ASSIGN_OR_RETURN(std::string text, String(e, path));
  if (text.empty()) return std::string();
  auto id = HexDecode(text);
  if (!id || id->size() != bytes) {
    return Bad(path, "expected " + std::to_string(bytes * 2) + " hex digits");
  }
  return std::move(*id);
}

base::Status ParseLogRecord(dom::element e, const std::string& path, LogRecord* out) {
  dom::object obj;
  if (e.get_object().get(obj)) return Bad(path, "expected an object");
  for (auto [key, value] : obj) {
    if (IsNull(value)) continue;
    const std::string k(key);
    if (Is(key, "timeUnixNano", "time_unix_nano")) {
      ASSIGN_OR_RETURN(uint64_t v, Unsigned(value, k, std::numeric_limits<uint64_t>::max()));
      out->set_time_unix_nano(v);
    } else if (Is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
      ASSIGN_OR_RETURN(uint64_t v, Unsigned(value, k, std::numeric_limits<uint64_t>::max()));
      out->set_observed_time_unix_nano(v);
    } else if (Is(key, "severityNumber", "severity_number")) {
      std::string_view name;
      if (!value.get_string().get(name)) {
        SeverityNumber n;
        if (opentelemetry::proto::logs::v1::SeverityNumber_Parse(std::string(name), &n)) {
          out->set_severity_number(n);
          continue;
        }
      }
      ASSIGN_OR_RETURN(int64_t v, Signed(value, k, std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max()));
      out->set_severity_number(static_cast<SeverityNumber>(v));
    } else if (Is(key, "severityText", "severity_text")) {
      ASSIGN_OR_RETURN(*out->mutable_severity_text(), String(value, k));
    } else if (key == "body") {
      RETURN_IF_ERROR(ParseAnyValue(value, k, 0, out->mutable_body()));
    } else if (key == "attributes") {
      RETURN_IF_ERROR(ParseKeyValues(value, k, 0, out->mutable_attributes()));
    } else if (Is(key, "traceId", "trace_id")) {
      ASSIGN_OR_RETURN(*out->mutable_trace_id(), HexId(value, k, 16));
    } else if (Is(key, "spanId", "span_id")) {
      ASSIGN_OR_RETURN(*out->mutable_span_id(), HexId(value, k, 8));
    } else if (Is(key, "eventName", "event_name")) {
      ASSIGN_OR_RETURN(*out->mutable_event_name(), String(value, k));
    }
  }
  return base::Status::Ok();
}

// Calls fn(element, path) for each element of the array at obj[camel|snake]; absent or null = none.
template <typename Fn>
base::Status ForEachIn(dom::object obj, std::string_view camel, std::string_view snake, const std::string& path,
                       Fn fn) {
  for (auto [key, value] : obj) {
    if (!Is(key, camel, snake) || IsNull(value)) continue;
    const std::string p = path.empty() ? std::string(key) : path + "." + std::string(key);
    dom::array items;
    if (value.get_array().get(items)) return Bad(p, "expected an array");
    size_t i = 0;
    for (dom::element item : items) RETURN_IF_ERROR(fn(item, p + "[" + std::to_string(i++) + "]"));
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<ExportRequest> ParseJsonRequest(std::string_view body, std::vector<Rejection>* rejected) {
  dom::parser parser;
  const simdjson::padded_string padded(body);
  dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    return base::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  dom::object top;
  if (root.get_object().get(top)) return base::InvalidArgument("expected a JSON object with resourceLogs");

  ExportRequest request;
  size_t index = 0;
  RETURN_IF_ERROR(ForEachIn(top, "resourceLogs", "resource_logs", "", [&](dom::element rl, const std::string& p) {
    dom::object rl_obj;
    if (rl.get_object().get(rl_obj)) return Bad(p, "expected an object");
    auto* resource_logs = request.add_resource_logs();
    dom::element resource;
    if (!rl_obj.at_key("resource").get(resource) && !IsNull(resource)) {
      dom::object res_obj;
      if (resource.get_object().get(res_obj)) return Bad(p + ".resource", "expected an object");
      dom::element attrs;
      if (!res_obj.at_key("attributes").get(attrs) && !IsNull(attrs)) {
        RETURN_IF_ERROR(ParseKeyValues(attrs, p + ".resource.attributes", 0,
                                       resource_logs->mutable_resource()->mutable_attributes()));
      }
    }
    return ForEachIn(rl_obj, "scopeLogs", "scope_logs", p, [&](dom::element sl, const std::string& sp) {
      dom::object sl_obj;
      if (sl.get_object().get(sl_obj)) return Bad(sp, "expected an object");
      auto* scope_logs = resource_logs->add_scope_logs();
      dom::element scope;
      if (!sl_obj.at_key("scope").get(scope) && !IsNull(scope)) {
        dom::object scope_obj;
        if (scope.get_object().get(scope_obj)) return Bad(sp + ".scope", "expected an object");
        auto* out = scope_logs->mutable_scope();
        for (auto [key, value] : scope_obj) {
          if (IsNull(value)) continue;
          const std::string kp = sp + ".scope." + std::string(key);
          if (key == "name") {
            ASSIGN_OR_RETURN(*out->mutable_name(), String(value, kp));
          } else if (key == "version") {
            ASSIGN_OR_RETURN(*out->mutable_version(), String(value, kp));
          } else if (key == "attributes") {
            RETURN_IF_ERROR(ParseKeyValues(value, kp, 0, out->mutable_attributes()));
          }
        }
      }
      return ForEachIn(sl_obj, "logRecords", "log_records", sp, [&](dom::element lr, const std::string&) {
        LogRecord* log = scope_logs->add_log_records();
        const size_t i = index++;
        // A malformed record costs only itself: leave an empty placeholder (keeps indexes) and report it.
        if (base::Status st = ParseLogRecord(lr, "logRecord", log); !st.ok()) {
          log->Clear();
          if (rejected != nullptr) rejected->push_back({i, st.message()});
        }
        return base::Status::Ok();
      });
    });
  }));
  return request;
}

}  // namespace strata::ingest::otlp
