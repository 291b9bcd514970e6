#include "strata/server/server_app.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <thread>

#include "strata/ingest/elasticsearch/id_dedup.h"
#include "strata/ingest/ingest_service.h"
#include "strata/model/label_policy.h"
#include "strata/observability/log.h"
#include "strata/observability/metrics.h"
#include "strata/server/handlers/delete_handler.h"
#include "strata/server/handlers/es_bulk_handler.h"
#include "strata/server/handlers/es_probe_handlers.h"
#include "strata/server/handlers/export_handler.h"
#include "strata/server/handlers/loki_push_handler.h"
#include "strata/server/handlers/loki_query_handlers.h"
#include "strata/server/handlers/native_query_handler.h"
#include "strata/server/handlers/tail_handler.h"
#include "strata/server/handlers/native_ingest_handler.h"
#include "strata/server/handlers/ops_handlers.h"
#include "strata/server/handlers/otlp_http_handler.h"
#include "strata/server/grpc_server.h"
#include "strata/server/http_server.h"
#include "strata/server/router.h"
#include "strata/server/syslog_listener.h"
#include "strata/server/forward_listener.h"
#include "strata/server/version.h"
#include "strata/query/engine/query_engine.h"
#include "strata/query/tail/tail_hub.h"
#include "strata/storage/storage_engine.h"

namespace strata::server {

namespace net = boost::asio;
using observability::LogError;
using observability::LogInfo;

int RunServer(const Config& config) {
  auto level = observability::ParseLogLevel(config.log_level);
  observability::SetLogLevel(level.ok() ? *level : observability::LogLevel::kInfo);

  observability::Registry registry;
  storage::StorageOptions so;
  so.data_dir = config.data_dir;
  so.fsync = config.wal_fsync;
  so.fsync_interval_ms = config.wal_fsync_interval_ms;
  so.wal_segment_bytes = config.wal_segment_bytes;
  so.wal_max_pending_bytes = config.wal_max_pending_bytes;
  so.max_head_bytes = config.max_head_bytes;
  so.flush_interval_ms = config.head_flush_interval_ms;
  so.flush_bytes = config.head_flush_bytes;
  so.retention = storage::RetentionPolicy(config.retention_default_ns, config.retention_tenants,
                                          config.retention_streams);
  so.maintenance_interval_ms = config.maintenance_interval_ms;
  auto storage_or = storage::StorageEngine::Open(so, registry);
  if (!storage_or.ok()) {
    LogError("cannot open storage", {{"error", storage_or.status().ToString()}});
    return 1;
  }
  std::unique_ptr<storage::StorageEngine> storage = std::move(storage_or).value();
  ingest::IngestService ingest(*storage, registry);
  model::LabelPolicy labels(config.labels);

  query::QueryEngineOptions qo;
  qo.timeout = std::chrono::milliseconds(config.query_timeout_ms);
  qo.max_concurrent = config.query_max_concurrent > 0
                          ? size_t(config.query_max_concurrent)
                          : 2 * std::max<size_t>(1, std::thread::hardware_concurrency());
  qo.max_memory_bytes = config.query_max_memory_bytes;
  qo.max_entries_limit = uint64_t(config.query_max_entries_limit);
  qo.metric_limits.max_series = size_t(config.query_max_series);
  query::QueryEngine query_engine(*storage, qo, registry);
  // Live tail: acknowledged batches fan out to subscribers; a batch is copied only for a tenant someone tails.
  query::TailHubOptions tail_options;
  tail_options.backfill = query::MakeQueryEngineBackfill(query_engine);
  // A batch already past the tail check but not yet visible to the history query would fall between history and
  // live: wait for in-flight batches before the history query runs.
  tail_options.before_backfill = [&ingest] { (void)ingest.WaitForInFlight(std::chrono::seconds(5)); };
  query::TailHub tail_hub(std::move(tail_options), &registry);
  ingest.SetAckObserver({[&tail_hub](std::string_view tenant) { return tail_hub.HasSubscribers(tenant); },
                         [&tail_hub](std::shared_ptr<const model::LogBatch> batch) {
                           tail_hub.Publish(std::move(batch));
                         }});

  Router router(registry);
  router.Add("GET", "/healthz", MakeHealthzHandler());
  router.Add("GET", "/readyz", MakeReadyzHandler(*storage));
  router.Add("GET", "/ready", MakeReadyzHandler(*storage));  // Loki's spelling
  router.Add("GET", "/metrics", MakeMetricsHandler(registry));
  router.Add("GET", "/api/v1/buildinfo", MakeBuildInfoHandler());
  router.Add("POST", "/api/v1/logs", MakeNativeIngestHandler(ingest.ForProtocol("native"), labels, config));
  router.Add("GET", "/api/v1/export", MakeExportHandler(*storage, config));
  router.Add("POST", "/loki/api/v1/push", MakeLokiPushHandler(ingest.ForProtocol("loki"), config));
  router.Add("POST", "/api/prom/push", MakeLokiPushHandler(ingest.ForProtocol("loki"), config));  // Loki's legacy path
  ingest::elasticsearch::IdDedup es_dedup;  // _bulk create dedup by _id (per tenant, 100k ids / 10 min)
  for (const std::string prefix : {"", "/elasticsearch"}) {
    // Exact paths first: "/*/_bulk" would otherwise take /elasticsearch/_bulk as index "elasticsearch".
    router.Add("POST", prefix + "/_bulk", MakeEsBulkHandler(ingest.ForProtocol("elasticsearch"), config, es_dedup));
    router.Add("PUT", prefix + "/_bulk", MakeEsBulkHandler(ingest.ForProtocol("elasticsearch"), config, es_dedup));
  }
  for (const std::string prefix : {"", "/elasticsearch"}) {
    router.Add("POST", prefix + "/*/_bulk", MakeEsBulkHandler(ingest.ForProtocol("elasticsearch"), config, es_dedup));
    router.Add("PUT", prefix + "/*/_bulk", MakeEsBulkHandler(ingest.ForProtocol("elasticsearch"), config, es_dedup));
    AddElasticsearchProbeRoutes(router, config, prefix);
  }
  router.Add("POST", "/v1/logs", MakeOtlpHttpHandler(ingest.ForProtocol("otlp_http"), labels, config));       // OTLP/HTTP
  router.Add("POST", "/otlp/v1/logs", MakeOtlpHttpHandler(ingest.ForProtocol("otlp_http"), labels, config));  // Loki's OTLP path
  router.Add("POST", "/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kNative));
  router.Add("GET", "/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kNative));
  router.Add("DELETE", "/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kNative));
  router.Add("POST", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  router.Add("PUT", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  router.Add("GET", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  router.Add("DELETE", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  AddLokiQueryRoutes(router, query_engine, config);
  router.Add("POST", "/api/v1/query", MakeNativeQueryHandler(query_engine, config));
  TailHandlerOptions tail_handler_options;
  tail_handler_options.max_entries_limit = uint64_t(config.query_max_entries_limit);
  AddTailRoutes(router, tail_hub, config, tail_handler_options);

  int threads = config.http_threads > 0 ? config.http_threads
                                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  net::io_context ioc(threads);
  HttpServerOptions ho;
  ho.listen = config.http_listen;
  ho.max_body_bytes = config.max_body_bytes;
  HttpServer http(ioc, router, ho);
  if (auto st = http.Listen(); !st.ok()) {
    LogError("cannot start HTTP server", {{"error", st.ToString()}});
    return 1;
  }
  GrpcServer grpc(ingest.ForProtocol("grpc"), labels, config, registry);  // OTLP/gRPC + strata.v1.Ingest; grpc_listen "" = off
  if (!config.grpc_listen.empty()) {
    if (auto st = grpc.Start(); !st.ok()) {
      LogError("cannot start gRPC server", {{"error", st.ToString()}});
      return 1;
    }
    LogInfo("gRPC listening", {{"grpc", grpc.BoundAddress()}});
  }
  // Syslog (UDP + TCP, TLS) and Fluentd forward listeners; an empty address turns one off. The built-in default
  // addresses are optional: a second server on the same host starts without them (logged), but an address the
  // operator set must bind.
  const Config defaults;
  SyslogListenerOptions syslog_options;
  syslog_options.listen = config.syslog_listen;
  syslog_options.tls_listen = config.syslog_tls_listen;
  syslog_options.tls_cert_file = config.syslog_tls_cert;
  syslog_options.tls_key_file = config.syslog_tls_key;
  syslog_options.tenant = config.syslog_tenant.empty() ? config.default_tenant : config.syslog_tenant;
  for (const auto& [name, value] : config.syslog_labels) syslog_options.labels.push_back({name, value});
  syslog_options.max_message_bytes = config.max_line_bytes;
  syslog_options.optional = config.syslog_listen == defaults.syslog_listen;
  SyslogListener syslog(ioc, ingest.ForProtocol("syslog"), registry, syslog_options);
  if (auto st = syslog.Start(); !st.ok()) {
    LogError("cannot start the syslog listener", {{"error", st.ToString()}});
    return 1;
  }
  if (!syslog.TcpAddress().empty() || !syslog.TlsAddress().empty()) {
    LogInfo("syslog listening",
            {{"udp", syslog.UdpAddress()}, {"tcp", syslog.TcpAddress()}, {"tls", syslog.TlsAddress()}});
  }
  ForwardListenerOptions forward_options;
  forward_options.listen = config.forward_listen;
  forward_options.tenant = config.forward_tenant.empty() ? config.default_tenant : config.forward_tenant;
  forward_options.labels = &labels;
  forward_options.max_message_bytes = config.max_body_bytes;
  forward_options.max_decompressed_bytes = config.max_decompressed_bytes;
  forward_options.max_line_bytes = config.max_line_bytes;
  forward_options.max_fields = config.max_fields_per_line;
  forward_options.optional = config.forward_listen == defaults.forward_listen;
  ForwardListener forward(ioc, ingest.ForProtocol("forward"), registry, forward_options);
  if (auto st = forward.Start(); !st.ok()) {
    LogError("cannot start the forward listener", {{"error", st.ToString()}});
    return 1;
  }
  if (!forward.BoundAddress().empty()) LogInfo("forward listening", {{"forward", forward.BoundAddress()}});
  LogInfo("strata listening", {{"http", http.BoundAddress()},
                               {"data_dir", config.data_dir},
                               {"version", kVersion},
                               {"wal_fsync", std::string(storage::wal::FsyncPolicyName(config.wal_fsync))}});

  std::atomic<int> exit_code{0};
  std::thread recovery([&] {
    if (auto st = storage->Recover(); !st.ok()) {
      LogError("WAL recovery failed", {{"error", st.ToString()}});
      exit_code = 1;
      std::raise(SIGTERM);  // go through the normal shutdown path
      return;
    }
    LogInfo("ready");
  });

  std::thread shutdown;
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    LogInfo("shutting down", {{"signal", std::to_string(signo)}});
    http.StopAccepting();
    syslog.Stop();
    forward.Stop();
    // Waiting must not block an io thread: in-flight requests need those threads to finish.
    shutdown = std::thread([&] {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdown_timeout_ms);
      // Syslog and forward batches still in the sink finish from WAL callbacks; wait for them like requests.
      while ((http.InFlight() > 0 || syslog.InFlight() > 0 || forward.InFlight() > 0) &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (http.InFlight() > 0) {
        observability::LogWarn("shutdown timeout with requests in flight",
                               {{"in_flight", std::to_string(http.InFlight())}});
      }
      // gRPC calls in flight finish from WAL callbacks, so stop it while the WAL still runs.
      grpc.Stop(std::chrono::duration_cast<std::chrono::milliseconds>(
          std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero())));
      if (recovery.joinable()) recovery.join();
      tail_hub.Shutdown();
      if (auto st = storage->Close(); !st.ok()) {
        LogError("closing the WAL failed", {{"error", st.ToString()}});
        exit_code = 1;
      }
      ioc.stop();
    });
  });

  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
  if (shutdown.joinable()) shutdown.join();
  if (recovery.joinable()) recovery.join();
  LogInfo("stopped", {{"exit_code", std::to_string(exit_code.load())}});
  return exit_code.load();
}

}  // namespace strata::server
