#pragma once
// Router: maps (method, path) to handlers and measures every request (count and latency per route, the
// route pattern being the label so cardinality stays bounded). Routes are registered before serving starts;
// Dispatch is then thread-safe (read-only).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/observability/metrics.h"
#include "strata/server/http_types.h"
#include "strata/server/websocket.h"

namespace strata::server {

class Router {
 public:
  explicit Router(observability::Registry& registry);

  // path is exact, or a prefix when it ends with '*' ("/loki/api/v1/label/*").
  void Add(std::string method, std::string path, Handler handler);

  // Finds the handler (404/405 JSON errors otherwise), runs it, and wraps the responder to record metrics.
  void Dispatch(HttpRequest&& request, Responder respond) const;

  // WebSocket endpoints (exact paths). Upgrade() runs the handler of a WebSocket upgrade request's path and
  // records it (status 101, or the rejection's); nullopt when no WebSocket endpoint has that path (the request
  // then goes to Dispatch like any other).
  void AddWebSocket(std::string path, WebSocketHandler handler);
  std::optional<WebSocketUpgrade> Upgrade(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    bool prefix;
    Handler handler;
  };
  observability::Family<observability::Histogram>& latency_;
  observability::Family<observability::Counter>& requests_;
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, WebSocketHandler>> websockets_;
};

}  // namespace strata::server
