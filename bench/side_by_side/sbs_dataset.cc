// sbs_dataset: dumps the seeded generator's records (bench/common/log_generator.h) as request bodies for the
// side-by-side harness (bench/side_by_side/side_by_side.py, bench/README.md), in batches of --batch lines:
//
//   <out>/loki.bin   Loki push JSON bodies ({"streams":[{"stream":{labels},"values":[["ns","line",{fields}]]}]}),
//                    one per batch, records grouped by stream inside a batch (order kept within a stream);
//   <out>/bulk.bin   Elasticsearch _bulk bodies ({"create":{"_index":"bench"}} + {"@timestamp","message",labels,
//                    fields} per record);
//   <out>/loki.idx, bulk.idx   one "offset length lines raw_bytes" line per batch;
//   <out>/meta.json  sizes, time span, stream labels, and the ground truth the harness checks both systems against:
//                    lines per level and per service, sampled needles (trace ids with their exact line counts,
//                    tokens emitted once), and for each --count SPEC the exact number of matching records.
//
// --count specs (repeatable), evaluated on every record:
//   substr:<s>        message contains <s> (LogQL |= "s")
//   word:<s>          message contains <s> as a whole token (LogsQL word filter: token chars [A-Za-z0-9_] and
//                     bytes >= 0x80)
//   field_gt:<f>:<n>  field <f> parses as a number > n
//   label_substr:<l>=<v>:<s>   label l == v and message contains s
// Each spec also counts per minute bucket ([t, t+60s) from the start, "minutes") when prefixed with "hist/".
//
// Usage: sbs_dataset --lines N --out DIR [--seed 42] [--start-ns NS] [--rate LINES_PER_S] [--batch 1000]
//                    [--count SPEC]...
#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/common/log_generator.h"
#include "strata/common/json_writer.h"
#include "strata/model/log_record.h"

namespace {

using strata::model::LogRecord;

void Str(std::string& out, std::string_view s) { strata::common::AppendJsonString(out, s); }

bool TokenChar(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

bool ContainsWord(std::string_view msg, std::string_view w) {
  for (size_t p = msg.find(w); p != std::string_view::npos; p = msg.find(w, p + 1)) {
    bool left = p == 0 || !TokenChar(static_cast<unsigned char>(msg[p - 1]));
    bool right = p + w.size() == msg.size() || !TokenChar(static_cast<unsigned char>(msg[p + w.size()]));
    if (left && right) return true;
  }
  return false;
}

std::string_view LabelOf(const LogRecord& r, std::string_view name) {
  for (const auto& l : r.labels)
    if (l.name == name) return l.value;
  return {};
}

struct CountSpec {
  std::string text;  // as given
  bool hist = false;
  std::string kind, a, b, c;
  uint64_t total = 0;
  std::map<int64_t, uint64_t> per_minute;  // bucket start ns -> count

  bool Match(const LogRecord& r) const {
    if (kind == "substr") return r.message.find(a) != std::string::npos;
    if (kind == "word") return ContainsWord(r.message, a);
    if (kind == "field_gt") {
      for (const auto& f : r.fields) {
        if (f.name != a) continue;
        char* end = nullptr;
        double v = std::strtod(f.value.c_str(), &end);
        return end != f.value.c_str() && *end == '\0' && v > std::strtod(b.c_str(), nullptr);
      }
      return false;
    }
    if (kind == "label_substr") return LabelOf(r, a) == b && r.message.find(c) != std::string::npos;
    return false;
  }
};

bool ParseSpec(const std::string& text, CountSpec* s) {
  s->text = text;
  std::string_view t = text;
  if (t.starts_with("hist/")) {
    s->hist = true;
    t.remove_prefix(5);
  }
  size_t colon = t.find(':');
  if (colon == std::string_view::npos) return false;
  s->kind = std::string(t.substr(0, colon));
  std::string_view rest = t.substr(colon + 1);
  if (s->kind == "substr" || s->kind == "word") {
    s->a = std::string(rest);
    return !rest.empty();
  }
  if (s->kind == "field_gt") {
    size_t c2 = rest.rfind(':');
    if (c2 == std::string_view::npos) return false;
    s->a = std::string(rest.substr(0, c2));
    s->b = std::string(rest.substr(c2 + 1));
    return true;
  }
  if (s->kind == "label_substr") {
    size_t eq = rest.find('=');
    size_t c2 = rest.find(':', eq == std::string_view::npos ? 0 : eq);
    if (eq == std::string_view::npos || c2 == std::string_view::npos) return false;
    s->a = std::string(rest.substr(0, eq));
    s->b = std::string(rest.substr(eq + 1, c2 - eq - 1));
    s->c = std::string(rest.substr(c2 + 1));
    return true;
  }
  return false;
}

struct Out {
  FILE* body = nullptr;
  FILE* idx = nullptr;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  void Write(const std::string& b, size_t lines, uint64_t raw) {
    std::fwrite(b.data(), 1, b.size(), body);
    std::fprintf(idx, "%" PRIu64 " %zu %zu %" PRIu64 "\n", offset, b.size(), lines, raw);
    offset += b.size();
    bytes += b.size();
  }
};

int Usage() {
  std::fprintf(stderr,
               "usage: sbs_dataset --lines N --out DIR [--seed 42] [--start-ns NS] [--rate LINES_PER_S] "
               "[--batch 1000] [--count SPEC]...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t lines = 0, seed = 42;
  size_t batch = 1000;
  int64_t start_ns = 0;
  double rate = 0;
  std::string out_dir;
  std::vector<CountSpec> specs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if ((a == "--lines" || a == "--seed" || a == "--batch" || a == "--start-ns" || a == "--rate" || a == "--out" ||
         a == "--count") &&
        !(v = val()))
      return Usage();
    if (a == "--lines") lines = std::strtoull(v, nullptr, 10);
    else if (a == "--seed") seed = std::strtoull(v, nullptr, 10);
    else if (a == "--batch") batch = std::strtoull(v, nullptr, 10);
    else if (a == "--start-ns") start_ns = std::strtoll(v, nullptr, 10);
    else if (a == "--rate") rate = std::strtod(v, nullptr);
    else if (a == "--out") out_dir = v;
    else if (a == "--count") {
      CountSpec s;
      if (!ParseSpec(v, &s)) {
        std::fprintf(stderr, "bad --count spec: %s\n", v);
        return 2;
      }
      specs.push_back(std::move(s));
    } else return Usage();
  }
  if (lines == 0 || out_dir.empty() || batch == 0) return Usage();

  strata::bench::LogGeneratorOptions opt;
  if (start_ns) opt.start_ns = start_ns;
  if (rate > 0) opt.lines_per_second = rate;
  strata::bench::LogGenerator gen(seed, opt);

  Out loki, bulk;
  auto open = [&](Out& o, const char* name) {
    o.body = std::fopen((out_dir + "/" + name + ".bin").c_str(), "wb");
    o.idx = std::fopen((out_dir + "/" + name + ".idx").c_str(), "w");
    return o.body && o.idx;
  };
  if (!open(loki, "loki") || !open(bulk, "bulk")) {
    std::fprintf(stderr, "cannot write into %s\n", out_dir.c_str());
    return 1;
  }

  std::vector<LogRecord> recs(batch);
  std::string lbody, bbody, nd;
  uint64_t raw_total = 0, ndjson_total = 0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  std::map<std::string, uint64_t> per_level, per_service;
  const int64_t minute = 60LL * 1000000000LL;
  const int64_t origin = opt.start_ns;

  for (uint64_t done = 0; done < lines;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(batch, lines - done));
    uint64_t raw = 0;
    // Stream grouping for the Loki body: first-appearance order of label sets in the batch.
    std::vector<std::vector<size_t>> groups;
    std::unordered_map<std::string, size_t> group_of;
    std::string key;
    for (size_t i = 0; i < n; ++i) {
      LogRecord& r = recs[i];
      gen.Next(&r);
      raw += r.RawBytes();
      nd.clear();
      strata::bench::AppendNdjsonLine(r, &nd);
      ndjson_total += nd.size();
      min_ts = std::min(min_ts, r.timestamp_ns);
      max_ts = std::max(max_ts, r.timestamp_ns);
      per_level[std::string(LabelOf(r, "level"))]++;
      per_service[std::string(LabelOf(r, "service"))]++;
      for (auto& s : specs) {
        if (!s.Match(r)) continue;
        s.total++;
        if (s.hist) {
          int64_t d = r.timestamp_ns - origin;
          int64_t b = (d >= 0 ? d / minute : (d - minute + 1) / minute) * minute + origin;
          s.per_minute[b]++;
        }
      }
      key.clear();
      for (const auto& l : r.labels) {
        key += l.name;
        key.push_back('\x01');
        key += l.value;
        key.push_back('\x02');
      }
      auto [it, inserted] = group_of.try_emplace(key, groups.size());
      if (inserted) groups.emplace_back();
      groups[it->second].push_back(i);
    }
    raw_total += raw;

    lbody.clear();
    lbody += "{\"streams\":[";
    for (size_t g = 0; g < groups.size(); ++g) {
      if (g) lbody.push_back(',');
      const LogRecord& first = recs[groups[g][0]];
      lbody += "{\"stream\":{";
      for (size_t k = 0; k < first.labels.size(); ++k) {
        if (k) lbody.push_back(',');
        Str(lbody, first.labels[k].name);
        lbody.push_back(':');
        Str(lbody, first.labels[k].value);
      }
      lbody += "},\"values\":[";
      for (size_t j = 0; j < groups[g].size(); ++j) {
        const LogRecord& r = recs[groups[g][j]];
        if (j) lbody.push_back(',');
        lbody += "[\"";
        lbody += std::to_string(r.timestamp_ns);
        lbody += "\",";
        Str(lbody, r.message);
        if (!r.fields.empty()) {
          lbody += ",{";
          for (size_t k = 0; k < r.fields.size(); ++k) {
            if (k) lbody.push_back(',');
            Str(lbody, r.fields[k].name);
            lbody.push_back(':');
            Str(lbody, r.fields[k].value);
          }
          lbody.push_back('}');
        }
        lbody.push_back(']');
      }
      lbody += "]}";
    }
    lbody += "]}";
    loki.Write(lbody, n, raw);

    bbody.clear();
    for (size_t i = 0; i < n; ++i) {
      const LogRecord& r = recs[i];
      bbody += "{\"create\":{\"_index\":\"bench\"}}\n{\"@timestamp\":\"";
      strata::bench::AppendRfc3339Nanos(r.timestamp_ns, &bbody);
      bbody += "\",\"message\":";
      Str(bbody, r.message);
      for (const auto& l : r.labels) {
        bbody.push_back(',');
        Str(bbody, l.name);
        bbody.push_back(':');
        Str(bbody, l.value);
      }
      for (const auto& f : r.fields) {
        bbody.push_back(',');
        Str(bbody, f.name);
        bbody.push_back(':');
        Str(bbody, f.value);
      }
      bbody += "}\n";
    }
    bulk.Write(bbody, n, raw);
    done += n;
  }

  for (Out* o : {&loki, &bulk}) {
    if (std::fclose(o->body) != 0 || std::fclose(o->idx) != 0) {
      std::fprintf(stderr, "write error in %s\n", out_dir.c_str());
      return 1;
    }
  }

  // meta.json
  std::string m = "{";
  m += "\"lines\":" + std::to_string(lines) + ",\"seed\":" + std::to_string(seed) +
       ",\"batch\":" + std::to_string(batch) + ",\"start_ns\":" + std::to_string(opt.start_ns) +
       ",\"rate\":" + std::to_string(opt.lines_per_second) + ",\"raw_bytes\":" + std::to_string(raw_total) +
       ",\"ndjson_bytes\":" + std::to_string(ndjson_total) + ",\"loki_bytes\":" + std::to_string(loki.bytes) +
       ",\"bulk_bytes\":" + std::to_string(bulk.bytes) + ",\"min_ts\":" + std::to_string(min_ts) +
       ",\"max_ts\":" + std::to_string(max_ts);
  auto map_json = [&](const std::map<std::string, uint64_t>& mm) {
    std::string s = "{";
    bool first = true;
    for (const auto& [k, v] : mm) {
      if (!first) s.push_back(',');
      first = false;
      Str(s, k);
      s += ":" + std::to_string(v);
    }
    return s + "}";
  };
  m += ",\"per_level\":" + map_json(per_level) + ",\"per_service\":" + map_json(per_service);
  auto needles = [&](const std::vector<strata::bench::Needle>& ns) {
    std::string s = "[";
    for (size_t i = 0; i < ns.size(); ++i) {
      if (i) s.push_back(',');
      s += "{\"value\":";
      Str(s, ns[i].value);
      s += ",\"count\":" + std::to_string(ns[i].count) + "}";
    }
    return s + "]";
  };
  m += ",\"trace_ids\":" + needles(gen.trace_ids()) + ",\"unique_tokens\":" + needles(gen.unique_tokens());
  m += ",\"counts\":{";
  for (size_t i = 0; i < specs.size(); ++i) {
    if (i) m.push_back(',');
    Str(m, specs[i].text);
    m += ":{\"total\":" + std::to_string(specs[i].total);
    if (specs[i].hist) {
      m += ",\"per_minute\":{";
      bool first = true;
      for (const auto& [b, c] : specs[i].per_minute) {
        if (!first) m.push_back(',');
        first = false;
        m += "\"" + std::to_string(b) + "\":" + std::to_string(c);
      }
      m += "}";
    }
    m += "}";
  }
  m += "}}\n";
  FILE* f = std::fopen((out_dir + "/meta.json").c_str(), "w");
  if (!f || std::fwrite(m.data(), 1, m.size(), f) != m.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write meta.json\n");
    return 1;
  }
  std::fprintf(stderr, "sbs_dataset: %" PRIu64 " lines, raw %.1f MiB, NDJSON %.1f MiB, Loki %.1f MiB, _bulk %.1f MiB\n",
               lines, raw_total / 1048576.0, ndjson_total / 1048576.0, loki.bytes / 1048576.0,
               bulk.bytes / 1048576.0);
  return 0;
}
