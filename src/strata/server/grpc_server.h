#pragma once
// GrpcServer: the gRPC listener (`grpc_listen`, default 127.0.0.1:4317; empty = off). It serves
//   /opentelemetry.proto.collector.logs.v1.LogsService/Export   OTLP/gRPC logs (mapping: ingest/otlp/otlp_decoder.h)
//   /strata.v1.Ingest/Push and /strata.v1.Ingest/PushStream     the native service (proto/strata/v1/ingest.proto)
// with gRPC's callback API: a handler returns its reactor at once and finishes the RPC from the IngestSink's
// callback, so a client is acknowledged only once its records are durable (wal.fsync), exactly like HTTP.
//
// Tenant: metadata `x-tenant-id`, else `x-scope-orgid`, else the default tenant (same rules as HTTP). Errors are
// gRPC statuses with the code of base::GrpcCodeFor (one table for HTTP and gRPC): RESOURCE_EXHAUSTED (back-
// pressure) and UNAVAILABLE (WAL replay, shutdown) are the retryable ones and carry a google.rpc.RetryInfo (1 s)
// in their details, as OTLP clients require before retrying RESOURCE_EXHAUSTED; INVALID_ARGUMENT for malformed
// input and bad tenants. Messages above limits.max_body_bytes are refused by gRPC (RESOURCE_EXHAUSTED); gzip is
// undone by gRPC within the same bound. Metrics: strata_grpc_requests_total{method,code}.
//
// Lifecycle: Start() binds and serves on gRPC's own threads; Stop(timeout) stops accepting, waits for RPCs in
// flight (which needs the WAL still running: stop this before closing the WAL), cancels those left at the
// deadline and still waits for their reactors, so no callback outlives the server. Start/Stop from one thread;
// the handlers are thread-safe. The sink, label policy and config must outlive the server.

#include <chrono>
#include <memory>
#include <string>

#include "strata/base/status.h"
#include "strata/ingest/ingest_sink.h"
#include "strata/model/label_policy.h"
#include "strata/observability/metrics.h"
#include "strata/server/config.h"

namespace strata::server {

class GrpcServer {
 public:
  GrpcServer(ingest::IngestSink& sink, const model::LabelPolicy& labels, const Config& config,
             observability::Registry& registry);
  ~GrpcServer();  // Stop(0) if still running
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Binds config.grpc_listen (HOST:PORT; port 0 picks a free one). InvalidArgument for a malformed address,
  // Unavailable when it cannot bind.
  base::Status Start();
  std::string BoundAddress() const;  // "127.0.0.1:4317", valid after Start
  void Stop(std::chrono::milliseconds timeout);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::server
