#include "strata/server/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "strata/observability/log.h"
#include "strata/storage/stream_selector.h"

extern char** environ;

namespace strata::server {
namespace {

using base::Result;
using base::Status;

Result<int64_t> ParseInt(const std::string& key, const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return base::InvalidArgument(key + ": expected an integer, got \"" + text + "\"");
  }
  return v;
}

Result<uint64_t> ParseSizeFor(const std::string& key, const std::string& text) {
  auto r = ParseSize(text);
  if (!r.ok()) return base::InvalidArgument(key + ": " + r.status().message());
  return r;
}

Status CheckListen(const std::string& key, const std::string& text) {
  if (text.empty()) return Status::Ok();  // empty turns a listener off
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return base::InvalidArgument(key + ": expected HOST:PORT, got \"" + text + "\"");
  }
  auto port = ParseInt(key, text.substr(colon + 1));
  if (!port.ok() || *port < 0 || *port > 65535) {
    return base::InvalidArgument(key + ": port must be 0-65535, got \"" + text + "\"");
  }
  return Status::Ok();
}

// A listener's tenant: empty (= default_tenant) or a tenant id as request_context.h defines it: 1-150 characters
// of [A-Za-z0-9_.-], not starting with '.'.
Status CheckListenerTenant(const std::string& key, const std::string& v) {
  bool valid = v.size() <= 150 && (v.empty() || v[0] != '.');
  for (char ch : v) valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-');
  if (!valid) {
    return base::InvalidArgument(key + ": a tenant id is 1-150 characters of [A-Za-z0-9_.-], not starting with '.', "
                                 "got \"" + v + "\"");
  }
  return Status::Ok();
}

// --- Retention settings ---

std::string Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// A tenant's retention period: 1-365 days.
Result<int64_t> ParseTenantPeriod(const std::string& key, const std::string& text) {
  auto d = storage::ParseDuration(text);
  if (!d.ok()) return base::InvalidArgument(key + ": " + d.status().message());
  if (*d < storage::RetentionPolicy::kDay || *d > 365 * storage::RetentionPolicy::kDay) {
    return base::InvalidArgument(key + ": retention must be 1-365 days, got \"" + Trimmed(text) + "\"");
  }
  return *d;
}

Result<storage::StreamRetentionRule> MakeStreamRule(const std::string& key, const std::string& selector,
                                                    const std::string& period, const std::string& tenant) {
  auto parsed = storage::ParseStreamSelector(Trimmed(selector), /*allow_line_filter=*/false);
  if (!parsed.ok()) {
    return base::InvalidArgument(key + ": selector \"" + Trimmed(selector) + "\": " + parsed.status().message());
  }
  auto d = storage::ParseDuration(period);
  if (!d.ok()) return base::InvalidArgument(key + ": " + d.status().message());
  if (*d <= 0 || *d > 365 * storage::RetentionPolicy::kDay) {
    return base::InvalidArgument(key + ": a stream retention period must be positive and at most 365 days, got \"" +
                                 Trimmed(period) + "\"");
  }
  return storage::StreamRetentionRule{std::move(parsed).value(), *d, Trimmed(tenant)};
}

// Splits at `sep` outside "..." and `...` strings (selectors may hold the separator inside their values).
std::vector<std::string> SplitOutsideQuotes(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      cur += c;
      if (quote == '"' && c == '\\' && i + 1 < text.size()) {
        cur += text[++i];
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    if (c == '"' || c == '`') quote = c;
    cur += c;
  }
  out.push_back(cur);
  return out;
}

// "acme=30d,globex=90d" (empty: no per-tenant periods).
Result<std::map<std::string, int64_t>> ParseTenantPeriods(const std::string& key, const std::string& text) {
  std::map<std::string, int64_t> out;
  if (Trimmed(text).empty()) return out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (Trimmed(item).empty()) continue;
    auto eq = item.find('=');
    std::string tenant = eq == std::string::npos ? "" : Trimmed(item.substr(0, eq));
    if (tenant.empty()) {
      return base::InvalidArgument(key + ": expected TENANT=PERIOD (e.g. acme=30d,globex=90d), got \"" +
                                   Trimmed(item) + "\"");
    }
    auto d = ParseTenantPeriod(key + "." + tenant, item.substr(eq + 1));
    if (!d.ok()) return d.status();
    out[tenant] = *d;
  }
  return out;
}

// "[TENANT:]SELECTOR=PERIOD;..." e.g. {level="DEBUG"}=1d;acme:{service="web"}=12h (empty: no stream rules). The
// period follows the item's last '=' (durations hold none); a tenant prefix ends at the ':' before the selector.
Result<std::vector<storage::StreamRetentionRule>> ParseStreamRules(const std::string& key, const std::string& text) {
  std::vector<storage::StreamRetentionRule> out;
  for (const auto& raw : SplitOutsideQuotes(text, ';')) {
    std::string item = Trimmed(raw);
    if (item.empty()) continue;
    auto brace = item.find('{');
    auto eq = item.rfind('=');
    if (brace == std::string::npos || eq == std::string::npos || eq < brace) {
      return base::InvalidArgument(key + ": expected [TENANT:]SELECTOR=PERIOD (e.g. {level=\"DEBUG\"}=1d), got \"" +
                                   item + "\"");
    }
    std::string tenant = Trimmed(item.substr(0, brace));
    if (!tenant.empty()) {
      if (tenant.back() != ':') {
        return base::InvalidArgument(key + ": expected TENANT: before the selector, got \"" + item + "\"");
      }
      tenant = Trimmed(tenant.substr(0, tenant.size() - 1));
    }
    auto rule = MakeStreamRule(key, item.substr(brace, eq - brace), item.substr(eq + 1), tenant);
    if (!rule.ok()) return rule.status();
    out.push_back(std::move(rule).value());
  }
  return out;
}

std::string TenantPeriodsText(const std::map<std::string, int64_t>& periods) {
  std::string s;
  for (const auto& [tenant, period] : periods) s += (s.empty() ? "" : ",") + tenant + "=" + storage::FormatDuration(period);
  return s;
}

std::string StreamRulesText(const std::vector<storage::StreamRetentionRule>& rules) {
  std::string s;
  for (const auto& r : rules) {
    if (!s.empty()) s += ";";
    if (!r.tenant.empty()) s += r.tenant + ":";
    s += r.selector.text + "=" + storage::FormatDuration(r.period_ns);
  }
  return s;
}

std::string YamlDoubleQuoted(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string YamlSingleQuoted(const std::string& v) {
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

struct Setting {
  const char* key;
  const char* help;
  std::function<Status(Config&, const std::string&)> set;
  std::function<std::string(const Config&)> get;
};

template <typename T>
std::string Str(T v) {
  return std::to_string(v);
}

// --- Elasticsearch _bulk field lists ---

// A comma-separated list of document field names (YAML: a list); empty items are dropped.
Status SetEsFieldList(const std::string& key, const std::string& text, std::vector<std::string>& out) {
  std::vector<std::string> items;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = Trimmed(item);
    if (!item.empty()) items.push_back(item);
  }
  if (key != "elasticsearch.label_fields" && items.empty()) {
    return base::InvalidArgument(key + ": expected at least one field name");
  }
  out = std::move(items);
  return Status::Ok();
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ",") + i;
  return s;
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"data_dir", "Directory of the embedded storage (WAL, parts).",
       [](Config& c, const std::string& v) {
         if (v.empty()) return base::InvalidArgument("data_dir: must not be empty");
         c.data_dir = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.data_dir; }},
      {"http_listen", "HTTP listen address HOST:PORT (Loki's default port is 3100).",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListen("http_listen", v));
         c.http_listen = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.http_listen; }},
      {"grpc_listen", "gRPC listen address HOST:PORT (OTLP's default port is 4317); empty turns it off.",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListen("grpc_listen", v));
         c.grpc_listen = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.grpc_listen; }},
      {"log_level", "Level of Strata's own logs: debug, info, warn, error.",
       [](Config& c, const std::string& v) {
         auto l = observability::ParseLogLevel(v);
         if (!l.ok()) return l.status();
         c.log_level = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.log_level; }},
      {"default_tenant", "Tenant of requests that carry no X-Tenant-ID / X-Scope-OrgID header.",
       [](Config& c, const std::string& v) {
         if (v.empty()) return base::InvalidArgument("default_tenant: must not be empty");
         c.default_tenant = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.default_tenant; }},
      {"labels", "Input keys that become stream labels (comma-separated).",
       [](Config& c, const std::string& v) {
         std::vector<std::string> out;
         std::stringstream ss(v);
         std::string item;
         while (std::getline(ss, item, ',')) {
           item.erase(0, item.find_first_not_of(" \t"));
           item.erase(item.find_last_not_of(" \t") + 1);
           if (!item.empty()) out.push_back(item);
         }
         c.labels = std::move(out);
         return Status::Ok();
       },
       [](const Config& c) {
         std::string s;
         for (const auto& l : c.labels) s += (s.empty() ? "" : ",") + l;
         return s;
       }},
      {"http_threads", "HTTP worker threads; 0 means one per core.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("http_threads", v);
         if (!n.ok()) return n.status();
         if (*n < 0 || *n > 1024) return base::InvalidArgument("http_threads: must be 0-1024");
         c.http_threads = static_cast<int>(*n);
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.http_threads); }},
      {"shutdown_timeout_ms", "On SIGTERM, how long to wait for in-flight requests.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("shutdown_timeout_ms", v);
         if (!n.ok()) return n.status();
         c.shutdown_timeout_ms = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.shutdown_timeout_ms); }},
      {"wal.fsync", "WAL fsync policy: batch (fsync before ack), interval, none.",
       [](Config& c, const std::string& v) {
         auto p = storage::wal::ParseFsyncPolicy(v);
         if (!p.ok()) return base::InvalidArgument("wal.fsync: " + p.status().message());
         c.wal_fsync = *p;
         return Status::Ok();
       },
       [](const Config& c) { return std::string(storage::wal::FsyncPolicyName(c.wal_fsync)); }},
      {"wal.fsync_interval_ms", "With wal.fsync=interval, the period of fdatasync.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("wal.fsync_interval_ms", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("wal.fsync_interval_ms: must be positive");
         c.wal_fsync_interval_ms = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.wal_fsync_interval_ms); }},
      {"wal.segment_bytes", "Size at which the WAL starts a new segment.",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("wal.segment_bytes", v);
         if (!n.ok()) return n.status();
         c.wal_segment_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.wal_segment_bytes); }},
      {"wal.max_pending_bytes", "Bytes queued for the WAL before ingest answers 429.",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("wal.max_pending_bytes", v);
         if (!n.ok()) return n.status();
         c.wal_max_pending_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.wal_max_pending_bytes); }},
      {"head.flush_interval_ms", "How often the in-memory head is written to parts.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("head.flush_interval_ms", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("head.flush_interval_ms: must be positive");
         c.head_flush_interval_ms = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.head_flush_interval_ms); }},
      {"head.flush_bytes", "Head size that triggers a flush to parts before the interval.",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("head.flush_bytes", v);
         if (!n.ok()) return n.status();
         c.head_flush_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.head_flush_bytes); }},
      {"limits.max_body_bytes", "Largest request body accepted (HTTP 413 above).",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("limits.max_body_bytes", v);
         if (!n.ok()) return n.status();
         c.max_body_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.max_body_bytes); }},
      {"limits.max_decompressed_bytes", "Largest request body after decompression (HTTP 413 above).",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("limits.max_decompressed_bytes", v);
         if (!n.ok()) return n.status();
         c.max_decompressed_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.max_decompressed_bytes); }},
      {"limits.max_line_bytes", "Largest log line (message + labels + fields); larger lines are rejected.",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("limits.max_line_bytes", v);
         if (!n.ok()) return n.status();
         c.max_line_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.max_line_bytes); }},
      {"limits.max_fields_per_line", "Most fields per log line after flattening.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("limits.max_fields_per_line", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("limits.max_fields_per_line: must be positive");
         c.max_fields_per_line = static_cast<uint64_t>(*n);
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.max_fields_per_line); }},
      {"limits.max_head_bytes", "Memory budget of the in-memory head; ingest answers 429 above it.",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("limits.max_head_bytes", v);
         if (!n.ok()) return n.status();
         c.max_head_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.max_head_bytes); }},
      {"elasticsearch.message_fields",
       "_bulk: document fields tried in order for the log message (comma-separated).",
       [](Config& c, const std::string& v) {
         return SetEsFieldList("elasticsearch.message_fields", v, c.es_message_fields);
       },
       [](const Config& c) { return JoinList(c.es_message_fields); }},
      {"elasticsearch.time_fields", "_bulk: document fields tried in order for the timestamp (comma-separated).",
       [](Config& c, const std::string& v) {
         return SetEsFieldList("elasticsearch.time_fields", v, c.es_time_fields);
       },
       [](const Config& c) { return JoinList(c.es_time_fields); }},
      {"elasticsearch.label_fields",
       "_bulk: document fields that become labels (comma-separated; _index -> index, dots -> _).",
       [](Config& c, const std::string& v) {
         return SetEsFieldList("elasticsearch.label_fields", v, c.es_label_fields);
       },
       [](const Config& c) { return JoinList(c.es_label_fields); }},
      {"elasticsearch.version", "Elasticsearch version reported to shippers by GET / (they check the major).",
       [](Config& c, const std::string& v) {
         const std::string t = Trimmed(v);
         if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0])) || t.find('.') == std::string::npos) {
           return base::InvalidArgument("elasticsearch.version: expected a version such as 8.17.0, got \"" + v + "\"");
         }
         c.es_version = t;
         return Status::Ok();
       },
       [](const Config& c) { return c.es_version; }},
      {"retention.default", "How long rows are kept (1-365 days), e.g. 7d, 30d, 1d12h.",
       [](Config& c, const std::string& v) {
         auto d = ParseTenantPeriod("retention.default", v);
         if (!d.ok()) return d.status();
         c.retention_default_ns = *d;
         return Status::Ok();
       },
       [](const Config& c) { return storage::FormatDuration(c.retention_default_ns); }},
      {"retention.tenants", "Per-tenant retention, each 1-365 days: TENANT=PERIOD,... (YAML: a map).",
       [](Config& c, const std::string& v) {
         auto m = ParseTenantPeriods("retention.tenants", v);
         if (!m.ok()) return m.status();
         c.retention_tenants = std::move(m).value();
         return Status::Ok();
       },
       [](const Config& c) { return TenantPeriodsText(c.retention_tenants); }},
      {"retention.streams",
       "Per-stream retention (shortest match wins): [TENANT:]SELECTOR=PERIOD;... e.g. {level=\"DEBUG\"}=1d "
       "(YAML: a list of {selector, period, tenant}).",
       [](Config& c, const std::string& v) {
         auto rules = ParseStreamRules("retention.streams", v);
         if (!rules.ok()) return rules.status();
         c.retention_streams = std::move(rules).value();
         return Status::Ok();
       },
       [](const Config& c) { return StreamRulesText(c.retention_streams); }},
      {"maintenance_interval_ms", "How often background merges, retention and delete purges run.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("maintenance_interval_ms", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("maintenance_interval_ms: must be positive");
         c.maintenance_interval_ms = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.maintenance_interval_ms); }},
      {"syslog_listen", "Syslog listen address HOST:PORT for UDP and TCP (RFC 5424/3164); empty turns it off.",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListen("syslog_listen", v));
         c.syslog_listen = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.syslog_listen; }},
      {"syslog_tls_listen", "Syslog over TLS listen address HOST:PORT (usually port 6514); empty (default) is off.",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListen("syslog_tls_listen", v));
         c.syslog_tls_listen = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.syslog_tls_listen; }},
      {"syslog_tls_cert", "PEM certificate (chain) file of the syslog TLS listener.",
       [](Config& c, const std::string& v) {
         c.syslog_tls_cert = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.syslog_tls_cert; }},
      {"syslog_tls_key", "PEM private key file of the syslog TLS listener.",
       [](Config& c, const std::string& v) {
         c.syslog_tls_key = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.syslog_tls_key; }},
      {"syslog_tenant", "Tenant of syslog records; empty means default_tenant.",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListenerTenant("syslog_tenant", Trimmed(v)));
         c.syslog_tenant = Trimmed(v);
         return Status::Ok();
       },
       [](const Config& c) { return c.syslog_tenant; }},
      {"syslog_labels", "Extra labels on every syslog record: NAME=VALUE,... (e.g. env=prod,dc=eu1).",
       [](Config& c, const std::string& v) {
         std::vector<std::pair<std::string, std::string>> out;
         std::stringstream ss(v);
         std::string item;
         while (std::getline(ss, item, ',')) {
           if (Trimmed(item).empty()) continue;
           auto eq = item.find('=');
           std::string name = eq == std::string::npos ? "" : Trimmed(item.substr(0, eq));
           bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
           for (char ch : name) valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
           if (!valid) {
             return base::InvalidArgument("syslog_labels: expected NAME=VALUE with NAME in [A-Za-z_][A-Za-z0-9_]*, "
                                          "got \"" + Trimmed(item) + "\"");
           }
           out.emplace_back(name, Trimmed(item.substr(eq + 1)));
         }
         c.syslog_labels = std::move(out);
         return Status::Ok();
       },
       [](const Config& c) {
         std::string s;
         for (const auto& [k, v] : c.syslog_labels) s += (s.empty() ? "" : ",") + k + "=" + v;
         return s;
       }},
      {"query.timeout_ms", "Per-query time limit; Loki's query_timeout (504 above it).",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("query.timeout_ms", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("query.timeout_ms must be positive");
         c.query_timeout_ms = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.query_timeout_ms); }},
      {"query.max_concurrent", "Queries running at once (others wait); 0 = 2 per core.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("query.max_concurrent", v);
         if (!n.ok()) return n.status();
         if (*n < 0) return base::InvalidArgument("query.max_concurrent must not be negative");
         c.query_max_concurrent = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.query_max_concurrent); }},
      {"query.max_memory_bytes", "Memory a query may hold (decoded blocks, samples); above it the query fails.",
       [](Config& c, const std::string& v) {
         auto n = ParseSizeFor("query.max_memory_bytes", v);
         if (!n.ok()) return n.status();
         c.query_max_memory_bytes = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.query_max_memory_bytes); }},
      {"query.max_entries_limit", "Largest `limit` of a log query; Loki's max_entries_limit_per_query.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("query.max_entries_limit", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("query.max_entries_limit must be positive");
         c.query_max_entries_limit = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.query_max_entries_limit); }},
      {"query.max_series", "Series a metric query returns; above it the result is truncated with a warning.",
       [](Config& c, const std::string& v) {
         auto n = ParseInt("query.max_series", v);
         if (!n.ok()) return n.status();
         if (*n <= 0) return base::InvalidArgument("query.max_series must be positive");
         c.query_max_series = *n;
         return Status::Ok();
       },
       [](const Config& c) { return Str(c.query_max_series); }},
      {"forward_listen", "Fluentd forward protocol listen address HOST:PORT (TCP); empty turns it off.",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListen("forward_listen", v));
         c.forward_listen = v;
         return Status::Ok();
       },
       [](const Config& c) { return c.forward_listen; }},
      {"forward_tenant", "Tenant of records received over the forward protocol; empty means default_tenant.",
       [](Config& c, const std::string& v) {
         RETURN_IF_ERROR(CheckListenerTenant("forward_tenant", Trimmed(v)));
         c.forward_tenant = Trimmed(v);
         return Status::Ok();
       },
       [](const Config& c) { return c.forward_tenant; }},
  };
  return kSettings;
}

const Setting* FindSetting(const std::string& key) {
  for (const auto& s : Settings()) {
    if (key == s.key) return &s;
  }
  return nullptr;
}

std::string EnvName(const std::string& key) {
  std::string e = "STRATA_";
  for (char c : key) e += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

std::string FlagName(const std::string& key) {
  std::string f = "--";
  for (char c : key) f += (c == '.' || c == '_') ? '-' : c;
  // Section prefixes that read naturally without them.
  if (f.rfind("--limits-", 0) == 0) f = "--" + f.substr(9);
  return f;
}

Status ApplyYamlNode(Config& config, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) {
    return base::InvalidArgument("config: expected a mapping at " + (prefix.empty() ? "top level" : prefix) +
                                 " (line " + std::to_string(node.Mark().line + 1) + ")");
  }
  for (const auto& kv : node) {
    std::string key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
    const YAML::Node& value = kv.second;
    std::string where = " (line " + std::to_string(kv.first.Mark().line + 1) + ")";
    if (key == "retention.tenants" && value.IsMap()) {
      std::map<std::string, int64_t> periods;
      for (const auto& t : value) {
        std::string tenant = t.first.Scalar();
        std::string at = " (line " + std::to_string(t.first.Mark().line + 1) + ")";
        if (tenant.empty() || !t.second.IsScalar()) {
          return base::InvalidArgument("config: retention.tenants: expected TENANT: PERIOD entries" + at);
        }
        auto d = ParseTenantPeriod("retention.tenants." + tenant, t.second.Scalar());
        if (!d.ok()) return base::InvalidArgument("config: " + d.status().message() + at);
        periods[tenant] = *d;
      }
      config.retention_tenants = std::move(periods);
      continue;
    }
    if (key == "retention.streams" && value.IsSequence()) {
      std::vector<storage::StreamRetentionRule> rules;
      for (const auto& item : value) {
        std::string at = " (line " + std::to_string(item.Mark().line + 1) + ")";
        if (!item.IsMap()) {
          return base::InvalidArgument("config: retention.streams: expected {selector, period, tenant} entries" + at);
        }
        std::string fields[3];  // selector, period, tenant
        for (const auto& f : item) {
          const std::string name = f.first.Scalar();
          int i = name == "selector" ? 0 : name == "period" ? 1 : name == "tenant" ? 2 : -1;
          if (i < 0 || !f.second.IsScalar()) {
            return base::InvalidArgument("config: retention.streams: unknown or non-scalar entry \"" + name +
                                         "\" (expected selector, period, tenant)" + at);
          }
          fields[i] = f.second.Scalar();
        }
        if (fields[0].empty() || fields[1].empty()) {
          return base::InvalidArgument("config: retention.streams: every entry needs a selector and a period" + at);
        }
        auto rule = MakeStreamRule("retention.streams", fields[0], fields[1], fields[2]);
        if (!rule.ok()) return base::InvalidArgument("config: " + rule.status().message() + at);
        rules.push_back(std::move(rule).value());
      }
      config.retention_streams = std::move(rules);
      continue;
    }
    if (value.IsMap()) {
      RETURN_IF_ERROR(ApplyYamlNode(config, value, key));
      continue;
    }
    const Setting* s = FindSetting(key);
    if (!s) return base::InvalidArgument("config: unknown key \"" + key + "\"" + where);
    std::string text;
    if (value.IsSequence()) {
      for (const auto& item : value) text += (text.empty() ? "" : ",") + item.Scalar();
    } else if (value.IsNull()) {
      text = "";
    } else {
      text = value.Scalar();
    }
    Status st = s->set(config, text);
    if (!st.ok()) return base::InvalidArgument("config: " + st.message() + where);
  }
  return Status::Ok();
}

}  // namespace

const std::vector<ConfigKeyInfo>& ConfigKeys() {
  static const std::vector<ConfigKeyInfo> kKeys = [] {
    std::vector<ConfigKeyInfo> out;
    for (const auto& s : Settings()) out.push_back({s.key, s.help, EnvName(s.key), FlagName(s.key)});
    return out;
  }();
  return kKeys;
}

Status SetConfigValue(Config& config, const std::string& key, const std::string& value) {
  const Setting* s = FindSetting(key);
  if (!s) return base::InvalidArgument("unknown config key \"" + key + "\"");
  return s->set(config, value);
}

Result<uint64_t> ParseSize(const std::string& text) {
  static const std::pair<const char*, uint64_t> kSuffixes[] = {
      {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}, {"KB", 1000ull},
      {"MB", 1000000ull},  {"GB", 1000000000ull}, {"K", 1ull << 10},  {"M", 1ull << 20},   {"G", 1ull << 30},
      {"B", 1}};
  std::string t = text;
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }), t.end());
  uint64_t mult = 1;
  for (const auto& [suffix, m] : kSuffixes) {
    std::string s(suffix);
    if (t.size() > s.size() && t.compare(t.size() - s.size(), s.size(), s) == 0) {
      mult = m;
      t.resize(t.size() - s.size());
      break;
    }
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
    return base::InvalidArgument("expected a size such as 1048576, 64MiB or 1GB, got \"" + text + "\"");
  }
  if (mult > 1 && v > UINT64_MAX / mult) return base::InvalidArgument("size too large: \"" + text + "\"");
  return v * mult;
}

Status ApplyYaml(Config& config, const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(std::string("config: invalid YAML: ") + e.what());
  }
  if (root.IsNull()) return Status::Ok();  // an empty file changes nothing
  return ApplyYamlNode(config, root, "");
}

Status ApplyYamlFile(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::InvalidArgument("config: cannot read file \"" + path + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  Status st = ApplyYaml(config, ss.str());
  if (!st.ok()) return base::InvalidArgument(path + ": " + st.message());
  return st;
}

Status ApplyEnvironment(Config& config, const std::map<std::string, std::string>& env) {
  for (const auto& s : Settings()) {
    auto it = env.find(EnvName(s.key));
    if (it == env.end()) continue;
    Status st = s.set(config, it->second);
    if (!st.ok()) return base::InvalidArgument(it->first + ": " + st.message());
  }
  return Status::Ok();
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos && kv.rfind("STRATA_", 0) == 0) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Status ApplyFlags(Config& config, const std::map<std::string, std::string>& flags) {
  for (const auto& [key, value] : flags) {
    const Setting* s = FindSetting(key);
    if (!s) return base::InvalidArgument("unknown config key \"" + key + "\"");
    Status st = s->set(config, value);
    if (!st.ok()) return base::InvalidArgument(FlagName(key) + ": " + st.message());
  }
  return Status::Ok();
}

std::string Config::ToYaml() const {
  // Group dotted keys under their section, in table order.
  std::string top, out;
  std::map<std::string, std::string> sections;
  std::vector<std::string> order;
  for (const auto& s : Settings()) {
    std::string key = s.key;
    std::string value = s.get(*this);
    std::string rendered;
    if (key == "labels") {
      rendered = "[";
      for (size_t i = 0; i < labels.size(); ++i) rendered += (i ? ", " : "") + labels[i];
      rendered += "]";
    } else if (key == "elasticsearch.message_fields" || key == "elasticsearch.time_fields" ||
               key == "elasticsearch.label_fields") {
      const auto& list = key == "elasticsearch.message_fields" ? es_message_fields
                         : key == "elasticsearch.time_fields"  ? es_time_fields
                                                               : es_label_fields;
      rendered = "[";
      for (size_t i = 0; i < list.size(); ++i) rendered += (i ? ", " : "") + YamlDoubleQuoted(list[i]);
      rendered += "]";
    } else if (key == "retention.tenants") {
      rendered = "{";
      for (const auto& [tenant, period] : retention_tenants) {
        rendered += (rendered.size() > 1 ? ", " : "") + YamlDoubleQuoted(tenant) + ": " + storage::FormatDuration(period);
      }
      rendered += "}";
    } else if (key == "retention.streams") {
      rendered = "[";
      for (const auto& r : retention_streams) {
        rendered += (rendered.size() > 1 ? ", " : "") + std::string("{selector: ") + YamlSingleQuoted(r.selector.text) +
                    ", period: " + storage::FormatDuration(r.period_ns);
        if (!r.tenant.empty()) rendered += ", tenant: " + YamlDoubleQuoted(r.tenant);
        rendered += "}";
      }
      rendered += "]";
    } else {
      rendered = value.empty() ? "\"\"" : value;
    }
    auto dot = key.find('.');
    if (dot == std::string::npos) {
      top += key + ": " + rendered + "\n";
    } else {
      std::string section = key.substr(0, dot);
      if (!sections.count(section)) order.push_back(section);
      sections[section] += "  " + key.substr(dot + 1) + ": " + rendered + "\n";
    }
  }
  out = top;
  for (const auto& s : order) out += s + ":\n" + sections[s];
  return out;
}

}  // namespace strata::server
