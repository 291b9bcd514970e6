#include "strata/server/handlers/ops_handlers.h"

#include "strata/server/version.h"

namespace strata::server {

Handler MakeHealthzHandler() {
  return [](HttpRequest&&, Responder respond) {
    HttpResponse r;
    r.body = "{\"status\":\"ok\"}";
    respond(std::move(r));
  };
}

Handler MakeReadyzHandler(const storage::StorageEngine& storage) {
  return [&storage](HttpRequest&&, Responder respond) {
    if (!storage.ready()) return respond(ErrorResponse(base::Unavailable("not ready: WAL replay in progress")));
    HttpResponse r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ready\n";  // Loki's /ready answers the same text
    respond(std::move(r));
  };
}

Handler MakeMetricsHandler(const observability::Registry& registry) {
  return [&registry](HttpRequest&&, Responder respond) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = registry.Expose();
    respond(std::move(r));
  };
}

Handler MakeBuildInfoHandler() {
  return [](HttpRequest&&, Responder respond) {
    HttpResponse r;
    r.body = std::string("{\"version\":\"") + kVersion + "\",\"revision\":\"" + kGitRevision + "\"}";
    respond(std::move(r));
  };
}

}  // namespace strata::server
