#include "strata/server/router.h"

namespace strata::server {
namespace {

// Besides exact paths and trailing-'*' prefixes, an exact pattern may hold "*" as a whole inner segment
// ("/*/_bulk"): it matches exactly one non-empty segment. Added for Elasticsearch's /{index}/_bulk, which a prefix
// cannot express; the handler reads the segment from request.path, and the metrics label stays the pattern (bounded
// cardinality).
bool SegmentsMatch(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    const size_t p_end = pattern.find('/', 1);
    const size_t s_end = path.find('/', 1);
    const std::string_view p_seg = pattern.substr(0, p_end);
    const std::string_view s_seg = path.substr(0, s_end);
    if (!(p_seg == s_seg || (p_seg == "/*" && s_seg.size() > 1))) return false;
    pattern.remove_prefix(p_seg.size());
    path.remove_prefix(s_seg.size());
  }
  return pattern.empty() && path.empty();
}

}  // namespace

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
    bool path_ok = r.prefix ? request.path.rfind(r.path, 0) == 0
                            : request.path == r.path || (r.path.find("/*/") != std::string::npos &&
                                                         SegmentsMatch(r.path, request.path));
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

void Router::AddWebSocket(std::string path, WebSocketHandler handler) {
  websockets_.emplace_back(std::move(path), std::move(handler));
}

std::optional<WebSocketUpgrade> Router::Upgrade(const HttpRequest& request) const {
  for (const auto& [path, handler] : websockets_) {
    if (path != request.path) continue;
    auto start = std::chrono::steady_clock::now();
    WebSocketUpgrade upgrade = handler(request);
    // Latency here is the time to validate and accept, not the session's lifetime.
    latency_.WithLabels({path}).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    requests_.WithLabels({path, upgrade.session ? "101" : std::to_string(upgrade.reject.status)}).Inc();
    return upgrade;
  }
  return std::nullopt;
}

}  // namespace strata::server
