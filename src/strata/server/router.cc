#include "strata/server/router.h"

namespace strata::server {

Router::Router(observability::Registry& registry)
    : latency_(registry.AddHistogram("strata_http_request_duration_seconds",
                                     "HTTP request latency from the full request to the response.", {"endpoint"},
                                     observability::Registry::LatencyBuckets())),
      requests_(registry.AddCounter("strata_http_requests_total", "HTTP requests by endpoint and status code.",
                                    {"endpoint", "status"})) {}

void Router::Add(std::string method, std::string path, Handler handler) {
  bool prefix = !path.empty() && path.back() == '*';
  if (prefix) path.pop_back();
  routes_.push_back({std::move(method), std::move(path), prefix, std::move(handler)});
}

void Router::Dispatch(HttpRequest&& request, Responder respond) const {
  const Route* match = nullptr;
  bool path_known = false;
  for (const auto& r : routes_) {
    bool path_ok = r.prefix ? request.path.rfind(r.path, 0) == 0 : request.path == r.path;
    if (!path_ok) continue;
    path_known = true;
    if (r.method == request.method || (r.method == "GET" && request.method == "HEAD")) {
      match = &r;
      break;
    }
  }
  std::string endpoint = match ? (match->prefix ? match->path + "*" : match->path) : "other";
  auto start = std::chrono::steady_clock::now();
  auto& latency = latency_.WithLabels({endpoint});
  Responder measured = [this, &latency, endpoint, start, respond = std::move(respond)](HttpResponse resp) {
    latency.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    requests_.WithLabels({endpoint, std::to_string(resp.status)}).Inc();
    respond(std::move(resp));
  };
  if (!match) {
    if (path_known) {
      HttpResponse r = ErrorResponse({base::StatusCode::kInvalidArgument,
                                      "method " + request.method + " is not allowed on " + request.path});
      r.status = 405;
      measured(std::move(r));
    } else {
      measured(ErrorResponse(base::NotFound("no such endpoint: " + request.method + " " + request.path)));
    }
    return;
  }
  match->handler(std::move(request), std::move(measured));
}

}  // namespace strata::server
