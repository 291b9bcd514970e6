#include "strata/server/handlers/loki_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "strata/common/json_writer.h"
#include "strata/common/text.h"

namespace strata::server::loki {
namespace {

void AppendUint(std::string& out, uint64_t v) { out += std::to_string(v); }

void AppendStringArray(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    common::AppendJsonString(out, values[i]);
  }
  out += ']';
}

// Opens {"status":"success",["warnings":[..],]"data":{"resultType":"<type>", — the caller writes the rest.
void OpenQueryResponse(std::string& out, std::string_view result_type, const std::vector<std::string>& warnings) {
  out += "{\"status\":\"success\",";
  if (!warnings.empty()) {
    out += "\"warnings\":";
    AppendStringArray(out, warnings);
    out += ',';
  }
  out += "\"data\":{\"resultType\":\"";
  out += result_type;
  out += '"';
}

void CloseQueryResponse(std::string& out, const query::QueryStats& stats) {
  out += ",\"stats\":";
  AppendStats(out, stats);
  out += "}}";
}

void AppendValuePair(std::string& out, int64_t t_ns, double v) {
  out += '[';
  AppendLokiTime(out, t_ns);
  out += ",\"";
  out += FormatSampleValue(v);
  out += "\"]";
}

// Labels merged into one sorted set; on a name clash the later source wins (parsed over structured metadata over
// stream labels), as Loki's labels builder resolves them.
model::LabelSet MergedLabels(const query::LogEntry& e) {
  model::LabelSet all;
  all.reserve(e.stream.size() + e.structured_metadata.size() + e.parsed.size());
  all.insert(all.end(), e.stream.begin(), e.stream.end());
  all.insert(all.end(), e.structured_metadata.begin(), e.structured_metadata.end());
  all.insert(all.end(), e.parsed.begin(), e.parsed.end());
  model::CanonicalizeLabels(all);
  return all;
}

std::string LabelKey(const model::LabelSet& labels) {
  std::string key;
  for (const auto& l : labels) {
    key += l.name;
    key += '\0';
    key += l.value;
    key += '\0';
  }
  return key;
}

void AppendCacheStats(std::string& out) {
  out += "{\"entriesFound\":0,\"entriesRequested\":0,\"entriesStored\":0,\"bytesReceived\":0,\"bytesSent\":0,"
         "\"requests\":0,\"downloadTime\":0,\"queryLengthServed\":0}";
}

struct StoreNumbers {
  uint64_t chunks_ref = 0;
  uint64_t chunks_downloaded = 0;
  uint64_t decompressed_bytes = 0;
  uint64_t decompressed_lines = 0;
  uint64_t post_filter_lines = 0;
  uint64_t structured_metadata_bytes = 0;
};

void AppendStoreStats(std::string& out, const StoreNumbers& n) {
  out += "{\"totalChunksRef\":";
  AppendUint(out, n.chunks_ref);
  out += ",\"totalChunksDownloaded\":";
  AppendUint(out, n.chunks_downloaded);
  out += ",\"chunksDownloadTime\":0,\"queryReferencedStructuredMetadata\":";
  out += n.structured_metadata_bytes > 0 ? "true" : "false";
  out += ",\"queryUsedV2Engine\":false,\"chunkRefsFetchTime\":0,\"congestionControlLatency\":0,"
         "\"pipelineWrapperFilteredLines\":0,\"chunk\":{\"headChunkBytes\":0,\"headChunkLines\":0,"
         "\"decompressedBytes\":";
  AppendUint(out, n.decompressed_bytes);
  out += ",\"decompressedLines\":";
  AppendUint(out, n.decompressed_lines);
  out += ",\"compressedBytes\":0,\"totalDuplicates\":0,\"postFilterLines\":";
  AppendUint(out, n.post_filter_lines);
  out += ",\"headChunkStructuredMetadataBytes\":0,\"decompressedStructuredMetadataBytes\":";
  AppendUint(out, n.structured_metadata_bytes);
  out += "}}";
}

}  // namespace

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Fixed notation of a double needs at most ~330 characters (1e308, or 5e-324's 324 zeros).
  char buf[400];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (ec != std::errc()) return "NaN";  // unreachable with this buffer size
  return std::string(buf, ptr);
}

void AppendLokiTime(std::string& out, int64_t ns) {
  int64_t ms = ns / 1000000;
  if (ns % 1000000 < 0) --ms;  // floor, as a ms timestamp would have been taken
  int64_t sec = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --sec;
  }
  // Negative instants print as a negative decimal: -0.5 s is sec = -1, frac = 500.
  if (sec < 0 && frac != 0) {
    out += '-';
    int64_t abs_ms = -ms;
    out += std::to_string(abs_ms / 1000);
    frac = abs_ms % 1000;
  } else {
    out += std::to_string(sec);
  }
  if (frac != 0) {
    char digits[4] = {char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10), 0};
    int n = 3;
    while (n > 0 && digits[n - 1] == '0') --n;
    out += '.';
    out.append(digits, n);
  }
}

void AppendHtmlEscapedJsonString(std::string& out, std::string_view s) {
  common::AppendJsonString(out, s, common::JsonEscaping::kGoHtml);
}

void AppendLabelObject(std::string& out, const model::LabelSet& labels) {
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    common::AppendJsonString(out, labels[i].name);
    out += ':';
    common::AppendJsonString(out, labels[i].value);
  }
  out += '}';
}

void AppendStats(std::string& out, const query::QueryStats& s) {
  const double exec = s.exec_time_seconds;
  const uint64_t bytes_per_second = exec > 0 ? static_cast<uint64_t>(double(s.bytes_processed) / exec) : 0;
  const uint64_t lines_per_second = exec > 0 ? static_cast<uint64_t>(double(s.lines_processed) / exec) : 0;
  out += "{\"summary\":{\"bytesProcessedPerSecond\":";
  AppendUint(out, bytes_per_second);
  out += ",\"linesProcessedPerSecond\":";
  AppendUint(out, lines_per_second);
  out += ",\"totalBytesProcessed\":";
  AppendUint(out, s.bytes_processed);
  out += ",\"totalLinesProcessed\":";
  AppendUint(out, s.lines_processed);
  out += ",\"execTime\":";
  out += FormatSampleValue(exec);
  out += ",\"queueTime\":";
  out += FormatSampleValue(s.queue_time_seconds);
  out += ",\"subqueries\":0,\"totalEntriesReturned\":";
  AppendUint(out, s.entries_returned);
  out += ",\"splits\":0,\"shards\":0,\"totalPostFilterLines\":";
  AppendUint(out, s.post_filter_lines);
  out += ",\"totalStructuredMetadataBytesProcessed\":";
  AppendUint(out, s.structured_metadata_bytes);
  out += "},\"querier\":{\"store\":";
  // Everything we read is "store" data from the querier's point of view: parts and the head alike.
  StoreNumbers store;
  store.chunks_ref = s.scan.blocks_total;
  store.chunks_downloaded = s.scan.blocks_read + s.scan.head_batches_read;
  store.decompressed_bytes = s.scan.bytes_decompressed;
  store.decompressed_lines = s.scan.rows_scanned;
  store.post_filter_lines = s.post_filter_lines;
  store.structured_metadata_bytes = s.structured_metadata_bytes;
  AppendStoreStats(out, store);
  out += ",\"querierExecTime\":";
  out += FormatSampleValue(exec);
  out += "},\"ingester\":{\"totalReached\":0,\"totalChunksMatched\":0,\"totalBatches\":0,\"totalLinesSent\":0,"
         "\"store\":";
  AppendStoreStats(out, StoreNumbers{});
  out += "},\"cache\":{";
  static constexpr const char* kCaches[] = {"chunk",       "index",        "result",
                                            "statsResult", "volumeResult", "seriesResult",
                                            "labelResult", "instantMetricResult", "logResult",
                                            "taskResult"};
  for (size_t i = 0; i < std::size(kCaches); ++i) {
    if (i) out += ',';
    out += '"';
    out += kCaches[i];
    out += "\":";
    AppendCacheStats(out);
  }
  out += "},\"index\":{\"totalChunks\":";
  AppendUint(out, s.scan.blocks_total);
  out += ",\"postFilterChunks\":";
  AppendUint(out, s.scan.blocks_read);
  out += ",\"shardsDuration\":0,\"usedBloomFilters\":";
  out += s.scan.blocks_pruned_by_bloom_or_minmax > 0 ? "true" : "false";
  out += ",\"totalStreams\":0,\"chunkRefsLookupTime\":0,\"bloomFilterTime\":0}}";
}

std::string StreamsResponse(const std::vector<query::LogEntry>& entries, bool categorize_labels,
                            const query::QueryStats& stats, const std::vector<std::string>& warnings) {
  // Group entry indexes by stream key, streams in order of first appearance.
  struct Group {
    model::LabelSet labels;
    std::vector<size_t> entries;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < entries.size(); ++i) {
    model::LabelSet labels = categorize_labels ? entries[i].stream : MergedLabels(entries[i]);
    auto [it, inserted] = index.try_emplace(LabelKey(labels), groups.size());
    if (inserted) groups.push_back(Group{std::move(labels), {}});
    groups[it->second].entries.push_back(i);
  }

  std::string out;
  OpenQueryResponse(out, "streams", warnings);
  if (categorize_labels) out += ",\"encodingFlags\":[\"categorize-labels\"]";
  out += ",\"result\":[";
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g) out += ',';
    out += "{\"stream\":";
    AppendLabelObject(out, groups[g].labels);
    out += ",\"values\":[";
    for (size_t k = 0; k < groups[g].entries.size(); ++k) {
      const query::LogEntry& e = entries[groups[g].entries[k]];
      if (k) out += ',';
      out += "[\"";
      out += std::to_string(e.timestamp_ns);
      out += "\",";
      AppendHtmlEscapedJsonString(out, e.line);
      if (categorize_labels) {
        out += ",{";
        if (!e.structured_metadata.empty()) {
          out += "\"structuredMetadata\":";
          AppendLabelObject(out, e.structured_metadata);
        }
        if (!e.parsed.empty()) {
          if (!e.structured_metadata.empty()) out += ',';
          out += "\"parsed\":";
          AppendLabelObject(out, e.parsed);
        }
        out += '}';
      }
      out += ']';
    }
    out += "]}";
  }
  out += ']';
  CloseQueryResponse(out, stats);
  return out;
}

std::string VectorResponse(const std::vector<Sample>& samples, const query::QueryStats& stats,
                           const std::vector<std::string>& warnings) {
  std::string out;
  OpenQueryResponse(out, "vector", warnings);
  out += ",\"result\":[";
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i) out += ',';
    out += "{\"metric\":";
    AppendLabelObject(out, samples[i].metric);
    out += ",\"value\":";
    AppendValuePair(out, samples[i].t_ns, samples[i].v);
    out += '}';
  }
  out += ']';
  CloseQueryResponse(out, stats);
  return out;
}

std::string MatrixResponse(const std::vector<query::metric::Series>& series, const query::QueryStats& stats,
                           const std::vector<std::string>& warnings) {
  std::string out;
  OpenQueryResponse(out, "matrix", warnings);
  out += ",\"result\":[";
  for (size_t i = 0; i < series.size(); ++i) {
    if (i) out += ',';
    out += "{\"metric\":";
    AppendLabelObject(out, series[i].metric);
    out += ",\"values\":[";
    for (size_t k = 0; k < series[i].points.size(); ++k) {
      if (k) out += ',';
      AppendValuePair(out, series[i].points[k].t_ns, series[i].points[k].v);
    }
    out += "]}";
  }
  out += ']';
  CloseQueryResponse(out, stats);
  return out;
}

std::string ScalarResponse(int64_t t_ns, double v, const query::QueryStats& stats,
                           const std::vector<std::string>& warnings) {
  std::string out;
  OpenQueryResponse(out, "scalar", warnings);
  out += ",\"result\":";
  AppendValuePair(out, t_ns, v);
  CloseQueryResponse(out, stats);
  return out;
}

std::string StringListResponse(const std::vector<std::string>& values) {
  std::string out = "{\"status\":\"success\",\"data\":";
  AppendStringArray(out, values);
  out += '}';
  return out;
}

std::string SeriesResponse(const std::vector<model::LabelSet>& series) {
  std::string out = "{\"status\":\"success\",\"data\":[";
  for (size_t i = 0; i < series.size(); ++i) {
    if (i) out += ',';
    AppendLabelObject(out, series[i]);
  }
  out += "]}";
  return out;
}

std::string IndexStatsResponse(uint64_t streams, uint64_t chunks, uint64_t bytes, uint64_t entries) {
  return "{\"streams\":" + std::to_string(streams) + ",\"chunks\":" + std::to_string(chunks) +
         ",\"bytes\":" + std::to_string(bytes) + ",\"entries\":" + std::to_string(entries) + "}";
}

std::string DetectedLabelsResponse(const std::vector<std::pair<std::string, uint64_t>>& labels) {
  std::string out = "{\"detectedLabels\":[";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += "{\"label\":";
    common::AppendJsonString(out, labels[i].first);
    out += ",\"cardinality\":";
    AppendUint(out, labels[i].second);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string DetectedFieldsResponse(const std::vector<query::DetectedField>& fields, uint32_t limit) {
  std::string out = "{\"fields\":[";
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    if (i) out += ',';
    out += "{\"label\":";
    common::AppendJsonString(out, f.name);
    out += ",\"type\":";
    common::AppendJsonString(out, f.type);
    out += ",\"cardinality\":";
    AppendUint(out, f.cardinality);
    out += ",\"parsers\":";
    // null marks a structured-metadata field; Grafana builds its filter expressions from that.
    if (f.parsers.empty()) {
      out += "null";
    } else {
      AppendStringArray(out, f.parsers);
    }
    if (!f.json_path.empty()) {
      out += ",\"jsonPath\":";
      AppendStringArray(out, f.json_path);
    }
    out += '}';
  }
  out += "],\"limit\":";
  AppendUint(out, limit);
  out += '}';
  return out;
}

std::string DetectedFieldValuesResponse(const std::vector<std::string>& values, uint32_t limit) {
  std::string out = "{\"values\":";
  AppendStringArray(out, values);
  out += ",\"limit\":";
  AppendUint(out, limit);
  out += '}';
  return out;
}

std::string PatternsResponse(const std::vector<query::Pattern>& patterns) {
  std::string out = "{\"status\":\"success\",\"data\":[";
  for (size_t i = 0; i < patterns.size(); ++i) {
    const auto& p = patterns[i];
    if (i) out += ',';
    out += "{\"pattern\":";
    common::AppendJsonString(out, p.pattern);
    if (!p.level.empty()) {
      out += ",\"level\":";
      common::AppendJsonString(out, p.level);
    }
    out += ",\"samples\":[";
    for (size_t k = 0; k < p.samples.size(); ++k) {
      if (k) out += ',';
      out += '[';
      out += std::to_string(p.samples[k].first);
      out += ',';
      AppendUint(out, p.samples[k].second);
      out += ']';
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

std::string FormatQueryResponse(std::string_view formatted) {
  std::string out = "{\"status\":\"success\",\"data\":";
  common::AppendJsonString(out, formatted);
  out += '}';
  return out;
}

}  // namespace strata::server::loki
