#include "strata/server/handlers/es_probe_handlers.h"

#include <chrono>

#include "strata/common/json_writer.h"
#include "strata/server/handlers/es_bulk_handler.h"

namespace strata::server {
namespace {

constexpr std::string_view kClusterName = "strata";
constexpr std::string_view kClusterUuid = "c3RyYXRhLWNsdXN0ZXIw";
constexpr std::string_view kNodeId = "c3RyYXRhLW5vZGUtMDAw";

std::string Quoted(std::string_view s) {
  std::string out;
  common::AppendJsonString(out, s);
  return out;
}

std::string RootInfo(const Config& config) {
  return "{\"name\":\"strata\",\"cluster_name\":" + Quoted(kClusterName) + ",\"cluster_uuid\":" +
         Quoted(kClusterUuid) + ",\"version\":{\"number\":" + Quoted(config.es_version) +
         ",\"build_flavor\":\"default\",\"build_type\":\"tar\",\"build_hash\":\"strata\","
         "\"build_date\":\"2024-01-01T00:00:00.000000000Z\",\"build_snapshot\":false,\"lucene_version\":\"9.12.0\","
         "\"minimum_wire_compatibility_version\":\"7.17.0\",\"minimum_index_compatibility_version\":\"7.0.0\"},"
         "\"tagline\":\"You Know, for Search\"}";
}

std::string ClusterHealth() {
  return "{\"cluster_name\":" + Quoted(kClusterName) +
         ",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,\"number_of_data_nodes\":1,"
         "\"active_primary_shards\":1,\"active_shards\":1,\"relocating_shards\":0,\"initializing_shards\":0,"
         "\"unassigned_shards\":0,\"delayed_unassigned_shards\":0,\"number_of_pending_tasks\":0,"
         "\"number_of_in_flight_fetch\":0,\"task_max_waiting_in_queue_millis\":0,"
         "\"active_shards_percent_as_number\":100.0}";
}

std::string License() {
  return "{\"license\":{\"status\":\"active\",\"uid\":\"00000000-0000-4000-8000-000000000000\",\"type\":\"basic\","
         "\"issue_date\":\"2024-01-01T00:00:00.000Z\",\"issue_date_in_millis\":1704067200000,\"max_nodes\":1000,"
         "\"max_resource_units\":null,\"issued_to\":\"strata\",\"issuer\":\"elasticsearch\","
         "\"start_date_in_millis\":-1}}";
}

std::string Xpack() {
  std::string features;
  for (const char* f : {"ilm", "data_streams", "monitoring", "slm", "enrich", "rollup", "transform"}) {
    if (!features.empty()) features += ',';
    features += std::string("\"") + f + "\":{\"available\":true,\"enabled\":true}";
  }
  features += ",\"security\":{\"available\":true,\"enabled\":false}";
  return "{\"build\":{\"hash\":\"strata\",\"date\":\"2024-01-01T00:00:00.000000000Z\"},\"license\":{\"uid\":"
         "\"00000000-0000-4000-8000-000000000000\",\"type\":\"basic\",\"mode\":\"basic\",\"status\":\"active\"},"
         "\"features\":{" + features + "},\"tagline\":\"You know, for nothing\"}";
}

std::string Nodes(const Config& config) {
  const std::string address = config.http_listen;
  const std::string host = address.substr(0, address.rfind(':'));
  return "{\"_nodes\":{\"total\":1,\"successful\":1,\"failed\":0},\"cluster_name\":" + Quoted(kClusterName) +
         ",\"nodes\":{" + Quoted(kNodeId) + ":{\"name\":\"strata\",\"transport_address\":" + Quoted(address) +
         ",\"host\":" + Quoted(host) + ",\"ip\":" + Quoted(host) + ",\"version\":" + Quoted(config.es_version) +
         ",\"roles\":[\"data\",\"ingest\",\"master\"],\"attributes\":{},\"http\":{\"bound_address\":[" +
         Quoted(address) + "],\"publish_address\":" + Quoted(address) + ",\"max_content_length_in_bytes\":" +
         std::to_string(config.max_body_bytes) + "}}}}";
}

HttpResponse Cat(const HttpRequest& request, std::string_view what) {
  const bool json = request.Query("format") == "json";
  const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  HttpResponse r;
  if (what == "health") {
    r = json ? EsJsonResponse(200, "[{\"epoch\":\"" + std::to_string(epoch) +
                                       "\",\"cluster\":\"strata\",\"status\":\"green\",\"node.total\":\"1\","
                                       "\"node.data\":\"1\",\"shards\":\"1\",\"pri\":\"1\",\"relo\":\"0\","
                                       "\"init\":\"0\",\"unassign\":\"0\",\"active_shards_percent\":\"100.0%\"}]")
             : EsJsonResponse(200, std::to_string(epoch) + " strata green 1 1 1 1 0 0 0 100.0%\n");
  } else if (what == "nodes") {
    r = json ? EsJsonResponse(200,
                              "[{\"ip\":\"127.0.0.1\",\"name\":\"strata\",\"node.role\":\"dim\",\"master\":\"*\"}]")
             : EsJsonResponse(200, "127.0.0.1 dim * strata\n");
  } else {
    r = EsJsonResponse(200, json ? "[]" : "");  // indices, templates, aliases, ...: none to show
  }
  if (!json) r.content_type = "text/plain; charset=UTF-8";
  return r;
}

// The object kinds shippers install before writing; GET/HEAD claim they exist, PUT/DELETE acknowledge.
enum class Installable { kIndexTemplate, kLegacyTemplate, kComponentTemplate, kIlmPolicy, kPipeline, kDataStream };

std::string ExistingObject(Installable kind, const std::string& name) {
  const std::string n = Quoted(name);
  switch (kind) {
    case Installable::kIndexTemplate:
      if (name.empty()) return "{\"index_templates\":[]}";
      return "{\"index_templates\":[{\"name\":" + n + ",\"index_template\":{\"index_patterns\":[" +
             Quoted(name + "*") + "],\"composed_of\":[],\"template\":{\"settings\":{},\"mappings\":{}}}}]}";
    case Installable::kLegacyTemplate:
      if (name.empty()) return "{}";
      return "{" + n + ":{\"order\":0,\"index_patterns\":[" + Quoted(name + "*") +
             "],\"settings\":{},\"mappings\":{},\"aliases\":{}}}";
    case Installable::kComponentTemplate:
      if (name.empty()) return "{\"component_templates\":[]}";
      return "{\"component_templates\":[{\"name\":" + n + ",\"component_template\":{\"template\":{}}}]}";
    case Installable::kIlmPolicy:
      if (name.empty()) return "{}";
      return "{" + n + ":{\"version\":1,\"modified_date\":\"2024-01-01T00:00:00.000Z\",\"policy\":{\"phases\":"
             "{\"hot\":{\"min_age\":\"0ms\",\"actions\":{}}}}}}";
    case Installable::kPipeline:
      if (name.empty()) return "{}";
      return "{" + n + ":{\"description\":\"accepted by Strata, not applied\",\"processors\":[]}}";
    case Installable::kDataStream:
      if (name.empty()) return "{\"data_streams\":[]}";
      return "{\"data_streams\":[{\"name\":" + n + ",\"timestamp_field\":{\"name\":\"@timestamp\"},\"indices\":[],"
             "\"generation\":1,\"status\":\"GREEN\",\"template\":" + n + "}]}";
  }
  return "{}";
}

Handler InstallableHandler(Installable kind, std::string route) {
  return [kind, route = std::move(route)](HttpRequest&& request, Responder respond) {
    std::string name = request.path.substr(std::min(route.size(), request.path.size()));
    while (!name.empty() && name.front() == '/') name.erase(0, 1);
    name = name.substr(0, name.find('/'));
    if (request.method == "GET" || request.method == "HEAD") {
      return respond(EsJsonResponse(200, ExistingObject(kind, name)));
    }
    respond(EsJsonResponse(200, "{\"acknowledged\":true}"));
  };
}

Handler Fixed(std::string body) {
  return [body = std::move(body)](HttpRequest&&, Responder respond) { respond(EsJsonResponse(200, body)); };
}

}  // namespace

void AddElasticsearchProbeRoutes(Router& router, const Config& config, const std::string& prefix) {
  const std::string root = RootInfo(config);
  router.Add("GET", prefix + "/", Fixed(root));
  if (!prefix.empty()) router.Add("GET", prefix, Fixed(root));
  router.Add("GET", prefix + "/_cluster/health*", Fixed(ClusterHealth()));
  router.Add("GET", prefix + "/_license*", Fixed(License()));
  router.Add("GET", prefix + "/_xpack*", Fixed(Xpack()));
  router.Add("GET", prefix + "/_nodes*", Fixed(Nodes(config)));
  const std::string cat = prefix + "/_cat/";
  router.Add("GET", cat + "*", [cat](HttpRequest&& request, Responder respond) {
    std::string what = request.path.substr(std::min(cat.size(), request.path.size()));
    respond(Cat(request, what.substr(0, what.find('/'))));
  });
  const std::pair<const char*, Installable> kInstallables[] = {
      {"/_index_template", Installable::kIndexTemplate}, {"/_template", Installable::kLegacyTemplate},
      {"/_component_template", Installable::kComponentTemplate}, {"/_ilm/policy", Installable::kIlmPolicy},
      {"/_ingest/pipeline", Installable::kPipeline},     {"/_data_stream", Installable::kDataStream},
  };
  for (const auto& [path, kind] : kInstallables) {
    const std::string route = prefix + path;
    for (const char* method : {"GET", "PUT", "POST", "DELETE"}) {
      router.Add(method, route + "*", InstallableHandler(kind, route));
    }
  }
}

}  // namespace strata::server
