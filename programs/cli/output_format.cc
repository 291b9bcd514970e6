#include "cli/output_format.h"

#include <algorithm>

#include "strata/common/json_writer.h"
#include "strata/model/time_format.h"
#include "strata/query/lang/logql_lexer.h"

namespace strata::cli {

base::Result<OutputMode> ParseOutputMode(std::string_view name) {
  if (name == "table" || name == "default") return OutputMode::kTable;
  if (name == "raw") return OutputMode::kRaw;
  if (name == "json" || name == "jsonl") return OutputMode::kJson;
  return base::InvalidArgument("unknown output \"" + std::string(name) + "\" (want raw, json or table)");
}

std::string FormatLabels(const Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].first;
    out += '=';
    out += query::QuoteString(labels[i].second);
  }
  out += '}';
  return out;
}

std::string FormatRfc3339Seconds(int64_t ns) {
  std::string s = model::FormatRfc3339Nanos(ns);  // ...:05.123456789Z
  return s.substr(0, s.size() - 11) + "Z";
}

std::string FormatRfc3339NanoTrimmed(int64_t ns) {
  std::string s = model::FormatRfc3339Nanos(ns);
  s.pop_back();  // Z
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "Z";
}

namespace {

void AppendJsonLabels(std::string& out, const Labels& labels) {
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    common::AppendJsonString(out, labels[i].first);
    out += ':';
    common::AppendJsonString(out, labels[i].second);
  }
  out += '}';
}

// Prometheus model.Time: seconds with up to three decimals, trailing zeros dropped.
std::string FormatSampleTime(int64_t t_ms) {
  std::string out = std::to_string(t_ms / 1000);
  int64_t frac = t_ms % 1000;
  if (t_ms < 0 && frac != 0) {
    // Keep the floor-second form: -0.5 s is "-0.5", never "0.-500".
    out = (t_ms / 1000 == 0 ? "-" : "") + out;
    frac = -frac;
  }
  if (frac != 0) {
    char buf[5];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

}  // namespace

void PrintEntries(std::ostream& out, OutputMode mode, const std::vector<PrintedEntry>& entries) {
  std::string buf;
  if (mode == OutputMode::kRaw) {
    for (const auto& e : entries) {
      std::string_view line = e.entry->line;
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
      buf.append(line);
      buf += '\n';
    }
  } else if (mode == OutputMode::kJson) {
    for (const auto& e : entries) {
      // Key order is that of Go's json.Marshal on logcli's map: alphabetical.
      buf += "{\"labels\":";
      AppendJsonLabels(buf, *e.labels);
      buf += ",\"line\":";
      common::AppendJsonString(buf, e.entry->line);
      buf += ",\"timestamp\":\"";
      buf += FormatRfc3339NanoTrimmed(e.entry->ts_ns);
      buf += "\"}\n";
    }
  } else {
    // Label sets repeat across a batch; format each distinct one once.
    std::vector<std::pair<const Labels*, std::string>> formatted;
    size_t width = 0;
    auto text_of = [&](const Labels* labels) -> const std::string& {
      for (const auto& [l, s] : formatted) {
        if (l == labels) return s;
      }
      formatted.emplace_back(labels, FormatLabels(*labels));
      width = std::max(width, formatted.back().second.size());
      return formatted.back().second;
    };
    for (const auto& e : entries) (void)text_of(e.labels);
    for (const auto& e : entries) {
      const std::string& l = text_of(e.labels);
      std::string_view line = e.entry->line;
      // logcli's default output trims surrounding white space (a trailing newline would print an empty line).
      while (!line.empty() && (line.back() == '\n' || line.back() == ' ' || line.back() == '\r' ||
                               line.back() == '\t')) {
        line.remove_suffix(1);
      }
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t' || line.front() == '\n')) {
        line.remove_prefix(1);
      }
      buf += FormatRfc3339Seconds(e.entry->ts_ns);
      buf += ' ';
      buf += l;
      buf.append(width - l.size(), ' ');
      buf += ' ';
      buf.append(line);
      buf += '\n';
    }
  }
  out << buf;
}

void PrintSeries(std::ostream& out, OutputMode mode, const std::vector<Series>& series) {
  std::string buf;
  if (mode == OutputMode::kTable) {
    size_t width = 0;
    std::vector<std::string> names;
    for (const auto& s : series) {
      names.push_back(FormatLabels(s.metric));
      width = std::max(width, names.back().size());
    }
    for (size_t i = 0; i < series.size(); ++i) {
      for (const auto& sample : series[i].samples) {
        buf += FormatRfc3339Seconds(sample.t_ms * 1'000'000);
        buf += ' ';
        buf += names[i];
        buf.append(width - names[i].size(), ' ');
        buf += ' ';
        buf += sample.value;
        buf += '\n';
      }
    }
    out << buf;
    return;
  }
  const bool indent = mode == OutputMode::kJson;
  const char* nl1 = indent ? "\n  " : "";
  const char* nl2 = indent ? "\n    " : "";
  const char* nl3 = indent ? "\n      " : "";
  const char* sp = indent ? " " : "";
  buf += '[';
  for (size_t i = 0; i < series.size(); ++i) {
    if (i > 0) buf += ',';
    buf += nl1;
    buf += '{';
    buf += nl2;
    buf += "\"metric\":";
    buf += sp;
    AppendJsonLabels(buf, series[i].metric);
    buf += ',';
    buf += nl2;
    buf += "\"values\":";
    buf += sp;
    buf += '[';
    for (size_t j = 0; j < series[i].samples.size(); ++j) {
      const Sample& sample = series[i].samples[j];
      if (j > 0) buf += ',';
      buf += nl3;
      buf += '[';
      buf += FormatSampleTime(sample.t_ms);
      buf += ',';
      buf += sp;
      common::AppendJsonString(buf, sample.value);
      buf += ']';
    }
    if (!series[i].samples.empty()) buf += nl2;
    buf += ']';
    buf += nl1;
    buf += '}';
  }
  if (!series.empty() && indent) buf += '\n';
  buf += "]\n";
  out << buf;
}

}  // namespace strata::cli
