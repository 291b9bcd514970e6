#pragma once
// Config: the effective configuration of `strata serve`, from (lowest to highest precedence) built-in defaults,
// a YAML file, STRATA_* environment variables and command-line flags.
//
// Every setting has one dotted key (`wal.fsync`), which is its YAML path, its environment variable
// (STRATA_WAL_FSYNC) and its flag (--wal-fsync). The table in config.cc is the single list of settings.
// Value type; not thread-safe to mutate, safe to share read-only.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/base/status.h"
#include "strata/storage/retention/retention_policy.h"
#include "strata/storage/wal/wal_writer.h"

namespace strata::server {

struct Config {
  std::string data_dir = "./data";
  std::string http_listen = "127.0.0.1:3100";
  std::string grpc_listen = "127.0.0.1:4317";
  std::string log_level = "info";
  std::string default_tenant = "default";
  std::vector<std::string> labels = {"service", "env", "host", "instance", "level"};
  int http_threads = 0;                 // 0 = one per core
  int64_t shutdown_timeout_ms = 30000;  // how long SIGTERM waits for in-flight requests

  storage::wal::FsyncPolicy wal_fsync = storage::wal::FsyncPolicy::kBatch;
  int64_t wal_fsync_interval_ms = 100;
  uint64_t wal_segment_bytes = 64ull << 20;
  uint64_t wal_max_pending_bytes = 256ull << 20;

  int64_t head_flush_interval_ms = 5000;   // the head is written to parts this often
  uint64_t head_flush_bytes = 64ull << 20;  // or as soon as it holds this much

  uint64_t max_body_bytes = 64ull << 20;          // request body as received (compressed or not)
  uint64_t max_decompressed_bytes = 256ull << 20;  // after Content-Encoding is undone
  uint64_t max_line_bytes = 256ull << 10;
  uint64_t max_fields_per_line = 256;
  uint64_t max_head_bytes = 4ull << 30;

  // Elasticsearch _bulk mapping (ingest/elasticsearch/bulk_decoder.h): the first present message field and time
  // field, and the document fields that become labels (`_index` -> `index`, dots -> `_`). `elasticsearch.version`
  // is the version the probe endpoints report (shippers check its major).
  std::vector<std::string> es_message_fields = {"message", "msg", "log", "_msg", "MESSAGE"};
  std::vector<std::string> es_time_fields = {"@timestamp", "timestamp", "time"};
  std::vector<std::string> es_label_fields = {"_index",
                                              "service.name",
                                              "host.name",
                                              "kubernetes.namespace_name",
                                              "kubernetes.pod_name",
                                              "kubernetes.container_name"};
  std::string es_version = "8.17.0";

  // Retention (storage/retention/retention_policy.h). Tenant periods are 1-365 days; a stream rule's period is
  // positive and at most 365 days, and only ever shortens its streams' retention.
  int64_t retention_default_ns = 7 * storage::RetentionPolicy::kDay;
  std::map<std::string, int64_t> retention_tenants;                // tenant -> period
  std::vector<storage::StreamRetentionRule> retention_streams;      // selector (text kept), period, tenant or ""
  int64_t maintenance_interval_ms = 2000;  // merges, retention and delete purges run this often

  // Syslog (RFC 5424/3164 over UDP + TCP, and TLS) and Fluentd forward listeners (server/syslog_listener.h,
  // server/forward_listener.h). An empty address turns a listener off; an empty tenant means default_tenant.
  std::string syslog_listen = "127.0.0.1:1514";  // UDP and TCP on the same address
  std::string syslog_tls_listen;                 // off by default; needs syslog_tls_cert and syslog_tls_key
  std::string syslog_tls_cert;                   // PEM certificate chain file
  std::string syslog_tls_key;                    // PEM private key file
  std::string syslog_tenant;
  std::vector<std::pair<std::string, std::string>> syslog_labels;  // extra labels on every syslog record
  std::string forward_listen = "127.0.0.1:24224";
  std::string forward_tenant;

  // Query engine bounds (query/engine/query_engine.h). Loki's defaults where Loki has the setting.
  int64_t query_timeout_ms = 60000;
  int64_t query_max_concurrent = 0;                 // 0 = 2 per core
  uint64_t query_max_memory_bytes = 1ull << 30;     // per query
  int64_t query_max_entries_limit = 5000;           // Loki's max_entries_limit_per_query
  int64_t query_max_series = 500;                   // Loki's max_query_series (a warning here, not an error)

  // YAML rendering of every setting, for --print-config.
  std::string ToYaml() const;
};

struct ConfigKeyInfo {
  std::string key;   // dotted
  std::string help;
  std::string env;   // STRATA_...
  std::string flag;  // --...
};
const std::vector<ConfigKeyInfo>& ConfigKeys();

// Sets one setting from its text form (sizes accept KiB/MiB/GiB/KB/MB/GB suffixes; lists are comma-separated).
base::Status SetConfigValue(Config& config, const std::string& key, const std::string& value);

// Applies a YAML document (nested maps; a list for `labels`; a map for `retention.tenants` and a list of
// {selector, period, tenant} maps for `retention.streams`). Errors name the key and line.
base::Status ApplyYaml(Config& config, const std::string& yaml_text);
base::Status ApplyYamlFile(Config& config, const std::string& path);

// Applies STRATA_* variables from env (a map so tests need not touch the process environment).
base::Status ApplyEnvironment(Config& config, const std::map<std::string, std::string>& env);
std::map<std::string, std::string> ProcessEnvironment();

// Applies flag values already collected as key -> text.
base::Status ApplyFlags(Config& config, const std::map<std::string, std::string>& flags);

base::Result<uint64_t> ParseSize(const std::string& text);

}  // namespace strata::server
