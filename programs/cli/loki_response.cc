#include "cli/loki_response.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace strata::cli {

namespace {

using simdjson::dom::element;

base::Status Bad(std::string what) { return base::InvalidArgument("unexpected answer from the server: " + what); }

base::Status ReadLabels(element obj, Labels* out) {
  simdjson::dom::object o;
  if (obj.get_object().get(o)) return Bad("labels are not an object");
  for (auto field : o) {
    std::string_view v;
    if (field.value.get_string().get(v)) return Bad("label " + std::string(field.key) + " is not a string");
    out->emplace_back(std::string(field.key), std::string(v));
  }
  std::sort(out->begin(), out->end());
  return base::Status::Ok();
}

// Loki writes entry timestamps as decimal strings of nanoseconds; integers are accepted too.
base::Status ReadNanos(element e, int64_t* out) {
  std::string_view s;
  if (!e.get_string().get(s)) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec != std::errc() || p != s.data() + s.size()) return Bad("timestamp \"" + std::string(s) + "\"");
    return base::Status::Ok();
  }
  int64_t i;
  if (!e.get_int64().get(i)) {
    *out = i;
    return base::Status::Ok();
  }
  return Bad("timestamp is neither a string nor an integer");
}

base::Status ReadStreams(element arr, std::vector<LogStream>* out) {
  simdjson::dom::array streams;
  if (arr.get_array().get(streams)) return Bad("streams result is not an array");
  for (element s : streams) {
    LogStream stream;
    element labels, values;
    if (s["stream"].get(labels)) return Bad("stream without \"stream\" labels");
    RETURN_IF_ERROR(ReadLabels(labels, &stream.labels));
    if (s["values"].get(values)) return Bad("stream without \"values\"");
    simdjson::dom::array vs;
    if (values.get_array().get(vs)) return Bad("\"values\" is not an array");
    for (element v : vs) {
      // ["<ns>", "<line>"] or, with categorize-labels, ["<ns>", "<line>", {...}]: the metadata is not printed.
      simdjson::dom::array tuple;
      if (v.get_array().get(tuple) || tuple.size() < 2) return Bad("an entry is not a [ts, line] pair");
      LogEntry entry;
      RETURN_IF_ERROR(ReadNanos(tuple.at(0).value_unsafe(), &entry.ts_ns));
      std::string_view line;
      if (tuple.at(1).get_string().get(line)) return Bad("an entry line is not a string");
      entry.line = std::string(line);
      stream.entries.push_back(std::move(entry));
    }
    out->push_back(std::move(stream));
  }
  return base::Status::Ok();
}

// [<seconds as a JSON number>, "<value>"]
base::Status ReadSample(element e, Sample* out) {
  simdjson::dom::array pair;
  if (e.get_array().get(pair) || pair.size() != 2) return Bad("a sample is not a [t, value] pair");
  double t;
  element te = pair.at(0).value_unsafe();
  if (te.get_double().get(t)) {
    std::string_view ts;  // tolerated: some servers quote the time
    if (te.get_string().get(ts)) return Bad("a sample time is not a number");
    t = std::strtod(std::string(ts).c_str(), nullptr);
  }
  out->t_ms = static_cast<int64_t>(std::llround(t * 1000));
  std::string_view v;
  if (pair.at(1).get_string().get(v)) return Bad("a sample value is not a string");
  out->value = std::string(v);
  return base::Status::Ok();
}

base::Status ReadSeries(element arr, bool matrix, std::vector<Series>* out) {
  simdjson::dom::array all;
  if (arr.get_array().get(all)) return Bad("result is not an array");
  for (element s : all) {
    Series series;
    element metric;
    if (s["metric"].get(metric)) return Bad("a series without \"metric\"");
    RETURN_IF_ERROR(ReadLabels(metric, &series.metric));
    if (matrix) {
      simdjson::dom::array values;
      if (s["values"].get_array().get(values)) return Bad("a series without \"values\"");
      for (element v : values) {
        Sample sample;
        RETURN_IF_ERROR(ReadSample(v, &sample));
        series.samples.push_back(std::move(sample));
      }
    } else {
      element value;
      if (s["value"].get(value)) return Bad("a vector sample without \"value\"");
      Sample sample;
      RETURN_IF_ERROR(ReadSample(value, &sample));
      series.samples.push_back(std::move(sample));
    }
    out->push_back(std::move(series));
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<QueryResult> ParseQueryRangeResponse(std::string_view body) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc)) {
    return Bad(std::string("not JSON (") + simdjson::error_message(err) + ")");
  }
  std::string_view status;
  if (doc["status"].get_string().get(status) || status != "success") return Bad("status is not \"success\"");
  QueryResult out;
  simdjson::dom::array warnings;
  if (!doc["warnings"].get_array().get(warnings)) {
    for (element w : warnings) {
      std::string_view text;
      if (!w.get_string().get(text)) out.warnings.emplace_back(text);
    }
  }
  element data, result;
  std::string_view type;
  if (doc["data"].get(data)) return Bad("no \"data\"");
  if (data["resultType"].get_string().get(type)) return Bad("no \"data.resultType\"");
  if (data["result"].get(result)) return Bad("no \"data.result\"");
  out.result_type = std::string(type);
  if (type == "streams") {
    RETURN_IF_ERROR(ReadStreams(result, &out.streams));
  } else if (type == "matrix" || type == "vector") {
    RETURN_IF_ERROR(ReadSeries(result, type == "matrix", &out.series));
  } else if (type == "scalar") {
    Series scalar;
    scalar.samples.emplace_back();
    RETURN_IF_ERROR(ReadSample(result, &scalar.samples.back()));
    out.series.push_back(std::move(scalar));
  } else {
    return Bad("unknown resultType \"" + out.result_type + "\"");
  }
  return out;
}

base::Result<TailFrame> ParseTailFrame(std::string_view text) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(text.data(), text.size()).get(doc)) {
    return Bad(std::string("tail frame is not JSON (") + simdjson::error_message(err) + ")");
  }
  TailFrame out;
  element streams;
  if (!doc["streams"].get(streams) && !streams.is_null()) RETURN_IF_ERROR(ReadStreams(streams, &out.streams));
  simdjson::dom::array dropped;
  if (!doc["dropped_entries"].get_array().get(dropped)) {
    for (element d : dropped) {
      Labels labels;
      int64_t ts = 0;
      element l, t;
      if (!d["labels"].get(l)) RETURN_IF_ERROR(ReadLabels(l, &labels));
      if (!d["timestamp"].get(t)) RETURN_IF_ERROR(ReadNanos(t, &ts));
      out.dropped.emplace_back(std::move(labels), ts);
    }
  }
  return out;
}

}  // namespace strata::cli
