#pragma once
// The Beast implementation of WebSocketConnection (websocket.h): takes over an HTTP connection whose request was
// a WebSocket upgrade accepted by a handler, completes the handshake and runs the session until the connection
// ends. Internal to the server module (http_server.cc calls it).

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "strata/server/websocket.h"

namespace strata::server {

// `stream` is the connection's socket (its strand executor is kept); `request` the upgrade request. The
// connection keeps itself alive until it ends.
void RunWebSocket(boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::string_body> request,
                  WebSocketUpgrade upgrade);

}  // namespace strata::server
