#pragma once
// The HTTP request/response values that handlers see, independent of the Beast plumbing in http_server.cc.
//
// A handler receives the whole request (body fully read and size-checked) and a Responder. It must call the
// Responder exactly once, from any thread, possibly later (ingest answers only after the WAL made the batch
// durable). A response either carries a body or a `stream` that produces chunks (chunked transfer encoding), so
// large results use bounded memory.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/base/status.h"

namespace strata::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoding not applied
  std::vector<std::pair<std::string, std::string>> query;  // decoded parameters in order
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set by the server when the client closes its connection before the response is sent (queries poll it and
  // stop: Loki's 499). Null for requests that did not come from a connection (tests).
  std::shared_ptr<const std::atomic<bool>> client_gone;

  // Case-insensitive header lookup; empty when absent.
  std::string_view Header(std::string_view name) const;
  // First value of a query parameter; empty when absent.
  std::string_view Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
};

// Produces the next chunk of a streamed body into *chunk; returns false when there is nothing more (a returned
// chunk is still sent when non-empty). An error ends the stream early (the client sees a truncated body).
using ChunkProducer = std::function<base::Result<bool>(std::string* chunk)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  ChunkProducer stream;  // when set, body is ignored and the response is chunked
};

using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&& request, Responder respond)>;

// {"error": message, "code": code_name, "details": details_json} with the status mapped from the code.
// details_json must be a JSON array text ("[]" when there are none).
HttpResponse ErrorResponse(const base::Status& status, const std::string& details_json = "[]");

// Parses "a=1&b=x%20y" into pairs ('+' is a space).
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view qs);

}  // namespace strata::server
