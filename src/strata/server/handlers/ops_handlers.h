#pragma once
// Operational endpoints: GET /healthz (the process is alive), GET /readyz (200 only once WAL replay finished),
// GET /metrics (Prometheus text format 0.0.4).

#include "strata/observability/metrics.h"
#include "strata/server/http_types.h"
#include "strata/storage/storage_engine.h"

namespace strata::server {

Handler MakeHealthzHandler();
Handler MakeReadyzHandler(const storage::StorageEngine& storage);
Handler MakeMetricsHandler(const observability::Registry& registry);
Handler MakeBuildInfoHandler();

}  // namespace strata::server
