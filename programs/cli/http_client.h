#pragma once
// A small synchronous HTTP/1.1 client (Boost.Beast, plain TCP) for the command-line tools that talk to a running
// Strata or Loki server. One connection per request: the tools issue a handful of requests, so keep-alive would
// only add state. Not thread-safe; each call is independent.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"

namespace strata::cli {

// A server address as given to --addr: "http://host:port[/prefix]" ("host:port" alone is taken as http). The
// prefix is prepended to every API path, for servers behind a reverse proxy that mounts Loki under a path.
struct ServerAddress {
  std::string host;
  std::string port;
  std::string path_prefix;  // "" or "/something" without a trailing slash
};

// InvalidArgument for https (not supported: the tools speak plain HTTP), an empty host or a bad port.
base::Result<ServerAddress> ParseServerAddress(std::string_view addr);

// Percent-encodes a query-string component (RFC 3986 unreserved characters stay as they are).
std::string UrlEncode(std::string_view s);

// Builds "?k=v&k2=v2" from pairs, encoding both sides; "" when empty.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// GET path (which includes the query string; the address prefix is prepended here). Any HTTP status is a
// successful Result: the caller decides what a 4xx means. Network failures are Unavailable with the address in
// the message; `timeout` bounds connect + request + response together.
base::Result<HttpResponse> HttpGet(const ServerAddress& addr, const std::string& path, const Headers& headers,
                                   std::chrono::seconds timeout);

}  // namespace strata::cli
