#pragma once
// WebSocket endpoints, as handlers see them (independent of the Beast plumbing in websocket_connection.cc).
//
// An upgrade request (GET with `Connection: Upgrade` and `Upgrade: websocket`) to a path registered with
// Router::AddWebSocket goes to its WebSocketHandler instead of the HTTP handlers. The handler validates the request
// on the io thread and answers either a rejection (an ordinary HTTP response, sent instead of the upgrade) or a
// WebSocketSession; the server then completes the handshake and drives the session:
//
//   OnOpen(connection) -> { OnMessage | OnWritable | OnTick }* -> OnClosed(code)      (all on the connection's strand)
//
// The connection pings the client every ping_interval, ticks the session every tick_interval, and calls OnClosed
// exactly once however the connection ends (client close: its close code; network error or timeout: 1006). After
// OnClosed the session must drop its connection pointer (the two reference each other until then).
//
// Back-pressure: SendText queues without blocking; PendingMessages() tells how many queued messages the client has
// not taken yet, and OnWritable() fires when that drops to zero, so a session can hold at most one message in
// flight and keep the rest in its own bounded structures.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "strata/server/http_types.h"

namespace strata::server {

inline constexpr uint16_t kWsCloseNormal = 1000;
inline constexpr uint16_t kWsCloseGoingAway = 1001;
inline constexpr uint16_t kWsCloseAbnormal = 1006;  // never sent: reported when no close frame was received
inline constexpr uint16_t kWsCloseInternalError = 1011;

// The server side of one WebSocket connection. Thread-safe: every method may be called from any thread.
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Queues a text message. Ignored once Close was called or the connection ended.
  virtual void SendText(std::string message) = 0;
  // Sends a close frame after the queued messages, then ends the connection (forcibly if the client does not take
  // them within a few seconds). Idempotent.
  virtual void Close(uint16_t code, std::string reason) = 0;
  // Runs fn on the connection's strand (with the session callbacks), unless the connection has ended.
  virtual void Post(std::function<void()> fn) = 0;
  // Messages queued or being written.
  virtual size_t PendingMessages() const = 0;
};

// What an endpoint implements. Callbacks run on the connection's strand, one at a time.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketConnection> connection) = 0;
  virtual void OnMessage(std::string_view /*message*/) {}
  virtual void OnWritable() {}
  virtual void OnTick() {}
  virtual void OnClosed(uint16_t code) = 0;
};

struct WebSocketOptions {
  std::chrono::milliseconds ping_interval{1000};
  std::chrono::milliseconds tick_interval{1000};
  size_t max_incoming_message_bytes = 64 * 1024;
};

struct WebSocketUpgrade {
  std::shared_ptr<WebSocketSession> session;  // null: reject the upgrade with `reject`
  HttpResponse reject;
  WebSocketOptions options;
};

using WebSocketHandler = std::function<WebSocketUpgrade(const HttpRequest& request)>;

}  // namespace strata::server
