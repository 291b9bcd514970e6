#pragma once
// HttpServer: HTTP/1.1 on Boost.Beast/Asio: keep-alive, many concurrent connections served by the io_context's
// thread pool (one strand per connection), `Expect: 100-continue`, a request body limit (413 JSON error), and
// chunked streaming responses. An upgrade request to a Router WebSocket endpoint leaves HTTP: the connection is
// handed to the endpoint's session (websocket.h) and no longer counts as in flight.
//
// Lifecycle: Listen() binds; the owner runs the io_context on its threads; StopAccepting() closes the listener
// and makes every later response `Connection: close`; InFlight() counts requests read but not yet answered, so
// the owner can wait for them before making the WAL durable and stopping the io_context.
// Thread-safety: StopAccepting/InFlight may be called from any thread.

#include <atomic>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "strata/base/status.h"
#include "strata/server/router.h"

namespace strata::server {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:3100";
  uint64_t max_body_bytes = 64ull << 20;
  int idle_timeout_seconds = 300;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, const Router& router, HttpServerOptions options);
  ~HttpServer();

  base::Status Listen();
  void StopAccepting();
  int64_t InFlight() const { return state_->in_flight.load(); }
  // The bound address (useful with port 0).
  std::string BoundAddress() const;

  struct State {
    std::atomic<int64_t> in_flight{0};
    std::atomic<bool> stopping{false};
  };

 private:
  class Listener;
  boost::asio::io_context& ioc_;
  const Router& router_;
  HttpServerOptions options_;
  std::shared_ptr<State> state_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace strata::server
