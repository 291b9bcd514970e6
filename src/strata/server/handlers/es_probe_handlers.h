#pragma once
// The Elasticsearch endpoints shippers call before (or besides) `_bulk`, answered so that Filebeat, Logstash,
// Fluent Bit, Vector and the official clients accept Strata as an Elasticsearch 8.x cluster (the version is
// `elasticsearch.version`). All are stateless and answer at once, with X-Elastic-Product: Elasticsearch:
//   GET|HEAD /                      cluster info with version.number (Filebeat, Logstash, Vector, clients' ping)
//   GET /_cluster/health[/...]      green, one node (Vector's healthcheck)
//   GET /_license, /_xpack          an active basic licence with ILM available (Filebeat, Logstash)
//   GET /_nodes[/...]               this one node with its HTTP publish address (sniffing)
//   GET /_cat/{indices,health,nodes,templates,...}   text, or JSON with ?format=json
//   GET|HEAD|PUT|DELETE /_index_template/{name}, /_template/{name}, /_component_template/{name},
//                       /_ilm/policy/{name}, /_ingest/pipeline/{name}, /_data_stream/{name}
//     GET/HEAD report that the named object exists (so shippers skip installing it), PUT/DELETE acknowledge;
//     nothing is stored: Strata needs no mappings, and pipelines are not applied.
// Each path is also served under /elasticsearch (for shippers configured with a path prefix).

#include <string>

#include "strata/server/config.h"
#include "strata/server/router.h"

namespace strata::server {

// Registers the probes above under prefix: "" or "/elasticsearch" (no trailing slash).
void AddElasticsearchProbeRoutes(Router& router, const Config& config, const std::string& prefix);

}  // namespace strata::server
