#pragma once
// ServerApp: `strata serve`. Wires the configuration, storage engine, ingest service, router and HTTP server,
// runs them on a thread pool, and owns the lifecycle:
//   start: listen at once (/healthz answers), replay the WAL in the background (/readyz 503 until done);
//   SIGTERM/SIGINT: stop accepting, wait for in-flight requests (up to shutdown_timeout_ms), close the WAL
//   (everything queued is written and fsynced), stop the threads, exit 0.
// Run() returns the process exit code.

#include "strata/server/config.h"

namespace strata::server {

int RunServer(const Config& config);

}  // namespace strata::server
