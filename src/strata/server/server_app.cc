#include "strata/server/server_app.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <thread>

#include "strata/ingest/ingest_service.h"
#include "strata/model/label_policy.h"
#include "strata/observability/log.h"
#include "strata/observability/metrics.h"
#include "strata/server/handlers/delete_handler.h"
#include "strata/server/handlers/export_handler.h"
#include "strata/server/handlers/native_ingest_handler.h"
#include "strata/server/handlers/ops_handlers.h"
#include "strata/server/http_server.h"
#include "strata/server/router.h"
#include "strata/server/version.h"
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

  Router router(registry);
  router.Add("GET", "/healthz", MakeHealthzHandler());
  router.Add("GET", "/readyz", MakeReadyzHandler(*storage));
  router.Add("GET", "/ready", MakeReadyzHandler(*storage));  // Loki's spelling
  router.Add("GET", "/metrics", MakeMetricsHandler(registry));
  router.Add("GET", "/api/v1/buildinfo", MakeBuildInfoHandler());
  router.Add("POST", "/api/v1/logs", MakeNativeIngestHandler(ingest, labels, config));
  router.Add("GET", "/api/v1/export", MakeExportHandler(*storage, config));
  router.Add("POST", "/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kNative));
  router.Add("GET", "/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kNative));
  router.Add("DELETE", "/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kNative));
  router.Add("POST", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  router.Add("PUT", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  router.Add("GET", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));
  router.Add("DELETE", "/loki/api/v1/delete", MakeDeleteHandler(*storage, config, DeleteApi::kLoki));

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
    // Waiting must not block an io thread: in-flight requests need those threads to finish.
    shutdown = std::thread([&] {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdown_timeout_ms);
      while (http.InFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (http.InFlight() > 0) {
        observability::LogWarn("shutdown timeout with requests in flight",
                               {{"in_flight", std::to_string(http.InFlight())}});
      }
      if (recovery.joinable()) recovery.join();
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
